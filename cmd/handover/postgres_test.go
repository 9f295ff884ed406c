package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/pgtest"
)

// freshPostgres is an empty database on the test server (internal/pgtest), dropped
// when the test ends.
func freshPostgres(t *testing.T) string { return pgtest.FreshDatabase(t) }

// handover runs the command line and returns its exit code, standard output and error.
func handover(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustHandover runs the command line and fails the test unless it exits 0.
func mustHandover(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := handover(t, args...)
	if code != 0 {
		t.Fatalf("handover %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// TestCopyToPostgres: the demo's SQLite store, copied to a fresh PostgreSQL database,
// verifies there with the same latest checkpoint, the same root and the same
// projections; migrate reports the fresh database's schema version; the server's
// writes go on on PostgreSQL.
func TestCopyToPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	db := freshPostgres(t)
	dir := filepath.Join(t.TempDir(), "data")
	mustHandover(t, "demo", "--no-serve", "--data", dir)
	sqliteVerify := mustHandover(t, "verify", "--data", dir)
	sqliteCheckpoint := mustHandover(t, "checkpoint", "--data", dir)

	out := mustHandover(t, "migrate", "--db", db)
	if !regexp.MustCompile(`schema version 0 → [1-9][0-9]*\n$`).MatchString(out) {
		t.Errorf("migrate on a fresh database printed %q, want the version before (0) and after", out)
	}
	if out := mustHandover(t, "migrate", "--db", db); !regexp.MustCompile(`schema version [1-9][0-9]*, up to date\n$`).MatchString(out) {
		t.Errorf("migrate again printed %q, want up to date", out)
	}

	out = mustHandover(t, "copy", "--quiet", "--from", dir, "--to", db)
	for _, want := range []string{"events,", "same latest checkpoint: size ", "verified the copy: ok: "} {
		if !strings.Contains(out, want) {
			t.Errorf("copy printed no %q:\n%s", want, out)
		}
	}
	pgVerify := mustHandover(t, "verify", "--db", db, "--data", dir)
	if pgVerify != sqliteVerify {
		t.Errorf("verify on PostgreSQL:\n%s\nwant what it printed on SQLite:\n%s", pgVerify, sqliteVerify)
	}
	if pg := mustHandover(t, "checkpoint", "--db", db, "--data", dir); pg != sqliteCheckpoint {
		t.Errorf("latest checkpoint on PostgreSQL:\n%s\nwant the SQLite one:\n%s", pg, sqliteCheckpoint)
	}
	// HANDOVER_DB selects the database as --db does.
	t.Setenv("HANDOVER_DB", db)
	if out := mustHandover(t, "verify", "--data", dir); out != sqliteVerify {
		t.Errorf("verify with HANDOVER_DB printed %s", out)
	}

	// The copied deployment takes new events, signed with the data directory's key.
	mustHandover(t, "mandate", "ICRC", "--all", "--data", dir)
	if out := mustHandover(t, "verify", "--data", dir); !strings.HasPrefix(out, "ok: ") || out == sqliteVerify {
		t.Errorf("verify after a write on PostgreSQL printed %q", out)
	}

	// A second copy into the same database is refused, and writes nothing.
	code, _, errOut := handover(t, "copy", "--quiet", "--from", dir, "--to", db)
	if code != 2 || !strings.Contains(errOut, "is not empty") {
		t.Errorf("copy into a non-empty database: exit %d, %s", code, errOut)
	}
}

// TestDBURLRefused: a database URL that is not PostgreSQL's is refused up front.
func TestDBURLRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{
		{"verify", "--data", dir, "--db", "mysql://u@h/db"},
		{"migrate", "--data", dir, "--db", filepath.Join(dir, "handover.db")},
		{"copy", "--from", dir, "--to", "sqlite:///x.db"},
	} {
		code, _, errOut := handover(t, args...)
		if code != 2 || !strings.Contains(errOut, "is not a PostgreSQL URL") {
			t.Errorf("handover %s: exit %d, %q", strings.Join(args, " "), code, errOut)
		}
	}
}
