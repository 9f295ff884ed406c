// Package pgtest gives tests a PostgreSQL database of their own: the server named
// by HANDOVER_TEST_POSTGRES, else this machine's on 127.0.0.1:5432 if one answers.
// With neither, tests fail when HANDOVER_REQUIRE_POSTGRES=1 (.ci/run sets it: CI
// never skips them) and are skipped otherwise, so that `go test ./...` works on a
// machine with only Go.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// EnvVar names the server the tests use: a URL whose database the tests may
// connect to and create databases from.
const EnvVar = "HANDOVER_TEST_POSTGRES"

// DefaultServer is where the tests look when EnvVar is unset: this machine's
// PostgreSQL with trust authentication, as CI and development machines have it.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Server returns the test server's URL, or skips (or fails, in CI) the test.
func Server(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvVar); u != "" {
		return u
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second); err == nil {
		c.Close()
		return DefaultServer
	}
	msg := EnvVar + " is not set and no PostgreSQL answers on 127.0.0.1:5432: the PostgreSQL tests need a server whose user may create databases, e.g.\n" +
		"\texport " + EnvVar + "='" + DefaultServer + "'\n(.ci/run starts the local cluster and sets it)"
	if os.Getenv("HANDOVER_REQUIRE_POSTGRES") == "1" || !testing.Short() && os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreshDatabase creates an empty database handover_test_<random> on the test
// server, dropped when the test ends, and returns its URL.
func FreshDatabase(t testing.TB) string {
	t.Helper()
	base := Server(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var r [6]byte
	rand.Read(r[:])
	name := "handover_test_" + hex.EncodeToString(r[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database (%s=%s): %v", EnvVar, base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	u.Path = "/" + name
	return u.String()
}
