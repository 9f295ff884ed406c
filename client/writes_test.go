package client_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// ledgerSize counts the ledger's events through the feed.
func ledgerSize(t *testing.T, c *client.Client) int {
	t.Helper()
	n := 0
	for _, err := range c.Feed(context.Background(), client.FeedOptions{After: -1, PageSize: 500}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestTypedWritesExactlyOnce: each typed write whose first answer is lost is
// sent again with the same key and recorded once, the retry answered with the
// first answer; what it wrote reads back.
func TestTypedWritesExactlyOnce(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	c, _ := client.New(s.URL, client.WithToken(s.Token))
	for _, n := range [][2]string{{"Adnan Kareem", "عدنان كريم"}, {"Suhail Darwish", "سهيل درويش"}} {
		if _, _, err := c.RegisterPerson(ctx, detainee(n[0], n[1]), "HSK", at); err != nil {
			t.Fatal(err)
		}
	}
	ic, _ := client.New(s.URL, client.WithToken(s.IRQToken))
	camp, _, err := ic.CreateCampaign(ctx, client.NewCampaign{Name: "test wave", Target: 2, Receiving: "IRQ"}, at)
	if err != nil {
		t.Fatal(err)
	}
	pub := officerKey("Officer Test Key").Public().(ed25519.PublicKey)
	by := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name  string
		token string // "": the SDF officer's
		write func(*client.Client) (client.Receipt, error)
		check func(t *testing.T)
	}{
		{"SetFacilityRisk", "", func(lc *client.Client) (client.Receipt, error) {
			return lc.SetFacilityRisk(ctx, "HSK", client.FacilityRisk{Kind: custody.BreakoutRisk, By: by, Note: "unrest reported"}, at)
		}, func(t *testing.T) {
			f, err := c.Facility(ctx, "HSK")
			if err != nil || f.Risk == nil || f.Risk.Kind != custody.BreakoutRisk || !f.Risk.By.Equal(by) {
				t.Errorf("HSK after the risk: %+v, %v", f, err)
			}
		}},
		{"RegisterKey", "", func(lc *client.Client) (client.Receipt, error) {
			_, rc, err := lc.RegisterKey(ctx, client.NewKey{Party: "SDF", Officer: "Officer Test Key", PublicKey: pub}, at)
			return rc, err
		}, func(t *testing.T) {
			ks, err := c.Keys(ctx, "SDF")
			if err != nil || len(ks) != 1 || ks[0].Officer != "Officer Test Key" {
				t.Errorf("SDF keys: %+v, %v", ks, err)
			}
		}},
		{"AcceptPlan", s.IRQToken, func(lc *client.Client) (client.Receipt, error) {
			a, err := lc.AcceptPlan(ctx, camp.ID.String(), client.PlanOptions{MovementsPerDay: 1},
				client.PlanAcceptance{Movements: []string{"P001"}, LegalBasis: "bilateral agreement", OrderedBy: "joint committee"}, at)
			if err != nil {
				return client.Receipt{}, err
			}
			if len(a.Movements) != 1 || len(a.Transfers) != 1 || len(a.Receipts) == 0 {
				t.Errorf("accepted %+v", a)
			}
			var rc client.Receipt
			for _, r := range a.Receipts {
				rc.Events = append(rc.Events, r.Events...)
			}
			rc.Replayed = a.Replayed
			return rc, nil
		}, func(t *testing.T) {
			ms, err := c.Movements(ctx, "planned")
			if err != nil || len(ms) != 1 || len(ms[0].Manifest) != 2 {
				t.Errorf("planned movements: %+v, %v", ms, err)
			}
		}},
		{"ChangeControl", "", func(lc *client.Client) (client.Receipt, error) {
			return lc.ChangeControl(ctx, "HSK", client.ControlChange{To: "IRQ", Reason: "handed over by agreement", Unilateral: true}, at)
		}, func(t *testing.T) {
			f, err := c.Facility(ctx, "HSK")
			if err != nil || f.Controller != irq {
				t.Errorf("HSK after the control change: controller %v, %v", f.Controller, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy, keys := losingProxy(t, s.URL, 1)
			token := tc.token
			if token == "" {
				token = s.Token
			}
			lc, _ := client.New(proxy, client.WithToken(token), client.WithRetries(2))
			before := ledgerSize(t, c)
			rc, err := tc.write(lc)
			if err != nil {
				t.Fatal(err)
			}
			if !rc.Replayed || len(rc.Events) == 0 {
				t.Errorf("answer after a lost one: replayed %v, %d events; want the first answer, replayed", rc.Replayed, len(rc.Events))
			}
			if ks := keys(); len(ks) != 2 || ks[0] == "" || ks[0] != ks[1] {
				t.Errorf("keys sent %q; want one key twice", ks)
			}
			if after := ledgerSize(t, c); after != before+len(rc.Events) {
				t.Errorf("ledger %d → %d; want %d more events, recorded once", before, after, len(rc.Events))
			}
			tc.check(t)
		})
	}
}

// TestTypedWriteRefusals: a refused typed write is a *Problem with its code
// and the location of the fault, and records nothing; a write naming another
// acting party than the user's (WithActingParty) is refused, their own
// accepted.
func TestTypedWriteRefusals(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	c, _ := client.New(s.URL, client.WithToken(s.Token))
	before := ledgerSize(t, c)
	for _, tc := range []struct {
		name   string
		write  func() error
		status int
	}{
		{"clear with a kind", func() error {
			_, err := c.SetFacilityRisk(ctx, "HSK", client.FacilityRisk{Kind: custody.BreakoutRisk, Clear: true}, at)
			return err
		}, 409},
		{"another acting party", func() error {
			_, err := c.SetFacilityRisk(client.WithActingParty(ctx, "IRQ"), "HSK", client.FacilityRisk{Kind: custody.BreakoutRisk, By: at.Add(time.Hour)}, at)
			return err
		}, 422},
		{"control to nobody", func() error {
			_, err := c.ChangeControl(ctx, "HSK", client.ControlChange{To: "NOPE", Reason: "x", Unilateral: true}, at)
			return err
		}, 404},
		{"plan of no campaign", func() error {
			_, err := c.AcceptPlan(ctx, "0190f5a0-0000-7000-8000-0000000000ff", client.PlanOptions{},
				client.PlanAcceptance{Movements: []string{"P001"}, LegalBasis: "x", OrderedBy: "y"}, at)
			return err
		}, 404},
		{"key of 3 bytes", func() error {
			_, _, err := c.RegisterKey(ctx, client.NewKey{Party: "SDF", Officer: "Officer Short", PublicKey: []byte{1, 2, 3}}, at)
			return err
		}, 422},
		{"movement of no transfer", func() error {
			_, _, err := c.PlanMovement(ctx, client.NewMovement{Escort: "USF", Mode: custody.Convoy,
				Vehicles: []custody.Vehicle{{ID: "B", Kind: "bus", Seats: 5}}, PlannedDeparture: at, Manifest: []client.Seat{{Person: "HSK-000001", Vehicle: "B"}}}, nil, at)
			return err
		}, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := client.AsProblem(tc.write())
			if !ok || p.Status != tc.status || p.Code == "" {
				t.Fatalf("got %v (%v %v); want a %d problem with a code", p, p != nil && ok, statusOf(p), tc.status)
			}
			t.Logf("%d %s: %s", p.Status, p.Code, p.Error())
			if n := ledgerSize(t, c); n != before {
				t.Errorf("the refused write changed the ledger: %d → %d events", before, n)
			}
		})
	}
	if _, err := c.SetFacilityRisk(client.WithActingParty(ctx, "SDF"), "HSK", client.FacilityRisk{Kind: custody.BreakoutRisk, By: at.Add(time.Hour)}, at); err != nil {
		t.Errorf("acting as one's own party: %v", err)
	}
}

func statusOf(p *client.Problem) int {
	if p == nil {
		return 0
	}
	return p.Status
}
