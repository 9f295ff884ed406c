package sqlite

import (
	"context"
	"errors"

	"github.com/ncruces/go-sqlite3"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Accounts, sessions, API tokens and the audit log (access.Store) are the shared
// sqlstore.Store's, in their own tables beside the ledger (migration 00003). Writes
// go through the one writer connection, so they wait for the ledger batch being
// written; reads use the pool.

var _ access.Store = (*DB)(nil)

// dialect is SQLite's for the shared code.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	Instr:        "instr",
	Greatest:     "max",
	JSONText:     func(col, key string) string { return "json_extract(CAST(" + col + " AS TEXT), '$." + key + "')" },
	Contains:     func(col, s string) string { return "instr(" + col + ", '" + s + "') > 0" },
	UserColumn:   "user",
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
}

// begin starts a transaction on the writer connection.
func (db *DB) begin(ctx context.Context) (sqlstore.Tx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// isUnique reports whether err is a violation of a uniqueness constraint.
func isUnique(err error) bool {
	return errors.Is(err, sqlite3.CONSTRAINT_UNIQUE) || errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a violation of a foreign key.
func isForeignKey(err error) bool { return errors.Is(err, sqlite3.CONSTRAINT_FOREIGNKEY) }
