package custody

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// officer is a test officer with a registered key.
type officer struct {
	name  string
	party uuid.UUID
	priv  ed25519.PrivateKey
	id    uuid.UUID
}

func (w *world) officer(name, party string) officer {
	w.tb.Helper()
	h := testID("key:" + name)
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, h[:])
	copy(seed[16:], h[:])
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	w.must(RegisterKey{Meta: w.meta(), Party: testID(party), Officer: name, PublicKey: pub})
	return officer{name: name, party: testID(party), priv: priv, id: KeyID(pub)}
}

// transferWorld is a world with an escort party, officers, a transfer of n
// detainees from HSK to IQ1, and a movement planned for them.
type transferWorld struct {
	*world
	sdf, usf, irq officer
	persons       []uuid.UUID
	transfer      uuid.UUID
	movement      uuid.UUID
}

func newTransferWorld(t *testing.T, n int) *transferWorld {
	w := &transferWorld{world: newWorld(t)}
	w.must(RegisterParty{Meta: w.meta(), Party: Party{ID: testID("USF"), Code: "USF", Name: "Escort force", Kind: EscortForce}})
	w.sdf, w.usf, w.irq = w.officer("Officer Rojhat", "SDF"), w.officer("Officer Dale", "USF"), w.officer("Officer Karim", "IRQ")
	for i := range n {
		w.persons = append(w.persons, w.register(fmt.Sprintf("Detainee %03d", i), "HSK"))
	}
	w.must(CreateCampaign{Meta: w.meta(), Campaign: Campaign{ID: testID("campaign"), Name: "north-east Syria to Iraq", Target: 7000,
		Receiving: testID("IRQ"), Priorities: []string{"alleged attacks on Iraqi civilians"}}})
	w.transfer = testID("transfer")
	if n == 0 {
		return w
	}
	w.must(ProposeTransfer{Meta: w.meta(), Transfer: Transfer{ID: w.transfer, Campaign: testID("campaign"), From: testID("HSK"), To: testID("IQ1"),
		LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Priority: "alleged attacks on Iraqi civilians", Persons: w.persons}})
	return w
}

// safeguards records every safeguard as met for the given persons, except the kinds skipped.
func (w *transferWorld) safeguards(persons []uuid.UUID, skip ...SafeguardKind) {
	w.tb.Helper()
	for _, k := range []SafeguardKind{Acceptance, RiskAssessment, Medical, Informed, ICRCNotified} {
		if contains(skip, k) {
			continue
		}
		g := Safeguard{Kind: k, Met: true, Finding: "recorded in test", Evidence: "file " + string(k)}
		switch k {
		case RiskAssessment:
			g.Risk = &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: NoRealRisk, Monitoring: "monthly visits"}
		case ICRCNotified:
			g.Interview = InterviewHeld
		}
		w.must(RecordSafeguard{Meta: w.meta(), Transfer: w.transfer, Persons: persons, Safeguard: g})
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (w *transferWorld) approve() {
	w.must(ApproveTransfer{Meta: Meta{Actor: "approver", Party: testID("SDF"), OccurredAt: w.meta().OccurredAt}, Transfer: w.transfer})
	w.must(ApproveTransfer{Meta: Meta{Actor: "approver", Party: testID("IRQ"), OccurredAt: w.meta().OccurredAt}, Transfer: w.transfer})
}

func (w *transferWorld) plan(persons []uuid.UUID) {
	w.tb.Helper()
	w.movement = testID("movement" + persons[0].String())
	var seats []Seat
	for _, p := range persons {
		seats = append(seats, Seat{Person: p, Vehicle: "bus-1"})
	}
	w.must(PlanMovement{Meta: w.meta(), Movement: Movement{ID: w.movement, Transfer: w.transfer, Escort: testID("USF"), Mode: Convoy,
		Vehicles: []Vehicle{{ID: "bus-1", Kind: "bus", Seats: 200}}, PlannedDeparture: w.clock.Add(time.Hour), Manifest: seats}})
}

// document builds a handover document's bytes.
func (w *transferWorld) document(stage Stage, from, to officer, outcomes map[uuid.UUID]Outcome, persons []uuid.UUID) []byte {
	w.tb.Helper()
	d := HandoverDocument{Type: HandoverDocumentType, V: 1, ID: testID(fmt.Sprintf("doc %s %s", w.movement, stage)), Movement: w.movement, Stage: stage,
		From: Officer{Party: from.party, Name: from.name, Key: from.id}, To: Officer{Party: to.party, Name: to.name, Key: to.id},
		At: w.meta().OccurredAt, Place: "Hasakah gate"}
	for _, p := range persons {
		o := OutcomePresent
		if x, ok := outcomes[p]; ok {
			o = x
		}
		if o == OutcomePresent || stage == Arrival && o == OutcomeMedical {
			d.HeadCount++
		}
		d.Persons = append(d.Persons, HandoverPerson{Person: p, Outcome: o})
	}
	b, err := EncodeHandover(&d)
	if err != nil {
		w.tb.Fatal(err)
	}
	return b
}

func sign(b []byte, o ...officer) []Signature {
	var out []Signature
	for _, x := range o {
		out = append(out, Signature{Key: x.id, Sig: ed25519.Sign(x.priv, b)})
	}
	return out
}

func (w *transferWorld) handover(stage Stage, outcomes map[uuid.UUID]Outcome, persons []uuid.UUID) ([]Event, error) {
	from, to := w.sdf, w.usf
	if stage == Arrival {
		from, to = w.usf, w.irq
	}
	b := w.document(stage, from, to, outcomes, persons)
	return w.run(SubmitHandover{Meta: w.meta(), Document: b, Signatures: sign(b, from, to)})
}

func wantCode(t *testing.T, err error, code Code, substr string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want a %s error", err, code)
	}
	if e.Code != code || !strings.Contains(e.Error(), substr) {
		t.Fatalf("got %s %q, want %s containing %q", e.Code, e.Error(), code, substr)
	}
}

func TestTransferEndToEnd(t *testing.T) {
	w := newTransferWorld(t, 5)
	w.safeguards(w.persons)
	w.plan(w.persons)
	if _, err := w.handover(Departure, nil, w.persons); err == nil {
		t.Fatal("departure before approvals was accepted")
	} else {
		wantCode(t, err, Refused, "not approved")
	}
	w.approve()
	if _, err := w.handover(Departure, nil, w.persons); err != nil {
		t.Fatal(err)
	}
	for _, id := range w.persons {
		p, _ := w.s.Person(id)
		if p.Custody.Status != InTransit || p.Custody.Custodian != testID("USF") || p.Custody.Movement != w.movement {
			t.Fatalf("after departure: %+v", p.Custody)
		}
	}
	if f, _ := w.s.Facility(testID("HSK")); f.Population[Detainee] != 0 {
		t.Fatalf("HSK still holds %d", f.Population[Detainee])
	}
	absent := w.persons[2]
	if _, err := w.handover(Arrival, map[uuid.UUID]Outcome{absent: OutcomeAbsent}, w.persons); err != nil {
		t.Fatal(err)
	}
	m, _ := w.s.Movement(w.movement)
	if m.Status != ReconciledMovement || len(m.Incidents) != 1 {
		t.Fatalf("movement %s with incidents %v", m.Status, m.Incidents)
	}
	alerts := w.s.Alerts()
	if len(alerts) != 1 || alerts[0].Persons[0] != absent {
		t.Fatalf("alerts: %+v", alerts)
	}
	p, _ := w.s.Person(absent)
	w.s.Refresh(absent)
	if !contains(p.Custody.Flags, ManifestNotReconciled) || p.Custody.Status != InTransit {
		t.Fatalf("absent person: %+v", p.Custody)
	}
	tr, _ := w.s.Transfer(w.transfer)
	if tr.Status != CompletedTransfer {
		t.Fatalf("transfer is %s", tr.Status)
	}
	pr, _ := w.s.Progress(testID("campaign"))
	if pr.Arrived != 4 || pr.Missing != 1 || pr.ByGroup["alleged attacks on Iraqi civilians"] != 4 {
		t.Fatalf("progress %+v", pr)
	}
	// Notifications are due for each arrival.
	arrived, _ := w.s.Person(w.persons[0])
	w.s.Refresh(w.persons[0])
	if arrived.Custody.NotifyBy.IsZero() || !contains(arrived.Custody.FlagsAt(arrived.Custody.NotifyBy.Add(time.Hour)), NotificationOverdue) {
		t.Fatalf("no notification due: %+v", arrived.Custody)
	}
	// A discrepancy is never just closed.
	in := alerts[0].ID
	_, err := w.run(ResolveIncident{Meta: w.meta(), Incident: in, Person: absent, Resolution: ClosedR, Note: "gone"})
	wantCode(t, err, Refused, "never just closed")
	_, err = w.run(ResolveIncident{Meta: w.meta(), Incident: in, Resolution: ClosedR, Note: "gone"})
	wantCode(t, err, Refused, "never just closed")
	w.must(ResolveIncident{Meta: w.meta(), Incident: in, Person: absent, Resolution: Found, Facility: testID("IQ1"), Note: "found in a second vehicle"})
	if len(w.s.Alerts()) != 0 {
		t.Fatal("alert still open after the person was found")
	}
	p, _ = w.s.Person(absent)
	if p.Custody.Status != Held || p.Custody.Facility != testID("IQ1") || p.Custody.Custodian != testID("IRQ") {
		t.Fatalf("found person: %+v", p.Custody)
	}
	if err := CheckInvariants(w.s); err != nil {
		t.Fatal(err)
	}
	if f, _ := w.s.Facility(testID("IQ1")); f.Population[Detainee] != 5 {
		t.Fatalf("IQ1 holds %d", f.Population[Detainee])
	}
}

func TestEachSafeguardBlocksDeparture(t *testing.T) {
	for _, k := range []SafeguardKind{Acceptance, RiskAssessment, Medical, Informed, ICRCNotified} {
		t.Run(string(k), func(t *testing.T) {
			w := newTransferWorld(t, 2)
			blocked := w.persons[1]
			w.safeguards(w.persons[:1])
			w.safeguards([]uuid.UUID{blocked}, k)
			w.approve()
			w.plan(w.persons)
			_, err := w.handover(Departure, nil, w.persons)
			wantCode(t, err, Refused, string(k))
			if w.s.persons[blocked].Custody.Status != Held {
				t.Fatal("a refused handover changed custody")
			}
			// The blocked person may stay behind...
			if _, err := w.handover(Departure, map[uuid.UUID]Outcome{blocked: OutcomeMedical}, w.persons); err != nil {
				t.Fatalf("departure without the blocked person: %v", err)
			}
		})
		t.Run(string(k)+"/override", func(t *testing.T) {
			w := newTransferWorld(t, 1)
			w.safeguards(w.persons, k)
			w.approve()
			w.plan(w.persons)
			_, err := w.run(OverrideSafeguard{Meta: w.meta(), Transfer: w.transfer, Person: w.persons[0], Kind: k})
			wantCode(t, err, Invalid, "reason")
			w.must(OverrideSafeguard{Meta: w.meta(), Transfer: w.transfer, Person: w.persons[0], Kind: k, Reason: "court order 12/2026"})
			if _, err := w.handover(Departure, nil, w.persons); err != nil {
				t.Fatal(err)
			}
			w.s.Refresh(w.persons[0])
			if !contains(w.s.persons[w.persons[0]].Custody.Flags, SafeguardOverriddenFlag) {
				t.Fatal("override not flagged")
			}
		})
	}
}

func TestSafeguardValidation(t *testing.T) {
	w := newTransferWorld(t, 1)
	for _, c := range []struct {
		g     Safeguard
		field string
	}{
		{Safeguard{Kind: RiskAssessment, Met: true, Finding: "x"}, "safeguard.risk"},
		{Safeguard{Kind: RiskAssessment, Met: true, Finding: "x", Risk: &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: Pending, Monitoring: "m"}}, "safeguard.risk.death_penalty"},
		{Safeguard{Kind: RiskAssessment, Met: true, Finding: "x", Risk: &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: RealRisk, Assurances: "a diplomatic note", Monitoring: "m"}}, "safeguard.risk.death_penalty"},
		{Safeguard{Kind: ICRCNotified, Met: true, Finding: "x", Interview: InterviewDenied}, "safeguard.interview"},
		{Safeguard{Kind: Medical, Met: true}, "safeguard.finding"},
		{Safeguard{Kind: "curfew", Met: true, Finding: "x"}, "safeguard.kind"},
		{Safeguard{Kind: Informed, Met: true, Finding: "x", Objected: true}, "safeguard.objection"},
	} {
		_, err := w.run(RecordSafeguard{Meta: w.meta(), Transfer: w.transfer, Persons: w.persons, Safeguard: c.g})
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field {
			t.Errorf("%+v: got %v, want an error on %s", c.g, err, c.field)
		}
	}
	// A foreign national needs consular notification; an Iraqi going to Iraq does not.
	_, err := w.run(RecordSafeguard{Meta: w.meta(), Transfer: w.transfer, Persons: w.persons, Safeguard: Safeguard{Kind: Consular, Met: true, Finding: "x"}})
	wantCode(t, err, Refused, "does not require")
	// A real death-penalty risk is recorded as not met, and flags the person.
	w.must(RecordSafeguard{Meta: w.meta(), Transfer: w.transfer, Persons: w.persons, Safeguard: Safeguard{Kind: RiskAssessment, Finding: "capital charges likely",
		Risk: &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: RealRisk}}})
	w.s.Refresh(w.persons[0])
	if !contains(w.s.persons[w.persons[0]].Custody.Flags, DeathPenaltyExposed) {
		t.Fatal("death-penalty exposure not flagged")
	}
}

func TestHandoverSignaturesRefused(t *testing.T) {
	w := newTransferWorld(t, 3)
	w.safeguards(w.persons)
	w.approve()
	w.plan(w.persons)
	stranger := officer{name: "Stranger", party: testID("SDF")}
	{
		seed := make([]byte, ed25519.SeedSize)
		seed[0] = 7
		stranger.priv = ed25519.NewKeyFromSeed(seed)
		stranger.id = KeyID(stranger.priv.Public().(ed25519.PublicKey))
	}
	other := w.officer("Officer Omar", "IRQ") // registered, but to another party
	good := w.document(Departure, w.sdf, w.usf, nil, w.persons)
	forged := sign(good, w.sdf, w.usf)
	forged[1].Sig = ed25519.Sign(w.irq.priv, good)
	altered := []byte(strings.Replace(string(good), "Hasakah gate", "Hasakah yard", 1))
	otherDoc := w.document(Departure, other, w.usf, nil, w.persons)
	otherDoc = []byte(strings.Replace(string(otherDoc), testID("IRQ").String(), testID("SDF").String(), 1))
	strangerDoc := w.document(Departure, stranger, w.usf, nil, w.persons)
	for _, c := range []struct {
		name string
		doc  []byte
		sigs []Signature
		want string
	}{
		{"forged", good, forged, "does not verify"},
		{"unregistered key", strangerDoc, sign(strangerDoc, stranger, w.usf), "not registered"},
		{"another party's key", otherDoc, sign(otherDoc, other, w.usf), "registered to IRQ"},
		{"altered after signing", altered, sign(good, w.sdf, w.usf), "does not verify"},
		{"one signature", good, sign(good, w.sdf), "exactly two"},
		{"same officer twice", good, sign(good, w.sdf, w.sdf), "no signature by the to officer"},
	} {
		size := w.s.Size()
		_, err := w.run(SubmitHandover{Meta: w.meta(), Document: c.doc, Signatures: c.sigs})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if w.s.Size() != size {
			t.Errorf("%s: the refused handover appended events", c.name)
		}
	}
	if _, err := w.run(SubmitHandover{Meta: w.meta(), Document: good, Signatures: sign(good, w.sdf, w.usf)}); err != nil {
		t.Fatal(err)
	}
	_, err := w.run(SubmitHandover{Meta: w.meta(), Document: good, Signatures: sign(good, w.sdf, w.usf)})
	wantCode(t, err, Conflict, "already recorded")
	// A revoked key signs no more.
	w.must(RevokeKey{Meta: w.meta(), Key: w.irq.id, Reason: "device lost"})
	_, err = w.handover(Arrival, nil, w.persons)
	wantCode(t, err, Refused, "revoked")
}

func TestManifestChecks(t *testing.T) {
	w := newTransferWorld(t, 0)
	woman := testPerson("Woman A")
	woman.Sex, woman.Category = Female, FamilyMember
	woman.ID = testID("Woman A")
	w.must(RegisterPerson{Meta: w.meta(), Person: woman, Facility: testID("HSK")})
	man := w.register("Man B", "HSK")
	child := testPerson("Child C")
	child.Category, child.Birth = Minor, BirthDate{Date: "2015", Precision: Year}
	w.must(RegisterPerson{Meta: w.meta(), Person: child, Facility: testID("HSK")})
	w.transfer = testID("transfer 2")
	all := []uuid.UUID{woman.ID, man, child.ID}
	w.must(ProposeTransfer{Meta: w.meta(), Transfer: Transfer{ID: w.transfer, From: testID("HSK"), To: testID("IQ1"), LegalBasis: "agreement", OrderedBy: "committee", Persons: all}})
	plan := func(id string, seats []Seat, ov ...ManifestOverride) error {
		_, err := w.run(PlanMovement{Meta: w.meta(), Overrides: ov, Movement: Movement{ID: testID(id), Transfer: w.transfer, Escort: testID("USF"), Mode: Convoy,
			Vehicles: []Vehicle{{ID: "bus-1", Seats: 10}, {ID: "bus-2", Seats: 1}}, PlannedDeparture: w.clock, Manifest: seats}})
		return err
	}
	err := plan("m1", []Seat{{woman.ID, "bus-1"}, {man, "bus-1"}})
	wantCode(t, err, Refused, "men and women")
	err = plan("m1", []Seat{{child.ID, "bus-1"}, {man, "bus-1"}})
	wantCode(t, err, Refused, "unrelated adult")
	err = plan("m1", []Seat{{man, "bus-2"}, {child.ID, "bus-2"}})
	wantCode(t, err, Invalid, "1 seats but 2")
	// IQ1 has no places for family members or minors: a capacity breach.
	err = plan("m1", []Seat{{woman.ID, "bus-1"}})
	wantCode(t, err, Refused, "free places for family_member")
	err = plan("m1", []Seat{{woman.ID, "bus-1"}}, ManifestOverride{Rule: SeparationRule, Reason: "x"})
	wantCode(t, err, Invalid, "nothing to override")
	if err := plan("m1", []Seat{{woman.ID, "bus-1"}, {man, "bus-1"}},
		ManifestOverride{Rule: SeparationRule, Reason: "one bus; curtain and female escort"},
		ManifestOverride{Rule: CapacityRule, Reason: "annex opening"}); err != nil {
		t.Fatal(err)
	}
	m, _ := w.s.Movement(testID("m1"))
	if len(m.Breaches) != 2 || len(m.Overrides) != 2 {
		t.Fatalf("breaches %v overrides %v", m.Breaches, m.Overrides)
	}
	// A person on a planned movement cannot be put on another.
	err = plan("m2", []Seat{{man, "bus-1"}})
	wantCode(t, err, Conflict, "on the manifest of movement")
}

func TestProposeTransferRefusals(t *testing.T) {
	w := newTransferWorld(t, 2)
	base := Transfer{ID: testID("t2"), From: testID("HSK"), To: testID("IQ1"), LegalBasis: "agreement", OrderedBy: "committee"}
	for _, c := range []struct {
		mod   func(*Transfer)
		code  Code
		field string
	}{
		{func(t *Transfer) { t.Persons = w.persons[:1] }, Conflict, "transfer.persons[0]"},
		{func(t *Transfer) { t.Persons = nil }, Invalid, "transfer.persons"},
		{func(t *Transfer) { t.To = testID("HSK2") }, Refused, "transfer.to"},
		{func(t *Transfer) { t.LegalBasis = "" }, Invalid, "transfer.legal_basis"},
		{func(t *Transfer) { t.OrderedBy = " " }, Invalid, "transfer.ordered_by"},
		{func(t *Transfer) { t.Priority = "vip" }, Invalid, "transfer.priority"},
		{func(t *Transfer) { t.Persons = []uuid.UUID{testID("nobody")} }, NotFound, "transfer.persons[0]"},
	} {
		tr := base
		tr.Persons = []uuid.UUID{w.register(fmt.Sprintf("Extra %d", w.s.Size()), "HSK")}
		c.mod(&tr)
		_, err := w.run(ProposeTransfer{Meta: w.meta(), Transfer: tr})
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code || e.Field != c.field {
			t.Errorf("got %v, want %s on %s", err, c.code, c.field)
		}
	}
}

func TestSignedControlChange(t *testing.T) {
	w := newTransferWorld(t, 3)
	syg := w.officer("Officer Sami", "SYG")
	doc := func(from, to officer, count int) []byte {
		b, _ := json.Marshal(ControlDocument{Type: ControlDocumentType, V: 1, ID: testID(fmt.Sprintf("control %d %s", count, from.name)), Facility: testID("HSK"),
			From: Officer{Party: from.party, Name: from.name, Key: from.id}, To: Officer{Party: to.party, Name: to.name, Key: to.id},
			At: w.meta().OccurredAt, Place: "HSK main gate", HeadCount: count})
		return b
	}
	change := func(b []byte, sigs []Signature) error {
		_, err := w.run(ChangeFacilityControl{Meta: w.meta(), Facility: testID("HSK"), To: testID("SYG"), Reason: "agreement", Document: b, Signatures: sigs})
		return err
	}
	wrongCount := doc(w.sdf, syg, 2)
	wantCode(t, change(wrongCount, sign(wrongCount, w.sdf, syg)), Refused, "head_count")
	notController := doc(w.irq, syg, 3)
	wantCode(t, change(notController, sign(notController, w.irq, syg)), Refused, "SDF controls HSK")
	good := doc(w.sdf, syg, 3)
	wantCode(t, change(good, sign(good, w.sdf, w.usf)), Refused, "no signature by the to officer")
	if err := change(good, sign(good, w.sdf, syg)); err != nil {
		t.Fatal(err)
	}
	f, _ := w.s.Facility(testID("HSK"))
	if last := f.History[len(f.History)-1]; !last.Signed || last.Unilateral || last.Party != testID("SYG") {
		t.Fatalf("control history: %+v", last)
	}
	// The same document is accepted once.
	w.must(ChangeFacilityControl{Meta: w.meta(), Facility: testID("HSK"), To: testID("SDF"), Reason: "handed back", Unilateral: true})
	wantCode(t, change(good, sign(good, w.sdf, syg)), Conflict, "already recorded")
}

// TestCheckEventCatchesForgedEvents feeds CheckEvent events that no decision would
// produce — what a rogue operator holding the log key could append — and expects
// each to break the invariant it names.
func TestCheckEventCatchesForgedEvents(t *testing.T) {
	w := newTransferWorld(t, 3)
	w.safeguards(w.persons[:2])
	w.approve()
	w.plan(w.persons[:2])
	b := w.document(Departure, w.sdf, w.usf, nil, w.persons[:2])
	sigs := sign(b, w.sdf, w.usf)
	sigs[0].Sig = append([]byte(nil), sigs[0].Sig...)
	sigs[0].Sig[0] ^= 1
	for _, c := range []struct {
		e    Event
		want string
	}{
		{Event{Subject: w.movement, Data: &HandedOver{Stage: Departure, Document: b, Signatures: sigs}}, "invariant 6"},
		{Event{Subject: w.persons[2], Data: &PersonDeparted{Movement: w.movement, Transfer: w.transfer, From: testID("HSK"), Escort: testID("USF")}}, "invariant 3"},
		{Event{Subject: w.movement, Data: &MovementReconciled{}}, "invariant 2"},
	} {
		if err := CheckEvent(w.s, &c.e); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: got %v, want %s", c.e.Data, err, c.want)
		}
	}
	// After a real departure, reconciling with a person still in transit and in no
	// incident breaks invariant 2.
	if _, err := w.handover(Departure, nil, w.persons[:2]); err != nil {
		t.Fatal(err)
	}
	if err := CheckEvent(w.s, &Event{Subject: w.movement, Data: &MovementReconciled{}}); err == nil || !strings.Contains(err.Error(), "invariant 2") {
		t.Errorf("reconciled while in transit: %v", err)
	}
}

func TestMandateAndKeyRotation(t *testing.T) {
	w := newTransferWorld(t, 2)
	w.must(RegisterParty{Meta: w.meta(), Party: Party{ID: testID("ICRC"), Code: "ICRC", Name: "Monitor", Kind: Monitor}})
	_, err := w.run(SetMandate{Meta: w.meta(), Party: testID("SDF"), All: true})
	wantCode(t, err, Refused, "not a monitor")
	_, err = w.run(SetMandate{Meta: w.meta(), Party: testID("ICRC")})
	wantCode(t, err, Invalid, "name the facilities")
	w.must(SetMandate{Meta: w.meta(), Party: testID("ICRC"), Facilities: []uuid.UUID{testID("HSK")}})
	if m, ok := w.s.Mandate(testID("ICRC")); !ok || m.All || len(m.Facilities) != 1 {
		t.Fatalf("mandate %+v", m)
	}

	// Rotation: a new key replaces the officer's old one, which signs no more.
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 42
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	_, err = w.run(RegisterKey{Meta: w.meta(), Party: testID("SDF"), Officer: w.sdf.name, PublicKey: pub, Replaces: w.irq.id})
	wantCode(t, err, Refused, "another officer or party")
	es := w.must(RegisterKey{Meta: w.meta(), Party: testID("SDF"), Officer: w.sdf.name, PublicKey: pub, Replaces: w.sdf.id})
	if len(es) != 2 || es[1].Type != TypeKeyRevoked || es[1].Subject != w.sdf.id {
		t.Fatalf("rotation events %+v", es)
	}
	w.safeguards(w.persons)
	w.approve()
	w.plan(w.persons)
	_, err = w.handover(Departure, nil, w.persons)
	wantCode(t, err, Refused, "revoked")
	w.sdf = officer{name: w.sdf.name, party: testID("SDF"), priv: priv, id: KeyID(pub)}
	if _, err := w.handover(Departure, nil, w.persons); err != nil {
		t.Fatalf("handover with the new key: %v", err)
	}
}
