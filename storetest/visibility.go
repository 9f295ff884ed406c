package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// admits is custody.Visibility's meaning, written out over a person's custody: a
// clause admits the person when one of its (non-nil) ids is the custody's.
func admits(v *custody.Visibility, c custody.Custody) bool {
	if v == nil {
		return true
	}
	in := func(ids []uuid.UUID, id uuid.UUID) bool { return id != uuid.Nil && slices.Contains(ids, id) }
	return in(v.Custodians, c.Custodian) || in(v.Facilities, c.Facility) || in(v.Facilities, c.Return) ||
		in(v.Transfers, c.Transfer) || in(v.Movements, c.Movement)
}

// testVisibility lists persons through PersonFilter.Visible, each clause alone and
// together, with other filters and in pages, against admits over every person's
// custody. The world: SDF holds persons at HSK, one of them in its hospital HOS
// (to return to HSK), one released; transfer T1 (HSK → IQ1) carries two persons on
// the road with USF (movement M1) and has a third still waiting at HSK; T2 has one
// proposed; IRQ holds persons at IQ1.
func testVisibility(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	MustSubmit(t, s, custody.RegisterParty{Meta: Meta(0), Party: custody.Party{ID: ID("USF"), Code: "USF", Name: "Escort force", Kind: custody.EscortForce}})
	MustSubmit(t, s, custody.RegisterFacility{Meta: Meta(1), Facility: custody.Facility{ID: ID("HOS"), Code: "HOS", Name: "Hasakah hospital",
		Kind: custody.Hospital, Country: "SYR", ControllingParty: ID("SDF")}})
	person := func(n int) uuid.UUID { return Person(n).ID }
	for n := range 14 {
		p, at := Person(n), ID("HSK")
		if n >= 10 {
			at = ID("IQ1")
		}
		if n%5 == 0 {
			p.Flags = []custody.Flag{custody.AgeDisputed}
		}
		MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(10), Person: p, Facility: at})
	}
	MustSubmit(t, s, custody.AdmitToHospital{Meta: Meta(11), Person: person(1), Hospital: ID("HOS"), Reason: "fever"})
	MustSubmit(t, s, custody.ReleasePerson{Meta: Meta(11), Person: person(9), Reason: "acquitted", Authority: "court"})

	sdf, usf := RegisterOfficer(t, s, "Officer Rojhat", ID("SDF")), RegisterOfficer(t, s, "Officer Dale", ID("USF"))
	t1, t2, m1 := ID("visibility T1"), ID("visibility T2"), ID("visibility M1")
	onT1 := []uuid.UUID{person(2), person(3), person(4)}
	MustSubmit(t, s, custody.ProposeTransfer{Meta: Meta(12), Transfer: custody.Transfer{ID: t1, From: ID("HSK"), To: ID("IQ1"),
		LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Persons: onT1}})
	tr := doc[custody.TransferState](t, s, custody.TransferDoc, t1)
	required := map[uuid.UUID][]custody.SafeguardKind{}
	for _, tp := range tr.People {
		required[tp.Person] = tp.Required
	}
	ReadySafeguards(t, s, t1, onT1, func(id uuid.UUID) []custody.SafeguardKind { return required[id] })
	for _, party := range []uuid.UUID{ID("SDF"), ID("IRQ")} {
		MustSubmit(t, s, custody.ApproveTransfer{Meta: custody.Meta{Actor: "approver", Party: party, OccurredAt: Meta(13).OccurredAt}, Transfer: t1})
	}
	road := onT1[:2]
	var seats []custody.Seat
	for _, p := range road {
		seats = append(seats, custody.Seat{Person: p, Vehicle: "bus-1"})
	}
	MustSubmit(t, s, custody.PlanMovement{Meta: Meta(14), Movement: custody.Movement{ID: m1, Transfer: t1, Escort: ID("USF"), Mode: custody.Convoy,
		Vehicles: []custody.Vehicle{{ID: "bus-1", Kind: "bus", Seats: 40}}, PlannedDeparture: Meta(15).OccurredAt, Manifest: seats}})
	MustSubmit(t, s, Handover(t, m1, custody.Departure, sdf, usf, Meta(15).OccurredAt, road, nil))
	MustSubmit(t, s, custody.ProposeTransfer{Meta: Meta(16), Transfer: custody.Transfer{ID: t2, From: ID("HSK"), To: ID("IQ1"),
		LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Persons: []uuid.UUID{person(5)}}})

	// DocIDs lists the records' ids, in order, as DocList lists the records.
	for kind, want := range map[custody.DocKind][]uuid.UUID{custody.TransferDoc: {t1, t2}, custody.MovementDoc: {m1}} {
		slices.SortFunc(want, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		got, err := s.DocIDs(ctx, kind)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s ids: %v (%v), want %v", kind, got, err, want)
		}
	}
	all, err := s.Persons(ctx, custody.PersonFilter{Limit: custody.MaxPageSize})
	if err != nil || len(all.Persons) != 14 {
		t.Fatalf("every person: %v", err)
	}
	// list reads every page of f, checking each but the last is full.
	list := func(name string, f custody.PersonFilter) []string {
		t.Helper()
		var regs []string
		for range 20 {
			p, err := s.Persons(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, q := range p.Persons {
				if !admits(f.Visible, q.Custody) {
					t.Errorf("%s lists %s, which it does not admit: %+v", name, q.Record.RegNo, q.Custody)
				}
				regs = append(regs, q.Record.RegNo)
			}
			if p.Next == "" {
				return regs
			}
			if len(p.Persons) != f.Limit {
				t.Errorf("%s: a page of %d before the last, limit %d", name, len(p.Persons), f.Limit)
			}
			f.After = p.Next
		}
		t.Fatalf("%s: the pages do not end", name)
		return nil
	}
	vis := func(c, f, tr, m []uuid.UUID) *custody.Visibility {
		return &custody.Visibility{Custodians: c, Facilities: f, Transfers: tr, Movements: m}
	}
	ids := func(ids ...uuid.UUID) []uuid.UUID { return ids }
	for _, tc := range []struct {
		name string
		v    *custody.Visibility
		want int // the persons it admits, to show the world exercises the clause
	}{
		{"no clause", vis(nil, nil, nil, nil), 0},
		{"nil ids", vis(ids(uuid.Nil), ids(uuid.Nil), ids(uuid.Nil), ids(uuid.Nil)), 0},
		{"custodian SDF", vis(ids(ID("SDF")), nil, nil, nil), 8},
		{"custodian USF", vis(ids(ID("USF")), nil, nil, nil), 2},
		{"custodians IRQ and USF", vis(ids(ID("IRQ"), ID("USF")), nil, nil, nil), 6},
		{"facility HSK, or returning to it", vis(nil, ids(ID("HSK")), nil, nil), 7},
		{"facility HOS", vis(nil, ids(ID("HOS")), nil, nil), 1},
		{"facility IQ1", vis(nil, ids(ID("IQ1")), nil, nil), 4},
		{"transfer T1", vis(nil, nil, ids(t1), nil), 3},
		{"transfers T1 and T2", vis(nil, nil, ids(t1, t2), nil), 4},
		{"movement M1", vis(nil, nil, nil, ids(m1)), 2},
		{"a party's", vis(ids(ID("IRQ")), nil, ids(t1, t2), nil), 8},
		{"an escort's", vis(ids(ID("USF")), nil, nil, ids(m1)), 2},
		{"a mandate's", vis(nil, ids(ID("IQ1")), ids(t1, t2), ids(m1)), 8},
		{"every clause", vis(ids(ID("SDF")), ids(ID("IQ1")), ids(t1), ids(m1)), 14},
		{"unknown ids", vis(ids(ID("nobody")), ids(ID("nowhere")), ids(ID("no transfer")), ids(ID("no movement"))), 0},
	} {
		want := []string{}
		for _, p := range all.Persons {
			if admits(tc.v, p.Custody) {
				want = append(want, p.Record.RegNo)
			}
		}
		if len(want) != tc.want {
			t.Errorf("%s admits %d persons, the test expects %d: %v", tc.name, len(want), tc.want, want)
		}
		for _, limit := range []int{1, 3, 50} {
			if got := list(tc.name, custody.PersonFilter{Visible: tc.v, Limit: limit}); !slices.Equal(got, want) {
				t.Errorf("%s, pages of %d: %v, want %v", tc.name, limit, got, want)
			}
		}
		// With the other filters: what both admit.
		for _, f := range []custody.PersonFilter{
			{Facility: ID("HSK")},
			{Nationality: "TUN"},
			{Status: custody.InTransit},
			{Name: "khalil 1"},
			{Flag: custody.AgeDisputed},
			{Flag: custody.ConsulateNotNotified},
			{After: "HSK-000003"},
		} {
			f.Limit = custody.MaxPageSize
			plain, err := s.Persons(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			both := []string{}
			for _, p := range plain.Persons {
				if admits(tc.v, p.Custody) {
					both = append(both, p.Record.RegNo)
				}
			}
			f.Visible, f.Limit = tc.v, 2
			name := fmt.Sprintf("%s with %+v", tc.name, f)
			if got := list(name, f); !slices.Equal(got, both) {
				t.Errorf("%s: %v, want %v", name, got, both)
			}
		}
	}
	// A Visibility is bounded.
	many := make([]uuid.UUID, custody.MaxVisibilityIDs+1)
	if _, err := s.Persons(ctx, custody.PersonFilter{Visible: &custody.Visibility{Transfers: many}}); custody.ErrorCode(err) != custody.Invalid {
		t.Errorf("a visibility of %d ids: %v", len(many), err)
	}
}

// testByIDs: a listing by ids returns exactly those persons, in registration
// order, and combines with the other filters and with visibility.
func testByIDs(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	for n := range 6 {
		MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(10), Person: Person(n), Facility: ID("HSK")})
	}
	ids := []uuid.UUID{Person(4).ID, Person(1).ID, Person(3).ID, ID("nobody")}
	regs := func(f custody.PersonFilter) []string {
		t.Helper()
		p, err := s.Persons(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, q := range p.Persons {
			out = append(out, q.Record.RegNo)
		}
		return out
	}
	var want []string
	for _, n := range []int{1, 3, 4} {
		p, err := s.Person(ctx, Person(n).ID)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, p.Record.RegNo)
	}
	slices.Sort(want)
	if got := regs(custody.PersonFilter{IDs: ids}); !slices.Equal(got, want) {
		t.Errorf("by ids: %v, want %v", got, want)
	}
	if got := regs(custody.PersonFilter{IDs: ids, Visible: &custody.Visibility{Custodians: []uuid.UUID{ID("IRQ")}}}); len(got) != 0 {
		t.Errorf("by ids, visible to a party holding none of them: %v", got)
	}
	if got := regs(custody.PersonFilter{IDs: ids, Limit: 2}); !slices.Equal(got, want[:2]) {
		t.Errorf("by ids, limit 2: %v, want %v", got, want[:2])
	}
	many := make([]uuid.UUID, custody.MaxPageSize+1)
	if _, err := s.Persons(ctx, custody.PersonFilter{IDs: many}); custody.ErrorCode(err) != custody.Invalid {
		t.Errorf("%d ids: %v, want invalid", len(many), err)
	}
}
