package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestDemoTimesRelative: the demo's times follow the day it is loaded: its latest
// event falls on the day before, and every event keeps its place and its distance
// from the others (issue 13).
func TestDemoTimesRelative(t *testing.T) {
	dir := t.TempDir()
	fixed := scenario.New(1)
	officers, err := demoOfficers(dir, fixed)
	if err != nil {
		t.Fatal(err)
	}
	base, err := demoCommands(fixed, officers, fixed.Start) // "loaded" before the scenario: not moved
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Now(), time.Date(2031, 7, 4, 1, 30, 0, 0, time.UTC)} {
		w := scenario.New(1)
		cmds, err := demoCommands(w, officers, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmds) != len(base) {
			t.Fatalf("%d commands, unmoved %d", len(cmds), len(base))
		}
		var latest time.Time
		d := occurredAt(cmds[0]).Sub(occurredAt(base[0]))
		for i := range cmds {
			at := occurredAt(cmds[i])
			if got := at.Sub(occurredAt(base[i])); got != d {
				t.Fatalf("loaded %v: command %d (%T) moved by %v, the first by %v", now, i, cmds[i], got, d)
			}
			if at.After(latest) {
				latest = at
			}
		}
		if age := now.Sub(latest); age < 24*time.Hour || age >= 48*time.Hour {
			t.Errorf("loaded %v: the latest event is %v old", now, age)
		}
	}
}
