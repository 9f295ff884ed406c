package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
)

// The log's signer key may live outside the data directory (--log-key FILE or
// $HANDOVER_LOG_KEY), so that whoever can write the database need not also hold
// the key (see docs/decisions/0013-log-key-apart.md). Every command that signs
// checkpoints, and verify, checks that the key, log.pub and the origin in
// config.json agree before it uses any of them, and names the files that
// disagree.

// logKeyEnv names the log key file when --log-key is not given.
const logKeyEnv = "HANDOVER_LOG_KEY"

// logKeyCtx is the context key of the log key path chosen on the command line.
type logKeyCtx struct{}

// withLogKey returns ctx carrying the log key path (empty: the data directory's log.key).
func withLogKey(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, logKeyCtx{}, path)
}

// logKeyPath returns the log key file for the data directory dir: --log-key,
// else $HANDOVER_LOG_KEY, else log.key in dir. chosen reports whether it was
// named explicitly (so that its absence is an error even for verify).
func logKeyPath(ctx context.Context, dir string) (path string, chosen bool) {
	if p, _ := ctx.Value(logKeyCtx{}).(string); p != "" {
		return p, true
	}
	if p := os.Getenv(logKeyEnv); p != "" {
		return p, true
	}
	return filepath.Join(dir, keyFile), false
}

// readLogKey reads and checks the log's signer key for the data directory d:
// the file must not be readable by others, must hold a note signer key, named
// by the origin of config.json, whose public half is the key in log.pub.
func readLogKey(ctx context.Context, d *dataDirectory) (note.Signer, error) {
	path, _ := logKeyPath(ctx, d.dir)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("log key: %w (give the key's file with --log-key or $%s)", err, logKeyEnv)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %o): chmod 600 it", path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	skey := strings.TrimSpace(string(raw))
	if err := checkLogKey(skey, path, d.vkey, filepath.Join(d.dir, pubFile), d.origin, filepath.Join(d.dir, configFile)); err != nil {
		return nil, err
	}
	return ledger.NewSigner(skey)
}

// checkLogKeyIfPresent checks the log key against log.pub and the origin when
// it can be read: always when it was named explicitly, and when the data
// directory holds one. A deployment whose key lives elsewhere verifies without it.
func checkLogKeyIfPresent(ctx context.Context, d *dataDirectory) error {
	path, chosen := logKeyPath(ctx, d.dir)
	if _, err := os.Stat(path); !chosen && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	_, err := readLogKey(ctx, d)
	return err
}

// checkLogKey reports whether the signer key skey (read from keyPath) is the
// key of the log origin (from cfgPath) whose verifier key is vkey (from
// pubPath); its error names the files that disagree.
func checkLogKey(skey, keyPath, vkey, pubPath, origin, cfgPath string) error {
	name, derived, err := verifierOfSigner(skey)
	if err != nil {
		return fmt.Errorf("log key %s: %w", keyPath, err)
	}
	if name != origin {
		return fmt.Errorf("log key %s and %s disagree: the key signs for the log %q, the configuration names the log %q", keyPath, cfgPath, name, origin)
	}
	if derived != vkey {
		return fmt.Errorf("log key %s and %s disagree: the key's public key is %s, %s holds %s", keyPath, pubPath, derived, pubPath, vkey)
	}
	return nil
}

// checkPubOrigin reports whether the verifier key vkey (from pubPath) is a
// valid key named by the origin (from cfgPath).
func checkPubOrigin(vkey, pubPath, origin, cfgPath string) error {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("%s: not a log public key: %w", pubPath, err)
	}
	if v.Name() != origin {
		return fmt.Errorf("%s and %s disagree: the public key is for the log %q, the configuration names the log %q", pubPath, cfgPath, v.Name(), origin)
	}
	return nil
}

// verifierOfSigner returns the name of the note signer key skey and the
// verifier key of its public half.
func verifierOfSigner(skey string) (name, vkey string, err error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", "", fmt.Errorf("not a log signer key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>; NewSigner checked the form.
	parts := strings.SplitN(skey, "+", 5) // the key's base64 may hold '+'; the name does not
	name = parts[2]
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", "", errors.New("not an Ed25519 log signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err = note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return "", "", err
	}
	return name, vkey, nil
}
