package sequencer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/storetest"
)

// shared is an in-memory ledger that several sequencers write, each through a
// replica: the ordering tests' stand-in for a database. Its lock is a mutex; the
// real one (PostgreSQL's advisory lock) is tested in postgres/ and cmd/handover.
type shared struct {
	lock    sync.Mutex // the ledger lock replicas take turns of
	mu      sync.Mutex // guards the fields below
	events  []sequencer.Stored
	batches [][2]uint64 // first index and size of each batch written
	fail    int         // the next fail WriteBatch calls fail
}

// replica is one sequencer's Writer and Locker on a shared ledger.
type replica struct {
	s      *shared
	locked bool
	name   string
	turns  int
}

func (r *replica) Lock(ctx context.Context, size uint64) ([]sequencer.Stored, error) {
	if r.locked {
		return nil, errors.New("Lock while locked")
	}
	r.s.lock.Lock()
	r.locked = true
	r.turns++
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return append([]sequencer.Stored(nil), r.s.events[size:]...), nil
}

func (r *replica) Unlock(ctx context.Context) error {
	if r.locked {
		r.locked = false
		r.s.lock.Unlock()
	}
	return nil
}

func (r *replica) WriteBatch(ctx context.Context, b *sequencer.Batch) error {
	if !r.locked {
		return errors.New("WriteBatch outside a turn")
	}
	defer r.Unlock(ctx)
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.fail > 0 {
		r.s.fail--
		return errors.New("disk full")
	}
	if b.Events[0].Index != uint64(len(r.s.events)) {
		return fmt.Errorf("batch at %d on a ledger of %d", b.Events[0].Index, len(r.s.events))
	}
	for _, e := range b.Events {
		r.s.events = append(r.s.events, sequencer.Stored{Index: e.Index, ID: e.Event.ID[:], Bytes: e.Bytes, LeafHash: e.LeafHash})
	}
	r.s.batches = append(r.s.batches, [2]uint64{b.Events[0].Index, uint64(len(b.Events))})
	return nil
}

func (r *replica) Load(ctx context.Context) (*custody.State, *ledger.Tree, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	st, tree := custody.NewState(), ledger.NewTree()
	for _, e := range r.s.events {
		ev, err := custody.DecodeEvent(e.Bytes)
		if err != nil {
			return nil, nil, err
		}
		if err := st.Apply(&ev); err != nil {
			return nil, nil, err
		}
		tree.Append(e.LeafHash)
	}
	return st, tree, nil
}

func startReplicas(t *testing.T, s *shared, n int) ([]*replica, []*sequencer.Sequencer) {
	t.Helper()
	var rs []*replica
	var seqs []*sequencer.Sequencer
	for i := range n {
		r := &replica{s: s, name: fmt.Sprint("r", i)}
		q, err := sequencer.New(context.Background(), r, storetest.Config(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(q.Close)
		rs, seqs = append(rs, r), append(seqs, q)
	}
	return rs, seqs
}

// Two sequencers on one ledger: every command is decided against what the other
// appended (a party code registered through one is refused by the other), the
// indexes run on without a gap, and each receipt names the stored event.
func TestTurnsShareOneLedger(t *testing.T) {
	s := &shared{}
	rs, seqs := startReplicas(t, s, 2)
	storetest.World(t, seqs[0])
	dup := custody.Party{ID: storetest.ID("SDF2"), Code: "SDF", Name: "again", Kind: custody.DetainingAuthority}
	if _, err := seqs[1].Submit(context.Background(), custody.RegisterParty{Meta: storetest.Meta(0), Party: dup}); custody.ErrorCode(err) == "" {
		t.Fatalf("a party code the other sequencer registered: %v, want a refusal", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	receipts := map[uint64]sequencer.Recorded{}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				p := storetest.Person(100 + w*25 + i)
				p.RegNo = "" // the series' next, decided against the whole ledger
				r, err := seqs[w%2].Submit(context.Background(), custody.RegisterPerson{Meta: storetest.Meta(5), Person: p, Facility: storetest.ID("HSK")})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, e := range r.Events {
					if _, dup := receipts[e.Index]; dup {
						t.Errorf("index %d given twice", e.Index)
					}
					receipts[e.Index] = e
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(s.events) != 5+200 || len(receipts) != 200 {
		t.Fatalf("%d events, %d receipts; want 205 and 200", len(s.events), len(receipts))
	}
	for i, e := range s.events {
		if e.Index != uint64(i) {
			t.Fatalf("event %d stored at %d", e.Index, i)
		}
		if r, ok := receipts[e.Index]; ok && string(r.ID[:]) != string(e.ID) {
			t.Errorf("event %d is %x, its receipt says %s", i, e.ID, r.ID)
		}
	}
	if rs[0].turns < 2 || rs[1].turns < 2 {
		t.Errorf("turns %d and %d: want both sequencers to take turns", rs[0].turns, rs[1].turns)
	}
	// A fresh load of the ledger holds every registration with distinct numbers.
	st, _, err := rs[0].Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	regNos := map[string]bool{}
	for _, p := range st.Persons() {
		if regNos[p.Record.RegNo] {
			t.Errorf("registration number %s given twice", p.Record.RegNo)
		}
		regNos[p.Record.RegNo] = true
	}
}

// A turn writes every command queued while another sequencer held the lock, in
// one batch (group commit).
func TestTurnTakesEverythingQueued(t *testing.T) {
	s := &shared{}
	_, seqs := startReplicas(t, s, 1)
	storetest.World(t, seqs[0])
	s.lock.Lock() // another replica's turn
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			storetest.MustSubmit(t, seqs[0], custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(200 + i), Facility: storetest.ID("HSK")})
		}()
	}
	time.Sleep(200 * time.Millisecond) // the first command waits for the lock, the others queue
	s.lock.Unlock()
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.batches[len(s.batches)-1]
	if n := len(s.batches); n != 5+1 || last != [2]uint64{5, 20} {
		t.Errorf("batches (first index, size) %v: want the 20 queued commands in one batch after the world's 5", s.batches)
	}
}

// A turn that writes nothing (every command refused) gives the lock up; so does a
// failed write, whose commands fail and write nothing; the next turns go on.
func TestTurnReleasesTheLock(t *testing.T) {
	s := &shared{}
	_, seqs := startReplicas(t, s, 2)
	storetest.World(t, seqs[0])
	// Refused: HSK is registered already.
	if _, err := seqs[1].Submit(context.Background(), custody.RegisterFacility{Meta: storetest.Meta(0), Facility: custody.Facility{ID: storetest.ID("HSK")}}); err == nil {
		t.Fatal("a refused command was accepted")
	}
	s.mu.Lock()
	s.fail = 1
	s.mu.Unlock()
	_, err := seqs[0].Submit(context.Background(), custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")})
	if custody.ErrorCode(err) != custody.Internal {
		t.Fatalf("a failed write: %v, want an internal error", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		storetest.MustSubmit(t, seqs[1], custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")})
		r := storetest.MustSubmit(t, seqs[0], custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(2), Facility: storetest.ID("HSK")})
		if r.Events[0].Index != 6 {
			t.Errorf("after the failure, the next events at %d, want 6", r.Events[0].Index)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the lock was not released: the next turns wait for ever")
	}
}
