package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/scenario"
)

// TestDemoHalfLoaded: a ledger holding the demo's world but not its campaign (a load
// that stopped half-way) is not taken for a loaded demo.
func TestDemoHalfLoaded(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w := scenario.New(1)
	if err := submitAll(ctx, d.db, w.Commands()[:20], func() {}); err != nil {
		t.Fatal(err)
	}
	err = loadDemo(ctx, d, 1, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "an earlier load stopped half-way") {
		t.Fatalf("loadDemo on a half-loaded ledger: %v", err)
	}
}
