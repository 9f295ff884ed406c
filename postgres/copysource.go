package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
)

// CopySource is the record `handover copy` keeps in a database it copies a
// deployment into (the table copy_source, one row). The copy writes it in the
// transaction that copies the ledger, so a database holding copied events always
// says where they came from, and marks it finished once the projections are rebuilt
// and the copy verified. Until then the database is an unfinished copy: nothing
// may serve it, and running the same copy again finishes it.
type CopySource struct {
	Source     string    // the SQLite database copied, as an absolute path
	Origin     string    // its log's origin
	Size       uint64    // the size of its latest checkpoint when the copy began
	Checkpoint []byte    // that checkpoint, as signed
	Started    time.Time // when the ledger was copied
	Finished   time.Time // when the copy was verified; zero while unfinished
}

// CopySourceColumns are the columns of copy_source, in the order of
// CopySourceValues.
const CopySourceColumns = "source, origin, size, checkpoint, started"

// CopySourceValues are the values of a new copy_source row for c, bound in the order
// of CopySourceColumns (finished is NULL).
func CopySourceValues(c *CopySource) []any {
	return []any{c.Source, c.Origin, int64(c.Size), c.Checkpoint, c.Started.UTC().Format(sqlstore.TimeColumn)}
}

// ReadCopySource returns the record of the copy that made db. ok is false when db
// was not made by `handover copy` (or the copy never committed its ledger).
func (db *DB) ReadCopySource(ctx context.Context) (c CopySource, ok bool, err error) {
	var size int64
	var started string
	var finished sql.NullString
	err = db.r.QueryRowContext(ctx, "SELECT source, origin, size, checkpoint, started, finished FROM copy_source").
		Scan(&c.Source, &c.Origin, &size, &c.Checkpoint, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return CopySource{}, false, nil
	}
	if err != nil {
		return CopySource{}, false, fmt.Errorf("postgres: read copy_source: %w", err)
	}
	c.Size = uint64(size)
	if c.Started, err = time.Parse(sqlstore.TimeColumn, started); err != nil {
		return CopySource{}, false, fmt.Errorf("postgres: copy_source.started: %w", err)
	}
	if finished.Valid {
		if c.Finished, err = time.Parse(sqlstore.TimeColumn, finished.String); err != nil {
			return CopySource{}, false, fmt.Errorf("postgres: copy_source.finished: %w", err)
		}
	}
	return c, true, nil
}

// FinishCopy marks the copy that made db finished at the given time: its projections
// are rebuilt and it verified. It fails when db holds no copy record.
func (db *DB) FinishCopy(ctx context.Context, at time.Time) error {
	res, err := db.w.ExecContext(ctx, "UPDATE copy_source SET finished = ? WHERE finished IS NULL", at.UTC().Format(sqlstore.TimeColumn))
	if err != nil {
		return fmt.Errorf("postgres: finish the copy: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("postgres: finish the copy: no unfinished copy recorded (%d rows, %v)", n, err)
	}
	return nil
}
