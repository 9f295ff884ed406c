package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// Browser tests of the pages' forms, on one demo world shared by the subtests:
// each form that writes is submitted by each role that may use it, and its
// outcome is checked on the page and in the ledger. TestEveryFormIsSubmitted
// (web_forms_walk_test.go) fails when a template has a form no test here names.

// acceptDialogs answers every confirm() of the browser's pages with OK, as an
// officer who means it would.
func (b *browser) acceptDialogs() {
	chromedp.ListenTarget(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(b.ctx, page.HandleJavaScriptDialog(true))
		}
	})
}

// ledgerSize is the size of the log's latest checkpoint.
func (u *apiUser) ledgerSize() uint64 {
	u.t.Helper()
	var cp api.Checkpoint
	u.do("GET", "/api/v1/checkpoint", nil, &cp)
	return cp.Size
}

// ledgerTypes are the types of the events at from and after, as the user may read them.
func (u *apiUser) ledgerTypes(from uint64) []custody.Type {
	u.t.Helper()
	var out []custody.Type
	for i, size := from, u.ledgerSize(); i < size; i++ {
		res, err := u.c.Get(fmt.Sprintf("%s/api/v1/events/%d", u.base, i))
		if err != nil {
			u.t.Fatal(err)
		}
		var e struct {
			Type custody.Type `json:"type"`
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			u.t.Fatalf("event %d: %v", i, err)
		}
		out = append(out, e.Type)
	}
	return out
}

// smallTransfer proposes a transfer of n men held at Hasakah to the Northern
// Correctional Institution through the API, records every safeguard of each but
// the last `blocked` of them, and has both sides approve it when approve is set.
func smallTransfer(t *testing.T, w *webWorld, n, blocked int, approve bool) (custody.TransferState, []custody.PersonState) {
	t.Helper()
	approver, legal, irq := w.api(t, "sdf-transfer-approver"), w.api(t, "sdf-legal-officer"), w.api(t, "irq-transfer-approver")
	var page custody.PersonPage
	approver.do("GET", "/api/v1/persons?facility=HSK&status=held&category=detainee&limit=500", nil, &page)
	var men []custody.PersonState
	var regs []string
	for _, p := range page.Persons {
		if p.Custody.Transfer == uuid.Nil && len(men) < n {
			men, regs = append(men, p), append(regs, p.Record.RegNo)
		}
	}
	if len(men) < n {
		t.Fatalf("only %d men at Hasakah free of transfers", len(men))
	}
	now := time.Now().UTC().Truncate(time.Second)
	var tr custody.TransferState
	approver.do("POST", "/api/v1/transfers", map[string]any{"occurred_at": now, "transfer": map[string]any{
		"from": "HSK", "to": "NCI", "legal_basis": "bilateral transfer agreement (synthetic)", "ordered_by": "SDF detention directorate",
		"persons": regs}}, &tr)
	for i, tp := range tr.People {
		if i >= len(tr.People)-blocked {
			break
		}
		for _, k := range tp.Required {
			g := map[string]any{"kind": k, "met": true, "finding": "checked for the test"}
			switch k {
			case custody.RiskAssessment:
				g["risk"] = map[string]any{"torture": "no_real_risk", "persecution": "no_real_risk", "death_penalty": "no_real_risk", "monitoring": "ICRC visits after transfer"}
			case custody.ICRCNotified:
				g["interview"] = "held"
			}
			legal.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/safeguards", map[string]any{"occurred_at": now, "persons": []string{tp.RegNo}, "safeguard": g}, nil)
		}
	}
	if approve {
		approver.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/approvals", map[string]any{"occurred_at": now}, nil)
		irq.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/approvals", map[string]any{"occurred_at": now}, nil)
	}
	approver.do("GET", "/api/v1/transfers/"+tr.ID.String(), nil, &tr)
	return tr, men
}

// plannedMovement plans, through the API, a movement of the transfer's persons in
// one bus escorted by USF.
func plannedMovement(t *testing.T, w *webWorld, tr custody.TransferState) custody.MovementState {
	t.Helper()
	var manifest []map[string]string
	for _, tp := range tr.People {
		manifest = append(manifest, map[string]string{"person": tp.Person.String(), "vehicle": "BUS-7"})
	}
	var m custody.MovementState
	w.api(t, "sdf-facility-commander").do("POST", "/api/v1/movements", map[string]any{"occurred_at": time.Now().UTC().Truncate(time.Second),
		"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy", "planned_departure": time.Now().UTC().Add(time.Hour).Truncate(time.Second),
			"vehicles": []custody.Vehicle{{ID: "BUS-7", Kind: "bus", Seats: 40}}, "manifest": manifest}}, &m)
	return m
}

func TestWebForms(t *testing.T) {
	w := startWebDemo(t)
	irqCommander := w.api(t, "irq-facility-commander")
	var alerts struct {
		Alerts []api.Alert `json:"alerts"`
	}
	irqCommander.do("GET", "/api/v1/alerts", nil, &alerts)
	if len(alerts.Alerts) == 0 || len(alerts.Alerts[0].Persons) == 0 {
		t.Fatal("the demo has no disappearance alert")
	}
	missing := alerts.Alerts[0].Persons[0]

	// Issue 13, items 3, 4 and 5: the person page.
	t.Run("person page", func(t *testing.T) {
		b := w.browser(t)
		b.login("irq-facility-commander")
		b.run("open the missing person's page",
			chromedp.Navigate(w.base+"/persons/"+missing.Person.String()),
			chromedp.WaitVisible(`[data-testid=timeline]`, chromedp.ByQuery),
		)
		var href string
		var ok bool
		b.run("read the alert banner", chromedp.Evaluate(`(() => { const a = document.querySelector("[data-testid=person-alert] a[href^='/incidents/']"); return a ? a.getAttribute("href") : "" })()`, &href))
		if want := "/incidents/" + alerts.Alerts[0].Incident.String(); href != want {
			t.Errorf("the page of a person unaccounted for links the alert %q, want %q", href, want)
		}
		// Every term of the identity list has exactly one description.
		b.run("check the identity list", chromedp.Evaluate(`[...document.querySelectorAll("dl.facts")].every(dl =>
			[...dl.children].every((c, i, all) => c.tagName === "DT" ? all[i+1] && all[i+1].tagName === "DD" : all[i-1] && all[i-1].tagName === "DT"))`, &ok))
		if !ok {
			t.Errorf("a definition list of the person page pairs its terms and descriptions wrongly")
		}
		if s := b.text(`[data-testid=birth]`); strings.ContainsAny(s, "٠١٢٣٤٥٦٧٨٩") || !strings.ContainsAny(s, "0123456789") {
			t.Errorf("the date of birth in English reads %q", s)
		}

		// A person of the demo's campaign blocked by a missing safeguard.
		var ms struct {
			Movements []custody.MovementState `json:"movements"`
		}
		legal := w.api(t, "sdf-legal-officer")
		legal.do("GET", "/api/v1/movements?status=planned", nil, &ms)
		var tp *custody.TransferPerson
		for _, m := range ms.Movements {
			var tr custody.TransferState
			legal.do("GET", "/api/v1/transfers/"+m.Transfer.String(), nil, &tr)
			for _, p := range tr.People {
				if len(p.Missing) > 0 && len(p.Missing) < len(p.Required) && len(p.Overrides) == 0 {
					tp = p
				}
			}
		}
		if tp == nil {
			t.Fatal("no person of a planned movement lacks some safeguards but not all")
		}
		sb := w.browser(t)
		sb.login("sdf-legal-officer")
		sb.run("open the blocked person's page",
			chromedp.Navigate(w.base+"/persons/"+tp.Person.String()),
			chromedp.WaitVisible(`[data-testid=timeline]`, chromedp.ByQuery),
		)
		for _, k := range tp.Required {
			want := "✓ met"
			if slices.Contains(tp.Missing, k) {
				want = "✗ missing"
				if g, ok := tp.Safeguards[k]; ok && !g.Met {
					want = "✗ not met"
				}
			}
			if got := sb.text(`[data-testid=safeguard-` + string(k) + `]`); !strings.HasSuffix(got, want) {
				t.Errorf("safeguard %s of %s reads %q, want it to say %q", k, tp.RegNo, got, want)
			}
		}
	})

	// Issue 13, item 1: an incident is resolved from the browser, by each role that may.
	t.Run("resolve an incident", func(t *testing.T) {
		for _, user := range []string{"irq-facility-commander", "usf-escort-commander"} {
			u := w.api(t, user)
			var incs struct {
				Incidents []custody.IncidentState `json:"incidents"`
			}
			u.do("GET", "/api/v1/incidents?open=true", nil, &incs)
			var in *custody.IncidentState
			for i := range incs.Incidents {
				if len(incs.Incidents[i].Unresolved()) > 0 {
					in = &incs.Incidents[i]
					break
				}
			}
			if in == nil { // the other role resolved the demo's: report a new one
				var out struct{ custody.IncidentState }
				u.do("POST", "/api/v1/incidents", map[string]any{"occurred_at": time.Now().UTC().Truncate(time.Second), "incident": map[string]any{
					"type": "discrepancy", "movement": alerts.Alerts[0].Movement, "persons": []string{missing.RegNo}, "description": "counted one short (test)"}}, &out)
				in = &out.IncidentState
			}
			person := in.Unresolved()[0]
			before := u.ledgerSize()
			b := w.browser(t)
			b.acceptDialogs()
			b.login(user)
			b.run(user+" resolves "+in.ID.String(),
				chromedp.Navigate(w.base+"/incidents/"+in.ID.String()),
				chromedp.WaitVisible(`#r-person`, chromedp.ByQuery),
				chromedp.SetValue(`#r-person`, person.String(), chromedp.ByQuery),
				chromedp.SetValue(`#r-res`, "found", chromedp.ByQuery),
				chromedp.SetValue(`#r-fac`, "NCI", chromedp.ByQuery),
				chromedp.SendKeys(`#r-note`, "found in the infirmary (test)", chromedp.ByQuery),
				chromedp.Click(`form[action$="/resolutions"] button.primary`, chromedp.ByQuery),
				chromedp.WaitVisible(`[data-testid="resolved-`+person.String()+`"]`, chromedp.ByQuery),
			)
			var after custody.IncidentState
			u.do("GET", "/api/v1/incidents/"+in.ID.String(), nil, &after)
			if r, ok := after.Resolved[person.String()]; !ok || r.Resolution != custody.Resolution("found") {
				t.Errorf("%s: the incident's resolution of %s is %+v", user, person, after.Resolved)
			}
			if types := u.ledgerTypes(before); !slices.Contains(types, custody.TypeIncidentResolved) {
				t.Errorf("%s: the ledger gained %v, no resolution", user, types)
			}
		}
	})

	// Issue 13, item 2: a notification is marked done, by each role that may.
	t.Run("complete a notification", func(t *testing.T) {
		for _, role := range []string{"registrar", "facility-commander"} {
			// The first party owing an open notification the user may see.
			var user string
			var u *apiUser
			var nots struct {
				Notifications []api.NotificationView `json:"notifications"`
			}
			for _, party := range []string{"irq", "sdf", "usf"} {
				user = party + "-" + role
				u = w.api(t, user)
				u.do("GET", "/api/v1/notifications?done=false", nil, &nots)
				if len(nots.Notifications) > 0 {
					break
				}
			}
			if len(nots.Notifications) == 0 {
				t.Fatalf("no %s sees an open notification", role)
			}
			n := nots.Notifications[len(nots.Notifications)-1]
			before := u.ledgerSize()
			b := w.browser(t)
			b.acceptDialogs()
			b.login(user)
			form := `form[action="/notifications/` + n.ID.String() + `/completions"]`
			b.run(user+" marks "+n.ID.String()+" done",
				chromedp.Navigate(w.base+"/notifications?show=all&person="+n.Person.String()),
				chromedp.WaitVisible(form+` input[name=outcome]`, chromedp.ByQuery),
				chromedp.SendKeys(form+` input[name=outcome]`, "family told by telephone (test)", chromedp.ByQuery),
				chromedp.Click(form+` button`, chromedp.ByQuery),
				chromedp.WaitVisible(`[data-testid="done-`+n.ID.String()+`"]`, chromedp.ByQuery),
			)
			var after api.NotificationView
			u.do("GET", "/api/v1/notifications/"+n.ID.String(), nil, &after)
			if after.Done.IsZero() || after.Outcome != "family told by telephone (test)" {
				t.Errorf("%s: the notification after completion: %+v", user, after)
			}
			if types := u.ledgerTypes(before); !slices.Contains(types, custody.TypeNotificationCompleted) {
				t.Errorf("%s: the ledger gained %v, no completion", user, types)
			}
		}
	})

	// Issue 13, item 6: the handover screen keeps its marks across a reload and a
	// lost session; the officer signs in again and finishes.
	t.Run("handover survives the field", func(t *testing.T) {
		tr, men := smallTransfer(t, w, 3, 0, true)
		m := plannedMovement(t, w, tr)
		escort := w.api(t, "usf-escort-commander")
		before := escort.ledgerSize()
		b := w.browser(t)
		b.login("usf-escort-commander")
		path := "/movements/" + m.ID.String() + "/handover"
		b.run("mark two of three present, then reload",
			chromedp.Navigate(w.base+path),
			chromedp.WaitVisible(`[data-testid="present-`+men[0].Record.RegNo+`"]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid="present-`+men[0].Record.RegNo+`"]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid="present-`+men[1].Record.RegNo+`"]`, chromedp.ByQuery),
			chromedp.Reload(),
			chromedp.WaitVisible(`[data-testid=marks-restored]`, chromedp.ByQuery),
		)
		if c := b.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "2 / 3") {
			t.Errorf("head count %q after a reload, want the two marks kept", c)
		}
		b.run("lose the session, mark the third, prepare",
			network.ClearBrowserCookies(),
			chromedp.Click(`[data-testid="present-`+men[2].Record.RegNo+`"]`, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=from-key]`, []string{filepath.Join(w.dir, "officers", "sdf.key")}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=to-key]`, []string{filepath.Join(w.dir, "officers", "usf.key")}, chromedp.ByQuery),
			chromedp.WaitVisible(`#from-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.WaitVisible(`#to-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=prepare]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=sign-in-again]`, chromedp.ByQuery),
		)
		var confirmShown bool
		b.run("the signing step stays closed", chromedp.Evaluate(`!document.getElementById("confirm").hidden`, &confirmShown))
		if confirmShown {
			t.Errorf("the signing step opened without a session")
		}
		if p := b.text(`#problem`); !strings.Contains(p, "session has ended") || strings.Contains(p, "undefined") {
			t.Errorf("after the session ended the page says %q", p)
		}
		pw := w.passwords["usf-escort-commander"]
		b.run("sign in again and come back",
			chromedp.Click(`[data-testid=sign-in-again]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#password`, chromedp.ByQuery),
			chromedp.SendKeys(`#name`, "usf-escort-commander", chromedp.ByQuery),
			chromedp.SendKeys(`#password`, pw, chromedp.ByQuery),
			chromedp.Submit(`#password`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=marks-restored]`, chromedp.ByQuery),
		)
		if c := b.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "3 / 3") {
			t.Errorf("head count %q after signing in again, want all three marks kept", c)
		}
		b.run("open the keys again, sign and record",
			chromedp.SetUploadFiles(`[data-testid=from-key]`, []string{filepath.Join(w.dir, "officers", "sdf.key")}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=to-key]`, []string{filepath.Join(w.dir, "officers", "usf.key")}, chromedp.ByQuery),
			chromedp.WaitVisible(`#from-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.WaitVisible(`#to-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=prepare]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=confirm-summary]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=sign-submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=tally]`, chromedp.ByQuery),
		)
		if s := b.text(`[data-testid=movement-status]`); s != "Departed" {
			t.Errorf("movement status %q after the departure handover", s)
		}
		if types := escort.ledgerTypes(before); !slices.Contains(types, custody.TypeHandedOver) {
			t.Errorf("the ledger gained %v, no handover", types)
		}
		var left int
		b.run("the marks are forgotten once recorded", chromedp.Evaluate(`localStorage.length`, &left))
		if left != 0 {
			t.Errorf("%d entries left in the browser's storage after the handover was recorded", left)
		}
	})

	// A transfer's approvals, by the transfer approver of each side.
	t.Run("approve a transfer", func(t *testing.T) {
		tr, _ := smallTransfer(t, w, 2, 0, false)
		for _, c := range []struct{ user, party string }{{"sdf-transfer-approver", "SDF"}, {"irq-transfer-approver", "IRQ"}} {
			u := w.api(t, c.user)
			before := u.ledgerSize()
			b := w.browser(t)
			b.acceptDialogs()
			b.login(c.user)
			b.run(c.user+" approves",
				chromedp.Navigate(w.base+"/transfers/"+tr.ID.String()),
				chromedp.WaitVisible(`form[action$="/approvals"] button`, chromedp.ByQuery),
				chromedp.Click(`form[action$="/approvals"] button`, chromedp.ByQuery),
				chromedp.WaitVisible(`[data-testid="approved-`+c.party+`"]`, chromedp.ByQuery),
			)
			var after custody.TransferState
			u.do("GET", "/api/v1/transfers/"+tr.ID.String(), nil, &after)
			if len(after.Approvals) == 0 {
				t.Errorf("%s: no approval recorded", c.user)
			}
			if types := u.ledgerTypes(before); !slices.Contains(types, custody.TypeTransferApproved) {
				t.Errorf("%s: the ledger gained %v, no approval", c.user, types)
			}
		}
	})

	// Safeguards recorded and overridden by a legal officer; the blocked persons
	// listed; the override form offers only what is missing.
	t.Run("record and override safeguards", func(t *testing.T) {
		tr, _ := smallTransfer(t, w, 2, 2, false)
		first, second := tr.People[0], tr.People[1]
		u := w.api(t, "sdf-legal-officer")
		before := u.ledgerSize()
		b := w.browser(t)
		b.acceptDialogs()
		b.login("sdf-legal-officer")
		b.run("list the persons who cannot depart",
			chromedp.Navigate(w.base+"/transfers/"+tr.ID.String()),
			chromedp.WaitVisible(`[data-testid=show-blocked]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=show-blocked]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="tp-`+first.RegNo+`"]`, chromedp.ByQuery),
		)
		var offered []string
		b.run("read the override choices", chromedp.Evaluate(`[...document.querySelectorAll("#ov-target option")].map(o => o.value)`, &offered))
		want := 0
		for _, tp := range tr.People {
			want += len(tp.Missing)
		}
		if len(offered) != want {
			t.Errorf("the override form offers %d choices, want the %d missing safeguards", len(offered), want)
		}
		b.run("record a medical examination for the first",
			chromedp.Click(`input[name=person][value="`+first.Person.String()+`"]`, chromedp.ByQuery),
			chromedp.SetValue(`#kind`, string(custody.Medical), chromedp.ByQuery),
			chromedp.SendKeys(`#finding`, "fit to travel (test)", chromedp.ByQuery),
			chromedp.Click(`#sg-form button.primary`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="cell-`+first.RegNo+`-medical"].met`, chromedp.ByQuery),
		)
		b.run("override the second's acceptance",
			chromedp.SetValue(`#ov-target`, second.Person.String()+" "+string(custody.Acceptance), chromedp.ByQuery),
			chromedp.SendKeys(`#ov-reason`, "the receiving state accepted by letter, filed later (test)", chromedp.ByQuery),
			chromedp.Click(`form[action$="/overrides"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="cell-`+second.RegNo+`-acceptance"].overridden`, chromedp.ByQuery),
		)
		var after custody.TransferState
		u.do("GET", "/api/v1/transfers/"+tr.ID.String(), nil, &after)
		for _, tp := range after.People {
			switch tp.Person {
			case first.Person:
				if g, ok := tp.Safeguards[custody.Medical]; !ok || !g.Met {
					t.Errorf("the first's medical examination: %+v", tp.Safeguards)
				}
			case second.Person:
				if _, ok := tp.Overrides[custody.Acceptance]; !ok {
					t.Errorf("the second's overrides: %+v", tp.Overrides)
				}
			}
		}
		types := u.ledgerTypes(before)
		if !slices.Contains(types, custody.TypeSafeguardRecorded) || !slices.Contains(types, custody.TypeSafeguardOverridden) {
			t.Errorf("the ledger gained %v", types)
		}
	})

	// Signing out, from the menu of any page.
	t.Run("sign out", func(t *testing.T) {
		b := w.browser(t)
		b.login("icrc-monitor")
		b.run("sign out",
			chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`#password`, chromedp.ByQuery),
		)
		if got := b.fetchStatus("GET", "/api/v1/me", ""); got != http.StatusUnauthorized {
			t.Errorf("after signing out, /api/v1/me answers %d", got)
		}
	})

	// Issue 13, item 7: the persons of a departure who cannot depart are listed
	// before anyone signs, held back, and the departure goes ahead without them.
	t.Run("departure with persons who cannot depart", func(t *testing.T) {
		tr, men := smallTransfer(t, w, 3, 1, true)
		m := plannedMovement(t, w, tr)
		held := men[2]
		var blockedTP *custody.TransferPerson
		for _, tp := range tr.People {
			if tp.Person == held.Record.ID {
				blockedTP = tp
			}
		}
		if blockedTP == nil || len(blockedTP.Missing) == 0 {
			t.Fatalf("the last man is not blocked: %+v", blockedTP)
		}
		escort := w.api(t, "usf-escort-commander")
		b := w.browser(t)
		b.login("usf-escort-commander")
		b.run("open the departure",
			chromedp.Navigate(w.base+"/movements/"+m.ID.String()+"/handover"),
			chromedp.WaitVisible(`[data-testid="blocked-`+held.Record.RegNo+`"]`, chromedp.ByQuery),
			chromedp.Click(`#all-present`, chromedp.ByQuery),
		)
		if s := b.text(`[data-testid="blocked-` + held.Record.RegNo + `"]`); !strings.Contains(s, "not yet recorded") || strings.Contains(s, "_") {
			t.Errorf("the blocked person's line says %q", s)
		}
		if c := b.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "2 / 3") {
			t.Errorf("head count %q, want the blocked man left out", c)
		}
		b.run("prepare",
			chromedp.SetUploadFiles(`[data-testid=from-key]`, []string{filepath.Join(w.dir, "officers", "sdf.key")}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=to-key]`, []string{filepath.Join(w.dir, "officers", "usf.key")}, chromedp.ByQuery),
			chromedp.WaitVisible(`#from-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.WaitVisible(`#to-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=prepare]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=confirm-summary]`, chromedp.ByQuery),
		)
		if s := b.text(`[data-testid=confirm-summary]`); !strings.Contains(s, "2 of 3") {
			t.Errorf("the confirmation says %q", s)
		}
		if s := b.text(`#confirm-missing`); !strings.Contains(s, held.Record.RegNo+": Held back") {
			t.Errorf("the confirmation lists %q as not handed over", s)
		}
		b.run("sign and record",
			chromedp.Click(`[data-testid=sign-submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=tally]`, chromedp.ByQuery),
		)
		var p custody.PersonState
		escort.do("GET", "/api/v1/persons/"+held.Record.RegNo, nil, &p)
		if p.Custody.Status != custody.Held || p.Custody.Movement == m.ID {
			t.Errorf("the man held back is %s on movement %s", p.Custody.Status, p.Custody.Movement)
		}
		var after custody.MovementState
		escort.do("GET", "/api/v1/movements/"+m.ID.String(), nil, &after)
		if after.Status != custody.DepartedMovement || len(after.Departure.Present) != 2 {
			t.Errorf("the movement after the departure: %s, %d present", after.Status, len(after.Departure.Present))
		}
	})

	// Issue 13, item 8: a refused form stays as typed, the message beside the
	// field at fault, in the user's language, once.
	t.Run("refusal stays on the page", func(t *testing.T) {
		tr, _ := smallTransfer(t, w, 1, 1, false)
		first := tr.People[0]
		u := w.api(t, "sdf-legal-officer")
		before := u.ledgerSize()
		b := w.browser(t)
		b.login("sdf-legal-officer")
		const finding = "لا خطر حقيقي (اختبار)"
		b.run("record a risk assessment without its monitoring, in Arabic",
			chromedp.Click(`form.lang button[value=ar]`, chromedp.ByQuery),
			chromedp.WaitVisible(`html[dir=rtl]`, chromedp.ByQuery),
			chromedp.Navigate(w.base+"/transfers/"+tr.ID.String()),
			chromedp.WaitVisible(`#sg-form`, chromedp.ByQuery),
			chromedp.Click(`input[name=person][value="`+first.Person.String()+`"]`, chromedp.ByQuery),
			chromedp.SetValue(`#kind`, string(custody.RiskAssessment), chromedp.ByQuery),
			chromedp.SendKeys(`#finding`, finding, chromedp.ByQuery),
			chromedp.SetValue(`select[name=torture]`, "no_real_risk", chromedp.ByQuery),
			chromedp.SetValue(`select[name=persecution]`, "no_real_risk", chromedp.ByQuery),
			chromedp.SetValue(`select[name=death_penalty]`, "no_real_risk", chromedp.ByQuery),
			chromedp.Click(`#sg-form button.primary`, chromedp.ByQuery),
			chromedp.WaitVisible(`#sg-form [data-testid=field-error-monitoring]`, chromedp.ByQuery),
		)
		var typed, where, body string
		var checked bool
		b.run("read the form", chromedp.Value(`#finding`, &typed, chromedp.ByQuery), chromedp.Location(&where),
			chromedp.Evaluate(`document.querySelector('input[name=person][value="`+first.Person.String()+`"]').checked`, &checked),
			chromedp.Text(`main`, &body, chromedp.ByQuery))
		if typed != finding || !checked {
			t.Errorf("after the refusal the form holds finding %q, person checked %v", typed, checked)
		}
		if where != w.base+"/transfers/"+tr.ID.String() {
			t.Errorf("the refusal left the page for %s", where)
		}
		msg := b.text(`[data-testid=field-error-monitoring]`)
		if want := "مطلوب"; !strings.Contains(msg, want) {
			t.Errorf("the message beside the field is %q, not in Arabic", msg)
		}
		if n := strings.Count(body, msg); n != 1 {
			t.Errorf("the message %q is on the page %d times", msg, n)
		}
		var invalid string
		b.run("the field is marked", chromedp.AttributeValue(`input[name=monitoring]`, "aria-invalid", &invalid, nil, chromedp.ByQuery))
		if invalid != "true" {
			t.Errorf("the monitoring field's aria-invalid is %q", invalid)
		}
		if after := u.ledgerSize(); after != before {
			t.Errorf("the refused form changed the ledger: %d → %d", before, after)
		}
		b.run("fill the field and record",
			chromedp.SendKeys(`input[name=monitoring]`, "زيارات اللجنة الدولية بعد النقل", chromedp.ByQuery),
			chromedp.Click(`#sg-form button.primary`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="cell-`+first.RegNo+`-risk_assessment"].met`, chromedp.ByQuery),
		)
	})

	// The handover screen and a form worked with the keyboard alone: Tab to a
	// control, Space or Enter to use it.
	t.Run("keyboard only", func(t *testing.T) {
		tr, men := smallTransfer(t, w, 2, 0, true)
		m := plannedMovement(t, w, tr)
		b := w.browser(t)
		b.login("usf-escort-commander")
		b.run("open the departure", chromedp.Navigate(w.base+"/movements/"+m.ID.String()+"/handover"),
			chromedp.WaitVisible(`#all-present`, chromedp.ByQuery))
		first := `[data-testid="present-` + men[0].Record.RegNo + `"]`
		if !b.tabTo(first, 80) {
			t.Fatalf("Tab never reaches %s", first)
		}
		b.run("mark with Space", chromedp.KeyEvent(" "))
		if c := b.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "1 / 2") {
			t.Errorf("head count %q after Space on the first row", c)
		}
		if !b.tabTo(`#all-present`, 80) {
			t.Fatalf("Tab never reaches the button marking the rest present")
		}
		b.run("press the button with Enter", chromedp.KeyEvent("\r"))
		if c := b.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "2 / 2") {
			t.Errorf("head count %q after Enter on the button", c)
		}
		b.run("forget the marks", chromedp.Evaluate(`localStorage.clear()`, nil))
	})
}

// tabTo presses Tab until the element matching sel has the focus, at most n
// times, and reports whether it got there.
func (b *browser) tabTo(sel string, n int) bool {
	b.t.Helper()
	for i := 0; i < n; i++ {
		var here bool
		b.run("press Tab", chromedp.KeyEvent("\t"), chromedp.Evaluate(`document.activeElement && document.activeElement.matches(`+"`"+sel+"`"+`)`, &here))
		if here {
			return true
		}
	}
	return false
}
