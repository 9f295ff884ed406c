package api_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// TestEachSafeguardBlocksDeparture checks, for each safeguard of docs/standards.md §F, that
// a departure handover including a person who lacks it is refused with a problem
// naming it, that an override lets the person depart, and that the person then
// carries the flag safeguard_overridden.
func TestEachSafeguardBlocksDeparture(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	sdf := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usf := c.registerOfficer("USF", "Lieutenant Dara Sor")
	// Persons 0, 4, 8… are Iraqi (no consular notification needed); 2, 6… Tunisian.
	c.enrol(0, 20, "HSK", func(n int, p map[string]any) {
		if n == 4 {
			p["category"], p["birth"] = "minor", map[string]any{"date": "2011", "precision": "year"}
		}
	})
	person := map[custody.SafeguardKind]string{ // who needs the safeguard
		custody.Acceptance: "HSK-000001", custody.RiskAssessment: "HSK-000002", custody.Medical: "HSK-000003",
		custody.Informed: "HSK-000004", custody.ICRCNotified: "HSK-000006", custody.Consular: "HSK-000007",
		custody.BestInterests: "HSK-000005",
	}
	var overridden []string
	for i, kind := range custody.SafeguardKinds {
		t.Run(string(kind), func(t *testing.T) {
			c := &client{t: t, url: c.url, db: c.db, party: "SDF", users: c.users}
			reg := person[kind]
			p := c.person(reg)
			tr := c.propose(uuid.Nil, "HSK", "IQ1", []string{reg})
			if !slices.Contains(tr.People[0].Required, kind) {
				t.Fatalf("%s does not need %s: %v", reg, kind, tr.People[0].Required)
			}
			tr = c.safeguardAll(tr.ID, map[uuid.UUID]custody.SafeguardKind{p.Record.ID: kind})
			if !slices.Equal(tr.People[0].Missing, []custody.SafeguardKind{kind}) {
				t.Fatalf("missing %v, want [%s]", tr.People[0].Missing, kind)
			}
			c.approveBoth(tr.ID, "SDF", "IRQ")
			mv := c.plan(tr.ID, []string{reg}, buses(1, 5))
			doc := document(mv, custody.Departure, sdf, usf, people(tr), nil, 100+i)

			size := c.size()
			status, body := c.handover(doc, sdf.sign(doc), usf.sign(doc))
			problemOf(t, status, body, 409, "safeguards missing: ["+string(kind)+"]", "body.document.persons[0].person")
			if c.size() != size {
				t.Fatalf("a refused departure changed the ledger: %d → %d", size, c.size())
			}
			if p := c.person(reg); p.Custody.Status != custody.Held || slices.Contains(p.Custody.Flags, custody.SafeguardOverriddenFlag) {
				t.Fatalf("after the refusal: %+v", p.Custody)
			}

			c.json("POST", "/api/v1/transfers/"+tr.ID.String()+"/overrides", map[string]any{
				"person": reg, "kind": kind, "reason": "ordered by the joint committee, decision 12", "occurred_at": at(50),
			}, 201, nil)
			if status, body := c.handover(doc, sdf.sign(doc), usf.sign(doc)); status != 201 {
				t.Fatalf("departure after the override: %d %s", status, body)
			}
			p = c.person(reg)
			if p.Custody.Status != custody.InTransit || !slices.Contains(p.Custody.Flags, custody.SafeguardOverriddenFlag) {
				t.Fatalf("after departure: %+v", p.Custody)
			}
			c.json("GET", "/api/v1/transfers/"+tr.ID.String(), nil, 200, &tr)
			if o, ok := tr.People[0].Overrides[kind]; !ok || o.Reason == "" || o.Event == 0 {
				t.Errorf("override on the transfer %+v", tr.People[0].Overrides)
			}
			overridden = append(overridden, reg)
		})
	}
	slices.Sort(overridden)
	if got := c.flagged(custody.SafeguardOverriddenFlag); !slices.Equal(got, overridden) {
		t.Errorf("?flag=safeguard_overridden lists %v, want %v", got, overridden)
	}
	// A safeguard recorded as not met blocks departure like a missing one.
	reg := "HSK-000009"
	p := c.person(reg)
	tr := c.propose(uuid.Nil, "HSK", "IQ1", []string{reg})
	tr = c.safeguardAll(tr.ID, map[uuid.UUID]custody.SafeguardKind{p.Record.ID: custody.RiskAssessment})
	g := safeguard(custody.RiskAssessment)
	g["met"], g["risk"].(map[string]any)["death_penalty"] = false, "real_risk"
	c.json("POST", "/api/v1/transfers/"+tr.ID.String()+"/safeguards", map[string]any{"persons": []string{reg}, "safeguard": g, "occurred_at": at(21)}, 201, nil)
	if p := c.person(reg); !slices.Contains(p.Custody.Flags, custody.DeathPenaltyExposed) {
		t.Errorf("flags after a real risk of the death penalty: %v", p.Custody.Flags)
	}
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, []string{reg}, buses(1, 5))
	doc := document(mv, custody.Departure, sdf, usf, people(tr), nil, 200)
	status, body := c.handover(doc, sdf.sign(doc), usf.sign(doc))
	problemOf(t, status, body, 409, "safeguards missing: [risk_assessment]", "body.document.persons[0].person")
	c.verifyLedger()
}
