package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Cosignatures is what a store keeps of witnesses' cosignatures (issue 12).
type Cosignatures interface {
	AddCosignatures(ctx context.Context, cs ...sqlstore.Cosignature) error
	CosignedCheckpoints(ctx context.Context, n int) ([]sqlstore.CosignedCheckpoint, error)
	CosignedCheckpointsAfter(ctx context.Context, size uint64, n int) ([]sqlstore.CosignedCheckpoint, error)
	LatestCosignatures(ctx context.Context) ([]sqlstore.Cosignature, error)
}

func testCosignatures(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	cs, ok := s.(Cosignatures)
	if !ok {
		t.Fatal("the store keeps no cosignatures")
	}
	World(t, s)
	var sizes []uint64
	for i := range 3 {
		r := MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(5 + i), Person: Person(i + 1), Facility: ID("HSK")})
		sizes = append(sizes, r.Checkpoint.Size)
	}
	at := t0.Add(time.Hour)
	add := func(size uint64, witness, line string, signed time.Time) {
		t.Helper()
		if err := cs.AddCosignatures(ctx, sqlstore.Cosignature{Size: size, Witness: witness, Line: line, SignedAt: signed, ReceivedAt: signed.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	add(sizes[0], "w1.example", "— w1.example AAAA\n", at)
	add(sizes[1], "w1.example", "— w1.example BBBB\n", at.Add(time.Minute))
	add(sizes[1], "w2.example", "— w2.example CCCC\n", at.Add(2*time.Minute))
	add(sizes[1], "w2.example", "— w2.example DDDD\n", at.Add(3*time.Minute)) // a retry: the first is kept

	got, err := cs.CosignedCheckpoints(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Size != sizes[1] || got[1].Size != sizes[0] || len(got[0].Cosignatures) != 2 || len(got[1].Cosignatures) != 1 {
		t.Fatalf("cosigned checkpoints %+v", got)
	}
	if c := got[0].Cosignatures[1]; c.Witness != "w2.example" || c.Line != "— w2.example CCCC\n" || !c.SignedAt.Equal(at.Add(2*time.Minute)) || !c.ReceivedAt.Equal(at.Add(2*time.Minute+time.Second)) {
		t.Errorf("cosignature %+v", c)
	}
	if len(got[0].Note) == 0 {
		t.Error("no checkpoint note beside the cosignatures")
	}
	if one, err := cs.CosignedCheckpoints(ctx, 1); err != nil || len(one) != 1 || one[0].Size != sizes[1] {
		t.Errorf("newest one: %+v %v", one, err)
	}
	after, err := cs.CosignedCheckpointsAfter(ctx, sizes[0], 10)
	if err != nil || len(after) != 1 || after[0].Size != sizes[1] {
		t.Errorf("after %d: %+v %v", sizes[0], after, err)
	}
	latest, err := cs.LatestCosignatures(ctx)
	if err != nil || len(latest) != 2 || latest[0].Witness != "w1.example" || latest[0].Size != sizes[1] || latest[1].Size != sizes[1] {
		t.Errorf("latest %+v %v", latest, err)
	}
}
