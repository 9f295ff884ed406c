package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/custody"
)

// TestWebPlan: every role that may read a campaign's plan asks for it with other
// figures (planQuery); then the receiving state's transfer approver opens the plan
// from the dashboard, sees Riverside and Plains emptied before their deadlines (the
// chart) and why persons are not planned, accepts the first planned movement, and
// lands on the movement it became: planned, on a transfer just proposed.
func TestWebPlan(t *testing.T) {
	w := startWebDemo(t)
	planQuery(t, w)
	b := w.browser(t)
	b.login("irq-transfer-approver")
	b.run("open the plan from the dashboard",
		chromedp.Click(`[data-testid=plan-link]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=timeline]`, chromedp.ByQuery),
	)
	var charts []string
	b.run("read the charts", chromedp.Evaluate(`[...document.querySelectorAll("[data-testid=site-chart] figcaption")].map(e => e.textContent)`, &charts))
	if len(charts) != 2 || !strings.Contains(strings.Join(charts, "|"), "RIV") || !strings.Contains(strings.Join(charts, "|"), "PLN") {
		t.Fatalf("site charts %q, want Riverside and Plains", charts)
	}
	for _, c := range charts {
		if !strings.Contains(c, "0 of") {
			t.Errorf("chart %q: somebody remains at the deadline", c)
		}
	}
	if left := b.text(`[data-testid=left]`); !strings.Contains(left, "no receiving institution has a free place for family_member") && !strings.Contains(left, "already on movement") {
		t.Errorf("not planned: %q", left)
	}
	b.run("accept P001",
		chromedp.Evaluate(`window.confirm = () => true`, nil),
		chromedp.Click(`input[name=movement][value=P001]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=legal_basis]`, "bilateral agreement of 2026-01-10, art. 3", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=ordered_by]`, "joint transfer committee", chromedp.ByQuery),
		chromedp.Click(`[data-testid=accept]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`[data-testid=timeline]`, chromedp.ByQuery),
	)
	var loc string
	b.run("where am I", chromedp.Location(&loc))
	if !strings.Contains(loc, "/movements/") {
		t.Fatalf("after accepting: at %s: %s", loc, b.text("main"))
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	var m custody.MovementState
	w.api(t, "irq-transfer-approver").do("GET", "/api/v1/movements/"+id, nil, &m)
	if m.Status != custody.PlannedMovement || len(m.Manifest) != 150 || len(m.Vehicles) != 3 {
		t.Errorf("movement %s: %s, %d persons, %d vehicles", id, m.Status, len(m.Manifest), len(m.Vehicles))
	}
	var tr custody.TransferState
	w.api(t, "irq-transfer-approver").do("GET", "/api/v1/transfers/"+m.Transfer.String(), nil, &tr)
	if tr.Status != custody.ProposedTransfer || len(tr.People) != 150 || tr.LegalBasis != "bilateral agreement of 2026-01-10, art. 3" {
		t.Errorf("transfer %s: %s, %d persons, %q", tr.ID, tr.Status, len(tr.People), tr.LegalBasis)
	}
}

// planQuery: every role that may read a plan asks for it again with other figures
// (the page's query form), and one that may not is refused.
func planQuery(t *testing.T, w *webWorld) {
	var cs struct {
		Campaigns []custody.CampaignView `json:"campaigns"`
	}
	w.api(t, "irq-transfer-approver").do("GET", "/api/v1/campaigns", nil, &cs)
	path := "/campaigns/" + cs.Campaigns[0].ID.String() + "/plan"
	for _, user := range []string{"irq-transfer-approver", "irq-administrator", "sdf-facility-commander", "usf-escort-commander", "sdf-legal-officer"} {
		t.Run(user, func(t *testing.T) {
			b := w.browser(t)
			b.login(user)
			b.run("plan with three movements a day",
				chromedp.Navigate(w.base+path),
				chromedp.WaitVisible(`[data-testid=plan-query]`, chromedp.ByQuery),
				chromedp.SetValue(`input[name=movements_per_day]`, "3", chromedp.ByQuery),
				chromedp.Submit(`input[name=movements_per_day]`, chromedp.ByQuery),
				chromedp.WaitVisible(`[data-testid=timeline]`, chromedp.ByQuery),
			)
			var loc string
			var vehicles []string
			b.run("read the timeline", chromedp.Location(&loc),
				chromedp.Evaluate(`[...document.querySelectorAll("[data-testid=timeline] tbody tr td:last-child")].slice(0, 3).map(e => e.textContent)`, &vehicles))
			if !strings.Contains(loc, "movements_per_day=3") || len(vehicles) != 3 || !strings.HasPrefix(vehicles[2], "C3-") {
				t.Errorf("at %s, first vehicles %q: want three convoys on the first day", loc, vehicles)
			}
		})
	}
	b := w.browser(t)
	b.login("sdf-registrar")
	if st := b.fetchStatus("GET", path, ""); st != 403 {
		t.Errorf("a registrar's plan page: %d, want 403", st)
	}
}
