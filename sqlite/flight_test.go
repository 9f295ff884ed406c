package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
	"github.com/handover-project/handover/verify"
)

// gated passes batches to a real store, but holds each write until released.
type gated struct {
	*sqlite.DB
	hold chan chan struct{} // a write sends a channel here and waits for it to be closed
}

func (g *gated) WriteBatch(ctx context.Context, b *sequencer.Batch) error {
	release := make(chan struct{})
	g.hold <- release
	<-release
	return g.DB.WriteBatch(ctx, b)
}

// TestFlightSealedPieceByPiece holds the writer busy while commands about the same
// persons are sealed one by one into the next flight, so that the flight's rows are
// encoded several times, each time with what changed since; the projections stored
// must still be those a replay yields.
func TestFlightSealedPieceByPiece(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := &gated{DB: db, hold: make(chan chan struct{})}
	go func() { // release the writes of the world at once
		for i := 0; i < 6; i++ {
			close(<-g.hold)
		}
	}()
	seq, err := sequencer.New(ctx, g, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Close()
	storetest.World(t, seq)
	storetest.MustSubmit(t, seq, custody.RegisterFacility{Meta: storetest.Meta(1), Facility: custody.Facility{
		ID: storetest.ID("HS2"), Code: "HS2", Name: "Second prison", Kind: custody.Prison, Country: "SYR", Series: "HST",
		Capacities: map[custody.Category]int{custody.Detainee: 100}, ControllingParty: storetest.ID("SDF")}})

	var wg sync.WaitGroup
	submit := func(cmd custody.Command) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := seq.Submit(ctx, cmd); err != nil {
				t.Errorf("%T: %v", cmd, err)
			}
		}()
		time.Sleep(20 * time.Millisecond) // sealed apart from the next command
	}
	p, q := storetest.Person(1), storetest.Person(2)
	p.RegNo, q.RegNo = "HSK-000901", "HSK-000902"
	submit(custody.RegisterPerson{Meta: storetest.Meta(10), Person: storetest.Person(0), Facility: storetest.ID("HSK")})
	first := <-g.hold // the writer now holds the first flight; the rest is sealed into the next
	submit(custody.RegisterPerson{Meta: storetest.Meta(10), Person: p, Facility: storetest.ID("HSK")})
	submit(custody.RegisterPerson{Meta: storetest.Meta(10), Person: q, Facility: storetest.ID("HSK")})
	submit(custody.AdmitPerson{Meta: storetest.Meta(11), Person: p.ID, Facility: storetest.ID("HS2")})
	corrected := p
	corrected.Names = append(corrected.Names, custody.Name{Text: "Abu Khalil", Script: custody.Latin, Kind: custody.Alias})
	submit(custody.CorrectRecord{Meta: storetest.Meta(12), Person: corrected, Reason: "alias found"})
	submit(custody.AdmitPerson{Meta: storetest.Meta(13), Person: p.ID, Facility: storetest.ID("HSK")})
	submit(custody.AdmitPerson{Meta: storetest.Meta(13), Person: q.ID, Facility: storetest.ID("HS2")})
	close(first)
	select { // the second flight: everything above after the first registration
	case second := <-g.hold:
		close(second)
	case <-time.After(10 * time.Second):
		t.Fatal("no second flight")
	}
	wg.Wait()
	if n, _ := db.EventCount(ctx); n != 6+7 {
		t.Fatalf("%d events stored, want 13", n)
	}
	if _, err := verify.Run(ctx, db, storetest.Verifier(t), storetest.Origin, nil); err != nil {
		t.Fatalf("verify: %v", err)
	}
	got, err := db.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Custody.Facility != storetest.ID("HSK") || len(got.Record.Names) != 3 {
		t.Errorf("person stored as %+v", got)
	}
}
