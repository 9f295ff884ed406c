package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/handover-project/handover/custody"
)

// WitnessReporter tells what the log knows of its witnesses (the server's
// witness client and the cosignatures stored beside the checkpoints).
type WitnessReporter interface {
	// Report returns each witness of the policy and the newest checkpoint
	// that meets the quorum.
	Report(ctx context.Context) (WitnessReport, error)
	// Covering returns the smallest stored checkpoint that covers the event
	// at index (its size is beyond index) and meets the quorum; ok is false
	// if none does yet.
	Covering(ctx context.Context, index uint64) (w WitnessedCheckpoint, ok bool, err error)
}

// WitnessReport is the state of the log's witnessing.
type WitnessReport struct {
	Quorum    string               `json:"quorum" doc:"The policy's quorum: a group or witness name, or none"`
	Witnessed *WitnessedCheckpoint `json:"witnessed,omitempty" doc:"The newest checkpoint that meets the quorum; absent if none does"`
	Witnesses []WitnessInfo        `json:"witnesses"`
}

// WitnessInfo is what the log knows of one witness.
type WitnessInfo struct {
	Name       string     `json:"name" doc:"The witness's name in the policy"`
	Key        string     `json:"key" doc:"Its verifier key (C2SP vkey)"`
	URL        string     `json:"url,omitempty" doc:"Its add-checkpoint URL"`
	Size       uint64     `json:"size" doc:"The largest tree size it has cosigned"`
	CosignedAt *time.Time `json:"cosigned_at,omitempty" doc:"The time of that cosignature"`
	Silent     bool       `json:"silent" doc:"It has not cosigned the newest checkpoint within the allowed time"`
	LastError  string     `json:"last_error,omitempty" doc:"Why the last request to it failed"`
	Refused    string     `json:"refused,omitempty" doc:"Its last refusal that points at a fork or a truncation"`
}

// WitnessedCheckpoint is a checkpoint that meets the quorum.
type WitnessedCheckpoint struct {
	Size         uint64               `json:"size"`
	Note         string               `json:"note" doc:"The checkpoint with its cosignature lines (C2SP tlog-cosignature)"`
	Witnesses    []string             `json:"witnesses" doc:"The witnesses that cosigned it"`
	Cosignatures []WitnessCosignature `json:"cosignatures" doc:"Each witness that cosigned it, and when, in policy order"`
	Since        time.Time            `json:"since" doc:"When the log held the cosignatures that meet the quorum"`
}

// WitnessCosignature is one witness's cosignature of a checkpoint.
type WitnessCosignature struct {
	Witness    string    `json:"witness" example:"icrc.example/witness" doc:"The witness's name in the policy"`
	SignedAt   time.Time `json:"signed_at" doc:"The time in its cosignature (tlog-cosignature timestamp): when it cosigned"`
	ReceivedAt time.Time `json:"received_at" doc:"When the log received the cosignature"`
}

// Witnessing states of a receipt's events.
const (
	WitnessingWitnessed = "witnessed" // a checkpoint covering them meets the quorum
	WitnessingPending   = "pending"   // none does yet
	WitnessingNone      = "none"      // the log has no witness policy
)

// Witnessing says whether a checkpoint covering some events meets the
// quorum of the log's witnesses.
type Witnessing struct {
	State      string               `json:"state" enum:"witnessed,pending,none" doc:"witnessed: a checkpoint covering the events meets the witnesses' quorum (checkpoint says which, by whom, since when); pending: none does yet (a write's receipt usually is: no witness has seen its checkpoint), ask at poll; none: the log has no witnesses"`
	Index      uint64               `json:"index" doc:"The last of the events: a checkpoint covering it covers them all"`
	Poll       string               `json:"poll" example:"/api/v1/witnessed/1042" doc:"Where to ask whether the events are witnessed, with Prefer: wait=N to wait for it up to N seconds"`
	Checkpoint *WitnessedCheckpoint `json:"checkpoint,omitempty" doc:"The smallest checkpoint covering the events that meets the quorum, with its cosignatures; the proof files are given against it"`
}

// witnessedPath is where the API says whether the event at index is witnessed.
func witnessedPath(index uint64) string { return fmt.Sprintf("/api/v1/witnessed/%d", index) }

// MaxWitnessWait bounds the wait a request may ask for with "Prefer: wait=N".
const MaxWitnessWait = 30 * time.Second

// preferWaitParam documents the Prefer header of the requests that say
// whether events are witnessed.
var preferWaitParam = huma.Param{
	Name: "Prefer", In: "header",
	Description: "`wait=N` (RFC 7240): answer once a checkpoint covering the events meets the witnesses' quorum, or after N seconds (at most 30), " +
		"so that the receipt says by whom and since when they are witnessed. Without it a write is answered at once, its events pending. " +
		"Ignored by writes that record no events, and when the log has no witnesses.",
	Schema:  &huma.Schema{Type: huma.TypeString, MaxLength: ptr(200)},
	Example: "wait=10",
}

// witnessPoll is how often a waiting request looks for new cosignatures
// (the log stores them in batches of 100 ms).
const witnessPoll = 50 * time.Millisecond

// preferWait returns the wait asked for with the Prefer header (RFC 7240
// wait=N, in seconds), bounded by MaxWitnessWait; 0 if none. Preferences it
// does not understand are ignored, as RFC 7240 asks.
func preferWait(h http.Header) time.Duration {
	for _, v := range h.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			pref, _, _ = strings.Cut(pref, ";")
			name, val, ok := strings.Cut(strings.TrimSpace(pref), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			n, err := strconv.ParseUint(strings.Trim(strings.TrimSpace(val), `"`), 10, 32)
			if err != nil {
				continue
			}
			return min(time.Duration(n)*time.Second, MaxWitnessWait)
		}
	}
	return 0
}

// witnessing tells whether the events up to index last are witnessed. A
// fresh receipt's checkpoint was signed a moment ago and no witness has seen
// it: unless ask is set it is pending without asking the store. With a wait
// (Prefer: wait=N) the answer waits until a covering checkpoint meets the
// quorum or the wait has passed.
func (s *server) witnessing(ctx context.Context, last uint64, ask bool, wait time.Duration) (*Witnessing, error) {
	w := &Witnessing{State: WitnessingNone, Index: last, Poll: witnessedPath(last)}
	if s.cfg.Witnesses == nil {
		return w, nil
	}
	w.State = WitnessingPending
	if !ask && wait == 0 {
		return w, nil
	}
	deadline := time.Now().Add(wait)
	for {
		c, ok, err := s.cfg.Witnesses.Covering(ctx, last)
		if err != nil {
			return nil, err
		}
		if ok {
			w.State, w.Checkpoint = WitnessingWitnessed, &c
			return w, nil
		}
		rest := time.Until(deadline)
		if rest <= 0 {
			return w, nil
		}
		t := time.NewTimer(min(rest, witnessPoll))
		select {
		case <-ctx.Done():
			t.Stop()
			return w, nil
		case <-t.C:
		}
	}
}

type witnessesOutput struct{ Body WitnessReport }

func (s *server) witnesses(ctx context.Context, _ *struct{}) (*witnessesOutput, error) {
	if s.cfg.Witnesses == nil {
		return &witnessesOutput{Body: WitnessReport{Quorum: "none", Witnesses: []WitnessInfo{}}}, nil
	}
	r, err := s.cfg.Witnesses.Report(ctx)
	if err != nil {
		return nil, err
	}
	return &witnessesOutput{Body: r}, nil
}

type witnessedEventOutput struct {
	Body struct {
		Witnessing
		Witnessed bool `json:"witnessed" doc:"The state is witnessed"`
	}
}

func (s *server) witnessedEvent(ctx context.Context, in *eventInput) (*witnessedEventOutput, error) {
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if in.Index >= size {
		return nil, at(custody.Errorf(custody.NotFound, "index", "no event at %d: the ledger has %d", in.Index, size), where{"index": "path.index"})
	}
	w, err := s.witnessing(ctx, in.Index, true, requestOf(ctx).wait)
	if err != nil {
		return nil, err
	}
	out := &witnessedEventOutput{}
	out.Body.Witnessing, out.Body.Witnessed = *w, w.State == WitnessingWitnessed
	return out, nil
}
