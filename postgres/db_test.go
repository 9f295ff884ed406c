package postgres_test

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

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/storetest"
)

// EnvVar names the server the tests use: a URL whose database the tests may
// connect to and create databases from.
const EnvVar = "HANDOVER_TEST_POSTGRES"

// defaultServer is where the tests look when EnvVar is unset: this machine's
// PostgreSQL with trust authentication, as CI and development machines have it.
const defaultServer = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// server returns the test server's URL: EnvVar, or the local default if a server
// answers there. With neither, the tests fail when HANDOVER_REQUIRE_POSTGRES=1
// (.ci/run sets it: CI never skips them) and are skipped otherwise, so that
// `go test ./...` works on a machine with only Go.
func server(t *testing.T) string {
	t.Helper()
	if u := os.Getenv(EnvVar); u != "" {
		return u
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second); err == nil {
		c.Close()
		return defaultServer
	}
	msg := EnvVar + " is not set and no PostgreSQL answers on 127.0.0.1:5432: the PostgreSQL tests need a server whose user may create databases, e.g.\n" +
		"\texport " + EnvVar + "='" + defaultServer + "'\n(.ci/run starts the local cluster and sets it)"
	if os.Getenv("HANDOVER_REQUIRE_POSTGRES") == "1" || !testing.Short() && os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// freshDatabase creates an empty database handover_test_<random> on the test server
// and drops it when the test ends; it returns the new database's URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := server(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var r [6]byte
	rand.Read(r[:])
	name := "handover_test_" + hex.EncodeToString(r[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
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

// open returns an Opener giving a fresh database per call, or with reopen the
// previous one.
func open() storetest.Opener {
	var dbURL string
	return func(t *testing.T, reopen bool) storetest.Store {
		t.Helper()
		if !reopen || dbURL == "" {
			dbURL = freshDatabase(t)
		}
		db, err := postgres.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
}

func TestConformance(t *testing.T) {
	server(t)
	storetest.Run(t, open())
}

func TestAccounts(t *testing.T) {
	server(t)
	storetest.RunAccounts(t, func(t *testing.T) access.Store {
		db, err := postgres.Open(context.Background(), freshDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		return db
	})
}
