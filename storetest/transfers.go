package storetest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Officer is a test officer whose key is registered to a party.
type Officer struct {
	custody.Officer
	Priv ed25519.PrivateKey
}

// RegisterOfficer makes a key for a named officer of a party (the same key for the
// same name, every run) and registers it.
func RegisterOfficer(tb testing.TB, s Submitter, name string, party uuid.UUID) Officer {
	tb.Helper()
	h := ID("officer key " + name)
	seed := append(h[:], h[:]...)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	MustSubmit(tb, s, custody.RegisterKey{Meta: Meta(2), Party: party, Officer: name, PublicKey: pub})
	return Officer{Officer: custody.Officer{Party: party, Name: name, Key: custody.KeyID(pub)}, Priv: priv}
}

// Handover builds a handover document for every listed person, present unless
// outcomes says otherwise, and signs it with both officers' keys.
func Handover(tb testing.TB, movement uuid.UUID, stage custody.Stage, from, to Officer, at time.Time, persons []uuid.UUID, outcomes map[uuid.UUID]custody.Outcome) custody.SubmitHandover {
	tb.Helper()
	d := custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: ID(fmt.Sprintf("handover %s %s", movement, stage)),
		Movement: movement, Stage: stage, From: from.Officer, To: to.Officer, At: at, Place: "storetest gate"}
	for _, p := range persons {
		o, ok := outcomes[p]
		if !ok {
			o = custody.OutcomePresent
		}
		if o == custody.OutcomePresent {
			d.HeadCount++
		}
		d.Persons = append(d.Persons, custody.HandoverPerson{Person: p, Outcome: o})
	}
	b, err := custody.EncodeHandover(&d)
	if err != nil {
		tb.Fatal(err)
	}
	return custody.SubmitHandover{Meta: custody.Meta{Actor: "storetest", OccurredAt: at}, Document: b, Signatures: []custody.Signature{
		{Key: from.Key, Sig: ed25519.Sign(from.Priv, b)}, {Key: to.Key, Sig: ed25519.Sign(to.Priv, b)}}}
}

// ReadySafeguards records every safeguard the policy requires as met.
func ReadySafeguards(tb testing.TB, s Submitter, transfer uuid.UUID, persons []uuid.UUID, required func(uuid.UUID) []custody.SafeguardKind) {
	tb.Helper()
	for _, k := range custody.SafeguardKinds {
		var need []uuid.UUID
		for _, p := range persons {
			if slices.Contains(required(p), k) {
				need = append(need, p)
			}
		}
		if len(need) == 0 {
			continue
		}
		g := custody.Safeguard{Kind: k, Met: true, Finding: "recorded by storetest", Evidence: "file " + string(k)}
		switch k {
		case custody.RiskAssessment:
			g.Risk = &custody.Risk{Torture: custody.NoRealRisk, Persecution: custody.NoRealRisk, DeathPenalty: custody.NoRealRisk, Monitoring: "monthly visits"}
		case custody.ICRCNotified:
			g.Interview = custody.InterviewHeld
		}
		MustSubmit(tb, s, custody.RecordSafeguard{Meta: Meta(3), Transfer: transfer, Persons: need, Safeguard: g})
	}
}

// doc reads and decodes one operational document.
func doc[T any](t *testing.T, s Store, kind custody.DocKind, id uuid.UUID) T {
	t.Helper()
	var v T
	b, err := s.Doc(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", kind, err)
	}
	return v
}

// testTransfers runs a transfer of ten through both handovers, one person absent at
// arrival, and checks the stored documents, flags, restart and rebuild.
func testTransfers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := populated(t, open, 12, 11)
	MustSubmit(t, s, custody.RegisterParty{Meta: Meta(0), Party: custody.Party{ID: ID("USF"), Code: "USF", Name: "Escort force", Kind: custody.EscortForce}})
	sdf, usf, irq := RegisterOfficer(t, s, "Officer Rojhat", ID("SDF")), RegisterOfficer(t, s, "Officer Dale", ID("USF")), RegisterOfficer(t, s, "Officer Karim", ID("IRQ"))
	var persons []uuid.UUID
	for i := range 10 {
		persons = append(persons, Person(i).ID)
	}
	MustSubmit(t, s, custody.CreateCampaign{Meta: Meta(3), Campaign: custody.Campaign{ID: ID("campaign"), Name: "north-east Syria to Iraq", Target: 7000, Receiving: ID("IRQ")}})
	tid := ID("transfer")
	MustSubmit(t, s, custody.ProposeTransfer{Meta: Meta(3), Transfer: custody.Transfer{ID: tid, Campaign: ID("campaign"), From: ID("HSK"), To: ID("IQ1"),
		LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Persons: persons}})
	tr := doc[custody.TransferState](t, s, custody.TransferDoc, tid)
	if tr.Status != custody.ProposedTransfer || len(tr.People) != 10 {
		t.Fatalf("proposed transfer: %+v", tr)
	}
	required := map[uuid.UUID][]custody.SafeguardKind{}
	for _, tp := range tr.People {
		required[tp.Person] = tp.Required
	}
	ReadySafeguards(t, s, tid, persons, func(id uuid.UUID) []custody.SafeguardKind { return required[id] })
	for _, party := range []uuid.UUID{ID("SDF"), ID("IRQ")} {
		MustSubmit(t, s, custody.ApproveTransfer{Meta: custody.Meta{Actor: "approver", Party: party, OccurredAt: Meta(4).OccurredAt}, Transfer: tid})
	}
	mid := ID("movement")
	var seats []custody.Seat
	for _, p := range persons {
		seats = append(seats, custody.Seat{Person: p, Vehicle: "bus-1"})
	}
	MustSubmit(t, s, custody.PlanMovement{Meta: Meta(5), Movement: custody.Movement{ID: mid, Transfer: tid, Escort: ID("USF"), Mode: custody.Convoy,
		Vehicles: []custody.Vehicle{{ID: "bus-1", Kind: "bus", Seats: 40}}, PlannedDeparture: Meta(6).OccurredAt, Manifest: seats}})
	departure := Handover(t, mid, custody.Departure, sdf, usf, Meta(6).OccurredAt, persons, nil)
	first := MustSubmit(t, s, departure)

	// Restart in transit: the state comes back from the stored events.
	s.Close()
	s = started(t, open, true)
	defer s.Close()
	// The same signed document again gets its first receipt and writes nothing.
	size, _ := s.EventCount(ctx)
	if again := MustSubmit(t, s, departure); !again.Replayed || !reflect.DeepEqual(again.Events, first.Events) || again.Checkpoint.Size != first.Checkpoint.Size {
		t.Fatalf("the departure handover submitted again: %+v, want the first receipt %+v", again, first)
	}
	if n, _ := s.EventCount(ctx); n != size {
		t.Fatalf("the departure handover submitted again wrote %d events", n-size)
	}
	absent := persons[4]
	MustSubmit(t, s, Handover(t, mid, custody.Arrival, usf, irq, Meta(60).OccurredAt, persons, map[uuid.UUID]custody.Outcome{absent: custody.OutcomeAbsent}))

	m := doc[custody.MovementState](t, s, custody.MovementDoc, mid)
	if m.Status != custody.ReconciledMovement || m.Arrival == nil || m.Arrival.HeadCount != 9 || len(m.Incidents) != 1 {
		t.Fatalf("movement after arrival: %+v", m)
	}
	in := doc[custody.IncidentState](t, s, custody.IncidentDoc, m.Incidents[0])
	if !in.Alert() || in.Persons[0] != absent {
		t.Fatalf("incident: %+v", in)
	}
	cp := doc[custody.CampaignView](t, s, custody.CampaignDoc, ID("campaign"))
	if cp.Progress.Arrived != 9 || cp.Progress.Missing != 1 {
		t.Fatalf("campaign progress: %+v", cp.Progress)
	}
	keys, err := s.DocList(ctx, custody.KeyDoc)
	if err != nil || len(keys) != 3 {
		t.Fatalf("keys: %d, %v", len(keys), err)
	}
	notes, _ := s.DocList(ctx, custody.NotificationDoc)
	if len(notes) != 2*9 {
		t.Fatalf("%d notifications, want two per arrival", len(notes))
	}
	for name, tc := range map[string]struct {
		f    custody.PersonFilter
		want int
	}{
		"missing":     {custody.PersonFilter{Flag: custody.ManifestNotReconciled}, 1},
		"not yet due": {custody.PersonFilter{Flag: custody.NotificationOverdue, Now: Meta(61).OccurredAt}, 0},
		"overdue":     {custody.PersonFilter{Flag: custody.NotificationOverdue, Now: Meta(60).OccurredAt.Add(72 * time.Hour)}, 9},
		"at IQ1":      {custody.PersonFilter{Facility: ID("IQ1")}, 9},
	} {
		p, err := s.Persons(ctx, tc.f)
		if err != nil || len(p.Persons) != tc.want {
			t.Errorf("%s: %d persons (%v), want %d", name, len(p.Persons), err, tc.want)
		}
	}
	MustVerify(t, s)
	// Resolve the alert; rebuild gives the same documents.
	MustSubmit(t, s, custody.ResolveIncident{Meta: Meta(70), Incident: in.ID, Person: absent, Resolution: custody.Found, Facility: ID("IQ1"), Note: "in the second bus"})
	before, _ := s.DocList(ctx, custody.IncidentDoc)
	if _, err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := s.DocList(ctx, custody.IncidentDoc)
	if len(before) != 1 || string(before[0]) != string(after[0]) {
		t.Fatalf("rebuild changed the incident:\n%s\n%s", before, after)
	}
	if in := doc[custody.IncidentState](t, s, custody.IncidentDoc, in.ID); in.Open || in.Alert() {
		t.Fatalf("incident still open after resolution: %+v", in)
	}
	MustVerify(t, s)
}
