package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Accounts, sessions, API tokens and the audit log (access.Store) are the shared
// sqlstore.Store's, in their own tables beside the ledger (migration 00003). Writes
// and reads share the pool.

var _ access.Store = (*DB)(nil)

// dialect is PostgreSQL's for the shared code.
var dialect = sqlstore.Dialect{
	Name:         "postgres",
	Instr:        "strpos",
	Greatest:     "GREATEST",
	JSONText:     func(col, key string) string { return "(convert_from(" + col + ", 'UTF8')::jsonb ->> '" + key + "')" },
	Contains:     func(col, s string) string { return "position('" + s + "'::bytea in " + col + ") > 0" },
	UserColumn:   "user_id",
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
}

// begin starts a transaction on the pool, with ? placeholders.
func (db *DB) begin(ctx context.Context) (sqlstore.Tx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// isUnique reports whether err is a violation of a uniqueness constraint.
func isUnique(err error) bool { return pgCode(err) == "23505" }

// isForeignKey reports whether err is a violation of a foreign key.
func isForeignKey(err error) bool { return pgCode(err) == "23503" }

// pgCode is the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
