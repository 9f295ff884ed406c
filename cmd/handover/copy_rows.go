package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyTable copies the rows of table from the SQLite transaction into the
// PostgreSQL one with COPY, converting SQLite's storage classes to the target's
// column types. It returns the number of rows copied.
func copyTable(ctx context.Context, stx *sql.Tx, ttx pgx.Tx, table, order string, total int64, progress io.Writer) (int64, error) {
	rows, err := ttx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return 0, err
	}
	var cols, types []string
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			rows.Close()
			return 0, err
		}
		cols, types = append(cols, c), append(types, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("the target has no table %s", table)
	}
	srcCols := make([]string, len(cols))
	for i, c := range cols {
		srcCols[i] = c
		if c == "user_id" { // the SQLite schema's column is "user", a reserved word in PostgreSQL
			srcCols[i] = `"user"`
		}
	}
	srows, err := stx.QueryContext(ctx, "SELECT "+strings.Join(srcCols, ", ")+" FROM "+table+" ORDER BY "+order)
	if err != nil {
		return 0, err
	}
	defer srows.Close()
	s := &sqliteRows{rows: srows, types: types, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	if progress != nil && total >= 10000 {
		bar := newProgress(progress, total, "copying "+table)
		s.tick = func(n int64) {
			if n%1000 == 0 || n == total {
				bar.Set64(n)
			}
		}
	}
	return ttx.CopyFrom(ctx, pgx.Identifier{table}, cols, s)
}

// sqliteRows is a pgx.CopyFromSource over SQLite rows.
type sqliteRows struct {
	rows  *sql.Rows
	types []string // the target's data types
	vals  []any
	ptrs  []any
	n     int64
	tick  func(n int64)
	err   error
}

func (s *sqliteRows) Next() bool {
	if !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	s.n++
	if s.tick != nil {
		s.tick(s.n)
	}
	return true
}

func (s *sqliteRows) Values() ([]any, error) {
	out := make([]any, len(s.vals))
	for i, v := range s.vals {
		switch t := s.types[i]; {
		case v == nil:
			out[i] = nil
		case t == "bytea":
			switch v := v.(type) {
			case []byte:
				out[i] = bytes.Clone(v)
			case string:
				out[i] = []byte(v)
			default:
				return nil, fmt.Errorf("column %d: %T for bytea", i, v)
			}
		case t == "boolean":
			switch v := v.(type) {
			case int64:
				out[i] = v != 0
			case bool:
				out[i] = v
			default:
				return nil, fmt.Errorf("column %d: %T for boolean", i, v)
			}
		case t == "text":
			switch v := v.(type) {
			case string:
				out[i] = v
			case []byte:
				out[i] = string(v)
			default:
				return nil, fmt.Errorf("column %d: %T for text", i, v)
			}
		default:
			out[i] = v
		}
	}
	return out, nil
}

func (s *sqliteRows) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}
