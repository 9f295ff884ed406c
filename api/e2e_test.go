package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// movementWritten is the answer to a write about a movement.
type movementWritten struct {
	custody.MovementState
	Receipt api.Receipt `json:"receipt"`
}

// TestTransferEndToEnd runs the first batch of a campaign through HTTP: 150
// detainees from a prison held by the SDF, escorted by USF, into an Iraqi
// institution, with every safeguard, both approvals, a manifest and two signed
// handovers; then a second batch in which one person is missing at arrival.
func TestTransferEndToEnd(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 160, "HSK", nil)
	sdf := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usf := c.registerOfficer("USF", "Lieutenant Dara Sor")
	irq := c.registerOfficer("IRQ", "Captain Samir Haddad")

	var cp custody.CampaignView
	iq := c.as("IRQ") // the receiving party: it creates the campaign, holds the persons on arrival, owes their notifications
	iq.json("POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{
		"name": "north-east Syria to Iraq", "target": 7000, "receiving": "IRQ", "priorities": []string{"first batch"},
	}, "occurred_at": at(9)}, 201, &cp)
	if cp.Target != 7000 || cp.Receiving != storetest.ID("IRQ") || cp.Progress.Target != 7000 {
		t.Fatalf("campaign %+v", cp)
	}

	// The first batch: 150 persons.
	batch := regs[:150]
	tr := c.propose(cp.ID, "HSK", "IQ1", batch)
	if tr.Status != custody.ProposedTransfer || len(tr.People) != 150 || tr.Sending != storetest.ID("SDF") || tr.Receiving != storetest.ID("IRQ") {
		t.Fatalf("proposed %s, %d people, %s → %s", tr.Status, len(tr.People), tr.Sending, tr.Receiving)
	}
	tr = c.safeguardAll(tr.ID, nil)
	for _, tp := range tr.People {
		if len(tp.Missing) != 0 || len(tp.Safeguards) != len(tp.Required) {
			t.Fatalf("%s: missing %v, recorded %d of %d", tp.RegNo, tp.Missing, len(tp.Safeguards), len(tp.Required))
		}
	}
	c.json("GET", "/api/v1/campaigns/"+cp.ID.String(), nil, 200, &cp)
	if cp.Progress.Planned != 150 || cp.Progress.Blocked != 150 { // not approved yet
		t.Errorf("progress before approval %+v", cp.Progress)
	}
	c.approveBoth(tr.ID, "SDF", "IRQ")
	c.json("GET", "/api/v1/transfers/"+tr.ID.String(), nil, 200, &tr)
	if tr.Status != custody.ApprovedTransfer || len(tr.Approvals) != 2 {
		t.Fatalf("after approvals: %s, %+v", tr.Status, tr.Approvals)
	}
	c.json("GET", "/api/v1/campaigns/"+cp.ID.String(), nil, 200, &cp)
	if cp.Progress.Planned != 150 || cp.Progress.Blocked != 0 {
		t.Errorf("progress after approval %+v", cp.Progress)
	}

	vs := buses(3, 50)
	mv := c.plan(tr.ID, batch, vs)
	if mv.Status != custody.PlannedMovement || len(mv.Manifest) != 150 || mv.Escort != storetest.ID("USF") || len(mv.Breaches) != 0 {
		t.Fatalf("planned %s, %d seats, escort %s, breaches %v", mv.Status, len(mv.Manifest), mv.Escort, mv.Breaches)
	}

	// Departure: SDF hands the 150 to the USF escort.
	dep := document(mv, custody.Departure, sdf, usf, people(tr), nil, 60)
	status, body := c.handover(dep, sdf.sign(dep), usf.sign(dep))
	var w movementWritten
	if status != 201 || json.Unmarshal(body, &w) != nil {
		t.Fatalf("departure: %d %s", status, body)
	}
	if w.Status != custody.DepartedMovement || w.Departure == nil || w.Departure.HeadCount != 150 || len(w.Receipt.Events) != 151 ||
		w.Receipt.Events[0].Type != custody.TypeHandedOver || w.Receipt.Checkpoint.Size != w.Receipt.Events[150].Index+1 {
		t.Fatalf("after departure: %s, departure %+v, %d events", w.Status, w.Departure, len(w.Receipt.Events))
	}
	if p := c.person(batch[0]); p.Custody.Status != custody.InTransit || p.Custody.Custodian != storetest.ID("USF") || p.Custody.Movement != mv.ID {
		t.Errorf("in transit: %+v", p.Custody)
	}
	c.json("GET", "/api/v1/campaigns/"+cp.ID.String(), nil, 200, &cp)
	if cp.Progress.InTransit != 150 || cp.Progress.Planned != 0 {
		t.Errorf("progress in transit %+v", cp.Progress)
	}

	// Arrival: the escort hands them to the Iraqi institution.
	arr := document(mv, custody.Arrival, usf, irq, people(tr), nil, 300)
	status, body = c.handover(arr, usf.sign(arr), irq.sign(arr))
	if status != 201 || json.Unmarshal(body, &w) != nil {
		t.Fatalf("arrival: %d %s", status, body)
	}
	if w.Status != custody.ReconciledMovement || w.Arrival == nil || w.Arrival.HeadCount != 150 || len(w.Receipt.Events) != 152 ||
		w.Receipt.Events[151].Type != custody.TypeMovementReconciled {
		t.Fatalf("after arrival: %s, %d events", w.Status, len(w.Receipt.Events))
	}
	c.json("GET", "/api/v1/transfers/"+tr.ID.String(), nil, 200, &tr)
	if tr.Status != custody.CompletedTransfer {
		t.Errorf("transfer %s after arrival", tr.Status)
	}
	for _, reg := range batch {
		if p := iq.person(reg); p.Custody.Status != custody.Held || p.Custody.Facility != storetest.ID("IQ1") || p.Custody.Custodian != storetest.ID("IRQ") {
			t.Fatalf("%s after arrival: %+v", reg, p.Custody)
		}
	}
	c.json("GET", "/api/v1/campaigns/"+cp.ID.String(), nil, 200, &cp)
	if cp.Progress.Arrived != 150 || cp.Progress.InTransit != 0 || cp.Progress.ByGroup != nil {
		t.Errorf("progress after arrival %+v", cp.Progress)
	}
	var iq1 api.FacilityView
	c.json("GET", "/api/v1/facilities/IQ1", nil, 200, &iq1)
	var hsk api.FacilityView
	c.json("GET", "/api/v1/facilities/HSK", nil, 200, &hsk)
	if iq1.Total != 150 || hsk.Total != 10 {
		t.Errorf("populations: IQ1 %d, HSK %d", iq1.Total, hsk.Total)
	}
	var ms struct{ Movements []custody.MovementState }
	c.json("GET", "/api/v1/movements?status=reconciled", nil, 200, &ms)
	if len(ms.Movements) != 1 || ms.Movements[0].ID != mv.ID {
		t.Errorf("reconciled movements: %d", len(ms.Movements))
	}

	// Each arrival owes the family and the ICRC's tracing agency a notification.
	notifications(t, iq, batch[0])
	if got := iq.flagged(custody.NotificationOverdue); !slices.Equal(got, batch) {
		t.Errorf("?flag=notification_overdue lists %d persons, want the %d who arrived", len(got), len(batch))
	}

	// The second batch: five persons, one of whom is not there at arrival.
	batch2 := regs[150:155]
	absent := batch2[2]
	tr2 := c.propose(cp.ID, "HSK", "IQ1", batch2)
	tr2 = c.safeguardAll(tr2.ID, nil)
	c.approveBoth(tr2.ID, "SDF", "IRQ")
	mv2 := c.plan(tr2.ID, batch2, buses(1, 10))
	dep2 := document(mv2, custody.Departure, sdf, usf, people(tr2), nil, 400)
	if status, body := c.handover(dep2, usf.sign(dep2), sdf.sign(dep2)); status != 201 {
		t.Fatalf("second departure: %d %s", status, body)
	}
	absentID := c.person(absent).Record.ID
	arr2 := document(mv2, custody.Arrival, usf, irq, people(tr2), map[uuid.UUID]custody.Outcome{absentID: custody.OutcomeAbsent}, 600)
	status, body = c.handover(arr2, usf.sign(arr2), irq.sign(arr2))
	if status != 201 || json.Unmarshal(body, &w) != nil {
		t.Fatalf("second arrival: %d %s", status, body)
	}
	if w.Status != custody.ReconciledMovement || len(w.Incidents) != 1 || w.Arrival.NotPresent[absentID.String()] != custody.OutcomeAbsent {
		t.Fatalf("second arrival: %s, incidents %v, not present %v", w.Status, w.Incidents, w.Arrival.NotPresent)
	}
	incident := w.Incidents[0]

	// A second record of the absent man, found among the duplicates and linked:
	// the alert names it and where it stands.
	var before struct{ Alerts []api.Alert }
	c.json("GET", "/api/v1/alerts", nil, 200, &before)
	if len(before.Alerts) != 1 || before.Alerts[0].Missing != 1 || before.Alerts[0].Persons[0].Accounted {
		t.Errorf("before the link: %+v", before.Alerts)
	}
	second := storetest.Person(900)
	var reg2 struct{ custody.PersonState }
	c.json("POST", "/api/v1/persons", map[string]any{"person": personJSON(second), "facility": "HSK", "occurred_at": at(601)}, 201, &reg2)
	c.json("POST", "/api/v1/persons/"+reg2.Record.ID.String()+"/links", map[string]any{"other": absentID, "reason": "same man, registered twice", "occurred_at": at(602)}, 201, nil)
	var alerts struct{ Alerts []api.Alert }
	c.json("GET", "/api/v1/alerts", nil, 200, &alerts)
	if len(alerts.Alerts) == 1 && len(alerts.Alerts[0].Persons) == 1 {
		if l := alerts.Alerts[0].Persons[0].Linked; len(l) != 1 || l[0].RegNo != reg2.Record.RegNo || l[0].Status != custody.Held {
			t.Errorf("the alert names the linked records %+v", l)
		}
		// held under the linked record: likely there, not counted missing
		if a := alerts.Alerts[0]; !a.Persons[0].Accounted || a.Missing != 0 {
			t.Errorf("a person whose linked record is held: accounted %v, missing %d", a.Persons[0].Accounted, a.Missing)
		}
	}
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].Incident != incident || alerts.Alerts[0].Movement != mv2.ID ||
		len(alerts.Alerts[0].Persons) != 1 || alerts.Alerts[0].Persons[0].RegNo != absent || alerts.Alerts[0].Persons[0].Status != custody.InTransit {
		t.Fatalf("alerts %+v", alerts.Alerts)
	}
	if p := c.person(absent); !slices.Contains(p.Custody.Flags, custody.ManifestNotReconciled) {
		t.Errorf("the absent person's flags: %v", p.Custody.Flags)
	}
	if got := c.as("USF").flagged(custody.ManifestNotReconciled); !slices.Equal(got, []string{absent}) {
		t.Errorf("?flag=manifest_not_reconciled: %v", got)
	}
	c.json("GET", "/api/v1/campaigns/"+cp.ID.String(), nil, 200, &cp)
	if cp.Progress.Arrived != 154 || cp.Progress.Missing != 1 {
		t.Errorf("progress after the second batch %+v", cp.Progress)
	}

	// A discrepancy is never just closed.
	size := c.size()
	res := "/api/v1/incidents/" + incident.String() + "/resolutions"
	for _, b := range []map[string]any{
		{"person": absent, "resolution": "closed", "note": "gave up looking", "occurred_at": at(700)},
		{"resolution": "closed", "note": "gave up looking", "occurred_at": at(700)},
	} {
		status, _, body := iq.do("POST", res, b)
		problemOf(t, status, body, 409, "never just closed", "body.resolution")
	}
	if c.size() != size {
		t.Fatalf("refused resolutions changed the ledger: %d → %d", size, c.size())
	}
	// Found at the destination: the alert clears.
	iq.json("POST", res, map[string]any{"person": absent, "resolution": "found", "facility": "IQ1",
		"note": "found in the infirmary, admitted without the escort's paper", "occurred_at": at(700)}, 201, nil)
	c.json("GET", "/api/v1/alerts", nil, 200, &alerts)
	if len(alerts.Alerts) != 0 {
		t.Errorf("alerts after resolution %+v", alerts.Alerts)
	}
	if p := iq.person(absent); p.Custody.Status != custody.Held || p.Custody.Facility != storetest.ID("IQ1") || slices.Contains(p.Custody.Flags, custody.ManifestNotReconciled) {
		t.Errorf("found person: %+v", p.Custody)
	}
	var inc custody.IncidentState
	c.json("GET", "/api/v1/incidents/"+incident.String(), nil, 200, &inc)
	if inc.Open || inc.Resolved[absentID.String()].Resolution != custody.Found {
		t.Errorf("incident after resolution %+v", inc)
	}

	rep := c.verifyLedger()
	if rep.Persons != 161 || rep.Size != c.size() { // 160 and the linked second record
		t.Errorf("verify report %s", rep)
	}
}

// notifications checks the duties to inform an arrival gives rise to, and that
// one is completed once.
func notifications(t *testing.T, c *client, reg string) {
	t.Helper()
	type list struct{ Notifications []api.NotificationView }
	var all list
	c.json("GET", "/api/v1/notifications?person="+reg, nil, 200, &all)
	var kinds []string
	for _, n := range all.Notifications {
		kinds = append(kinds, string(n.Kind))
		if n.RegNo != reg || n.Done != nil || !n.Overdue { // due within days of January 2026
			t.Errorf("notification %+v", n)
		}
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"capture_card", "family_transfer"}) {
		t.Fatalf("notifications of %s: %v", reg, kinds)
	}
	if p := c.person(reg); !slices.Contains(p.Custody.Flags, custody.NotificationOverdue) {
		t.Errorf("flags of %s: %v", reg, p.Custody.Flags)
	}
	var overdue list
	c.json("GET", "/api/v1/notifications?overdue=true&kind=capture_card&limit=500", nil, 200, &overdue)
	if len(overdue.Notifications) != 150 {
		t.Errorf("%d overdue capture cards", len(overdue.Notifications))
	}
	n := all.Notifications[0]
	path := "/api/v1/notifications/" + n.ID.String() + "/completions"
	c.json("POST", path, map[string]any{"outcome": "family reached by telephone", "occurred_at": at(400)}, 201, nil)
	status, _, body := c.do("POST", path, map[string]any{"outcome": "again", "occurred_at": at(401)})
	problemOf(t, status, body, 409, "already completed", "path.id")
	var done api.NotificationView
	c.json("GET", "/api/v1/notifications/"+n.ID.String(), nil, 200, &done)
	if done.Done == nil || done.Overdue || done.Outcome != "family reached by telephone" {
		t.Errorf("completed notification %+v", done)
	}
	c.json("GET", "/api/v1/notifications?done=false&person="+reg, nil, 200, &all)
	if len(all.Notifications) != 1 || all.Notifications[0].ID == n.ID {
		t.Errorf("open notifications after completion: %+v", all.Notifications)
	}
}
