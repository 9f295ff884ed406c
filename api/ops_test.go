package api_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
	"github.com/handover-project/handover/verify"
)

// Helpers for the tests of transfers, movements and handovers. Everything goes
// through HTTP; only the officers' private keys stay with the test, as they would
// stay with the officers.

// withKey returns a client whose requests carry an Idempotency-Key.
func (c *client) withKey(key string) *client {
	cc := *c
	cc.key = key
	return &cc
}

// opsWorld registers, over HTTP, three parties (SDF holds, USF escorts, IRQ
// receives) and three facilities: HSK held by SDF, IQ1 and the small IQ2 by IRQ.
func (c *client) opsWorld() {
	c.t.Helper()
	for _, p := range []custody.Party{
		{ID: storetest.ID("SDF"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority},
		{ID: storetest.ID("IRQ"), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState},
		{ID: storetest.ID("USF"), Code: "USF", Name: "Escort task force", Kind: custody.EscortForce},
	} {
		c.as("SDF").json("POST", "/api/v1/parties", map[string]any{"party": p, "occurred_at": at(0)}, 201, nil)
	}
	for _, f := range []map[string]any{
		{"id": storetest.ID("HSK"), "code": "HSK", "name": "Hasakah detention facility", "kind": "prison", "country": "SYR", "series": "HSK",
			"capacities": map[string]int{"detainee": 4000, "minor": 100}, "controlling_party": "SDF"},
		{"id": storetest.ID("IQ1"), "code": "IQ1", "name": "Correctional institution one", "kind": "correctional_institution", "country": "IRQ", "series": "IQA",
			"capacities": map[string]int{"detainee": 3000, "minor": 100}, "controlling_party": "IRQ"},
		{"id": storetest.ID("IQ2"), "code": "IQ2", "name": "Correctional institution two", "kind": "correctional_institution", "country": "IRQ", "series": "IQB",
			"capacities": map[string]int{"detainee": 2}, "controlling_party": "IRQ"},
	} {
		by := f["controlling_party"].(string)
		f["controlling_party"] = storetest.ID(by)
		c.as(by).json("POST", "/api/v1/facilities", map[string]any{"facility": f, "occurred_at": at(1)}, 201, nil)
	}
}

// enrol registers persons n..m-1 (storetest.Person) at a facility, adjusted by
// edit if given, and returns their registration numbers.
func (c *client) enrol(n, m int, facility string, edit func(n int, p map[string]any)) []string {
	c.t.Helper()
	var regs []string
	for i := n; i < m; i++ {
		p := personJSON(storetest.Person(i))
		if edit != nil {
			edit(i, p)
		}
		var r registered
		c.as(controller[facility]).json("POST", "/api/v1/persons", map[string]any{"person": p, "facility": facility, "occurred_at": at(5)}, 201, &r)
		regs = append(regs, r.Record.RegNo)
	}
	return regs
}

// officer is an officer with an Ed25519 key registered to their party.
type officer struct {
	key   uuid.UUID
	party uuid.UUID
	name  string
	priv  ed25519.PrivateKey
}

// newOfficer makes a key for an officer of a party, from a seed named after them.
func newOfficer(party, name string) officer {
	seed := sha256.Sum256([]byte("officer/" + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	return officer{key: custody.KeyID(pub), party: storetest.ID(party), name: name, priv: priv}
}

// registerOfficer registers an officer's key over HTTP.
func (c *client) registerOfficer(party, name string) officer {
	c.t.Helper()
	o := newOfficer(party, name)
	var k custody.OfficerKey
	c.as(party).json("POST", "/api/v1/keys", map[string]any{"party": party, "officer": name,
		"public_key": []byte(o.priv.Public().(ed25519.PublicKey)), "occurred_at": at(2)}, 201, &k)
	if k.ID != o.key || k.Party != o.party || k.Revoked {
		c.t.Fatalf("registered key %+v, want id %s party %s", k, o.key, o.party)
	}
	return o
}

func (o officer) side() custody.Officer {
	return custody.Officer{Party: o.party, Name: o.name, Key: o.key}
}

// sign signs a document's bytes.
func (o officer) sign(b []byte) custody.Signature {
	return custody.Signature{Key: o.key, Sig: ed25519.Sign(o.priv, b)}
}

// propose proposes a transfer over HTTP and returns it.
func (c *client) propose(campaign uuid.UUID, from, to string, persons []string) custody.TransferState {
	c.t.Helper()
	tr := map[string]any{"from": from, "to": to, "legal_basis": "bilateral agreement of 2026", "ordered_by": "joint transfer committee", "persons": persons}
	if campaign != uuid.Nil {
		tr["campaign"] = campaign
	}
	var t custody.TransferState
	c.as(controller[from]).json("POST", "/api/v1/transfers", map[string]any{"transfer": tr, "occurred_at": at(10)}, 201, &t)
	return t
}

// safeguard is a met safeguard of a kind, as the API takes it.
func safeguard(kind custody.SafeguardKind) map[string]any {
	g := map[string]any{"kind": kind, "met": true, "finding": "checked by the legal officer for " + string(kind)}
	switch kind {
	case custody.RiskAssessment:
		g["risk"] = map[string]any{"torture": "no_real_risk", "persecution": "no_real_risk", "death_penalty": "no_real_risk",
			"monitoring": "monthly visits by the monitoring body"}
	case custody.ICRCNotified:
		g["interview"] = "held"
	}
	return g
}

// safeguardAll records every safeguard the transfer requires for each person but
// those that skip names (person → kind), one request per kind, and returns the
// transfer as it then stands.
func (c *client) safeguardAll(tid uuid.UUID, skip map[uuid.UUID]custody.SafeguardKind) custody.TransferState {
	c.t.Helper()
	c = c.as("SDF") // the sending party's legal officer
	var t custody.TransferState
	c.json("GET", "/api/v1/transfers/"+tid.String(), nil, 200, &t)
	byKind := map[custody.SafeguardKind][]string{}
	for _, tp := range t.People {
		for _, k := range tp.Required {
			if skip[tp.Person] != k {
				byKind[k] = append(byKind[k], tp.RegNo)
			}
		}
	}
	for _, k := range custody.SafeguardKinds {
		if len(byKind[k]) > 0 {
			c.json("POST", "/api/v1/transfers/"+tid.String()+"/safeguards",
				map[string]any{"persons": byKind[k], "safeguard": safeguard(k), "occurred_at": at(20)}, 201, nil)
		}
	}
	c.json("GET", "/api/v1/transfers/"+tid.String(), nil, 200, &t)
	return t
}

// approveBoth records the sending and the receiving side's approvals.
func (c *client) approveBoth(tid uuid.UUID, sending, receiving string) {
	c.t.Helper()
	for _, p := range []string{sending, receiving} {
		c.as(p).json("POST", "/api/v1/transfers/"+tid.String()+"/approvals", map[string]any{"party": p, "occurred_at": at(30)}, 201, nil)
	}
}

// buses returns n buses of a number of seats.
func buses(n, seats int) []custody.Vehicle {
	var vs []custody.Vehicle
	for i := range n {
		vs = append(vs, custody.Vehicle{ID: "BUS-" + string(rune('A'+i)), Kind: "bus", Seats: seats})
	}
	return vs
}

// seats puts persons on vehicles in turn, filling each before the next.
func seats(persons []string, vs []custody.Vehicle) []map[string]any {
	var out []map[string]any
	v, used := 0, 0
	for _, p := range persons {
		if used == vs[v].Seats {
			v, used = v+1, 0
		}
		out = append(out, map[string]any{"person": p, "vehicle": vs[v].ID})
		used++
	}
	return out
}

// plan plans a movement over HTTP, escorted by USF, and returns it.
func (c *client) plan(tid uuid.UUID, persons []string, vs []custody.Vehicle) custody.MovementState {
	c.t.Helper()
	var m custody.MovementState
	c.as("USF").json("POST", "/api/v1/movements", map[string]any{"movement": map[string]any{
		"transfer": tid, "escort": "USF", "mode": "convoy", "vehicles": vs, "planned_departure": at(60),
		"conditions": "water, food and a medic on every bus; ventilated", "manifest": seats(persons, vs),
	}, "occurred_at": at(40)}, 201, &m)
	return m
}

// document builds a handover document of a movement's stage, listing each person
// with an outcome (present unless outcomes says otherwise), and encodes it.
func document(m custody.MovementState, stage custody.Stage, from, to officer, persons []custody.TransferPerson, outcomes map[uuid.UUID]custody.Outcome, minute int) []byte {
	d := custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: uuid.NewSHA1(m.ID, fmt.Appendf(nil, "%s/%d", stage, minute)),
		Movement: m.ID, Stage: stage, From: from.side(), To: to.side(), At: t0.Add(time.Duration(minute) * time.Minute), Place: "gate of " + string(stage)}
	for _, tp := range persons {
		o := custody.OutcomePresent
		if x, ok := outcomes[tp.Person]; ok {
			o = x
		}
		if o == custody.OutcomePresent || stage == custody.Arrival && o == custody.OutcomeMedical {
			d.HeadCount++
		}
		d.Persons = append(d.Persons, custody.HandoverPerson{Person: tp.Person, RegNo: tp.RegNo, Outcome: o})
	}
	b, err := custody.EncodeHandover(&d)
	if err != nil {
		panic(err)
	}
	return b
}

// handover posts a handover, as the officer of its document's receiving party,
// and returns the status and body.
func (c *client) handover(doc []byte, sigs ...custody.Signature) (int, []byte) {
	c.t.Helper()
	var d struct{ To struct{ Party uuid.UUID } }
	if json.Unmarshal(doc, &d) == nil {
		for code := range controller {
			if storetest.ID(controller[code]) == d.To.Party {
				c = c.as(controller[code])
			}
		}
		if d.To.Party == storetest.ID("USF") {
			c = c.as("USF")
		}
	}
	status, _, b := c.do("POST", "/api/v1/handovers", map[string]any{"document": doc, "signatures": sigs})
	return status, b
}

// people returns the transfer's persons named (all if none are).
func people(t custody.TransferState, regs ...string) []custody.TransferPerson {
	var out []custody.TransferPerson
	for _, tp := range t.People {
		if len(regs) == 0 || slices.Contains(regs, tp.RegNo) {
			out = append(out, *tp)
		}
	}
	return out
}

// problemOf decodes a problem and checks its status, that its detail says want,
// and, if loc is not "", that it is located at loc.
func problemOf(t *testing.T, status int, body []byte, wantStatus int, want, loc string) problemBody {
	t.Helper()
	var p problemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %v: %s", err, body)
	}
	if status != wantStatus || p.Status != wantStatus || !strings.Contains(p.Detail, want) {
		t.Fatalf("status %d, problem %+v; want %d saying %q", status, p, wantStatus, want)
	}
	if loc != "" && (len(p.Errors) == 0 || p.Errors[0].Location != loc) {
		t.Fatalf("problem %+v not located at %s", p, loc)
	}
	return p
}

// person fetches a person.
func (c *client) person(ref string) custody.PersonState {
	c.t.Helper()
	var p custody.PersonState
	c.json("GET", "/api/v1/persons/"+ref, nil, 200, &p)
	return p
}

// flagged lists the registration numbers of the persons with a flag.
func (c *client) flagged(flag custody.Flag) []string {
	c.t.Helper()
	var page custody.PersonPage
	c.json("GET", "/api/v1/persons?limit=500&flag="+string(flag), nil, 200, &page)
	var regs []string
	for _, p := range page.Persons {
		if !slices.Contains(p.Custody.Flags, flag) {
			c.t.Errorf("?flag=%s listed %s, whose flags are %v", flag, p.Record.RegNo, p.Custody.Flags)
		}
		regs = append(regs, p.Record.RegNo)
	}
	return regs
}

// verifyLedger runs the engine-independent verification over the store.
func (c *client) verifyLedger() *verify.Report {
	c.t.Helper()
	rep, err := verify.Run(context.Background(), c.db, storetest.Verifier(c.t), storetest.Origin, nil)
	if err != nil {
		c.t.Fatalf("verify: %v", err)
	}
	return rep
}
