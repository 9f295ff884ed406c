package scenario

import (
	"crypto/ed25519"
	"crypto/sha256"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// testOfficers returns the signing officers of w with keys derived from their names.
func testOfficers(t testing.TB, w *World) []*Officer {
	var out []*Officer
	for _, s := range SigningOfficers {
		seed := sha256.Sum256([]byte(s.Name))
		o, err := w.NewOfficer(s.Party, s.Name, ed25519.NewKeyFromSeed(seed[:]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// apply runs commands through Decide, Seal, DecodeEvent, CheckEvent (the invariants
// verify checks per event) and Apply, as the sequencer and verify do.
func apply(tb testing.TB, s *custody.State, cmds []custody.Command) {
	tb.Helper()
	for i, c := range cmds {
		ds, err := custody.Decide(s, c)
		if err != nil {
			tb.Fatalf("command %d (%T): %v", i, c, err)
		}
		for _, d := range ds {
			n := s.Size()
			_, b, err := custody.Seal(d, uuid.NewSHA1(uuid.Nil, []byte{byte(n), byte(n >> 8), byte(n >> 16)}), d.OccurredAt.Add(time.Second), [16]byte{})
			if err != nil {
				tb.Fatalf("seal %d: %v", i, err)
			}
			e, err := custody.DecodeEvent(b)
			if err != nil {
				tb.Fatalf("decode %d: %v", i, err)
			}
			if err := custody.CheckEvent(s, &e); err != nil {
				tb.Fatalf("command %d (%T): %v", i, c, err)
			}
			if err := s.Apply(&e); err != nil {
				tb.Fatalf("apply %d: %v", i, err)
			}
		}
	}
}

// TestOperations loads the world and docs/scenario.md items 2–6 and checks where each
// movement stands.
func TestOperations(t *testing.T) {
	w := world1
	d, err := w.NewDrafter(testOfficers(t, w)...)
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := d.Commands(&w.Operations)
	if err != nil {
		t.Fatal(err)
	}
	last := w.ControlChange
	for i, c := range cmds {
		at := reflect.ValueOf(c).FieldByName("Meta").Interface().(custody.Meta).OccurredAt
		if at.Before(last) {
			t.Fatalf("operation %d (%T) at %s goes back before %s", i, c, at, last)
		}
		last = at
	}
	s := load(t, w)
	apply(t, s, cmds)
	if err := custody.CheckInvariants(s); err != nil {
		t.Fatal(err)
	}

	ops := w.Operations
	if len(ops.Moves) != 4 {
		t.Fatalf("%d moves", len(ops.Moves))
	}
	want := []custody.MovementStatus{custody.ReconciledMovement, custody.ReconciledMovement, custody.DepartedMovement, custody.PlannedMovement}
	for i, mv := range ops.Moves {
		m, ok := s.Movement(mv.Movement.ID)
		if !ok || m.Status != want[i] {
			t.Fatalf("%s: %+v, want %s", mv.Name, m, want[i])
		}
		if n := len(mv.Transfer.Persons); n != MovementSize {
			t.Errorf("%s carries %d persons", mv.Name, n)
		}
	}
	// Movement 1: Hasakah, all prioritised, all arrived.
	m1 := ops.Moves[0]
	if m1.Transfer.From != w.Facility(Hasakah).ID || m1.Transfer.Priority != AttacksOnIraqiCivilians {
		t.Errorf("movement 1: from %s, priority %q", m1.Transfer.From, m1.Transfer.Priority)
	}
	nci := w.Facility(Northern).ID
	for _, id := range m1.Transfer.Persons {
		p, _ := s.Person(id)
		if p.Record.Detention.Reasons != AttacksOnIraqiCivilians || p.Custody.Status != custody.Held || p.Custody.Facility != nci ||
			p.Custody.Custodian != w.Party(IRQ).ID {
			t.Fatalf("movement 1: %s: %s, %+v", p.Record.RegNo, p.Record.Detention.Reasons, p.Custody)
		}
	}
	// Movement 2: 149 arrived, one missing with an open discrepancy.
	m2, _ := s.Movement(ops.Moves[1].Movement.ID)
	if m2.Arrival.HeadCount != 149 || len(m2.Incidents) != 1 {
		t.Fatalf("movement 2: head count %d, incidents %v", m2.Arrival.HeadCount, m2.Incidents)
	}
	alerts := s.Alerts()
	if len(alerts) != 1 || alerts[0].Movement != m2.ID || !slices.Equal(alerts[0].Unresolved(), ops.Moves[1].Arrival.Absent) {
		t.Fatalf("alerts: %+v", alerts)
	}
	s.Refresh(ops.Moves[1].Arrival.Absent[0]) // flags are computed when a projection is written
	missing, _ := s.Person(ops.Moves[1].Arrival.Absent[0])
	if missing.Custody.Status != custody.InTransit || !slices.Contains(missing.Custody.Flags, custody.ManifestNotReconciled) {
		t.Fatalf("the missing person: %+v", missing.Custody)
	}
	// Movement 3: everyone in USF custody on the road.
	for _, id := range ops.Moves[2].Transfer.Persons {
		if p, _ := s.Person(id); p.Custody.Status != custody.InTransit || p.Custody.Custodian != w.Party(USF).ID {
			t.Fatalf("movement 3: %s is %+v", p.Record.RegNo, p.Custody)
		}
	}
	// Campaign progress.
	pr, ok := s.Progress(ops.Campaign.ID)
	if !ok {
		t.Fatal("no campaign")
	}
	wantPr := custody.Progress{Target: CampaignTarget, Planned: 150, Blocked: demoPendingRisk + demoMissingMedical,
		BlockedBy: map[custody.SafeguardKind]int{custody.RiskAssessment: demoPendingRisk, custody.Medical: demoMissingMedical},
		InTransit: 150, Arrived: 299, Missing: 1, ByGroup: map[string]int{AttacksOnIraqiCivilians: 150}}
	if !reflect.DeepEqual(pr, wantPr) {
		t.Fatalf("progress %+v\nwant     %+v", pr, wantPr)
	}
	// Movement 4's blocked persons cannot depart: a departure handover naming
	// everyone is refused, naming a blocked person.
	m4 := &ops.Moves[3]
	dep := *m4
	dep.Departure = &Leg{Document: uuid.New(), At: m4.Movement.PlannedDeparture, Place: "gate"}
	prep, err := d.Prepare(&dep)
	if err != nil {
		t.Fatal(err)
	}
	_, err = custody.Decide(s, prep[len(prep)-1])
	if err == nil || !strings.Contains(err.Error(), "cannot depart: safeguards missing") {
		t.Fatalf("departure of movement 4: %v", err)
	}
}

func TestHandoverDocument(t *testing.T) {
	w := world1
	offs := testOfficers(t, w)
	persons := []uuid.UUID{w.Persons[0].Person.ID, w.Persons[1].Person.ID, w.Persons[2].Person.ID}
	absent := []uuid.UUID{persons[1]}
	at := time.Date(2026, 1, 22, 14, 10, 0, 0, time.FixedZone("AST", 3*3600))
	regs := w.RegNos()
	doc := HandoverDocument(uuid.New(), uuid.New(), custody.Arrival, offs[1].Side(), offs[2].Side(), at, "reception", persons,
		func(id uuid.UUID) string { return regs[id] }, absent)
	if doc.HeadCount != 2 || doc.Persons[1].Outcome != custody.OutcomeAbsent || doc.Persons[0].RegNo != regs[persons[0]] || doc.At.Location() != time.UTC {
		t.Fatalf("%+v", doc)
	}
	b, err := EncodeHandover(doc)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"person":`) != (strings.HasPrefix(line, `    {"person":"`) && strings.Count(line, `"person":`) == 1) {
			t.Errorf("line %d is not one person's row: %s", i, line)
		}
	}
	if n := strings.Count(string(b), `"person":`); n != 3 {
		t.Errorf("%d rows:\n%s", n, b)
	}
	back, err := custody.ParseHandover(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(back, doc) {
		t.Fatalf("round trip: %+v\nwant %+v", back, doc)
	}
	sig := offs[1].Sign(b)
	if sig.Key != custody.KeyID(offs[1].Public()) || !ed25519.Verify(offs[1].Public(), b, sig.Sig) {
		t.Fatal("signature does not verify")
	}
	empty := HandoverDocument(uuid.New(), uuid.New(), custody.Arrival, offs[1].Side(), offs[2].Side(), at, "x", nil, nil, nil)
	b, err = EncodeHandover(empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := custody.ParseHandover(b); err != nil || !strings.HasSuffix(string(b), "\"persons\": []\n}\n") {
		t.Fatalf("%v\n%s", err, b)
	}
}

func TestDrafterNeedsOfficers(t *testing.T) {
	offs := testOfficers(t, world1)
	if _, err := world1.NewDrafter(offs[0], offs[2]); err == nil || !strings.Contains(err.Error(), "no officer of USF") {
		t.Fatalf("err = %v", err)
	}
	if _, err := world1.NewOfficer("XXX", "n", offs[0].Key); err == nil {
		t.Fatal("an officer of an unknown party")
	}
}

// TestCampaignPlan loads a whole 7,000-person campaign, the one the campaign
// benchmark builds.
func TestCampaignPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("loads some 80,000 events")
	}
	w := world1
	ops, err := w.CampaignPlan(CampaignTarget)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := w.CampaignPlan(CampaignTarget)
	if !reflect.DeepEqual(ops, again) {
		t.Fatal("two plans differ")
	}
	seen := map[uuid.UUID]bool{}
	for _, m := range ops.Moves {
		if n := len(m.Transfer.Persons); n < 1 || n > MovementSize {
			t.Fatalf("%s carries %d", m.Name, n)
		}
		for _, p := range m.Transfer.Persons {
			if seen[p] {
				t.Fatalf("%s carries %s twice in the campaign", m.Name, p)
			}
			seen[p] = true
		}
	}
	if len(seen) != CampaignTarget || len(ops.Moves) < 47 || len(ops.Moves) > 50 {
		t.Fatalf("%d persons on %d moves", len(seen), len(ops.Moves))
	}
	d, err := w.NewDrafter(testOfficers(t, w)...)
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := d.Commands(ops)
	if err != nil {
		t.Fatal(err)
	}
	s := load(t, w)
	apply(t, s, cmds)
	pr, _ := s.Progress(ops.Campaign.ID)
	if pr.Arrived != CampaignTarget || pr.Planned != 0 || pr.InTransit != 0 || pr.Missing != 0 {
		t.Fatalf("progress %+v", pr)
	}
	if err := custody.CheckInvariants(s); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CampaignPlan(8000); err == nil {
		t.Fatal("a plan beyond the world's detainees")
	}
}
