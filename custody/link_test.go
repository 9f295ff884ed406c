package custody

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestLinkAndUnlink(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.register("Mohammed al-Jubaylawi", "HSK"), w.register("Muhammad el-Jbeilaoui", "HSK"), w.register("Other Person", "HSK")
	es := w.must(LinkPersons{Meta: w.meta(), Person: a, Other: b, Reason: "same father, same date of birth, photo"})
	if len(es) != 1 || es[0].Type != TypePersonLinked || es[0].Subject != a || es[0].Actor != "registrar-1" {
		t.Fatalf("events %+v", es)
	}
	pa, _ := w.s.Person(a)
	pb, _ := w.s.Person(b)
	if !slices.Equal(pa.Custody.Linked, []uuid.UUID{b}) || !slices.Equal(pb.Custody.Linked, []uuid.UUID{a}) {
		t.Fatalf("linked %v / %v", pa.Custody.Linked, pb.Custody.Linked)
	}
	// The records stay apart: each keeps its own custody through later events.
	w.must(AdmitPerson{Meta: w.meta(), Person: b, Facility: testID("HSK2")})
	pb, _ = w.s.Person(b)
	if pb.Custody.Facility != testID("HSK2") || !slices.Equal(pb.Custody.Linked, []uuid.UUID{a}) {
		t.Fatalf("after admission: %+v", pb.Custody)
	}
	w.must(DistinguishPersons{Meta: w.meta(), Person: c, Other: a, Reason: "different mother"})
	w.must(UnlinkPersons{Meta: w.meta(), Person: b, Other: a, Reason: "linked by mistake"})
	pa, _ = w.s.Person(a)
	if pa.Custody.Linked != nil || !slices.Equal(pa.Custody.Distinct, []uuid.UUID{c}) {
		t.Fatalf("after unlink: %+v", pa.Custody)
	}
	// Linking a pair found distinct lifts the distinction.
	w.must(LinkPersons{Meta: w.meta(), Person: a, Other: c, Reason: "new document"})
	pc, _ := w.s.Person(c)
	if pc.Custody.Distinct != nil || !slices.Equal(pc.Custody.Linked, []uuid.UUID{a}) {
		t.Fatalf("after link of a distinct pair: %+v", pc.Custody)
	}
	if err := CheckInvariants(w.s); err != nil {
		t.Fatal(err)
	}
	w.checkReplay(t)
}

func TestLinkRefusals(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.register("Link A", "HSK"), w.register("Link B", "HSK"), w.register("Link C", "HSK")
	w.must(LinkPersons{Meta: w.meta(), Person: a, Other: b, Reason: "same person"})
	w.must(DistinguishPersons{Meta: w.meta(), Person: a, Other: c, Reason: "different persons"})
	before := w.s.Size()
	for _, tc := range []struct {
		name  string
		cmd   Command
		code  Code
		field string
	}{
		{"ErrSelf", LinkPersons{Meta: w.meta(), Person: a, Other: a, Reason: "x"}, Invalid, "other"},
		{"ErrUnknownPerson", LinkPersons{Meta: w.meta(), Person: testID("nobody"), Other: a, Reason: "x"}, NotFound, "person"},
		{"ErrUnknownOther", LinkPersons{Meta: w.meta(), Person: a, Other: testID("nobody"), Reason: "x"}, NotFound, "other"},
		{"ErrNoReason", LinkPersons{Meta: w.meta(), Person: b, Other: c}, Invalid, "reason"},
		{"ErrAlreadyLinked", LinkPersons{Meta: w.meta(), Person: b, Other: a, Reason: "x"}, Conflict, "other"},
		{"ErrNotLinked", UnlinkPersons{Meta: w.meta(), Person: a, Other: c, Reason: "x"}, Conflict, "other"},
		{"ErrDistinctButLinked", DistinguishPersons{Meta: w.meta(), Person: b, Other: a, Reason: "x"}, Conflict, "other"},
		{"ErrAlreadyDistinct", DistinguishPersons{Meta: w.meta(), Person: c, Other: a, Reason: "x"}, Conflict, "other"},
		{"ErrSelfDistinct", DistinguishPersons{Meta: w.meta(), Person: c, Other: c, Reason: "x"}, Invalid, "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.run(tc.cmd)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
	if w.s.Size() != before {
		t.Errorf("refused commands changed the state")
	}
}

func TestTransferRefusesBothLinkedRecords(t *testing.T) {
	w := newWorld(t)
	a, b := w.register("Twice A", "HSK"), w.register("Twice B", "HSK")
	w.must(LinkPersons{Meta: w.meta(), Person: a, Other: b, Reason: "same person"})
	tr := Transfer{ID: testID("tr"), From: testID("HSK"), To: testID("IQ1"), LegalBasis: "agreement", OrderedBy: "committee", Persons: []uuid.UUID{a, b}}
	_, err := w.run(ProposeTransfer{Meta: w.meta(), Transfer: tr})
	var e *Error
	if !errors.As(err, &e) || e.Code != Refused || e.Field != "transfer.persons[1]" {
		t.Fatalf("got %v", err)
	}
	tr.Persons = []uuid.UUID{a}
	w.must(ProposeTransfer{Meta: w.meta(), Transfer: tr})
	// One person, one transfer: the other record cannot go on a second one.
	tr2 := Transfer{ID: testID("tr2"), From: testID("HSK"), To: testID("IQ1"), LegalBasis: "agreement", OrderedBy: "committee", Persons: []uuid.UUID{b}}
	_, err = w.run(ProposeTransfer{Meta: w.meta(), Transfer: tr2})
	if !errors.As(err, &e) || e.Code != Conflict || e.Field != "transfer.persons[0]" || !strings.Contains(err.Error(), "linked record") {
		t.Fatalf("second transfer: %v", err)
	}
}

func TestCheckLinksFindsBreaches(t *testing.T) {
	w := newWorld(t)
	a, b := w.register("Breach A", "HSK"), w.register("Breach B", "HSK")
	w.must(LinkPersons{Meta: w.meta(), Person: a, Other: b, Reason: "same person"})
	pb, _ := w.s.Person(b)
	pb.Custody.Linked = nil // a one-sided link
	if err := CheckInvariants(w.s); err == nil {
		t.Fatal("a one-sided link passes the invariants")
	}
	pb.Custody.Linked = []uuid.UUID{a}
	pb.Custody.Distinct = []uuid.UUID{a}
	if err := CheckInvariants(w.s); err == nil {
		t.Fatal("a pair both linked and distinct passes the invariants")
	}
}

func TestRegisterPassingDuplicates(t *testing.T) {
	w := newWorld(t)
	a, b := w.register("Dup A", "HSK"), w.register("Dup B", "HSK")
	// Passed with a reason: the warning is in the registration event.
	p := testPerson("Dup C")
	es := w.must(RegisterPerson{Meta: w.meta(), Person: p, Facility: testID("HSK"), Duplicates: []uuid.UUID{a, b}, DuplicateReason: "other mother; camp card compared"})
	reg, ok := es[0].Data.(*PersonRegistered)
	if len(es) != 1 || !ok || reg.Duplicates == nil || !slices.Equal(reg.Duplicates.Candidates, []uuid.UUID{a, b}) || reg.Duplicates.Reason != "other mother; camp card compared" {
		t.Fatalf("events %+v", es)
	}
	// Linked instead: the registration and the link, one decision.
	q := testPerson("Dup D")
	es = w.must(RegisterPerson{Meta: w.meta(), Person: q, Facility: testID("HSK2"), Duplicates: []uuid.UUID{a}, LinkTo: a, DuplicateReason: "same person, arrived under another spelling"})
	if len(es) != 2 || es[0].Type != TypePersonRegistered || es[1].Type != TypePersonLinked || es[1].Subject != q.ID {
		t.Fatalf("events %+v", es)
	}
	pa, _ := w.s.Person(a)
	if !slices.Equal(pa.Custody.Linked, []uuid.UUID{q.ID}) {
		t.Fatalf("linked %v", pa.Custody.Linked)
	}
	if err := CheckInvariants(w.s); err != nil {
		t.Fatal(err)
	}
	w.checkReplay(t)
}

func TestRegisterPassingDuplicatesRefusals(t *testing.T) {
	w := newWorld(t)
	a := w.register("Dup A", "HSK")
	before := w.s.Size()
	reg := func(name string, dups []uuid.UUID, link uuid.UUID, reason string) RegisterPerson {
		return RegisterPerson{Meta: w.meta(), Person: testPerson(name), Facility: testID("HSK"), Duplicates: dups, LinkTo: link, DuplicateReason: reason}
	}
	for _, tc := range []struct {
		name  string
		cmd   Command
		code  Code
		field string
	}{
		{"ErrNoReason", reg("X", []uuid.UUID{a}, uuid.Nil, ""), Invalid, "duplicate_reason"},
		{"ErrReasonAlone", reg("X", nil, uuid.Nil, "because"), Invalid, "duplicate_reason"},
		{"ErrUnknownCandidate", reg("X", []uuid.UUID{testID("nobody")}, uuid.Nil, "because"), NotFound, "duplicates[0]"},
		{"ErrSelfCandidate", reg("X", []uuid.UUID{testID("X")}, uuid.Nil, "because"), NotFound, "duplicates[0]"},
		{"ErrTwice", reg("X", []uuid.UUID{a, a}, uuid.Nil, "because"), Invalid, "duplicates[1]"},
		{"ErrUnknownLink", reg("X", []uuid.UUID{a}, testID("nobody"), "because"), NotFound, "link_to"},
		{"ErrLinkNoReason", reg("X", nil, a, ""), Invalid, "duplicate_reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.run(tc.cmd)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
	if w.s.Size() != before {
		t.Errorf("refused commands changed the state")
	}
}
