package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/handover-project/handover/postgres"
)

// A copy's life after its commit, as its record in the target (postgres.CopySource)
// tells it: an unfinished copy is refused by every command but copy, which finishes
// it, or discards it with --restart.

// sameCopy reports whether the copy recorded in a target is of the source as it is
// now: the same log, at the same signed checkpoint.
func sameCopy(had, want *postgres.CopySource) bool {
	return had.Origin == want.Origin && had.Size == want.Size && bytes.Equal(had.Checkpoint, want.Checkpoint)
}

// resumeCopy says what a rerun finds: an unfinished copy to finish, or a finished
// one to verify again (refused if the target has been written to since).
func resumeCopy(ctx context.Context, dst *postgres.DB, had *postgres.CopySource, target string, out io.Writer) error {
	if had.Finished.IsZero() {
		fmt.Fprintf(out, "continuing the copy of %s into %s begun %s: its ledger is in; rebuilding the projections and verifying\n",
			had.Source, target, had.Started.Format(time.RFC3339))
		return nil
	}
	_, size, err := dst.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if size != had.Size {
		return fmt.Errorf("--to: %s is not empty: it holds the copy of %s made %s, and %d events written since: copy only into a new database",
			target, had.Source, had.Finished.Format(time.RFC3339), size-had.Size)
	}
	fmt.Fprintf(out, "%s already holds this copy of %s, finished %s; verifying it again\n", target, had.Source, had.Finished.Format(time.RFC3339))
	return nil
}

// heldAlready reports whether the target, with no record of a copy, holds the
// source's ledger to the same latest signed checkpoint: what a copy by an earlier
// version of handover, stopped after its commit, left behind.
func heldAlready(ctx context.Context, dst *postgres.DB, want *postgres.CopySource) bool {
	cp, size, err := dst.LatestCheckpoint(ctx)
	return err == nil && want.Size > 0 && size == want.Size && bytes.Equal(cp, want.Checkpoint)
}

// discardCopy empties the target of an unfinished copy, in ttx. The ledger's
// tables are append-only: their triggers are off only inside ttx.
func discardCopy(ctx context.Context, ttx pgx.Tx) error {
	guarded := []string{"events", "checkpoints", "audit"}
	for _, t := range guarded {
		if _, err := ttx.Exec(ctx, "ALTER TABLE "+t+" DISABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	for _, t := range append(slices.Clone(checkedEmpty), "copy_source") {
		if _, err := ttx.Exec(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	for _, t := range guarded {
		if _, err := ttx.Exec(ctx, "ALTER TABLE "+t+" ENABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	return nil
}

// refuseUnfinishedCopy refuses a database that holds an unfinished copy (see
// postgres.CopySource), saying how to finish it: its projections may be missing
// and it was not verified, so nothing may serve or judge it yet.
func refuseUnfinishedCopy(ctx context.Context, db *postgres.DB) error {
	c, ok, err := db.ReadCopySource(ctx)
	if err != nil || !ok || !c.Finished.IsZero() {
		return err
	}
	target := redactURL(db.URL)
	return fmt.Errorf("%s holds an unfinished copy of %s (log %s, %d events, begun %s): it may not be served or verified before the copy is finished. Finish it with:\n  handover copy --from %s --to '%s'",
		target, c.Source, c.Origin, c.Size, c.Started.Format(time.RFC3339), filepath.Dir(c.Source), target)
}
