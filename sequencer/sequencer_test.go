package sequencer_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

func open(t *testing.T) (*sqlite.DB, *sequencer.Sequencer) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := sequencer.New(ctx, db, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	return db, s
}

func TestSubmitAfterClose(t *testing.T) {
	_, s := open(t)
	storetest.World(t, s)
	s.Close()
	_, err := s.Submit(context.Background(), custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")})
	if !errors.Is(err, sequencer.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

func TestCancelledCallerAppendsNothing(t *testing.T) {
	db, s := open(t)
	defer s.Close()
	storetest.World(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Submit(ctx, custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled submit: %v", err)
	}
	if n, _ := db.EventCount(context.Background()); n != 5 {
		t.Errorf("%d events after a cancelled submit, want 5", n)
	}
}

func TestReceiptCoversEvents(t *testing.T) {
	_, s := open(t)
	defer s.Close()
	storetest.World(t, s)
	r := storetest.MustSubmit(t, s, custody.ChangeFacilityControl{Meta: storetest.Meta(6), Facility: storetest.ID("HOL"), To: storetest.ID("IRQ"), Reason: "agreement"})
	if len(r.Events) != 1 || r.Events[0].Index != 5 {
		t.Fatalf("receipt events %+v", r.Events)
	}
	c, err := ledger.OpenCheckpoint(r.Checkpoint.Note, storetest.Verifier(t), storetest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 6 || c.Root != r.Checkpoint.Root || c.Size != r.Checkpoint.Size {
		t.Errorf("checkpoint %+v does not cover the receipt %+v", c, r.Checkpoint)
	}
}
