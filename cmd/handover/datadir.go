package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/verify"
)

// The files of a data directory.
const (
	configFile = "config.json"
	keyFile    = "log.key" // the log's signer key; mode 0600
	pubFile    = "log.pub" // the verifier key to give to monitors
)

// DefaultOrigin is the log name of a new data directory unless --origin says otherwise.
const DefaultOrigin = "handover.example/demo"

type config struct {
	Origin string `json:"origin"`
}

// initDataDir creates a new data directory: configuration, log key pair, database
// (the SQLite one in dir, or the PostgreSQL one the context names, which must hold no
// ledger yet).
func initDataDir(ctx context.Context, dir, origin string) error {
	if err := ledger.ValidateOrigin(origin); err != nil {
		return fmt.Errorf("--origin: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, configFile)); err == nil {
		return fmt.Errorf("%s is already a data directory", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := openStore(ctx, dir)
	if err != nil {
		return err
	}
	if _, ok := db.(*postgres.DB); ok {
		// A second data directory for a database that already holds a ledger would
		// sign with another key: a replica's data directory is a copy of the first.
		n, err := db.EventCount(ctx)
		if err == nil && n > 0 {
			err = fmt.Errorf("%s already holds a ledger of %d events: a server of that deployment needs a copy of its data directory (config.json, log.key, log.pub), not a new one", redactURL(dbURLFrom(ctx)), n)
		}
		if err != nil {
			db.Close()
			return err
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		return err
	}
	keyPath, _ := logKeyPath(ctx, dir)
	if err := writeNew(keyPath, skey+"\n", 0o600); err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, pubFile), vkey+"\n", 0o644); err != nil {
		return err
	}
	cfg, _ := json.MarshalIndent(config{Origin: origin}, "", "  ")
	// The configuration is written last: its presence marks a complete directory.
	return writeNew(filepath.Join(dir, configFile), string(cfg)+"\n", 0o644)
}

func writeNew(path, content string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dataDirectory is an opened data directory.
type dataDirectory struct {
	dir    string
	origin string
	db     store
	vkey   string
	// onCommit, if set, is told of each new checkpoint (the witness client's
	// Notify); set it before the first write.
	onCommit atomic.Pointer[func(sequencer.Checkpoint)]
}

// store is what the commands use of a store: both sqlite.DB and postgres.DB are one.
type store interface {
	api.Store
	access.Store
	verify.Source
	Start(ctx context.Context, cfg sequencer.Config) error
	Load(ctx context.Context) (*custody.State, *ledger.Tree, error)
	Rebuild(ctx context.Context) (*custody.State, error)
	Close() error
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
	// Servers sharing a PostgreSQL database serialise requests with one
	// Idempotency-Key among them.
	_ api.KeyLocker = (*postgres.DB)(nil)
)

// dbKey is the context key of the database URL chosen by --db or HANDOVER_DB.
type dbKey struct{}

// withDB returns ctx carrying the database URL (empty: the data directory's SQLite).
func withDB(ctx context.Context, url string) context.Context {
	return context.WithValue(ctx, dbKey{}, url)
}

// dbURLFrom returns the database URL the command line chose, or "".
func dbURLFrom(ctx context.Context) string {
	u, _ := ctx.Value(dbKey{}).(string)
	return u
}

// checkDBURL refuses a database URL that is not PostgreSQL's.
func checkDBURL(u, from string) error {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return nil
	}
	return fmt.Errorf("%s: %q is not a PostgreSQL URL: give postgres://USER@HOST:PORT/DATABASE, or leave --db and HANDOVER_DB unset for the SQLite database in the data directory", from, redactURL(u))
}

// redactURL hides the password of a database URL.
func redactURL(s string) string {
	u, err := neturl.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// openStore opens the store the context names: PostgreSQL at its URL, or else the
// SQLite database in dir.
func openStore(ctx context.Context, dir string) (store, error) {
	if u := dbURLFrom(ctx); u != "" {
		return postgres.Open(ctx, u)
	}
	return sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
}

// openDataDir opens an initialised data directory.
func openDataDir(ctx context.Context, dir string) (*dataDirectory, error) {
	origin, vkey, err := readDataDir(dir)
	if err != nil {
		return nil, err
	}
	db, err := openStore(ctx, dir)
	if err != nil {
		return nil, err
	}
	if pg, ok := db.(*postgres.DB); ok {
		if err := refuseUnfinishedCopy(ctx, pg); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &dataDirectory{dir: dir, origin: origin, db: db, vkey: vkey}, nil
}

// readDataDir reads a data directory's log name and log public key.
func readDataDir(dir string) (origin, vkey string, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, configFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%s is not a data directory: run `handover init --data %s` first", dir, dir)
	}
	if err != nil {
		return "", "", err
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return "", "", fmt.Errorf("%s: %w", filepath.Join(dir, configFile), err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, pubFile))
	if err != nil {
		return "", "", err
	}
	vkey = strings.TrimSpace(string(pub))
	if err := checkPubOrigin(vkey, filepath.Join(dir, pubFile), cfg.Origin, filepath.Join(dir, configFile)); err != nil {
		return "", "", err
	}
	return cfg.Origin, vkey, nil
}

func (d *dataDirectory) verifier() (note.Verifier, error) { return ledger.NewVerifier(d.vkey) }

// start loads the ledger and starts the sequencer, signing with the log key
// (--log-key, $HANDOVER_LOG_KEY or log.key in the data directory), which must
// match log.pub and the origin.
func (d *dataDirectory) start(ctx context.Context) error {
	signer, err := readLogKey(ctx, d)
	if err != nil {
		return err
	}
	return d.db.Start(ctx, sequencer.Config{Origin: d.origin, Signer: signer, OnCommit: func(c sequencer.Checkpoint) {
		if f := d.onCommit.Load(); f != nil {
			(*f)(c)
		}
	}})
}

func (d *dataDirectory) Close() error { return d.db.Close() }

// openWriter opens a data directory and starts its sequencer, ready to record.
func openWriter(ctx context.Context, dir string) (*dataDirectory, error) {
	d, err := openDataDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	if err := d.start(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}
