package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/witness"
)

// Files of a monitor's directory.
const (
	configName     = "monitor.json" // what is followed, and the pinned keys
	checkpointName = "checkpoint"   // the last verified checkpoint (signed note, with cosignatures)
	entriesName    = "entries"      // the log's 48-byte entries, in order
	hashesDir      = "hashes"       // hashes/<L>: the hashes of tile level L, in order
	evidenceDir    = "evidence"     // one directory per alert
	alertName      = "alert"        // present while the monitor is stopped on an alert
)

// Config is what a monitor follows: the log's URL (the prefix under which
// /log/ is served), its verifier key, and an optional witness policy.
type Config struct {
	URL    string `json:"url"`
	LogKey string `json:"log_key"`          // C2SP signed-note verifier key; its name is the origin
	Policy string `json:"policy,omitempty"` // witness policy text; "" checks no cosignatures
}

// A Copy is a monitor's copy of a log on its disk: the entries and tile
// hashes up to the size of its last verified checkpoint. It implements
// [ledger.Reader], so that [ledger.Handler] can serve it. Its methods are safe
// for concurrent use; only one process may extend a copy at a time.
type Copy struct {
	dir      string
	cfg      Config
	origin   string
	verifier note.Verifier
	policy   *witness.Policy // nil: no witnesses required

	mu    sync.RWMutex
	text  []byte // last verified checkpoint note; nil before the first
	check ledger.Checkpoint
}

// Init creates a monitor directory for cfg. It refuses a directory that
// already holds one: the pinned key of a copy never changes.
func Init(dir string, cfg Config) error {
	if _, _, _, err := cfg.parse(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, configName)); err == nil {
		return fmt.Errorf("monitor: %s already holds a monitor: its pinned key cannot change", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, hashesDir), 0o755); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	return writeFileSync(filepath.Join(dir, configName), append(b, '\n'))
}

func (c Config) parse() (note.Verifier, string, *witness.Policy, error) {
	v, err := ledger.NewVerifier(c.LogKey)
	if err != nil {
		return nil, "", nil, fmt.Errorf("monitor: log key: %w", err)
	}
	var p *witness.Policy
	if c.Policy != "" {
		if p, err = witness.ParsePolicy([]byte(c.Policy)); err != nil {
			return nil, "", nil, fmt.Errorf("monitor: %w", err)
		}
		if lv := p.LogVerifier(v.Name()); lv == nil || lv.KeyHash() != v.KeyHash() {
			return nil, "", nil, fmt.Errorf("monitor: the policy has no log line with the log key %s", c.LogKey)
		}
	}
	return v, v.Name(), p, nil
}

// Open opens the copy in dir, made by [Init]. Hashes and entries beyond the
// last verified checkpoint (left by a monitor stopped mid-poll) are dropped.
func Open(dir string) (*Copy, error) {
	raw, err := os.ReadFile(filepath.Join(dir, configName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("monitor: %s is not a monitor directory: run `handover monitor init` first", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	c := &Copy{dir: dir}
	if err := json.Unmarshal(raw, &c.cfg); err != nil {
		return nil, fmt.Errorf("monitor: %s: %w", filepath.Join(dir, configName), err)
	}
	if c.verifier, c.origin, c.policy, err = c.cfg.parse(); err != nil {
		return nil, err
	}
	text, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	if len(text) > 0 {
		cp, err := ledger.OpenCheckpoint(text, c.verifier, c.origin)
		if err != nil {
			return nil, fmt.Errorf("monitor: the copy's own checkpoint: %w", err)
		}
		c.text, c.check = text, cp
	}
	if err := c.truncate(c.check.Size); err != nil {
		return nil, err
	}
	return c, nil
}

// Config returns what the copy follows.
func (c *Copy) Config() Config { return c.cfg }

// Origin returns the followed log's name.
func (c *Copy) Origin() string { return c.origin }

// Verifier returns the pinned log key's verifier.
func (c *Copy) Verifier() note.Verifier { return c.verifier }

// Checkpoint returns the last verified checkpoint and its signed note (nil before the first).
func (c *Copy) Checkpoint() (ledger.Checkpoint, []byte) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.check, c.text
}

// LatestCheckpoint implements [ledger.Reader].
func (c *Copy) LatestCheckpoint(context.Context) ([]byte, uint64, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.text, c.check.Size, nil
}

// TileHashes implements [ledger.TileReader] over the copy's hash files.
func (c *Copy) TileHashes(_ context.Context, level uint, start, n uint64) ([][ledger.HashSize]byte, error) {
	b, err := readRange(c.hashesPath(level), start, n, ledger.HashSize)
	if err != nil {
		return nil, fmt.Errorf("monitor: hashes of tile level %d [%d, %d): %w", level, start, start+n, err)
	}
	out := make([][ledger.HashSize]byte, n)
	for i := range out {
		out[i] = [ledger.HashSize]byte(b[i*ledger.HashSize:])
	}
	return out, nil
}

// Entries implements [ledger.Reader].
func (c *Copy) Entries(_ context.Context, start, n uint64) ([][]byte, error) {
	b, err := readRange(filepath.Join(c.dir, entriesName), start, n, ledger.EntrySize)
	if err != nil {
		return nil, fmt.Errorf("monitor: entries [%d, %d): %w", start, start+n, err)
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = b[i*ledger.EntrySize : (i+1)*ledger.EntrySize]
	}
	return out, nil
}

func (c *Copy) hashesPath(level uint) string {
	return filepath.Join(c.dir, hashesDir, strconv.FormatUint(uint64(level), 10))
}

// readRange reads n records of size bytes from index start of the file at path.
func readRange(path string, start, n uint64, size int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n*uint64(size))
	if _, err := f.ReadAt(b, int64(start)*int64(size)); err != nil {
		return nil, err
	}
	return b, nil
}

// levelCount is the number of hashes tile level l holds in a tree of size leaves.
func levelCount(size uint64, l uint) uint64 {
	if l*ledger.TileHeight >= 64 {
		return 0
	}
	return size >> (l * ledger.TileHeight)
}

// truncate cuts the copy's files to a tree of size leaves.
func (c *Copy) truncate(size uint64) error {
	cut := func(path string, n uint64) error {
		err := os.Truncate(path, int64(n))
		if errors.Is(err, fs.ErrNotExist) && n == 0 {
			return nil
		}
		return err
	}
	if err := cut(filepath.Join(c.dir, entriesName), size*ledger.EntrySize); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	for l := uint(0); l*ledger.TileHeight < 64; l++ {
		if err := cut(c.hashesPath(l), levelCount(size, l)*ledger.HashSize); err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		if levelCount(size, l) == 0 {
			os.Remove(c.hashesPath(l))
		}
	}
	return nil
}

// writeFileSync writes a file durably by way of a temporary file and a rename.
func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("monitor: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("monitor: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Handler serves the copy read-only as a C2SP tiled log under /log/: its
// last verified checkpoint, tiles and entry bundles.
func Handler(c *Copy) http.Handler { return ledger.Handler(c) }

// Reload rereads the copy's checkpoint, which another process (a monitor
// following the log) may have moved on, so that a server of the copy serves
// the newest verified state.
func (c *Copy) Reload() error {
	text, err := os.ReadFile(filepath.Join(c.dir, checkpointName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	cp, err := ledger.OpenCheckpoint(text, c.verifier, c.origin)
	if err != nil {
		return fmt.Errorf("monitor: the copy's own checkpoint: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cp.Size >= c.check.Size {
		c.text, c.check = text, cp
	}
	return nil
}
