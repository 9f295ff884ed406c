package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/ledger"
)

// newKeyDir makes an empty data directory for the log handover.test/keys whose
// key lives outside it, at the returned path.
func newKeyDir(t *testing.T) (dir, key string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "data")
	key = filepath.Join(t.TempDir(), "secret", "log.key")
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "init", "--data", dir, "--log-key", key, "--origin", "handover.test/keys"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, keyFile)); err == nil {
		t.Fatal("init --log-key wrote log.key into the data directory")
	}
	return dir, key
}

func writeKey(t *testing.T, path, skey string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLogKeyApart(t *testing.T) {
	dir, key := newKeyDir(t)
	ctx := withLogKey(context.Background(), key)
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatalf("openWriter with --log-key: %v", err)
	}
	d.Close()
	if code, out, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
		t.Fatalf("verify without the key: exit %d\n%s%s", code, out, stderr)
	}
	t.Setenv(logKeyEnv, key)
	if code, out, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
		t.Fatalf("verify with $%s: exit %d\n%s%s", logKeyEnv, code, out, stderr)
	}
	t.Setenv(logKeyEnv, "")
	code, _, stderr := runCLI(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, "--log-key") {
		t.Errorf("serve without the key: exit %d, %q; want a pointer to --log-key", code, stderr)
	}
}

func TestLogKeyRefused(t *testing.T) {
	otherLog, _, err := ledger.GenerateKey("handover.test/other")
	if err != nil {
		t.Fatal(err)
	}
	sameName, _, err := ledger.GenerateKey("handover.test/keys")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, key string)
		want  []string // fragments of the message, naming the files
	}{
		{"KeyOfAnotherLog", func(t *testing.T, dir, key string) { writeKey(t, key, otherLog) },
			[]string{"disagree", "log.key", "config.json", `"handover.test/other"`}},
		{"KeyNotLogPub", func(t *testing.T, dir, key string) { writeKey(t, key, sameName) },
			[]string{"disagree", "log.key", "log.pub"}},
		{"PubOfAnotherLog", func(t *testing.T, dir, key string) {
			_, vkey, _ := ledger.GenerateKey("handover.test/other")
			os.WriteFile(filepath.Join(dir, pubFile), []byte(vkey+"\n"), 0o644)
		}, []string{"disagree", "log.pub", "config.json"}},
		{"NotAKey", func(t *testing.T, dir, key string) { writeKey(t, key, "PRIVATE+KEY+nonsense") },
			[]string{"log.key", "not a log signer key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, key := newKeyDir(t)
			tc.setup(t, dir, key)
			for _, args := range [][]string{
				{"serve", "--listen", "127.0.0.1:0"},
				{"verify"},
			} {
				args = append(args, "--data", dir, "--log-key", key)
				code, _, stderr := runCLI(t, args...)
				if code == 0 {
					t.Errorf("%s: accepted", args[0])
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("%s: %q does not name %q", args[0], stderr, w)
					}
				}
			}
			// Every signer opens the data directory with openWriter.
			if d, err := openWriter(withLogKey(context.Background(), key), dir); err == nil {
				d.Close()
				t.Error("openWriter accepted the key")
			}
		})
	}
}
