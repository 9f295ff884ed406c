package api_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/storetest"
)

// open verifies a checkpoint note as a monitor would: with the log's public key only.
func open(t *testing.T, note string) ledger.Checkpoint {
	t.Helper()
	c, err := ledger.OpenCheckpoint([]byte(note), storetest.Verifier(t), storetest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func arrays(t *testing.T, hs [][]byte) [][ledger.HashSize]byte {
	t.Helper()
	out := make([][ledger.HashSize]byte, len(hs))
	for i, h := range hs {
		if len(h) != ledger.HashSize {
			t.Fatalf("hash of %d bytes", len(h))
		}
		out[i] = [ledger.HashSize]byte(h)
	}
	return out
}

// leafHash recomputes an event's leaf hash from its bytes alone.
func leafHash(t *testing.T, event []byte) [ledger.HashSize]byte {
	t.Helper()
	var e struct{ ID uuid.UUID }
	if err := json.Unmarshal(event, &e); err != nil {
		t.Fatal(err)
	}
	return ledger.LeafHash(ledger.Entry(e.ID, event))
}

func TestHistoryVerifiesOffline(t *testing.T) {
	c := newServer(t)
	c.world()
	r := c.register(1, "HSK")
	c.register(2, "HSK")
	id := r.Record.ID.String()
	for _, step := range []struct{ path, body string }{
		{"hospital-admissions", `{"hospital":"HOS","reason":"fever"}`},
		{"hospital-returns", `{}`},
		{"admissions", `{"facility":"HOL","note":"moved"}`},
		{"escapes", `{"circumstances":"during a riot"}`},
		{"recaptures", `{"facility":"HSK"}`},
		{"corrections", `{"reason":"spelling","patch":{"names":[{"text":"Ahmed Khalil","script":"Latn","kind":"primary"}]}}`},
		{"repatriations", `{"country":"IRQ","authority":"agreement of 2026"}`},
	} {
		var body map[string]any
		json.Unmarshal([]byte(step.body), &body)
		body["occurred_at"] = at(60)
		c.json("POST", "/api/v1/persons/"+id+"/"+step.path, body, 201, nil)
	}
	var h struct {
		Person     string
		Checkpoint api.Checkpoint
		Events     []api.HistoryEntry
	}
	c.json("GET", "/api/v1/persons/HSK-000001/history", nil, 200, &h)
	cp := open(t, h.Checkpoint.Note)
	if cp.Size != h.Checkpoint.Size || string(cp.Root[:]) != string(h.Checkpoint.Root) {
		t.Fatalf("checkpoint %+v does not match its note", h.Checkpoint)
	}
	wantTypes := []custody.Type{custody.TypePersonRegistered, custody.TypeHospitalAdmitted, custody.TypeHospitalReturned,
		custody.TypePersonAdmitted, custody.TypePersonEscaped, custody.TypePersonRecaptured, custody.TypeRecordCorrected, custody.TypePersonRepatriated}
	if len(h.Events) != len(wantTypes) {
		t.Fatalf("%d events, want %d", len(h.Events), len(wantTypes))
	}
	for i, e := range h.Events {
		ev, err := custody.DecodeEvent(e.Event)
		if err != nil || ev.Type != wantTypes[i] || ev.Subject != r.Record.ID {
			t.Errorf("event %d: %v %v", e.Index, ev.Type, err)
		}
		leaf := leafHash(t, e.Event)
		if string(leaf[:]) != string(e.LeafHash) {
			t.Errorf("event %d: served leaf hash differs from the one its bytes give", e.Index)
		}
		if err := ledger.VerifyInclusion(e.Index, cp.Size, leaf, arrays(t, e.Proof), cp.Root); err != nil {
			t.Errorf("event %d: %v", e.Index, err)
		}
		// The same bytes from /events/{index}.
		status, hdr, b := c.do("GET", fmt.Sprintf("/api/v1/events/%d", e.Index), nil)
		if status != 200 || string(b) != string(e.Event) || hdr.Get("Content-Type") != "application/json" || hdr.Get("Ledger-Index") != strconv.FormatUint(e.Index, 10) {
			t.Errorf("GET /events/%d: %d %v %s", e.Index, status, hdr, b)
		}
	}
	var p custody.PersonState
	c.json("GET", "/api/v1/persons/"+id, nil, 200, &p)
	if p.Custody.Status != custody.Repatriated || p.Record.Names[0].Text != "Ahmed Khalil" {
		t.Errorf("after history %+v", p)
	}
}

func TestProofs(t *testing.T) {
	c := newServer(t)
	c.world()
	first := c.register(1, "HSK").Receipt.Checkpoint
	c.register(2, "HSK")
	c.register(3, "HOL")
	var latest api.Checkpoint
	c.json("GET", "/api/v1/checkpoint", nil, 200, &latest)
	c1, c2 := open(t, first.Note), open(t, latest.Note)

	var cons struct {
		From, To uint64
		Proof    [][]byte
	}
	c.json("GET", fmt.Sprintf("/api/v1/proofs/consistency?from=%d", c1.Size), nil, 200, &cons)
	if cons.To != c2.Size {
		t.Fatalf("consistency to %d, want %d", cons.To, c2.Size)
	}
	if err := ledger.VerifyConsistency(c1.Size, c2.Size, arrays(t, cons.Proof), c1.Root, c2.Root); err != nil {
		t.Error(err)
	}
	c.json("GET", fmt.Sprintf("/api/v1/proofs/consistency?from=3&to=%d", c1.Size), nil, 200, &cons)
	if cons.From != 3 || cons.To != c1.Size {
		t.Errorf("consistency %+v", cons)
	}

	var inc struct {
		Index, Size uint64
		Proof       [][]byte
	}
	for _, size := range []uint64{0, c1.Size} {
		c.json("GET", fmt.Sprintf("/api/v1/proofs/inclusion?index=2&size=%d", size), nil, 200, &inc)
		want := c2
		if size != 0 {
			want = c1
		}
		_, _, ev := c.do("GET", "/api/v1/events/2", nil)
		if err := ledger.VerifyInclusion(2, want.Size, leafHash(t, ev), arrays(t, inc.Proof), want.Root); err != nil || inc.Size != want.Size {
			t.Errorf("inclusion of 2 in %d: %v", size, err)
		}
	}
}
