package witness

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A State is a witness's directory on disk:
//
//	witness.key                 its signer key (mode 0600)
//	witness.pub                 its verifier key, for policies
//	logs/<id>/keys              the log's origin, then its verifier keys, one a line
//	logs/<id>/checkpoint        the latest checkpoint it cosigned (signed note)
//	evidence/<time>-<id>-<why>  each refused checkpoint with what it contradicts
//
// where <id> is the hex SHA-256 of the origin. Every file is written to a
// temporary name, synced, renamed into place, and its directory synced: a
// witness killed at any moment finds either the old or the new file, never
// a torn one, and never forgets a checkpoint it answered with a cosignature.
type State struct {
	dir string
}

// Errors of the State.
var (
	ErrNoState   = errors.New("witness: not a witness directory")
	ErrStateUsed = errors.New("witness: directory already holds a witness")
)

const (
	keyFile = "witness.key"
	pubFile = "witness.pub"
)

// InitState makes a new witness directory with a fresh key named name.
func InitState(dir, name string) (*State, error) {
	if _, err := os.Stat(filepath.Join(dir, keyFile)); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrStateUsed, dir)
	}
	skey, vkey, err := GenerateKey(name)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{dir, filepath.Join(dir, "logs"), filepath.Join(dir, "evidence")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("witness: %w", err)
		}
	}
	if err := writeFileSync(filepath.Join(dir, keyFile), []byte(skey+"\n"), 0o600); err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(dir, pubFile), []byte(vkey+"\n"), 0o644); err != nil {
		return nil, err
	}
	return &State{dir: dir}, nil
}

// OpenState opens a witness directory made by [InitState].
func OpenState(dir string) (*State, error) {
	if _, err := os.Stat(filepath.Join(dir, keyFile)); err != nil {
		return nil, fmt.Errorf("%w: %s (run `handover witness init` first): %v", ErrNoState, dir, err)
	}
	return &State{dir: dir}, nil
}

// Dir is the state's directory.
func (s *State) Dir() string { return s.dir }

// Signer reads the witness's signer key.
func (s *State) Signer() (*Signer, error) {
	path := filepath.Join(s.dir, keyFile)
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("witness: %s is readable by others (mode %o): chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	return NewSigner(strings.TrimSpace(string(b)))
}

// A Log is a log the witness follows.
type Log struct {
	Origin    string
	Keys      []string // signed-note verifier keys
	verifiers []note.Verifier
}

func logID(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return hex.EncodeToString(h[:])
}

// AddLog makes the witness follow the log origin, whose checkpoints are
// signed by vkey (a signed-note Ed25519 verifier key named origin). Adding
// a second key to a known log keeps the first: either then verifies.
func (s *State) AddLog(origin, vkey string) error {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("witness: log key: %w", err)
	}
	if v.Name() != origin {
		return fmt.Errorf("witness: log key is named %q, not the origin %q", v.Name(), origin)
	}
	dir := filepath.Join(s.dir, "logs", logID(origin))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	l, err := s.readLog(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	keys := []string{}
	if l != nil {
		keys = l.Keys
	}
	for _, k := range keys {
		if k == vkey {
			return nil
		}
	}
	keys = append(keys, vkey)
	return writeFileSync(filepath.Join(dir, "keys"), []byte(origin+"\n"+strings.Join(keys, "\n")+"\n"), 0o644)
}

// Logs returns the logs the witness follows, by origin.
func (s *State) Logs() ([]*Log, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "logs"))
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	var out []*Log
	for _, e := range ents {
		l, err := s.readLog(filepath.Join(s.dir, "logs", e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Origin < out[j].Origin })
	return out, nil
}

func (s *State) readLog(dir string) (*Log, error) {
	b, err := os.ReadFile(filepath.Join(dir, "keys"))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	l := &Log{Origin: lines[0], Keys: lines[1:]}
	for _, k := range l.Keys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness: %s: %w", dir, err)
		}
		l.verifiers = append(l.verifiers, v)
	}
	return l, nil
}

// Latest returns the latest checkpoint the witness cosigned for origin, or
// nil if none.
func (s *State) Latest(origin string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "logs", logID(origin), "checkpoint"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	return b, nil
}

// setLatest durably records the checkpoint the witness is about to cosign.
func (s *State) setLatest(origin string, signed []byte) error {
	return writeFileSync(filepath.Join(s.dir, "logs", logID(origin), "checkpoint"), signed, 0o644)
}

// keepEvidence durably writes a refusal's evidence and returns its path.
func (s *State) keepEvidence(origin, why string, at time.Time, text []byte) (string, error) {
	name := fmt.Sprintf("%s-%s-%s.txt", at.UTC().Format("20060102T150405.000000000Z"), logID(origin)[:16], why)
	path := filepath.Join(s.dir, "evidence", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return path, writeFileSync(path, text, 0o644)
}

// Evidence lists the paths of the evidence files, oldest first.
func (s *State) Evidence() ([]string, error) {
	names, err := s.EvidenceNames()
	for i, n := range names {
		names[i] = filepath.Join(s.dir, "evidence", n)
	}
	return names, err
}

// EvidenceNames lists the names of the evidence files, oldest first (their
// names begin with the time they were kept). Temporary files are left out.
func (s *State) EvidenceNames() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "evidence"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("witness: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// EvidenceFile returns the evidence file named name (one of EvidenceNames);
// any other name is fs.ErrNotExist, so that nothing else of the state
// directory can be read through it.
func (s *State) EvidenceFile(name string) ([]byte, error) {
	names, err := s.EvidenceNames()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == name {
			return os.ReadFile(filepath.Join(s.dir, "evidence", n))
		}
	}
	return nil, fmt.Errorf("witness: evidence %q: %w", name, fs.ErrNotExist)
}

// writeFileSync writes data to path atomically and durably: a temporary
// file, synced, renamed over path, then the directory synced.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("witness: writing %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("witness: syncing %s: %w", dir, err)
	}
	return nil
}
