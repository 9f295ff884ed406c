package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/verify"
)

// TestCheckpointProperties: on a SQLite ledger of a few hundred events, for any
// set of deleted checkpoints (rapid) verify names the first one missing (or, when
// only the last ones are gone, the events no checkpoint covers); and a leaf
// rewritten with a recomputed hash, in any commit, is placed in exactly that commit:
// [the size of the checkpoint before it, the size of its own).
func TestCheckpointProperties(t *testing.T) {
	dir := copyDir(t, smallLedger(t))
	origin, vkey, err := readDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var cps []verify.StoredCheckpoint
	if err := store.Checkpoints(ctx, func(c *verify.StoredCheckpoint) error { cps = append(cps, *c); return nil }); err != nil {
		t.Fatal(err)
	}
	var raw *sql.DB
	tamper(t, dir, func(db *sql.DB) {})
	if raw, err = sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName)); err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	problem := func(t *rapid.T) string {
		_, err := verify.Run(ctx, store, v, origin, nil)
		if err == nil {
			t.Fatal("verify passed")
		}
		return err.Error()
	}

	t.Run("Deleted", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) {
			gone := rapid.SliceOfNDistinct(rapid.IntRange(0, len(cps)-1), 1, len(cps), rapid.ID[int]).Draw(rt, "deleted")
			slices.Sort(gone)
			for _, i := range gone {
				mustExec(t, raw, "DELETE FROM checkpoints WHERE seq = ?", cps[i].Seq)
			}
			defer func() {
				for _, i := range gone {
					c := cps[i]
					mustExec(t, raw, "INSERT INTO checkpoints (seq, size, root, note) VALUES (?, ?, ?, ?)", c.Seq, c.Size, c.Root, c.Note)
				}
			}()
			first := gone[0]
			want := fmt.Sprintf(`checkpoint %d is missing`, cps[first].Seq)
			if len(gone) == len(cps)-first { // only the last ones
				covered := uint64(0)
				if first > 0 {
					covered = cps[first-1].Size
				}
				want = fmt.Sprintf(`events from %d on are covered by no signed checkpoint`, covered)
			}
			if got := problem(rt); !regexp.MustCompile(want).MatchString(got) {
				rt.Fatalf("deleted %v: verify said %q, want %q", gone, got, want)
			}
		})
	})

	// One leaf per commit (a full verify each): its first, last or a middle one.
	t.Run("RewrittenLeaf", func(t *testing.T) {
		from := uint64(0)
		for i, c := range cps {
			idx := [3]uint64{from, c.Size - 1, (from + c.Size) / 2}[i%3]
			var id, b, leaf []byte
			if err := raw.QueryRow("SELECT id, bytes, leaf_hash FROM events WHERE idx = ?", idx).Scan(&id, &b, &leaf); err != nil {
				t.Fatal(err)
			}
			forged := bytes.Replace(b, []byte(`"actor":"test"`), []byte(`"actor":"tesT"`), 1)
			if bytes.Equal(forged, b) {
				t.Fatalf("event %d has no actor to change", idx)
			}
			mustExec(t, raw, "UPDATE events SET bytes = ?, leaf_hash = ? WHERE idx = ?", forged, leafHashOf(t, id, forged), idx)
			want := fmt.Sprintf(`leaf %d: checkpoint %d \(size %d\) does not match the tree recomputed from the events: a leaf in \[%d, %d\) was altered`,
				from, c.Seq, c.Size, from, c.Size)
			_, err := verify.Run(ctx, store, v, origin, nil)
			if err == nil || !regexp.MustCompile(want).MatchString(err.Error()) {
				t.Errorf("leaf %d rewritten: verify said %v, want %q", idx, err, want)
			}
			mustExec(t, raw, "UPDATE events SET bytes = ?, leaf_hash = ? WHERE idx = ?", b, leaf, idx)
			from = c.Size
		}
	})
	if _, err := verify.Run(ctx, store, v, origin, nil); err != nil {
		t.Fatalf("every change undone: %v", err)
	}
}
