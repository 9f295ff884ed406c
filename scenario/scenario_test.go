package scenario

import (
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/handover-project/handover/custody"
)

var world1 = New(1)

func TestDeterministic(t *testing.T) {
	if !reflect.DeepEqual(world1, New(1)) {
		t.Fatal("New(1) gave two different worlds")
	}
	w2 := New(2)
	if w2.Persons[0].Person.ID == world1.Persons[0].Person.ID || reflect.DeepEqual(w2.Persons, world1.Persons) {
		t.Fatal("New(1) and New(2) gave the same people")
	}
}

func TestIDs(t *testing.T) {
	seen := map[uuid.UUID]bool{}
	check := func(id uuid.UUID) {
		t.Helper()
		if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
			t.Fatalf("%s is not a UUIDv7", id)
		}
		if seen[id] {
			t.Fatalf("%s given twice", id)
		}
		seen[id] = true
	}
	for _, p := range world1.Parties {
		check(p.ID)
	}
	for _, f := range world1.Facilities {
		check(f.ID)
	}
	households := map[uuid.UUID]bool{}
	for _, p := range world1.Persons {
		check(p.Person.ID)
		if h := p.Person.Household; h != uuid.Nil && !households[h] {
			households[h] = true
			check(h)
		}
	}
}

func TestCounts(t *testing.T) {
	w := world1
	byCat := map[custody.Category]int{}
	nats := map[string]int{}
	var disputed, reconstructed, boys, kunyas, spellings int
	hasakah := w.Facility(Hasakah).ID
	for _, pl := range w.Persons {
		p := pl.Person
		byCat[p.Category]++
		if p.Category == custody.Detainee {
			nats[p.Nationalities[0]]++
			if slices.Contains(p.Flags, custody.AgeDisputed) {
				disputed++
			}
			if p.Reconstructed != nil {
				reconstructed++
			}
			for _, n := range p.Names {
				if n.Kind == custody.Kunya && n.Script == custody.Latin {
					kunyas++
				}
			}
			if len(p.Names) > 2 && p.Names[2].Kind == custody.Spelling {
				spellings++
			}
		}
		if p.Category == custody.Minor && pl.Facility != w.Facility(AlHol).ID {
			boys++
		}
	}
	total, det := len(w.Persons), byCat[custody.Detainee]
	t.Logf("persons %d, by category %v, detainee nationalities %d, duplicates %d", total, byCat, len(nats), len(w.Duplicates))
	t.Logf("age disputed %d, reconstructed %d, boys in prisons %d, kunyas %d, extra spellings %d", disputed, reconstructed, boys, kunyas, spellings)
	within := func(what string, got, lo, hi int) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %d, want %d–%d", what, got, lo, hi)
		}
	}
	within("persons", total, 9000, 11000)
	within("detainees", det, 6800, 7200)
	within("nationalities", len(nats), 38, 45)
	within("IRQ ‰", nats["IRQ"]*1000/det, 400, 500)
	within("SYR ‰", nats["SYR"]*1000/det, 200, 300)
	within("age disputed ‰", disputed*1000/det, 5, 20)
	within("reconstructed ‰", reconstructed*1000/det, 10, 35)
	within("kunya ‰", kunyas*1000/det, 150, 250)
	within("extra spellings ‰", spellings*1000/det, 330, 470)
	within("boys in prisons", boys, 24, 60)
	within("duplicates", len(w.Duplicates), det/150, det/70)
	within("al-Hol family members", byCat[custody.FamilyMember], 500, 1000)
	within("al-Hol people", byCat[custody.FamilyMember]+byCat[custody.UnaccompaniedMinor]+byCat[custody.Minor]-boys, 2500, 3000)
	for code, n := range nats {
		if code != "IRQ" && code != "SYR" && (n >= nats["SYR"] || n >= nats["IRQ"]) {
			t.Errorf("%s has %d detainees, more than IRQ or SYR", code, n)
		}
	}
	if n := w.Facility(Hasakah).Capacities[custody.Detainee]; n < countAt(w, hasakah) {
		t.Errorf("Hasakah holds %d, above its capacity %d", countAt(w, hasakah), n)
	}
}

func countAt(w *World, f uuid.UUID) int {
	n := 0
	for _, p := range w.Persons {
		if p.Facility == f {
			n++
		}
	}
	return n
}

func TestRecords(t *testing.T) {
	for i, pl := range world1.Persons {
		p := pl.Person
		if err := p.Validate(); err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
		if !p.Demo || p.RegNo != "" {
			t.Fatalf("person %d: Demo %v, RegNo %q", i, p.Demo, p.RegNo)
		}
		for _, n := range p.Names {
			for _, r := range n.Text {
				if n.Script == custody.Latin && unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) ||
					n.Script == custody.Arabic && unicode.IsLetter(r) && !unicode.Is(unicode.Arabic, r) {
					t.Fatalf("person %d: %s name %q has letter %q", i, n.Script, n.Text, r)
				}
			}
		}
		if p.PrimaryName(custody.Arabic) == "" || p.PrimaryName(custody.Latin) == "" {
			t.Fatalf("person %d lacks an Arabic or a Latin name: %v", i, p.Names)
		}
	}
}

func TestDuplicates(t *testing.T) {
	byID := map[uuid.UUID]Placement{}
	for _, p := range world1.Persons {
		byID[p.Person.ID] = p
	}
	for _, d := range world1.Duplicates {
		a, b := byID[d[0]], byID[d[1]]
		switch {
		case a.Facility == b.Facility:
			t.Errorf("%v registered twice at the same facility", d)
		case a.Person.FatherName != b.Person.FatherName || a.Person.PrimaryName(custody.Arabic) != b.Person.PrimaryName(custody.Arabic):
			t.Errorf("%v: father or Arabic name differ", d)
		case a.Person.PrimaryName(custody.Latin) == b.Person.PrimaryName(custody.Latin):
			t.Errorf("%v: same Latin spelling %q", d, a.Person.PrimaryName(custody.Latin))
		case a.Person.Birth.Precision == b.Person.Birth.Precision || a.Person.Birth.Date[:4] != b.Person.Birth.Date[:4]:
			t.Errorf("%v: birth %v and %v", d, a.Person.Birth, b.Person.Birth)
		case !a.At.Before(b.At):
			t.Errorf("%v: not in registration order", d)
		}
	}
}

// load runs every command of w through Decide, Seal, DecodeEvent and Apply, as the
// sequencer does, and returns the state.
func load(tb testing.TB, w *World) *custody.State {
	s := custody.NewState()
	var n uint64
	last := time.Time{}
	for i, c := range w.Commands() {
		ds, err := custody.Decide(s, c)
		if err != nil {
			tb.Fatalf("command %d (%T): %v", i, c, err)
		}
		for _, d := range ds {
			if d.OccurredAt.Before(last) {
				tb.Fatalf("command %d goes back in time: %s after %s", i, d.OccurredAt, last)
			}
			last = d.OccurredAt
			n++
			_, b, err := custody.Seal(d, uuid.NewSHA1(uuid.Nil, []byte{byte(n), byte(n >> 8), byte(n >> 16)}), d.OccurredAt.Add(time.Second), [16]byte{})
			if err != nil {
				tb.Fatalf("seal %d: %v", i, err)
			}
			e, err := custody.DecodeEvent(b)
			if err != nil {
				tb.Fatalf("decode %d: %v", i, err)
			}
			if err := s.Apply(&e); err != nil {
				tb.Fatalf("apply %d: %v", i, err)
			}
		}
	}
	return s
}

func TestLoad(t *testing.T) {
	w := world1
	began := time.Now()
	s := load(t, w)
	t.Logf("loaded %d events in %s", s.Size(), time.Since(began))
	if err := custody.CheckInvariants(s); err != nil {
		t.Fatal(err)
	}
	hol, _ := s.FacilityByCode(AlHol)
	syg := w.Party(SYG).ID
	if hol.Controller != syg || hol.Total() < 2500 {
		t.Fatalf("al-Hol: controller %s, population %d", hol.Controller, hol.Total())
	}
	for _, p := range s.Persons() {
		if p.Custody.Facility == hol.ID && p.Custody.Custodian != syg {
			t.Fatalf("%s at al-Hol is still in the custody of %s", p.Record.RegNo, p.Custody.Custodian)
		}
		if p.Custody.Facility != hol.ID && p.Custody.Custodian != w.Party(SDF).ID {
			t.Fatalf("%s outside al-Hol is not in SDF custody", p.Record.RegNo)
		}
	}
	if p, ok := s.PersonByRegNo("HSK-000001"); !ok || !p.Record.Demo {
		t.Fatal("no demo person HSK-000001")
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New(1)
	}
}

func BenchmarkLoad(b *testing.B) {
	w := New(1)
	for b.Loop() {
		load(b, w)
	}
}

func TestCommands(t *testing.T) {
	w := world1
	cmds := w.Commands()
	if want := len(w.Parties) + len(w.Facilities) + len(w.Persons) + 1; len(cmds) != want {
		t.Fatalf("%d commands, want %d", len(cmds), want)
	}
	if _, ok := cmds[0].(custody.RegisterParty); !ok {
		t.Fatalf("first command is %T", cmds[0])
	}
	last, ok := cmds[len(cmds)-1].(custody.ChangeFacilityControl)
	if !ok || last.Facility != w.Facility(AlHol).ID || last.To != w.Party(SYG).ID || !last.OccurredAt.Equal(w.ControlChange) {
		t.Fatalf("last command is %#v", cmds[len(cmds)-1])
	}
	for _, p := range w.Persons {
		if !p.At.After(w.Start) || !p.At.Before(w.ControlChange) || p.At.Hour() < 8 || p.At.Hour() >= 17 {
			t.Fatalf("registration at %s", p.At)
		}
	}
}

// TestSeeds checks that other seeds give valid worlds too, and loads one of them.
func TestSeeds(t *testing.T) {
	for seed := int64(2); seed <= 6; seed++ {
		w := New(seed)
		for i, pl := range w.Persons {
			p := pl.Person
			if err := p.Validate(); err != nil {
				t.Fatalf("seed %d, person %d: %v", seed, i, err)
			}
			if p.Category == custody.Minor && pl.Facility != w.Facility(AlHol).ID && (p.Birth.Date < "2008-03" || p.Birth.Date >= "2010-10") {
				t.Fatalf("seed %d: boy in an adult prison born %s, not 15–17", seed, p.Birth.Date)
			}
		}
		if seed == 2 && !testing.Short() {
			if err := custody.CheckInvariants(load(t, w)); err != nil {
				t.Fatal(err)
			}
		}
	}
}
