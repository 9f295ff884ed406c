package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
)

var _ sequencer.Writer = (*DB)(nil)

const eventCols = 8

// eventInsert returns a multi-row INSERT for n events.
func eventInsert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO events (idx, id, type, subject, occurred_at, recorded_at, bytes, leaf_hash) VALUES ")
	row := "(" + placeholders(eventCols) + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// eventChunk is the number of events one INSERT statement carries.
const eventChunk = 128

// WriteBatch writes a batch in one transaction. It refuses a batch that does not
// start where the stored ledger ends (another process wrote meanwhile).
func (db *DB) WriteBatch(ctx context.Context, b *sequencer.Batch) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var next uint64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM events").Scan(&next); err != nil {
		return fmt.Errorf("sqlite: ledger size: %w", err)
	}
	if len(b.Events) > 0 && b.Events[0].Index != next {
		return fmt.Errorf("sqlite: batch starts at index %d but the stored ledger has %d events (another writer?)", b.Events[0].Index, next)
	}
	args := make([]any, 0, eventChunk*eventCols)
	for start := 0; start < len(b.Events); start += eventChunk {
		chunk := b.Events[start:min(start+eventChunk, len(b.Events))]
		args = args[:0]
		for i := range chunk {
			e := &chunk[i]
			args = append(args, int64(e.Index), e.Event.ID.String(), string(e.Event.Type), e.Event.Subject.String(),
				e.Event.OccurredAt.Format(time.RFC3339Nano), e.Event.RecordedAt.Format(time.RFC3339Nano), e.Bytes, e.LeafHash[:])
		}
		if _, err := tx.ExecContext(ctx, eventInsert(len(chunk)), args...); err != nil {
			return fmt.Errorf("sqlite: insert events: %w", err)
		}
	}
	for _, n := range b.Nodes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)", n.Level, int64(n.Index), n.Hash[:]); err != nil {
			return fmt.Errorf("sqlite: insert tree node: %w", err)
		}
	}
	if err := writeProjections(ctx, tx, b.Parties, b.Facilities, b.Persons); err != nil {
		return err
	}
	c := b.Checkpoint
	if _, err := tx.ExecContext(ctx, "INSERT INTO checkpoints (size, root, note) VALUES (?, ?, ?)", int64(c.Size), c.Root[:], c.Note); err != nil {
		return fmt.Errorf("sqlite: insert checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// writeProjections upserts projection rows.
func writeProjections(ctx context.Context, tx *sql.Tx, parties []*custody.Party, facilities []*custody.FacilityState, persons []*custody.PersonState) error {
	if len(parties) > 0 {
		q := upsertSQL("parties", partyCols)
		for _, p := range parties {
			row, err := partyRow(p)
			if err == nil {
				_, err = tx.ExecContext(ctx, q, row...)
			}
			if err != nil {
				return fmt.Errorf("sqlite: project party %s: %w", p.Code, err)
			}
		}
	}
	if len(facilities) > 0 {
		q := upsertSQL("facilities", facilityCols)
		for _, f := range facilities {
			row, err := facilityRow(f)
			if err == nil {
				_, err = tx.ExecContext(ctx, q, row...)
			}
			if err != nil {
				return fmt.Errorf("sqlite: project facility %s: %w", f.Code, err)
			}
		}
	}
	if len(persons) > 0 {
		stmt, err := tx.PrepareContext(ctx, upsertSQL("persons", personCols))
		if err != nil {
			return fmt.Errorf("sqlite: prepare person upsert: %w", err)
		}
		defer stmt.Close()
		for _, p := range persons {
			row, err := personRow(p)
			if err == nil {
				_, err = stmt.ExecContext(ctx, row...)
			}
			if err != nil {
				return fmt.Errorf("sqlite: project person %s: %w", p.Record.RegNo, err)
			}
		}
	}
	return nil
}

// Load replays the stored events into a fresh state and tree. It refuses to load a
// ledger whose tree does not match its latest checkpoint: run verify.
func (db *DB) Load(ctx context.Context) (*custody.State, *ledger.Tree, error) {
	st, tree := custody.NewState(), ledger.NewTree()
	err := db.ScanEvents(ctx, func(idx uint64, _ string, bytes, leaf []byte) error {
		if idx != st.Size() {
			return fmt.Errorf("event %d missing", st.Size())
		}
		e, err := custody.DecodeEvent(bytes)
		if err != nil {
			return err
		}
		if err := st.Apply(&e); err != nil {
			return err
		}
		tree.Append([ledger.HashSize]byte(leaf))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: load ledger: %w (run `handover verify`)", err)
	}
	var size uint64
	var root []byte
	switch err := db.r.QueryRowContext(ctx, "SELECT size, root FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&size, &root); {
	case err == sql.ErrNoRows:
		if tree.Size() != 0 {
			return nil, nil, fmt.Errorf("sqlite: load ledger: %d events but no checkpoint (run `handover verify`)", tree.Size())
		}
	case err != nil:
		return nil, nil, fmt.Errorf("sqlite: load checkpoint: %w", err)
	case size != tree.Size() || [ledger.HashSize]byte(root) != tree.Root():
		return nil, nil, fmt.Errorf("sqlite: load ledger: the latest checkpoint (size %d) does not match the %d stored events (run `handover verify`)", size, tree.Size())
	}
	return st, tree, nil
}

// ScanEvents calls fn for every event in index order. It reads in pages so that no
// read transaction stays open for the whole ledger.
func (db *DB) ScanEvents(ctx context.Context, fn func(idx uint64, id string, bytes, leafHash []byte) error) error {
	const page = 10000
	start := int64(0)
	for {
		rows, err := db.r.QueryContext(ctx, "SELECT idx, id, bytes, leaf_hash FROM events WHERE idx >= ? ORDER BY idx LIMIT ?", start, page)
		if err != nil {
			return fmt.Errorf("sqlite: scan events: %w", err)
		}
		n := 0
		for rows.Next() {
			var idx int64
			var id string
			var bytes, leaf []byte
			if err := rows.Scan(&idx, &id, &bytes, &leaf); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: scan events: %w", err)
			}
			if err := fn(uint64(idx), id, bytes, leaf); err != nil {
				rows.Close()
				return err
			}
			start = idx + 1
			n++
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n < page {
			return nil
		}
	}
}
