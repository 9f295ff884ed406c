package custody

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

func TestImportPersons(t *testing.T) {
	w := newWorld(t)
	w.register("Already Here", "HSK") // HSK-000001
	a, b, c := testPerson("Import A"), testPerson("Import B"), testPerson("Import C")
	b.RegNo = "HSK-000003" // given in the file: the others go round it
	es := w.must(ImportPersons{Meta: w.meta(), Facility: testID("HSK"), Persons: []Person{a, b, c}})
	if len(es) != 3 {
		t.Fatalf("%d events, want 3", len(es))
	}
	want := map[string]string{"Import A": "HSK-000004", "Import B": "HSK-000003", "Import C": "HSK-000005"}
	for _, p := range []Person{a, b, c} {
		got, ok := w.s.Person(p.ID)
		if !ok {
			t.Fatalf("%s not registered", p.Names[1].Text)
		}
		if got.Record.RegNo != want[p.Names[1].Text] || got.Custody.Status != Held || got.Custody.Facility != testID("HSK") {
			t.Errorf("%s: %s %+v", p.Names[1].Text, got.Record.RegNo, got.Custody)
		}
	}
	if f, _ := w.s.Facility(testID("HSK")); f.Population[Detainee] != 4 {
		t.Errorf("population %v", f.Population)
	}
	w.checkReplay(t)
}

func TestImportRefusals(t *testing.T) {
	w := newWorld(t)
	here := w.register("Already Here", "HSK")
	dupIdent := func(name string) Person {
		p := testPerson(name)
		p.Identifiers = []Identifier{{Kind: Passport, Value: "P123"}}
		return p
	}
	bad := testPerson("Bad")
	bad.Nationalities = []string{"XYZ"}
	taken := testPerson("Taken")
	taken.RegNo = "HSK-000001"
	twice := testPerson("Twice")
	twice.RegNo = "HSK-000009"
	twice2 := testPerson("Twice 2")
	twice2.RegNo = "HSK-000009"
	for _, tc := range []struct {
		name     string
		facility string
		persons  []Person
		field    string
		code     Code
	}{
		{"Empty", "HSK", nil, "persons", Invalid},
		{"Hospital", "HOSP", []Person{testPerson("x")}, "facility", Refused},
		{"NoFacility", "NOPE", []Person{testPerson("x")}, "facility", NotFound},
		{"Invalid", "HSK", []Person{testPerson("ok"), bad}, "persons[1].nationalities[0]", Invalid},
		{"RegisteredAlready", "HSK", []Person{testPerson("Already Here")}, "persons[0].id", Conflict},
		{"IDTwice", "HSK", []Person{testPerson("same"), testPerson("same")}, "persons[1].id", Conflict},
		{"RegNoTaken", "HSK", []Person{taken}, "persons[0].reg_no", Conflict},
		{"RegNoTwice", "HSK", []Person{twice, twice2}, "persons[1].reg_no", Conflict},
		{"IdentifierTwice", "HSK", []Person{dupIdent("i1"), dupIdent("i2")}, "persons[1].identifiers[0]", Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(w.events)
			_, err := w.run(ImportPersons{Meta: w.meta(), Facility: testID(tc.facility), Persons: tc.persons})
			e, ok := err.(*Error)
			if !ok || e.Field != tc.field || e.Code != tc.code {
				t.Fatalf("got %v (%#v), want %s at %s", err, err, tc.code, tc.field)
			}
			if len(w.events) != before {
				t.Fatal("a refused import wrote events")
			}
		})
	}
	_ = here
}

// TestImportMatchesRegistrations: an import registers exactly what the same persons
// registered one by one would, registration numbers included.
func TestImportMatchesRegistrations(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		one, all := newWorld(t), newWorld(t)
		n := rapid.IntRange(1, 30).Draw(rt, "n")
		var ps []Person
		for i := range n {
			p := testPerson(fmt.Sprintf("P%d", i))
			if rapid.Bool().Draw(rt, "numbered") {
				p.RegNo = fmt.Sprintf("HSK-%06d", 100+i)
			}
			ps = append(ps, p)
		}
		// One by one, an empty number takes the next after every number given so far;
		// in an import, after every number of the file. So compare with the numbered
		// persons registered first.
		for _, p := range ps {
			if p.RegNo != "" {
				one.must(RegisterPerson{Meta: one.meta(), Person: p, Facility: testID("HSK")})
			}
		}
		for _, p := range ps {
			if p.RegNo == "" {
				one.must(RegisterPerson{Meta: one.meta(), Person: p, Facility: testID("HSK")})
			}
		}
		all.must(ImportPersons{Meta: all.meta(), Facility: testID("HSK"), Persons: ps})
		for _, p := range ps {
			a, _ := one.s.Person(p.ID)
			b, _ := all.s.Person(p.ID)
			if a.Record.RegNo != b.Record.RegNo || !strings.HasPrefix(b.Record.RegNo, "HSK-") || a.Custody.Facility != b.Custody.Facility || a.Custody.Status != b.Custody.Status {
				rt.Fatalf("%s: one by one %s %+v, imported %s %+v", p.ID, a.Record.RegNo, a.Custody, b.Record.RegNo, b.Custody)
			}
		}
		if err := CheckInvariants(all.s); err != nil {
			rt.Fatal(err)
		}
	})
}

func TestImportPassingDuplicates(t *testing.T) {
	w := newWorld(t)
	a := w.register("Import Dup A", "HSK")
	ps := []Person{testPerson("Import Dup B"), testPerson("Import Dup C")}
	es := w.must(ImportPersons{Meta: w.meta(), Facility: testID("HSK"), Persons: ps, Duplicates: [][]uuid.UUID{nil, {a}}, DuplicateReason: "camp list checked by hand"})
	if len(es) != 2 || es[0].Data.(*PersonRegistered).Duplicates != nil {
		t.Fatalf("events %+v", es)
	}
	if d := es[1].Data.(*PersonRegistered).Duplicates; d == nil || d.Reason != "camp list checked by hand" || len(d.Candidates) != 1 || d.Candidates[0] != a {
		t.Fatalf("warning %+v", d)
	}
	before := w.s.Size()
	_, err := w.run(ImportPersons{Meta: w.meta(), Facility: testID("HSK"), Persons: []Person{testPerson("Import Dup D")}, Duplicates: [][]uuid.UUID{{a}}})
	if ErrorCode(err) != Invalid || !strings.Contains(err.Error(), "persons[0].duplicate_reason") {
		t.Fatalf("no reason: %v", err)
	}
	_, err = w.run(ImportPersons{Meta: w.meta(), Facility: testID("HSK"), Persons: []Person{testPerson("Import Dup E")}, Duplicates: [][]uuid.UUID{{testID("nobody")}}, DuplicateReason: "x"})
	if ErrorCode(err) != NotFound {
		t.Fatalf("unknown candidate: %v", err)
	}
	if w.s.Size() != before {
		t.Fatal("refused imports changed the state")
	}
	w.checkReplay(t)
}
