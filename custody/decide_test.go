package custody

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestRegisterPerson(t *testing.T) {
	w := newWorld(t)
	id := w.register("Mohammed Abdullah", "HSK")
	p, _ := w.s.Person(id)
	if p.Record.RegNo != "HSK-000001" {
		t.Errorf("reg no %q, want HSK-000001", p.Record.RegNo)
	}
	if p.Custody.Status != Held || p.Custody.Facility != testID("HSK") || p.Custody.Custodian != testID("SDF") {
		t.Errorf("custody %+v", p.Custody)
	}
	w.register("Second Person", "HSK")
	if got := w.s.NextRegNo("HSK"); got != "HSK-000003" {
		t.Errorf("next reg no %s", got)
	}
	f, _ := w.s.Facility(testID("HSK"))
	if f.Population[Detainee] != 2 {
		t.Errorf("population %v", f.Population)
	}
}

func TestRefusals(t *testing.T) {
	w := newWorld(t)
	held := w.register("Held Person", "HSK")
	released := w.register("Released Person", "HSK")
	w.must(ReleasePerson{Meta: w.meta(), Person: released, Reason: "charges dropped", Authority: "court"})
	dup := testPerson("Dup")
	dup.RegNo = "HSK-000001"

	noNat := testPerson("No Nationality")
	noNat.Nationalities = []string{"IRQ", "XYZ"}
	badScript := testPerson("Bad Script")
	badScript.Names[0].Text = "Mohammed"
	noReasons := testPerson("No Reasons")
	noReasons.Detention.Reasons = ""

	for _, tc := range []struct {
		name  string
		cmd   Command
		code  Code
		field string
	}{
		{"ErrNoOccurredAt", RegisterPerson{Meta: Meta{Actor: "x"}, Person: testPerson("A"), Facility: testID("HSK")}, Invalid, "occurred_at"},
		{"ErrNoActor", RegisterPerson{Meta: Meta{OccurredAt: t0}, Person: testPerson("A"), Facility: testID("HSK")}, Invalid, "actor"},
		{"ErrUnknownFacility", RegisterPerson{Meta: w.meta(), Person: testPerson("A"), Facility: testID("nowhere")}, NotFound, "facility"},
		{"ErrBadNationality", RegisterPerson{Meta: w.meta(), Person: noNat, Facility: testID("HSK")}, Invalid, "person.nationalities[1]"},
		{"ErrScript", RegisterPerson{Meta: w.meta(), Person: badScript, Facility: testID("HSK")}, Invalid, "person.names[0].text"},
		{"ErrNoCommitment", RegisterPerson{Meta: w.meta(), Person: noReasons, Facility: testID("HSK")}, Invalid, "person.detention.reasons"},
		{"ErrDuplicateRegNo", RegisterPerson{Meta: w.meta(), Person: dup, Facility: testID("HSK")}, Conflict, "person.reg_no"},
		{"ErrDuplicateID", RegisterPerson{Meta: w.meta(), Person: testPerson("Held Person"), Facility: testID("HSK")}, Conflict, "person.id"},
		{"ErrAtHospital", RegisterPerson{Meta: w.meta(), Person: testPerson("A"), Facility: testID("HOSP")}, Refused, "facility"},
		{"ErrReleaseTwice", ReleasePerson{Meta: w.meta(), Person: released, Reason: "r", Authority: "a"}, Refused, "person"},
		{"ErrReleaseNoReason", ReleasePerson{Meta: w.meta(), Person: held, Authority: "a"}, Invalid, "reason"},
		{"ErrRecaptureHeld", RecordRecapture{Meta: w.meta(), Person: held, Facility: testID("HSK")}, Refused, "person"},
		{"ErrAdmitAcrossParties", AdmitPerson{Meta: w.meta(), Person: held, Facility: testID("IQ1")}, Refused, "facility"},
		{"ErrAdmitSamePlace", AdmitPerson{Meta: w.meta(), Person: held, Facility: testID("HSK")}, Refused, "facility"},
		{"ErrHospitalNotHospital", AdmitToHospital{Meta: w.meta(), Person: held, Hospital: testID("HSK2"), Reason: "r"}, Invalid, "hospital"},
		{"ErrRepatriateBadCountry", RepatriatePerson{Meta: w.meta(), Person: held, Country: "Iraq", Authority: "a"}, Invalid, "country"},
		{"ErrUnknownPerson", RecordEscape{Meta: w.meta(), Person: uuid.New(), Circumstances: "c"}, NotFound, "person"},
		{"ErrControlSameParty", ChangeFacilityControl{Meta: w.meta(), Facility: testID("HOL"), To: testID("SDF"), Reason: "r"}, Refused, "to"},
		{"ErrPartyCode", RegisterParty{Meta: w.meta(), Party: Party{ID: uuid.New(), Code: "sdf", Name: "x", Kind: Monitor}}, Invalid, "party.code"},
		{"ErrPartyDuplicate", RegisterParty{Meta: w.meta(), Party: Party{ID: uuid.New(), Code: "SDF", Name: "x", Kind: Monitor}}, Conflict, "party.code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.s.Size()
			_, err := w.run(tc.cmd)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Code != tc.code || e.Field != tc.field {
				t.Errorf("got %s at %q (%v), want %s at %q", e.Code, e.Field, e, tc.code, tc.field)
			}
			if w.s.Size() != before {
				t.Errorf("a refused command changed the state")
			}
		})
	}
}

func TestCustodyLifecycle(t *testing.T) {
	w := newWorld(t)
	id := w.register("Lifecycle", "HSK")
	status := func() Status { p, _ := w.s.Person(id); return p.Custody.Status }
	steps := []struct {
		cmd  Command
		want Status
	}{
		{AdmitToHospital{Meta: w.meta(), Person: id, Hospital: testID("HOSP"), Reason: "fever"}, Hospitalised},
		{ReturnFromHospital{Meta: w.meta(), Person: id}, Held},
		{AdmitPerson{Meta: w.meta(), Person: id, Facility: testID("HSK2")}, Held},
		{RecordEscape{Meta: w.meta(), Person: id, Circumstances: "breakout"}, Escaped},
		{RecordRecapture{Meta: w.meta(), Person: id, Facility: testID("HSK")}, Held},
		{RepatriatePerson{Meta: w.meta(), Person: id, Country: "IRQ", Authority: "court"}, Repatriated},
	}
	for _, st := range steps {
		w.must(st.cmd)
		if got := status(); got != st.want {
			t.Fatalf("after %T: %s, want %s", st.cmd, got, st.want)
		}
		if err := CheckInvariants(w.s); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := w.s.Person(id)
	if p.Custody.Event != w.s.Size()-1 {
		t.Errorf("ended by event %d, want %d", p.Custody.Event, w.s.Size()-1)
	}
}

func TestControlChange(t *testing.T) {
	w := newWorld(t)
	var ids []uuid.UUID
	for _, n := range []string{"Umm Ahmad", "Umm Khalid", "Aisha"} {
		p := testPerson(n)
		p.Category, p.Sex, p.Detention = FamilyMember, Female, Detention{}
		w.must(RegisterPerson{Meta: w.meta(), Person: p, Facility: testID("HOL")})
		ids = append(ids, p.ID)
	}
	es := w.must(ChangeFacilityControl{Meta: w.meta(), Facility: testID("HOL"), To: testID("SYG"), Reason: "withdrawal", Unilateral: true})
	if len(es) != 1+len(ids) {
		t.Fatalf("%d events, want %d", len(es), 1+len(ids))
	}
	for _, id := range ids {
		p, _ := w.s.Person(id)
		if p.Custody.Custodian != testID("SYG") || p.Custody.Facility != testID("HOL") {
			t.Errorf("custody %+v", p.Custody)
		}
	}
	f, _ := w.s.Facility(testID("HOL"))
	if len(f.History) != 2 || !f.History[1].Unilateral || f.Controller != testID("SYG") {
		t.Errorf("history %+v", f.History)
	}
}

func TestCorrection(t *testing.T) {
	w := newWorld(t)
	id := w.register("Corrected", "HSK")
	p, _ := w.s.Person(id)
	rec := p.Record
	rec.Names = append(rec.Names[:len(rec.Names):len(rec.Names)], Name{Text: "Abu Omar", Script: Latin, Kind: Kunya})
	rec.Category = Minor
	es := w.must(CorrectRecord{Meta: w.meta(), Person: rec, Reason: "kunya found; age assessed"})
	got := es[0].Data.(*RecordCorrected).Fields
	if strings.Join(got, ",") != "names,category" {
		t.Errorf("fields %v", got)
	}
	f, _ := w.s.Facility(testID("HSK"))
	if f.Population[Detainee] != 0 || f.Population[Minor] != 1 {
		t.Errorf("population %v", f.Population)
	}
	if _, err := w.run(CorrectRecord{Meta: w.meta(), Person: rec, Reason: "again"}); ErrorCode(err) != Invalid {
		t.Errorf("no-op correction: %v", err)
	}
}
