// Package sqlite is handover's embedded store: the ledger and its projections in
// one SQLite file, written by one connection with group commit (see the sequencer
// package) and read through a pool of read-only connections. WAL journaling with
// synchronous=FULL makes every acknowledged batch durable.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver" // registers the "sqlite3" driver
	"github.com/pressly/goose/v3"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/sequencer"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database's name inside a data directory.
const FileName = "handover.db"

// DB is an open store. Reads may run concurrently; writes go through Submit once
// Start has been called.
type DB struct {
	sqlstore.Store // reads through r; idempotency keys and accounts through w

	Path string
	w    *sql.DB // one connection: the only writer
	r    *sql.DB // read-only pool
	seq  *sequencer.Sequencer

	stmts            map[string]map[int]*sql.Stmt // multi-row inserts by table and row count, prepared on w
	size, checkpoint *sql.Stmt                    // the ledger's size; a checkpoint's insert (on w)

	c                  *sql.DB // the checkpointer's connection
	stopCkpt, ckptDone chan struct{}
}

// Connection roles: the one writer, the readers, and the checkpointer that folds the
// WAL back into the database in the background, so that commits never wait for it.
type role int

const (
	writer role = iota
	reader
	checkpointer
)

func dsn(path string, r role) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "cache_size(-32000)", "journal_size_limit(67108864)"} {
		q.Add("_pragma", p)
	}
	switch r {
	case writer:
		q.Set("vfs", walVFSName) // one write per commit to the WAL (walvfs.go)
		q.Set("_txlock", "immediate")
		q.Add("_pragma", "wal_autocheckpoint(0)")
	case reader:
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. The caller must Close it.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("sqlite: data directory: %w", err)
		}
	}
	w, err := sql.Open("sqlite3", dsn(path, writer))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{Path: path, w: w}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", dsn(path, reader))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	db.r = r
	db.Store = sqlstore.New(dialect, r, w, db.begin)
	c, err := sql.Open("sqlite3", dsn(path, checkpointer))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s for checkpoints: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	db.c = c
	return db, nil
}

// checkpointEvery is how often the background checkpointer folds the WAL into the
// database while the store is being written.
const checkpointEvery = time.Second

// checkpoints runs PASSIVE WAL checkpoints until stop is closed: they copy committed
// pages into the database without blocking the writer or readers, and let the next
// write restart the WAL from its beginning. A last, truncating checkpoint runs at Close.
func (db *DB) checkpoints(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if _, err := db.c.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
				slog.Warn("sqlite: background checkpoint", "path", db.Path, "err", err)
			}
		}
	}
}

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: embedded migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, fsys)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.Path, err)
	}
	return nil
}

// Start loads the ledger into a sequencer so that Submit can write.
func (db *DB) Start(ctx context.Context, cfg sequencer.Config) error {
	if db.seq != nil {
		return errors.New("sqlite: already started")
	}
	s, err := sequencer.New(ctx, db, cfg)
	if err != nil {
		return err
	}
	db.seq = s
	db.stopCkpt, db.ckptDone = make(chan struct{}), make(chan struct{})
	go db.checkpoints(db.stopCkpt, db.ckptDone)
	return nil
}

// Submit decides and records a command; see sequencer.Sequencer.Submit.
func (db *DB) Submit(ctx context.Context, cmd custody.Command) (sequencer.Receipt, error) {
	if db.seq == nil {
		return sequencer.Receipt{}, errors.New("sqlite: store opened read-only (Start was not called)")
	}
	return db.seq.Submit(ctx, cmd)
}

// Close stops the sequencer, if started, and closes the database.
func (db *DB) Close() error {
	var errs []error
	if db.seq != nil {
		db.seq.Close()
		close(db.stopCkpt)
		<-db.ckptDone
		if _, err := db.c.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: final checkpoint: %w", err))
		}
	}
	if db.c != nil {
		errs = append(errs, db.c.Close())
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	for _, s := range []*sql.Stmt{db.size, db.checkpoint} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	for _, m := range db.stmts {
		for _, s := range m {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}
