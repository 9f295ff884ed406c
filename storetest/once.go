package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
)

// testExactlyOnce checks that a command submitted with a key is recorded once:
// a retry, a concurrent duplicate and a retry after a restart all get the first
// receipt, marked replayed; the same key with another fingerprint is refused; and
// the receipt is stored with the events, for the API to answer from.
func testExactlyOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	World(t, s)
	key := sequencer.Key{ID: "user-1/register-1", Fingerprint: []byte("request 1")}
	cmd := custody.RegisterPerson{Meta: Meta(5), Person: Person(1), Facility: ID("HSK")}
	first, err := s.Submit(sequencer.WithKey(ctx, key), cmd)
	if err != nil || first.Replayed {
		t.Fatalf("first: %+v, %v", first, err)
	}
	again, err := s.Submit(sequencer.WithKey(ctx, key), cmd)
	if err != nil || !again.Replayed || !sameReceipt(again, first) {
		t.Fatalf("retry: %+v, %v; want the first receipt %+v", again, err, first)
	}
	other := key
	other.Fingerprint = []byte("request 2")
	_, err = s.Submit(sequencer.WithKey(ctx, other), custody.RegisterPerson{Meta: Meta(5), Person: Person(2), Facility: ID("HSK")})
	var ce *custody.Error
	if !errors.As(err, &ce) || ce.Code != custody.Invalid || ce.Field != "idempotency_key" {
		t.Fatalf("the key with another request: %v, want an invalid idempotency_key", err)
	}

	// Concurrent duplicates: one is decided, the others wait for it.
	dup := sequencer.Key{ID: "user-1/register-2", Fingerprint: []byte("request 3")}
	const n = 8
	receipts := make([]sequencer.Receipt, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			receipts[i], errs[i] = s.Submit(sequencer.WithKey(ctx, dup), custody.RegisterPerson{Meta: Meta(6), Person: Person(3), Facility: ID("HSK")})
		})
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil || !sameReceipt(receipts[i], receipts[0]) {
			t.Fatalf("duplicate %d: %+v, %v; want %+v", i, receipts[i], errs[i], receipts[0])
		}
		if !receipts[i].Replayed {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d of %d duplicates were recorded, want 1", fresh, n)
	}

	// After a restart the store answers.
	s.Close()
	s = started(t, open, true)
	defer s.Close()
	again, err = s.Submit(sequencer.WithKey(ctx, key), cmd)
	if err != nil || !again.Replayed || !sameReceipt(again, first) {
		t.Fatalf("retry after a restart: %+v, %v; want the first receipt %+v", again, err, first)
	}
	if c, _ := s.EventCount(ctx); c != 7 {
		t.Fatalf("%d events, want 7 (the world and two persons)", c)
	}

	// The API keeps its answers beside the receipts (api.Idempotency).
	idem, ok := s.(api.Idempotency)
	if !ok {
		t.Fatalf("%T keeps no idempotency keys", s)
	}
	fp, status, body, found, err := idem.StoredResponse(ctx, key.ID)
	if err != nil || !found || status != 0 || string(fp) != string(key.Fingerprint) {
		t.Fatalf("stored under the key: %x %d %v %v, want the pending receipt", fp, status, found, err)
	}
	if r, err := sequencer.DecodeReceipt(body); err != nil || !sameReceipt(r, first) {
		t.Fatalf("the stored receipt %+v (%v), want %+v", r, err, first)
	}
	if err := idem.StoreResponse(ctx, key.ID, key.Fingerprint, 201, []byte(`{"answer":1}`), Meta(7).OccurredAt); err != nil {
		t.Fatal(err)
	}
	if err := idem.StoreResponse(ctx, key.ID, key.Fingerprint, 500, []byte(`{}`), Meta(7).OccurredAt); err != nil {
		t.Fatal(err)
	}
	if _, status, body, _, _ := idem.StoredResponse(ctx, key.ID); status != 201 || string(body) != `{"answer":1}` {
		t.Fatalf("the answer stored: %d %s", status, body)
	}
	// Once answered, the key is the API's to replay; the sequencer decides nothing.
	if _, err := s.Submit(sequencer.WithKey(ctx, key), cmd); !errors.As(err, &ce) || ce.Code != custody.Conflict {
		t.Fatalf("an answered key submitted again: %v, want a conflict", err)
	}
	MustVerify(t, s)
}

func sameReceipt(a, b sequencer.Receipt) bool {
	return reflect.DeepEqual(a.Events, b.Events) && a.Checkpoint.Size == b.Checkpoint.Size &&
		a.Checkpoint.Root == b.Checkpoint.Root && string(a.Checkpoint.Note) == string(b.Checkpoint.Note)
}
