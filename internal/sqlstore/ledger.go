package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/verify"
)

// TileHashes implements ledger.TileReader: level 0 reads leaf hashes, higher levels
// the stored tree nodes of tree level 8·level.
func (db *Store) TileHashes(ctx context.Context, level uint, start, n uint64) ([][ledger.HashSize]byte, error) {
	var rows *sql.Rows
	var err error
	if level == 0 {
		rows, err = db.r.QueryContext(ctx, "SELECT leaf_hash FROM events WHERE idx >= ? AND idx < ? ORDER BY idx", int64(start), int64(start+n))
	} else {
		rows, err = db.r.QueryContext(ctx, "SELECT hash FROM tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
			int64(level*ledger.TileHeight), int64(start), int64(start+n))
	}
	if err != nil {
		return nil, db.errorf("tile hashes: %w", err)
	}
	defer rows.Close()
	out := make([][ledger.HashSize]byte, 0, n)
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		if len(h) != ledger.HashSize {
			return nil, db.errorf("stored hash of %d bytes at tile level %d", len(h), level)
		}
		out = append(out, [ledger.HashSize]byte(h))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if uint64(len(out)) != n {
		return nil, db.errorf("tile level %d [%d, %d): %d of %d hashes stored", level, start, start+n, len(out), n)
	}
	return out, nil
}

// Entries implements ledger.Reader.
func (db *Store) Entries(ctx context.Context, start, n uint64) ([][]byte, error) {
	out := make([][]byte, 0, n)
	err := db.events(ctx, start, n, func(idx uint64, id, bytes []byte) error {
		var raw [16]byte
		copy(raw[:], id)
		out = append(out, ledger.Entry(raw, bytes))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if uint64(len(out)) != n {
		return nil, db.errorf("entries [%d, %d): %d stored", start, start+n, len(out))
	}
	return out, nil
}

// events reads [start, start+n) as (index, 16-byte id, bytes).
func (db *Store) events(ctx context.Context, start, n uint64, fn func(idx uint64, id, bytes []byte) error) error {
	rows, err := db.r.QueryContext(ctx, "SELECT idx, id, bytes FROM events WHERE idx >= ? AND idx < ? ORDER BY idx", int64(start), int64(start+n))
	if err != nil {
		return db.errorf("events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var id, b []byte
		if err := rows.Scan(&idx, &id, &b); err != nil {
			return err
		}
		if len(id) != 16 {
			return db.errorf("event %d: id of %d bytes", idx, len(id))
		}
		if err := fn(uint64(idx), id, b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LatestCheckpoint implements ledger.Reader.
func (db *Store) LatestCheckpoint(ctx context.Context) ([]byte, uint64, error) {
	var note []byte
	var size int64
	err := db.r.QueryRowContext(ctx, "SELECT note, size FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&note, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, db.errorf("latest checkpoint: %w", err)
	}
	return note, uint64(size), nil
}

// InsertCheckpoint inserts a checkpoint (size, root, note: its three arguments) and
// numbers it: one more than the last stored, from 1. Writers run it in the
// transaction that appends the checkpoint's events, after taking the ledger's write
// lock, so that checkpoints are numbered densely, one per commit.
const InsertCheckpoint = "INSERT INTO checkpoints (seq, size, root, note) VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM checkpoints), ?, ?, ?)"

// Checkpoints calls fn for every stored checkpoint in order of size.
func (db *Store) Checkpoints(ctx context.Context, fn func(c *verify.StoredCheckpoint) error) error {
	rows, err := db.r.QueryContext(ctx, "SELECT seq, size, root, note FROM checkpoints ORDER BY size")
	if err != nil {
		return db.errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq, size int64
		var c verify.StoredCheckpoint
		if err := rows.Scan(&seq, &size, &c.Root, &c.Note); err != nil {
			return err
		}
		c.Seq, c.Size = uint64(seq), uint64(size)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ScanEvents calls fn for every stored event in index order, with every column of
// its row. It reads in pages so that no read transaction stays open for the whole
// ledger.
func (db *Store) ScanEvents(ctx context.Context, fn func(e *verify.StoredEvent) error) error {
	const page = 10000
	start := int64(0)
	for {
		rows, err := db.r.QueryContext(ctx, "SELECT idx, id, subject, bytes, leaf_hash FROM events WHERE idx >= ? ORDER BY idx LIMIT ?", start, page)
		if err != nil {
			return db.errorf("scan events: %w", err)
		}
		n := 0
		for rows.Next() {
			var idx int64
			var e verify.StoredEvent
			if err := rows.Scan(&idx, &e.ID, &e.Subject, &e.Bytes, &e.LeafHash); err != nil {
				rows.Close()
				return db.errorf("scan events: %w", err)
			}
			e.Index = uint64(idx)
			if err := fn(&e); err != nil {
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
