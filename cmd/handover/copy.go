package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/verify"
)

// copiedTables are the tables copy moves row by row, in order, with the order of
// their rows. The projections (parties, facilities, persons, custody, docs) are
// rebuilt on the target from the events; sessions are not copied (users sign in
// again).
var copiedTables = []struct{ name, order string }{
	{"events", "idx"},
	{"tree_nodes", "level, idx"},
	{"checkpoints", "size"},
	{"users", "id"},
	{"tokens", "id"},
	{"audit", "seq"},
	{"idempotency", "key"},
}

// checkedEmpty are the target's tables that must be empty before a copy.
var checkedEmpty = []string{"events", "tree_nodes", "checkpoints", "users", "tokens", "audit", "idempotency",
	"sessions", "parties", "facilities", "persons", "custody", "docs"}

func newCopy() *cobra.Command {
	var from, to string
	var quiet, restart bool
	cmd := &cobra.Command{
		Use:   "copy --from DATADIR --to postgres://…",
		Short: "Copy a deployment from its SQLite database to an empty PostgreSQL database, and verify the copy",
		Long: `copy moves a deployment from the embedded SQLite store to PostgreSQL: the events
(their exact bytes, indexes, ids, subjects and leaf hashes), the stored tree nodes, the
signed checkpoints, the accounts, API tokens, audit log and kept idempotent responses,
in one transaction, with a record of the source (table copy_source: its path, log
origin and latest signed checkpoint). It then rebuilds the projections on the target
from the events and verifies the copy: the target's latest checkpoint must be the
source's (same size, same root) and ` + "`verify`" + ` must pass on the target with the data
directory's log public key. Only then is the copy marked finished.

copy is restartable. Stopped at any moment (killed, a lost connection), it leaves the
target either empty or holding an unfinished copy, which no server serves and verify
refuses, both saying how to finish it: run the same copy again. A rerun finishes the
copy it started (rebuild, verify) without copying again. If the source was written to
since (or --from names another deployment), the rerun says so and stops; --restart then
discards the unfinished copy — never served, so nothing is lost — and copies afresh.

--from is a data directory or the handover.db inside one (its config.json and log.pub
are read beside it). The target must otherwise be empty: copy refuses a database that
holds any event, account or projection it did not put there. Sessions are not copied:
users sign in again.

Stop the server writing to the source first. Afterwards run the servers with
--db URL and the same data directory (its log.key signs the next checkpoints).`,
		Example: `  handover copy --from ./handover-data --to 'postgres://handover@db.example:5432/handover'
  handover serve --data ./handover-data --db 'postgres://handover@db.example:5432/handover'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return errors.New("--from and --to are required")
			}
			if err := checkDBURL(to, "--to"); err != nil {
				return err
			}
			var progress io.Writer
			if !quiet {
				progress = cmd.ErrOrStderr()
			}
			return copyToPostgres(cmd.Context(), copyArgs{from: from, to: to, restart: restart}, cmd.OutOrStdout(), progress)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the source: a data directory, or the SQLite database (handover.db) inside one")
	cmd.Flags().StringVar(&to, "to", "", "the target: an empty PostgreSQL database, postgres://USER@HOST:PORT/DATABASE")
	cmd.Flags().BoolVar(&restart, "restart", false, "discard an unfinished copy of another source (or of this one before it was written to) in the target, and copy afresh")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}

type copyArgs struct {
	from, to string
	restart  bool
}

// copyLock is the key of the advisory lock a copy holds on the target from before
// it decides what to do with it to its end ("handcopy" in ASCII).
const copyLock = 0x68616e64636f7079

// copyToPostgres copies the deployment at a.from into the database at a.to (empty,
// or holding an unfinished copy of the same source, which it finishes), then
// rebuilds the target's projections, verifies it and marks the copy finished.
// progress, if not nil, shows a bar for large copies.
func copyToPostgres(ctx context.Context, a copyArgs, out, progress io.Writer) error {
	start := time.Now()
	dir, path := a.from, filepath.Join(a.from, sqlite.FileName)
	if fi, err := os.Stat(a.from); err != nil {
		return fmt.Errorf("--from: %w", err)
	} else if !fi.IsDir() {
		dir, path = filepath.Dir(a.from), a.from
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--from: %s holds no %s", dir, sqlite.FileName)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	origin, vkey, err := readDataDir(dir)
	if err != nil {
		return fmt.Errorf("--from: %w (copy reads the log name and public key beside the database)", err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		return err
	}

	// Both stores are opened once so that both schemas are at this version.
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, a.to)
	if err != nil {
		return err
	}
	defer dst.Close()
	target := redactURL(a.to)

	srcRaw, err := sql.Open("sqlite3", path)
	if err != nil {
		return err
	}
	defer srcRaw.Close()
	// One read transaction: a snapshot of the source, consistent across its tables.
	stx, err := srcRaw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer stx.Rollback()
	want := postgres.CopySource{Source: path, Origin: origin, Started: time.Now(), Checkpoint: []byte{}}
	var size int64
	switch err := stx.QueryRowContext(ctx, "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&size, &want.Checkpoint); {
	case errors.Is(err, sql.ErrNoRows): // an empty ledger
	case err != nil:
		return fmt.Errorf("%s: latest checkpoint: %w", path, err)
	}
	want.Size = uint64(size)

	conn, err := pgx.Connect(ctx, a.to)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	defer conn.Close(context.Background())
	// One copy at a time into a database, from its decision to its end: the lock is
	// the session's, released when the connection closes (or the process dies).
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(copyLock)); err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	// One write transaction: a copy stopped before its commit leaves the target as
	// it was; the commit brings the ledger and the record of its source together.
	ttx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer ttx.Rollback(context.Background())
	had, ok, err := dst.ReadCopySource(ctx)
	if err != nil {
		return err
	}
	var copied time.Duration
	switch {
	case ok && sameCopy(&had, &want):
		ttx.Rollback(ctx)
		if err := resumeCopy(ctx, dst, &had, target, out); err != nil {
			return err
		}
		want = had
	case ok && !had.Finished.IsZero():
		return fmt.Errorf("--to: %s is not empty: it holds a finished copy of %s (log %s, %d events, made %s): copy only into a new database",
			target, had.Source, had.Origin, had.Size, had.Finished.Format(time.RFC3339))
	case ok && !a.restart:
		return exitError{code: 2, err: fmt.Errorf("--to: %s holds an unfinished copy of %s (log %s, %d events, begun %s), "+
			"but %s (log %s) now holds %d events: it was written to since, or it is another deployment.\n"+
			"Run the copy again with --restart to discard the unfinished copy (it was never served, so nothing is lost) and copy afresh:\n"+
			"  handover copy --restart --from %s --to '%s'",
			target, had.Source, had.Origin, had.Size, had.Started.Format(time.RFC3339), path, origin, want.Size, dir, target)}
	case !ok && heldAlready(ctx, dst, &want):
		fmt.Fprintf(out, "%s holds the ledger of %s up to its latest signed checkpoint (size %d) but no record of a copy: "+
			"a copy made before copies were recorded, stopped after its commit; finishing it\n", target, path, want.Size)
		if err := recordCopy(ctx, ttx, &want, target); err != nil {
			return err
		}
	default:
		if ok {
			fmt.Fprintf(out, "discarding the unfinished copy of %s (log %s, %d events, begun %s)\n", had.Source, had.Origin, had.Size, had.Started.Format(time.RFC3339))
			if err := discardCopy(ctx, ttx); err != nil {
				return fmt.Errorf("%s: discard the unfinished copy: %w", target, err)
			}
		}
		if err := copyLedger(ctx, stx, ttx, &want, path, target, progress); err != nil {
			return err
		}
		copied = time.Since(start)
	}
	stx.Rollback()
	return finishCopy(ctx, dst, conn, &want, v, copied, dir, target, out, progress)
}

// copyLedger copies the source's tables into the empty target in ttx, with the
// record of the copy, and commits.
func copyLedger(ctx context.Context, stx *sql.Tx, ttx pgx.Tx, want *postgres.CopySource, path, target string, progress io.Writer) error {
	for _, t := range checkedEmpty {
		var some bool
		if err := ttx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&some); err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		if some {
			return fmt.Errorf("--to: %s is not empty (table %s has rows): copy only into a new database", target, t)
		}
	}
	for _, t := range copiedTables {
		var total int64
		if err := stx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&total); err != nil {
			return fmt.Errorf("%s: count %s: %w", path, t.name, err)
		}
		n, err := copyTable(ctx, stx, ttx, t.name, t.order, total, progress)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		if n != total {
			return fmt.Errorf("copy %s: %d rows copied of %d", t.name, n, total)
		}
	}
	// The audit log's sequence continues after the copied entries.
	if _, err := ttx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('audit', 'seq'), COALESCE(MAX(seq), 0) + 1, false) FROM audit"); err != nil {
		return fmt.Errorf("%s: audit sequence: %w", target, err)
	}
	return recordCopy(ctx, ttx, want, target)
}

// recordCopy records the copy's source in ttx and commits.
func recordCopy(ctx context.Context, ttx pgx.Tx, want *postgres.CopySource, target string) error {
	if _, err := ttx.Exec(ctx, "INSERT INTO copy_source ("+postgres.CopySourceColumns+") VALUES ($1, $2, $3, $4, $5)", postgres.CopySourceValues(want)...); err != nil {
		return fmt.Errorf("%s: record the copy's source: %w", target, err)
	}
	if err := ttx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit the copy: %w", target, err)
	}
	return nil
}

// finishCopy rebuilds the target's projections, checks that its latest checkpoint
// is the one the copy recorded, verifies it, marks the copy finished and reports.
func finishCopy(ctx context.Context, dst *postgres.DB, conn *pgx.Conn, want *postgres.CopySource, v note.Verifier, copied time.Duration, dir, target string, out, progress io.Writer) error {
	st, err := dst.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("rebuild the projections on %s: %w", target, err)
	}
	dstCP, dstSize, err := dst.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if want.Size != dstSize || !bytes.Equal(want.Checkpoint, dstCP) {
		return exitError{code: 1, err: fmt.Errorf("copy failed: the latest checkpoint of %s (size %d) differs from the source's (size %d)", target, dstSize, want.Size)}
	}
	var bar interface{ Set64(int64) error }
	rep, err := verify.Run(ctx, dst, v, want.Origin, func(done, total uint64) {
		if progress == nil || total < 10000 {
			return
		}
		if bar == nil {
			bar = newProgress(progress, int64(total), "verifying")
		}
		bar.Set64(int64(done))
	})
	var p *verify.Problem
	if errors.As(err, &p) {
		return exitError{code: 1, err: fmt.Errorf("copy failed: verify on %s: %w", target, p)}
	}
	if err != nil {
		return err
	}
	if rep.Size != want.Size {
		return exitError{code: 1, err: fmt.Errorf("copy failed: %s verified %d events, the source's latest checkpoint covers %d", target, rep.Size, want.Size)}
	}
	if want.Finished.IsZero() {
		if err := dst.FinishCopy(ctx, time.Now()); err != nil {
			return err
		}
	}
	counts, err := copiedCounts(ctx, conn)
	if err != nil {
		return err
	}
	if copied > 0 {
		fmt.Fprintf(out, "copied %s to %s in %s:\n", want.Source, target, copied.Round(time.Millisecond))
	} else {
		fmt.Fprintf(out, "%s holds the copy of %s:\n", target, want.Source)
	}
	fmt.Fprintf(out, "  %d events, %d tree nodes, %d checkpoints\n", counts["events"], counts["tree_nodes"], counts["checkpoints"])
	fmt.Fprintf(out, "  %d users, %d API tokens, %d audit entries, %d idempotent responses (sessions are not copied: users sign in again)\n",
		counts["users"], counts["tokens"], counts["audit"], counts["idempotency"])
	fmt.Fprintf(out, "rebuilt the projections: %d persons, %d facilities, %d parties\n", len(st.Persons()), len(st.Facilities()), len(st.Parties()))
	fmt.Fprintf(out, "same latest checkpoint: size %d, root %s\n", dstSize, base64.StdEncoding.EncodeToString(rep.Root[:]))
	fmt.Fprintf(out, "verified the copy: %s\n", rep)
	fmt.Fprintf(out, "serve it with: handover serve --data %s --db '%s'\n", dir, target)
	return nil
}

// copiedCounts counts the rows of the copied tables in the target.
func copiedCounts(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, t := range copiedTables {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.name, err)
		}
		counts[t.name] = n
	}
	return counts, nil
}
