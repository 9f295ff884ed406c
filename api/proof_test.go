package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/proof"
	"github.com/handover-project/handover/storetest"
	"github.com/handover-project/handover/witness"
)

// TestEventProof fetches the proof file of a registration's event, as its
// receipt names it, against a checkpoint cosigned by a (real) witness key, and
// verifies it offline with the policy and the event's bytes.
func TestEventProof(t *testing.T) {
	wskey, _, err := witness.GenerateKey("witness.icrc.example")
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.NewSigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	ws := &cosigning{w: w}
	c := newServerWith(t, func(cfg *api.Config) { cfg.Witnesses = ws })
	ws.db = c.db
	c.world()
	r := c.register(1, "HSK")
	if len(r.Receipt.Proofs) != len(r.Receipt.Events) || len(r.Receipt.Proofs) == 0 {
		t.Fatalf("receipt proofs %v for events %v", r.Receipt.Proofs, r.Receipt.Events)
	}
	idx := r.Receipt.Events[0].Index
	if want := fmt.Sprintf("/api/v1/events/%d/proof", idx); r.Receipt.Proofs[0] != want {
		t.Fatalf("receipt names %q, want %q", r.Receipt.Proofs[0], want)
	}
	code, h, body := c.do("GET", r.Receipt.Proofs[0], nil)
	if code != 200 || h.Get("Content-Type") != proof.ContentType {
		t.Fatalf("GET proof: %d %s %s", code, h.Get("Content-Type"), body)
	}
	_, _, event := c.do("GET", fmt.Sprintf("/api/v1/events/%d", idx), nil)
	_, vkey := storetest.Keys()
	pol, err := witness.ParsePolicy(fmt.Appendf(nil, "log %s\nwitness icrc %s\nquorum icrc\n", vkey, w.VKey()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := proof.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.Verify(pol, event)
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, body)
	}
	if v.Index != idx || len(v.Cosignatures) != 1 || v.Cosignatures[0].Witness != "icrc" {
		t.Errorf("verified %+v", v)
	}
	// Without the cosignature the policy refuses it.
	strict, _ := witness.ParsePolicy(fmt.Appendf(nil, "log %s\nwitness icrc %s\nquorum icrc\n", vkey, w.VKey()))
	p.Checkpoint = p.Checkpoint[:bytes.LastIndex(p.Checkpoint[:len(p.Checkpoint)-1], []byte("\n"))+1]
	if _, err := p.Verify(strict, event); !errors.Is(err, proof.ErrInvalid) {
		t.Errorf("without the cosignature: %v", err)
	}
	if code, _, _ := c.do("GET", "/api/v1/events/99999/proof", nil); code != 404 {
		t.Errorf("proof beyond the checkpoint: %d, want 404", code)
	}
	ws.none = true
	if code, _, b := c.do("GET", r.Receipt.Proofs[0], nil); code != 404 || !bytes.Contains(b, []byte("quorum")) {
		t.Errorf("proof before the witnesses cosigned: %d %s, want 404", code, b)
	}
}

// cosigning is a WitnessReporter whose one witness has cosigned the store's
// latest checkpoint (with a real cosignature), or, with none, nothing yet.
type cosigning struct {
	w  *witness.Signer
	db interface {
		LatestCheckpoint(context.Context) ([]byte, uint64, error)
	}
	none bool
}

func (c *cosigning) Report(context.Context) (api.WitnessReport, error) {
	return api.WitnessReport{}, nil
}

func (c *cosigning) Covering(ctx context.Context, index uint64) (api.WitnessedCheckpoint, bool, error) {
	text, size, err := c.db.LatestCheckpoint(ctx)
	if err != nil || c.none || index >= size {
		return api.WitnessedCheckpoint{}, false, err
	}
	body, _, _ := bytes.Cut(text, []byte("\n\n"))
	line, err := c.w.Cosign(append(body, '\n'), time.Now())
	return api.WitnessedCheckpoint{Size: size, Note: string(text) + line, Witnesses: []string{"icrc"}}, true, err
}
