package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/plan"
)

// TestAcceptPlanOnce: accepting planned movements under an Idempotency-Key, then
// sending the same request again (a client that lost the answer), gets the first
// answer, marked replayed, and writes nothing more: one transfer and one movement
// per accepted key, on this server and on a restarted one.
func TestAcceptPlanOnce(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	c.enrol(0, 12, "HSK", nil)
	iq := c.as("IRQ")
	var cp custody.CampaignView
	iq.json("POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "north-east Syria to Iraq", "target": 12, "receiving": "IRQ"},
		"occurred_at": at(9)}, 201, &cp)
	path := "/api/v1/campaigns/" + cp.ID.String() + "/plan"
	query := "?from=2026-01-21&movements_per_day=1&movement_size=5&vehicles=1&seats=5"
	var shown struct {
		Plan plan.Plan `json:"plan"`
	}
	iq.json("GET", path+query, nil, 200, &shown)
	if len(shown.Plan.Movements) < 3 {
		t.Fatalf("the plan has %d movements, want at least 3: %+v", len(shown.Plan.Movements), shown.Plan.Movements)
	}
	body := map[string]any{"movements": []string{"P001", "P002"}, "legal_basis": "bilateral agreement", "ordered_by": "the ministry",
		"occurred_at": at(20)}
	k := iq.withKey("accept-plan-1")
	status, h, first := k.do("POST", path+"/acceptances"+query, body)
	if status != 201 || h.Get(api.ReplayedHeader) != "" {
		t.Fatalf("first: %d %v %s", status, h, first)
	}
	var out struct {
		Movements map[string]uuid.UUID `json:"movements"`
		Transfers []uuid.UUID          `json:"transfers"`
		Receipts  []api.Receipt        `json:"receipts"`
	}
	if err := json.Unmarshal(first, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Movements) != 2 || len(out.Transfers) != 2 || len(out.Receipts) != 4 {
		t.Fatalf("first answer: %d movements, %d transfers, %d receipts; want 2, 2, 4", len(out.Movements), len(out.Transfers), len(out.Receipts))
	}
	size := c.size()
	counts := func(c *client) (transfers, movements int) {
		t.Helper()
		var ts struct{ Transfers []json.RawMessage }
		var ms struct{ Movements []json.RawMessage }
		c.json("GET", "/api/v1/transfers?campaign="+cp.ID.String(), nil, 200, &ts)
		c.json("GET", "/api/v1/movements", nil, 200, &ms)
		return len(ts.Transfers), len(ms.Movements)
	}
	if tn, mn := counts(iq); tn != 2 || mn != 2 {
		t.Fatalf("after the first answer: %d transfers, %d movements; want 2 and 2", tn, mn)
	}
	for name, retry := range map[string]*client{"same server": k, "restarted server": c.restarted().as("IRQ").withKey("accept-plan-1")} {
		status, h, again := retry.do("POST", path+"/acceptances"+query, body)
		if status != 201 || !bytes.Equal(again, first) || h.Get(api.ReplayedHeader) != "true" {
			t.Fatalf("%s: retry answered %d %v\n%s\nfirst:\n%s", name, status, h, again, first)
		}
	}
	if c.size() != size {
		t.Fatalf("the retries changed the ledger: %d → %d events", size, c.size())
	}
	if tn, mn := counts(iq); tn != 2 || mn != 2 {
		t.Fatalf("after the retries: %d transfers, %d movements; want 2 and 2", tn, mn)
	}
	// The same key with other movements is another request: refused, nothing written.
	body["movements"] = []string{"P003"}
	status, _, refused := k.do("POST", path+"/acceptances"+query, body)
	problemOf(t, status, refused, 422, "idempotency key reused with a different request", "header.Idempotency-Key")
	if c.size() != size {
		t.Fatalf("the refused request changed the ledger: %d → %d events", size, c.size())
	}
	c.verifyLedger()
}

// losingAnswers keeps the responses to keyed writes in the store, but loses the
// first one under a key ending in lose, as a server killed after its commit, before
// storing its answer, would.
type losingAnswers struct {
	api.Idempotency
	lose string
	lost atomic.Bool
}

func (l *losingAnswers) StoreResponse(ctx context.Context, key string, fp []byte, status int, body []byte, created time.Time) error {
	if strings.HasSuffix(key, "/"+l.lose) && l.lost.CompareAndSwap(false, true) {
		return errors.New("the server stopped before storing its answer")
	}
	return l.Idempotency.StoreResponse(ctx, key, fp, status, body, created)
}

// TestAcceptPlanAnswerLost: the answer to an accepted plan is lost after its
// commands are recorded (nothing is stored under the request's key), and the
// client sends the request again. The retry makes the plan as it was before the
// request's own records, so its keys name the same movements, and every command
// replays its receipt: the same answer, nothing written twice. (Without that, the
// plan made again would have no movement left to accept: every person is already
// on one.)
func TestAcceptPlanAnswerLost(t *testing.T) {
	c := newServerWith(t, func(cfg *api.Config) {
		cfg.Idempotency = &losingAnswers{Idempotency: cfg.Accounts.(api.Idempotency), lose: "accept-all"}
	})
	c.opsWorld()
	c.enrol(0, 10, "HSK", nil)
	iq := c.as("IRQ")
	var cp custody.CampaignView
	iq.json("POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "north-east Syria to Iraq", "target": 10, "receiving": "IRQ"},
		"occurred_at": at(9)}, 201, &cp)
	path := "/api/v1/campaigns/" + cp.ID.String() + "/plan"
	// The first day is the default, the day after the ledger's last event: for the
	// retry, the last event before the request's own.
	query := "?movements_per_day=1&movement_size=5&vehicles=1&seats=5"
	var shown struct {
		Plan plan.Plan `json:"plan"`
	}
	iq.json("GET", path+query, nil, 200, &shown)
	var keys []string
	for _, m := range shown.Plan.Movements {
		keys = append(keys, m.Key)
	}
	if len(keys) != 2 {
		t.Fatalf("the plan has movements %v, want two", keys)
	}
	body := map[string]any{"movements": keys, "legal_basis": "bilateral agreement", "ordered_by": "the ministry", "occurred_at": at(26 * 60)}
	k := iq.withKey("accept-all")
	status, h, first := k.do("POST", path+"/acceptances"+query, body)
	if status != 201 || h.Get(api.ReplayedHeader) != "" {
		t.Fatalf("first: %d %s", status, first)
	}
	size := c.size()
	status, h, again := k.do("POST", path+"/acceptances"+query, body)
	if status != 201 || !bytes.Equal(again, first) || h.Get(api.ReplayedHeader) != "true" {
		t.Fatalf("retry after the lost answer: %d %v\n%s\nfirst:\n%s", status, h, again, first)
	}
	if c.size() != size {
		t.Fatalf("the retry changed the ledger: %d → %d events", size, c.size())
	}
	// The plan asked for now has nothing left to move: the retry did not make one.
	iq.json("GET", path+query, nil, 200, &shown)
	if len(shown.Plan.Movements) != 0 {
		t.Errorf("after accepting every movement, the plan still has %d", len(shown.Plan.Movements))
	}
	c.verifyLedger()
}
