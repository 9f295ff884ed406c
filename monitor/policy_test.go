package monitor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/handover-project/handover/witness"
)

// TestPolicy: with a policy, a checkpoint without the witnesses' quorum is not
// followed (and is no alert: the log serves its newest witnessed checkpoint,
// which may lag); once cosigned, it is, and the copy keeps the cosignatures.
func TestPolicy(t *testing.T) {
	skey, vkey := genKey(t, testOrigin)
	wskey, _, err := witness.GenerateKey("witness.icrc.example")
	if err != nil {
		t.Fatal(err)
	}
	icrc, err := witness.NewSigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	l := newTestLog(t, skey)
	l.add(t, randomEntries(300)...)
	srv := newServer(t, l)
	dir := t.TempDir()
	policy := fmt.Sprintf("log %s\nwitness icrc %s\nquorum icrc\n", vkey, icrc.VKey())
	if err := Init(dir, Config{URL: srv.URL, LogKey: vkey, Policy: policy}); err != nil {
		t.Fatal(err)
	}
	if err := Init(dir, Config{URL: srv.URL, LogKey: vkey}); err == nil {
		t.Fatal("Init over an existing monitor: the pinned key could change")
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := &Monitor{Copy: c}
	if _, err := m.Poll(context.Background()); !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("uncosigned checkpoint: %v, want ErrNoQuorum", err)
	}
	if c.Stopped() != "" {
		t.Fatal("a missing quorum stopped the monitor")
	}
	cosign := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/log/checkpoint" {
			return false
		}
		text, _, _ := l.LatestCheckpoint(r.Context())
		body, _, _ := bytes.Cut(text, []byte("\n\n"))
		line, err := icrc.Cosign(append(body, '\n'), time.Unix(1796270400, 0))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return true
		}
		w.Write(append(bytes.Clone(text), line...))
		return true
	}
	srv.set(l, cosign)
	mustPoll(t, m, 300)
	if _, text := c.Checkpoint(); !bytes.Contains(text, []byte("— witness.icrc.example ")) {
		t.Errorf("the copy's checkpoint lost its cosignature:\n%s", text)
	}
	// A policy that does not name the pinned key is refused at Init.
	_, otherV := genKey(t, testOrigin)
	if err := Init(t.TempDir(), Config{URL: srv.URL, LogKey: otherV, Policy: policy}); err == nil {
		t.Error("Init accepted a policy without the pinned log key")
	}
}
