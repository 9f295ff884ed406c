package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/verify"
)

// testCheckpointNumbers: under concurrent writers (so that commits gather several
// commands), the stored checkpoints are numbered 1, 2, 3… in order of size, one per
// commit: every checkpoint a receipt carried is stored, under the number it has in
// that order, and no two commits share one.
func testCheckpointNumbers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	const writers, each = 16, 8
	var mu sync.Mutex
	acked := map[uint64][]byte{} // size → note
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r, err := s.Submit(ctx, custody.RegisterPerson{Meta: Meta(10), Person: Person(w*each + i), Facility: ID("HSK")})
				if err != nil {
					t.Error(err)
					return
				}
				c, err := ledger.OpenCheckpoint(r.Checkpoint.Note, Verifier(t), Origin)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[c.Size] = r.Checkpoint.Note
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var stored []verify.StoredCheckpoint
	if err := s.Checkpoints(ctx, func(c *verify.StoredCheckpoint) error { stored = append(stored, *c); return nil }); err != nil {
		t.Fatal(err)
	}
	bySize := map[uint64]bool{}
	for i, c := range stored {
		if c.Seq != uint64(i)+1 {
			t.Fatalf("the checkpoint of size %d is numbered %d, the %dth in order of size", c.Size, c.Seq, i+1)
		}
		bySize[c.Size] = true
	}
	for size := range acked {
		if !bySize[size] {
			t.Errorf("the checkpoint of size %d, given in a receipt, is not stored", size)
		}
	}
	if events, _ := s.EventCount(ctx); uint64(len(stored)) > events || stored[len(stored)-1].Size != events {
		t.Errorf("%d checkpoints for %d events, the last of size %d", len(stored), events, stored[len(stored)-1].Size)
	}
	t.Logf("%d events, %d checkpoints stored, %d of them in receipts", writers*each, len(stored), len(acked))
	MustVerify(t, s)
}
