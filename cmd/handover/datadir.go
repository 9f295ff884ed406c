package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
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

// initDataDir creates a new data directory: configuration, log key pair, database.
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
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, keyFile), skey+"\n", 0o600); err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, pubFile), vkey+"\n", 0o644); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
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
	db     *sqlite.DB
	vkey   string
}

// openDataDir opens an initialised data directory.
func openDataDir(ctx context.Context, dir string) (*dataDirectory, error) {
	raw, err := os.ReadFile(filepath.Join(dir, configFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a data directory: run `handover init --data %s` first", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, configFile), err)
	}
	vkey, err := os.ReadFile(filepath.Join(dir, pubFile))
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		return nil, err
	}
	return &dataDirectory{dir: dir, origin: cfg.Origin, db: db, vkey: strings.TrimSpace(string(vkey))}, nil
}

func (d *dataDirectory) verifier() (note.Verifier, error) { return ledger.NewVerifier(d.vkey) }

// start loads the ledger and starts the sequencer, signing with the log key.
func (d *dataDirectory) start(ctx context.Context) error {
	path := filepath.Join(d.dir, keyFile)
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is readable by others (mode %o): chmod 600 it", path, fi.Mode().Perm())
	}
	skey, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("log key: %w", err)
	}
	signer, err := ledger.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return err
	}
	return d.db.Start(ctx, sequencer.Config{Origin: d.origin, Signer: signer})
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
