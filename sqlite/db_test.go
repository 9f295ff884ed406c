package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

// openTemp returns an Opener for a database in a temporary directory.
func openTemp() storetest.Opener {
	var path string
	return func(t *testing.T, reopen bool) storetest.Store {
		t.Helper()
		if !reopen || path == "" {
			path = filepath.Join(t.TempDir(), sqlite.FileName)
		}
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTemp())
}
