package sqlstore

import (
	"context"
	"time"
)

// Cosignature is a witness's cosignature of the checkpoint of a size, as
// stored beside it (migration 00007).
type Cosignature struct {
	Size       uint64
	Witness    string    // the cosigner's key name
	Line       string    // the note signature line, as received
	SignedAt   time.Time // the cosignature's timestamp
	ReceivedAt time.Time // when the log stored it
}

// AddCosignatures stores cosignatures, in one transaction. A second
// cosignature by one witness of one size is ignored (the first is kept):
// retrying is safe.
func (db *Store) AddCosignatures(ctx context.Context, cs ...Cosignature) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return db.errorf("adding cosignatures: %w", err)
	}
	defer tx.Rollback()
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO cosignatures (size, witness, line, signed_at, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (size, witness) DO NOTHING",
			int64(c.Size), c.Witness, c.Line, c.SignedAt.Unix(), c.ReceivedAt.UnixMilli()); err != nil {
			return db.errorf("adding cosignature: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.errorf("adding cosignatures: %w", err)
	}
	return nil
}

// CosignedCheckpoints returns up to n of the newest checkpoints that carry
// cosignatures, newest first, each with its cosignatures in witness order.
func (db *Store) CosignedCheckpoints(ctx context.Context, n int) ([]CosignedCheckpoint, error) {
	return db.cosigned(ctx, `SELECT c.size, c.note, s.witness, s.line, s.signed_at, s.received_at
		FROM checkpoints c JOIN cosignatures s ON s.size = c.size
		WHERE c.size IN (SELECT DISTINCT size FROM cosignatures ORDER BY size DESC LIMIT ?)
		ORDER BY c.size DESC, s.witness`, n)
}

func (db *Store) cosigned(ctx context.Context, q string, args ...any) ([]CosignedCheckpoint, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.errorf("cosigned checkpoints: %w", err)
	}
	defer rows.Close()
	var out []CosignedCheckpoint
	for rows.Next() {
		var size, signed, received int64
		var note []byte
		var c Cosignature
		if err := rows.Scan(&size, &note, &c.Witness, &c.Line, &signed, &received); err != nil {
			return nil, db.errorf("cosigned checkpoints: %w", err)
		}
		c.Size, c.SignedAt, c.ReceivedAt = uint64(size), time.Unix(signed, 0).UTC(), time.UnixMilli(received).UTC()
		if len(out) == 0 || out[len(out)-1].Size != c.Size {
			out = append(out, CosignedCheckpoint{Size: c.Size, Note: note})
		}
		last := &out[len(out)-1]
		last.Cosignatures = append(last.Cosignatures, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("cosigned checkpoints: %w", err)
	}
	return out, nil
}

// CosignedCheckpoint is a stored checkpoint with its stored cosignatures.
type CosignedCheckpoint struct {
	Size         uint64
	Note         []byte // as signed by the log, without cosignatures
	Cosignatures []Cosignature
}

// LatestCosignatures returns, for each witness that ever cosigned, its
// cosignature of the largest size.
func (db *Store) LatestCosignatures(ctx context.Context) ([]Cosignature, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.size, s.witness, s.line, s.signed_at, s.received_at FROM cosignatures s
		JOIN (SELECT witness, MAX(size) AS size FROM cosignatures GROUP BY witness) m ON m.witness = s.witness AND m.size = s.size
		ORDER BY s.witness`)
	if err != nil {
		return nil, db.errorf("latest cosignatures: %w", err)
	}
	defer rows.Close()
	var out []Cosignature
	for rows.Next() {
		var size, signed, received int64
		var c Cosignature
		if err := rows.Scan(&size, &c.Witness, &c.Line, &signed, &received); err != nil {
			return nil, db.errorf("latest cosignatures: %w", err)
		}
		c.Size, c.SignedAt, c.ReceivedAt = uint64(size), time.Unix(signed, 0).UTC(), time.UnixMilli(received).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// CosignedCheckpointsAfter returns up to n of the oldest checkpoints larger
// than size that carry cosignatures, oldest first.
func (db *Store) CosignedCheckpointsAfter(ctx context.Context, size uint64, n int) ([]CosignedCheckpoint, error) {
	return db.cosigned(ctx, `SELECT c.size, c.note, s.witness, s.line, s.signed_at, s.received_at
		FROM checkpoints c JOIN cosignatures s ON s.size = c.size
		WHERE c.size IN (SELECT DISTINCT size FROM cosignatures WHERE size > ? ORDER BY size LIMIT ?)
		ORDER BY c.size, s.witness`, int64(size), n)
}
