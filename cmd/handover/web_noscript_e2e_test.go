package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/custody"
)

// TestWebRefusalWithoutScript: in a browser with JavaScript off, a refused form
// (a plain POST, no htmx) comes back on its page as it was typed, the message
// beside the field at fault and said once; the ledger is unchanged, and the
// corrected form is recorded.
func TestWebRefusalWithoutScript(t *testing.T) {
	w, chromium := sharedWeb(t)
	tr, _ := smallTransfer(t, w, 1, 1, false)
	first := tr.People[0]
	const user = "sdf-legal-officer"
	u := w.api(t, user)
	before := u.ledgerSize()
	b := w.user(t, chromium)
	b.login(user)
	page := w.base + "/transfers/" + tr.ID.String()
	const finding = "no real risk found; interviews on file (test)"
	var scripted bool
	b.run("turn JavaScript off and open the transfer",
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#sg-form`, chromedp.ByQuery),
		chromedp.Evaluate(`typeof window.htmx !== "undefined"`, &scripted),
	)
	if scripted {
		t.Fatal("the page's scripts ran: the test would not show the form without JavaScript")
	}
	b.run("record a risk assessment without its monitoring",
		chromedp.Click(`input[name=person][value="`+first.Person.String()+`"]`, chromedp.ByQuery),
		chromedp.SetValue(`#kind`, string(custody.RiskAssessment), chromedp.ByQuery),
		chromedp.SendKeys(`#finding`, finding, chromedp.ByQuery),
		chromedp.SetValue(`select[name=torture]`, "no_real_risk", chromedp.ByQuery),
		chromedp.SetValue(`select[name=persecution]`, "no_real_risk", chromedp.ByQuery),
		chromedp.SetValue(`select[name=death_penalty]`, "no_real_risk", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=assurances]`, "diplomatic note (test)", chromedp.ByQuery),
	)
	b.run("send it",
		chromedp.Click(`#sg-form button.primary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#sg-form [data-testid=field-error-monitoring]`, chromedp.ByQuery),
	)
	var kept struct {
		Finding, Kind, Torture, Persecution, DeathPenalty, Assurances, Invalid string
		Person, Met, Other                                                     bool
		Where, Main                                                            string
	}
	b.run("read the form", chromedp.Evaluate(`(() => { const f = document.getElementById("sg-form"); return {
		Finding: f.elements.finding.value, Kind: f.elements.kind.value, Torture: f.elements.torture.value,
		Persecution: f.elements.persecution.value, DeathPenalty: f.elements.death_penalty.value,
		Assurances: f.elements.assurances.value, Invalid: f.elements.monitoring.getAttribute("aria-invalid") || "",
		Person: f.querySelector('input[name=person][value="`+first.Person.String()+`"]').checked,
		Other: [...f.querySelectorAll('input[name=person]')].filter(c => c.checked).length > 1,
		Met: f.elements.met.checked, Where: location.href, Main: document.querySelector("main").innerText } })()`, &kept))
	if kept.Finding != finding || kept.Kind != string(custody.RiskAssessment) || kept.Torture != "no_real_risk" ||
		kept.Persecution != "no_real_risk" || kept.DeathPenalty != "no_real_risk" || kept.Assurances != "diplomatic note (test)" {
		t.Errorf("after the refusal the form holds %+v, not what was typed", kept)
	}
	if !kept.Person || kept.Other || !kept.Met {
		t.Errorf("after the refusal: the person checked %v, others checked %v, met checked %v; want only the person, and met", kept.Person, kept.Other, kept.Met)
	}
	if kept.Invalid != "true" {
		t.Errorf("the monitoring field's aria-invalid is %q", kept.Invalid)
	}
	var en map[string]string
	raw, err := os.ReadFile("../../web/locales/en.json")
	if err == nil {
		err = json.Unmarshal(raw, &en)
	}
	if err != nil {
		t.Fatal(err)
	}
	msg := b.text(`[data-testid=field-error-monitoring]`)
	if msg != en["form.required"] {
		t.Errorf("the message beside the field is %q, want %q", msg, en["form.required"])
	}
	if n := strings.Count(kept.Main, msg); n != 1 {
		t.Errorf("the message %q is on the page %d times", msg, n)
	}
	if !strings.HasPrefix(kept.Where, page) {
		t.Errorf("the refusal is shown at %s, not on the transfer's page", kept.Where)
	}
	if after := u.ledgerSize(); after != before {
		t.Errorf("the refused form changed the ledger: %d → %d", before, after)
	}
	b.run("fill the field and record",
		chromedp.SendKeys(`input[name=monitoring]`, "ICRC visits after transfer (test)", chromedp.ByQuery),
		chromedp.Click(`#sg-form button.primary`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="cell-`+first.RegNo+`-risk_assessment"].met`, chromedp.ByQuery),
	)
	if types := u.ledgerTypes(before); !slices.Contains(types, custody.TypeSafeguardRecorded) {
		t.Errorf("the ledger gained %v, no safeguard", types)
	}
}
