package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
	"github.com/handover-project/handover/verify"
)

// faulty passes batches to a real store but fails every write whose number is in fail.
type faulty struct {
	*sqlite.DB
	n    atomic.Int64
	fail map[int64]bool
}

func (f *faulty) WriteBatch(ctx context.Context, b *sequencer.Batch) error {
	if f.fail[f.n.Add(1)] {
		return errors.New("injected write failure")
	}
	return f.DB.WriteBatch(ctx, b)
}

// TestFailedWriteChangesNothing makes transactions fail under concurrent load and
// checks that their commands are answered with an error, that nothing of them is
// stored, that the sequencer goes on from the stored state, and that the ledger
// still verifies.
func TestFailedWriteChangesNothing(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := &faulty{DB: db, fail: map[int64]bool{8: true, 12: true, 13: true, 25: true}}
	seq, err := sequencer.New(ctx, w, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Close()
	storetest.World(t, seq)

	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := map[int]bool{}
	failed := 0
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				n := g*20 + i
				_, err := seq.Submit(ctx, custody.RegisterPerson{Meta: storetest.Meta(10), Person: storetest.Person(n), Facility: storetest.ID("HSK")})
				mu.Lock()
				if err == nil {
					accepted[n] = true
				} else if custody.ErrorCode(err) == custody.Internal {
					failed++
				} else {
					t.Errorf("person %d: %v", n, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failed == 0 {
		t.Fatal("no command failed: the fault was not injected")
	}
	for n := range 320 {
		_, err := db.Person(ctx, storetest.Person(n).ID)
		switch {
		case accepted[n] && err != nil:
			t.Errorf("accepted person %d is not stored: %v", n, err)
		case !accepted[n] && err == nil:
			t.Errorf("person %d was refused but is stored", n)
		}
	}
	// A failed command can be retried, and is then stored.
	for n := range 320 {
		if !accepted[n] {
			if _, err := seq.Submit(ctx, custody.RegisterPerson{Meta: storetest.Meta(11), Person: storetest.Person(n), Facility: storetest.ID("HSK")}); err != nil {
				t.Fatalf("retry of person %d: %v", n, err)
			}
		}
	}
	if _, err := verify.Run(ctx, db, storetest.Verifier(t), storetest.Origin, nil); err != nil {
		t.Fatalf("verify: %v", err)
	}
	t.Logf("%d commands failed with their batches, %d were accepted", failed, len(accepted))
}
