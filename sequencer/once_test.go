package sequencer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

// gated is a real SQLite store whose batch writes wait at a gate: entered says a
// write has begun, and the write goes on when the test sends on open.
type gated struct {
	*sqlite.DB
	entered chan struct{}
	open    chan struct{}
}

func (g *gated) WriteBatch(ctx context.Context, b *sequencer.Batch) error {
	g.entered <- struct{}{}
	<-g.open
	return g.DB.WriteBatch(ctx, b)
}

// TestTimeoutDuringCommit submits a keyed command whose caller gives up while the
// batch is being committed. The command is committed, so Submit must say so
// rather than return the caller's context error; a retry with the same key, in
// flight or after a restart, gets the first receipt and writes nothing.
func TestTimeoutDuringCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sequencer.New(ctx, db, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	storetest.World(t, s)
	s.Close()
	g := &gated{DB: db, entered: make(chan struct{}), open: make(chan struct{})}
	s, err = sequencer.New(ctx, g, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	key := sequencer.Key{ID: "user/register", Fingerprint: []byte("the request")}
	p := storetest.Person(1)
	p.ID = uuid.Nil // as a client leaves it: each decision would assign a new id
	cmd := func() custody.Command {
		q := p
		q.ID = uuid.Must(uuid.NewV7())
		return custody.RegisterPerson{Meta: storetest.Meta(5), Person: q, Facility: storetest.ID("HSK")}
	}
	timed, cancel := context.WithCancel(sequencer.WithKey(ctx, key))
	type answer struct {
		r   sequencer.Receipt
		err error
	}
	firstc := make(chan answer, 1)
	go func() {
		r, err := s.Submit(timed, cmd())
		firstc <- answer{r, err}
	}()
	<-g.entered // the batch is being written
	cancel()    // and the caller times out
	retryc := make(chan answer, 1)
	go func() { // a retry while the first is still being committed
		r, err := s.Submit(sequencer.WithKey(ctx, key), cmd())
		retryc <- answer{r, err}
	}()
	g.open <- struct{}{}
	first := <-firstc
	if first.err != nil {
		t.Fatalf("Submit whose caller left during the commit: %v; but the command was committed", first.err)
	}
	retry := <-retryc
	if retry.err != nil || !retry.r.Replayed || !reflect.DeepEqual(retry.r.Events, first.r.Events) {
		t.Fatalf("retry in flight: %+v, %v; want the first receipt %+v", retry.r, retry.err, first.r)
	}
	s.Close()

	// A new process over the same file.
	db2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	s2, err := sequencer.New(ctx, db2, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	again, err := s2.Submit(sequencer.WithKey(ctx, key), cmd())
	if err != nil || !again.Replayed || !reflect.DeepEqual(again.Events, first.r.Events) || again.Checkpoint.Size != first.r.Checkpoint.Size {
		t.Fatalf("retry after a restart: %+v, %v; want %+v", again, err, first.r)
	}
	if n, _ := db2.EventCount(ctx); n != 6 {
		t.Fatalf("%d events, want 6: the world and one person", n)
	}
	db.Close()
}

// TestCancelledBeforeDecisionAppendsNothing: a caller gone before its command is
// decided gets its context's error, and a retry with its key is decided afresh.
func TestCancelledBeforeDecisionAppendsNothing(t *testing.T) {
	db, s := open(t)
	defer s.Close()
	storetest.World(t, s)
	key := sequencer.Key{ID: "user/k", Fingerprint: []byte("r")}
	ctx, cancel := context.WithCancel(sequencer.WithKey(context.Background(), key))
	cancel()
	cmd := custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")}
	if _, err := s.Submit(ctx, cmd); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	r, err := s.Submit(sequencer.WithKey(context.Background(), key), cmd)
	if err != nil || r.Replayed || len(r.Events) != 1 {
		t.Fatalf("retry: %+v %v", r, err)
	}
	if n, _ := db.EventCount(context.Background()); n != 6 {
		t.Errorf("%d events, want 6", n)
	}
}

// TestReceiptGolden pins the stored form of a receipt (testdata/receipt.json).
func TestReceiptGolden(t *testing.T) {
	r := sequencer.Receipt{
		Events: []sequencer.Recorded{{Index: 41, ID: uuid.MustParse("019ae2f0-0000-7000-8000-000000000001"), Type: custody.TypePersonRegistered,
			Subject: uuid.MustParse("019ae2f0-0000-7000-8000-000000000002")}},
		Checkpoint: sequencer.Checkpoint{Size: 42, Root: [32]byte{1, 2, 3}, Note: []byte("handover.test/golden\n42\nAQID\n\n— sig\n")},
	}
	got, err := sequencer.EncodeReceipt(r)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "receipt.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != string(want) {
		t.Fatalf("receipt encoding changed:\n%s\nwant\n%s", got, want)
	}
	back, err := sequencer.DecodeReceipt(want)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("decoded %+v, %v; want %+v", back, err, r)
	}
}

// FuzzDecodeReceipt: stored receipts are read back; nothing read may panic, and
// what decodes encodes back to the same receipt.
func FuzzDecodeReceipt(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "receipt.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"events":[],"size":0,"root":"","checkpoint":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := sequencer.DecodeReceipt(b)
		if err != nil {
			return
		}
		again, err := sequencer.EncodeReceipt(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := sequencer.DecodeReceipt(again)
		if err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip: %+v → %+v (%v)", r, r2, err)
		}
	})
}

// BenchmarkSubmitKeyed measures what keys cost: concurrent registrations on SQLite,
// without keys, with one key each (looked up in the store before deciding, stored
// with the batch), and with keys the caller has checked (as the API's are: stored
// only). It reports events/s.
func BenchmarkSubmitKeyed(b *testing.B) {
	for _, mode := range []string{"NoKey", "Key", "KeyChecked"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), sqlite.FileName))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			s, err := sequencer.New(ctx, db, storetest.Config(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.World(b, s)
			var n atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					p := storetest.Person(0)
					p.ID, p.RegNo, p.Identifiers = uuid.Must(uuid.NewV7()), "", nil
					c := ctx
					if mode != "NoKey" {
						c = sequencer.WithKey(ctx, sequencer.Key{ID: fmt.Sprintf("user/%d", i), Fingerprint: []byte{byte(i)}, Checked: mode == "KeyChecked"})
					}
					if _, err := s.Submit(c, custody.RegisterPerson{Meta: storetest.Meta(5), Person: p, Facility: storetest.ID("HSK")}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
