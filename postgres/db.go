// Package postgres is handover's PostgreSQL store: the ledger and its projections in
// one database, the twin of the sqlite package (same tables, same rows, same
// semantics). The sequencer's writes are serialised by a transaction-scoped advisory
// lock: several sequencers (server replicas) on one database append in turns of it,
// each turn catching up with what the others appended (see DB.Lock).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/sequencer"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store. Reads and account writes may run concurrently; ledger writes
// go through Submit once Start has been called.
type DB struct {
	sqlstore.Store // reads through r; idempotency keys and accounts through w

	URL  string
	w    conn // ledger and account writes
	r    conn // reads (the same pool: PostgreSQL gives every reader a snapshot)
	seq  *sequencer.Sequencer
	lc   ledgerConn // the sequencer's turns (see Lock)
	keys *sql.DB    // connections holding idempotency-key locks (see LockKey)
}

// conn is a pool whose queries are written with ? placeholders, as the sqlite
// package's are, and rebound to PostgreSQL's $n.
type conn struct{ *sql.DB }

func (c conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, rebind(q), args...)
}

func (c conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, rebind(q), args...)
}

func (c conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, rebind(q), args...)
}

func (c conn) BeginTx(ctx context.Context, opts *sql.TxOptions) (txn, error) {
	tx, err := c.DB.BeginTx(ctx, opts)
	return txn{tx}, err
}

// txn is a transaction with ? placeholders.
type txn struct{ *sql.Tx }

func (t txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, rebind(q), args...)
}

func (t txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, rebind(q), args...)
}

func (t txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, rebind(q), args...)
}

func (t txn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, rebind(q))
}

// rebind replaces each ? of q by $1, $2… (no query of this package has a ? in a
// literal).
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Open connects to the database at url (postgres://…) and applies pending
// migrations. The caller must Close it.
func Open(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	p.SetMaxOpenConns(max(8, 2*runtime.GOMAXPROCS(0)))
	p.SetMaxIdleConns(max(8, 2*runtime.GOMAXPROCS(0)))
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	keys, err := sql.Open("pgx", url)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	keys.SetMaxOpenConns(maxKeyLocks)
	keys.SetMaxIdleConns(4)
	db := &DB{URL: url, w: conn{p}, r: conn{p}, keys: keys}
	db.Store = sqlstore.New(dialect, db.r, db.w, db.begin)
	if err := db.migrate(ctx); err != nil {
		p.Close()
		keys.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: embedded migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.w.DB, fsys)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Start loads the ledger into a sequencer so that Submit can write.
func (db *DB) Start(ctx context.Context, cfg sequencer.Config) error {
	if db.seq != nil {
		return errors.New("postgres: already started")
	}
	s, err := sequencer.New(ctx, db, cfg)
	if err != nil {
		return err
	}
	db.seq = s
	return nil
}

// Submit decides and records a command; see sequencer.Sequencer.Submit.
func (db *DB) Submit(ctx context.Context, cmd custody.Command) (sequencer.Receipt, error) {
	if db.seq == nil {
		return sequencer.Receipt{}, errors.New("postgres: store opened read-only (Start was not called)")
	}
	return db.seq.Submit(ctx, cmd)
}

// Close stops the sequencer, if started, and closes the connections.
func (db *DB) Close() error {
	if db.seq != nil {
		db.seq.Close()
	}
	db.lc.mu.Lock()
	db.lc.drop()
	db.lc.mu.Unlock()
	db.keys.Close()
	return db.w.Close()
}
