package custody

import (
	"crypto/sha256"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

var t0 = time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC)

// testID returns a fixed UUID derived from a name, so tests are reproducible.
func testID(name string) uuid.UUID {
	h := sha256.Sum256([]byte(name))
	id, _ := uuid.FromBytes(h[:16])
	id[6] = id[6]&0x0f | 0x70
	id[8] = id[8]&0x3f | 0x80
	return id
}

// world is a state with a few parties and facilities, and the events that made it.
type world struct {
	tb     testing.TB
	s      *State
	events []Event
	clock  time.Time
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{tb: tb, s: NewState(), clock: t0}
	for _, p := range []Party{
		{ID: testID("SDF"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: DetainingAuthority},
		{ID: testID("SYG"), Code: "SYG", Name: "Syrian government", Kind: DetainingAuthority},
		{ID: testID("IRQ"), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: ReceivingState},
	} {
		w.must(RegisterParty{Meta: w.meta(), Party: p})
	}
	for _, f := range []Facility{
		{ID: testID("HSK"), Code: "HSK", Name: "Hasakah detention facility", Kind: Prison, Country: "SYR", Series: "HSK",
			Capacities: map[Category]int{Detainee: 4000}, ControllingParty: testID("SDF")},
		{ID: testID("HOL"), Code: "HOL", Name: "al-Hol camp", Kind: Camp, Country: "SYR", Series: "HOL",
			Capacities: map[Category]int{FamilyMember: 3000, Minor: 3000}, ControllingParty: testID("SDF")},
		{ID: testID("HOSP"), Code: "HOSP", Name: "Field hospital", Kind: Hospital, Country: "SYR",
			Capacities: map[Category]int{Detainee: 50}, ControllingParty: testID("SDF")},
		{ID: testID("IQ1"), Code: "IQ1", Name: "Correctional institution one", Kind: CorrectionalInstitution, Country: "IRQ", Series: "IQA",
			Capacities: map[Category]int{Detainee: 3000}, ControllingParty: testID("IRQ")},
		{ID: testID("HSK2"), Code: "HSK2", Name: "Hasakah annex", Kind: Prison, Country: "SYR", Series: "HSKB",
			Capacities: map[Category]int{Detainee: 500}, ControllingParty: testID("SDF")},
	} {
		w.must(RegisterFacility{Meta: w.meta(), Facility: f})
	}
	return w
}

func (w *world) meta() Meta {
	w.clock = w.clock.Add(time.Minute)
	return Meta{Actor: "registrar-1", OccurredAt: w.clock}
}

// run decides a command and, if accepted, seals and applies its events.
func (w *world) run(c Command) ([]Event, error) {
	ds, err := Decide(w.s, c)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, d := range ds {
		n := len(w.events)
		e, b, err := Seal(d, testID("event"+string(rune(n))+d.OccurredAt.String()), d.OccurredAt.Add(time.Second), [16]byte{byte(n)})
		if err != nil {
			return nil, err
		}
		// Apply what the ledger would give back: the decoded bytes.
		back, err := DecodeEvent(b)
		if err != nil {
			w.tb.Fatalf("decode own event: %v\n%s", err, b)
		}
		if err := CheckEvent(w.s, &back); err != nil {
			w.tb.Fatalf("check event: %v", err)
		}
		if err := w.s.Apply(&back); err != nil {
			w.tb.Fatalf("apply: %v", err)
		}
		w.events = append(w.events, e)
		out = append(out, back)
	}
	return out, nil
}

func (w *world) must(c Command) []Event {
	w.tb.Helper()
	es, err := w.run(c)
	if err != nil {
		w.tb.Fatalf("%T: %v", c, err)
	}
	return es
}

func testPerson(name string) Person {
	return Person{
		ID:            testID(name),
		Names:         []Name{{Text: "محمد عبد الله", Script: Arabic, Kind: PrimaryName}, {Text: name, Script: Latin, Kind: PrimaryName}},
		Sex:           Male,
		Birth:         BirthDate{Date: "1990", Precision: Year},
		Nationalities: []string{"IRQ"},
		Category:      Detainee,
		Detention:     Detention{Reasons: "alleged membership of an armed group", OrderingAuthority: "SDF internal security"},
	}
}

func (w *world) register(name, facility string) uuid.UUID {
	w.tb.Helper()
	p := testPerson(name)
	w.must(RegisterPerson{Meta: w.meta(), Person: p, Facility: testID(facility)})
	return p.ID
}

// checkReplay re-encodes the world's events, replays them into a fresh state and
// fails unless it equals the live one.
func (w *world) checkReplay(t interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}) {
	t.Helper()
	replayed := NewState()
	for i := range w.events {
		e := &w.events[i]
		_, b, _ := Seal(Draft{Subject: e.Subject, Party: e.Party, Actor: e.Actor, OccurredAt: e.OccurredAt, Data: e.Data}, e.ID, e.RecordedAt, e.Nonce)
		back, err := DecodeEvent(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := replayed.Apply(&back); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(replayed, w.s) {
		t.Fatalf("replayed state differs from the live state")
	}
}
