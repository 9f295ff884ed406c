package postgres_test

import (
	"context"
	"testing"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/internal/pgtest"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/storetest"
)

// freshDatabase is an empty database of the test server's, dropped when the test
// ends (internal/pgtest).
func freshDatabase(t *testing.T) string { return pgtest.FreshDatabase(t) }

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
	pgtest.Server(t)
	storetest.Run(t, open())
}

func TestAccounts(t *testing.T) {
	pgtest.Server(t)
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
