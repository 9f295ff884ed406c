// Package sqlstore is the part of handover's SQL stores (the sqlite and postgres
// packages) that is the same in both: the reads of the ledger and its projections,
// the projection rows, verification of the projections and idempotency keys. A store
// embeds a Store, built on its connections and a Dialect that names the store in
// errors and carries the few SQL differences between the databases.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Querier runs queries written with ? placeholders: a *sql.DB, or a wrapper that
// rebinds them to the database's own.
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// Dialect is what differs between the databases in the shared code.
type Dialect struct {
	// Name prefixes every error, as in "sqlite: persons: …".
	Name string
	// Instr is the function giving the 1-based position of a substring (its second
	// argument) in a string (its first), or 0: "instr" in SQLite, "strpos" in
	// PostgreSQL.
	Instr string
	// Greatest is the function giving the greatest of its arguments: "max" in
	// SQLite, "GREATEST" in PostgreSQL.
	Greatest string
	// JSONText returns the SQL of the text of a top-level field (key) of the JSON
	// document in a column (col, a blob or bytea), NULL when it is absent:
	// json_extract in SQLite, ->> over jsonb in PostgreSQL. Contains returns the
	// SQL of whether the document's bytes hold a string (without quotes or
	// backslashes): instr in SQLite, position in PostgreSQL.
	JSONText func(col, key string) string
	Contains func(col, s string) string
	// UserColumn names the column holding a user's id in the sessions, tokens and
	// audit tables ("user" is reserved in PostgreSQL).
	UserColumn string
	// IsUnique reports whether err is a violation of a unique constraint (or a
	// primary key), IsForeignKey whether it is one of a foreign key.
	IsUnique, IsForeignKey func(err error) bool
}

// Tx is a transaction whose queries are written with ? placeholders.
type Tx interface {
	Querier
	PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
	Commit() error
	Rollback() error
}

// Store implements the shared reads and writes on a store's connections.
type Store struct {
	d Dialect
	r Querier // reads
	w Querier // writes outside the sequencer's batches (idempotency keys, accounts)

	begin func(ctx context.Context) (Tx, error) // a transaction on w
}

// New returns a Store reading through r, writing through w and beginning its
// transactions with begin.
func New(d Dialect, r, w Querier, begin func(ctx context.Context) (Tx, error)) Store {
	return Store{d: d, r: r, w: w, begin: begin}
}

// errorf is fmt.Errorf with the dialect's name in front.
func (db *Store) errorf(format string, args ...any) error {
	return fmt.Errorf(db.d.Name+": "+format, args...)
}
