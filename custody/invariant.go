package custody

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"
)

// CheckInvariants checks invariants 1 and 4 of docs/design.md on a state: every person
// has exactly one well-formed custody state (whose links to other records are
// returned by them, see LinkPersons), and every facility's population is the
// count of the persons it holds. It returns the first breach found, naming the person
// or facility, or nil.
func CheckInvariants(s *State) error {
	counted := map[uuid.UUID]map[Category]int{}
	for _, id := range sortedIDs(s.persons) {
		p := s.persons[id]
		if err := s.checkCustody(p); err != nil {
			return fmt.Errorf("invariant 1: person %s (%s): %w", p.Record.RegNo, id, err)
		}
		if err := s.checkLinks(p); err != nil {
			return fmt.Errorf("invariant 1: person %s (%s): %w", p.Record.RegNo, id, err)
		}
		if p.Custody.Status.AtFacility() {
			m := counted[p.Custody.Facility]
			if m == nil {
				m = map[Category]int{}
				counted[p.Custody.Facility] = m
			}
			m[p.Record.Category]++
		}
	}
	for _, id := range sortedIDs(s.facilities) {
		f := s.facilities[id]
		for _, c := range categories {
			if got, want := f.Population[c], counted[id][c]; got != want {
				return fmt.Errorf("invariant 4: facility %s: population of %s is %d but %d persons of that category are there", f.Code, c, got, want)
			}
		}
	}
	return nil
}

func (s *State) checkCustody(p *PersonState) error {
	c := p.Custody
	if !slices.Contains(Statuses, c.Status) {
		return fmt.Errorf("status %q is not a custody state", c.Status)
	}
	if _, ok := s.parties[c.Custodian]; !ok {
		return fmt.Errorf("custodian %s is not a registered party", c.Custodian)
	}
	if c.Event >= s.size {
		return fmt.Errorf("custody set by event %d, beyond the ledger's %d events", c.Event, s.size)
	}
	switch {
	case c.Status.AtFacility():
		f, ok := s.facilities[c.Facility]
		if !ok {
			return fmt.Errorf("%s at unknown facility %s", c.Status, c.Facility)
		}
		if (c.Status == Hospitalised) != (f.Kind == Hospital) {
			return fmt.Errorf("%s at %s, a %s", c.Status, f.Code, f.Kind)
		}
		if c.Status == Hospitalised {
			if _, ok := s.facilities[c.Return]; !ok {
				return fmt.Errorf("hospitalised with no facility to return to")
			}
		}
	case c.Facility != uuid.Nil:
		return fmt.Errorf("%s but placed at facility %s", c.Status, c.Facility)
	}
	if c.Status == InTransit {
		m, ok := s.movements[c.Movement]
		if !ok {
			return fmt.Errorf("in transit on no known movement (%s)", c.Movement)
		}
		if m.Status == PlannedMovement || m.Status == CancelledMovement {
			return fmt.Errorf("in transit on movement %s, which is %s", m.ID, m.Status)
		}
		if c.Custodian != m.Escort {
			return fmt.Errorf("in transit on movement %s in the custody of %s, not of its escort", m.ID, c.Custodian)
		}
	} else if c.Movement != uuid.Nil {
		return fmt.Errorf("%s but on movement %s", c.Status, c.Movement)
	}
	return nil
}

// Tally counts, for each facility, the admissions into it and the departures from it,
// reading only the events: it is the independent side of invariant 4. Feed it every
// event in ledger order.
type Tally struct {
	at         map[uuid.UUID]placement
	Admissions map[uuid.UUID]map[Category]int
	Departures map[uuid.UUID]map[Category]int
}

type placement struct {
	facility uuid.UUID
	category Category
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{at: map[uuid.UUID]placement{}, Admissions: map[uuid.UUID]map[Category]int{}, Departures: map[uuid.UUID]map[Category]int{}}
}

// Add counts one event.
func (t *Tally) Add(e *Event) {
	cur, placed := t.at[e.Subject]
	into := uuid.Nil
	switch d := e.Data.(type) {
	case *PersonRegistered:
		cur = placement{category: d.Person.Category}
		into = d.Facility
	case *RecordCorrected:
		if placed && cur.facility != uuid.Nil && cur.category != d.Person.Category {
			bump(t.Departures, cur.facility, cur.category)
			bump(t.Admissions, cur.facility, d.Person.Category)
		}
		cur.category = d.Person.Category
		t.at[e.Subject] = cur
		return
	case *PersonAdmitted:
		into = d.Facility
	case *PersonRecaptured:
		into = d.Facility
	case *HospitalAdmitted:
		into = d.Hospital
	case *HospitalReturned:
		into = d.Facility
	case *PersonArrived:
		into = d.Facility
	case *PersonReleased, *PersonRepatriated, *PersonDied, *PersonEscaped, *PersonDeparted:
	default:
		return // no movement
	}
	if cur.facility != uuid.Nil {
		bump(t.Departures, cur.facility, cur.category)
	}
	if into != uuid.Nil {
		bump(t.Admissions, into, cur.category)
	}
	cur.facility = into
	t.at[e.Subject] = cur
}

func bump(m map[uuid.UUID]map[Category]int, f uuid.UUID, c Category) {
	if m[f] == nil {
		m[f] = map[Category]int{}
	}
	m[f][c]++
}

// Check compares the tally with a state's facility populations (invariant 4).
func (t *Tally) Check(s *State) error {
	for _, id := range sortedIDs(s.facilities) {
		f := s.facilities[id]
		for _, c := range categories {
			if got, want := f.Population[c], t.Admissions[id][c]-t.Departures[id][c]; got != want {
				return fmt.Errorf("invariant 4: facility %s: population of %s is %d but admissions minus departures is %d", f.Code, c, got, want)
			}
		}
	}
	return nil
}

// sortedIDs returns a map's keys in byte order, for reports that must not depend on
// map iteration.
func sortedIDs[V any](m map[uuid.UUID]V) []uuid.UUID {
	return slices.SortedFunc(maps.Keys(m), func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
}

// CheckEvent checks, before an event is applied to s, the invariants that speak of
// the moment an event happens: a handover carries both officers' valid signatures
// from keys registered to their parties and not revoked (invariant 6); a person
// departs on a transfer only with every safeguard met or overridden, on an approved
// transfer (invariant 3); a movement is reconciled only when everyone who departed
// has arrived, left transit by an event of their own, or is named in an open
// incident (invariant 2). Replays that verify call it for every event; Decide
// refuses the commands that would break these, so a failure means the ledger holds
// events that no decision produced.
func CheckEvent(s *State, e *Event) error {
	switch d := e.Data.(type) {
	case *FacilityControlChanged:
		if len(d.Document) == 0 {
			return nil
		}
		f, ok := s.facilities[e.Subject]
		if !ok {
			return fmt.Errorf("invariant 6: control change of unknown facility %s", e.Subject)
		}
		if _, err := s.checkControlDocument(f, d.To, d.Document, d.Signatures, -1); err != nil {
			return fmt.Errorf("invariant 6: control change of %s: %w", f.Code, err)
		}
	case *HandedOver:
		doc, err := ParseHandover(d.Document)
		if err != nil {
			return fmt.Errorf("invariant 6: handover on movement %s: %w", e.Subject, err)
		}
		if doc.Movement != e.Subject || doc.Stage != d.Stage {
			return fmt.Errorf("invariant 6: handover on movement %s: the signed document is for movement %s, stage %s", e.Subject, doc.Movement, doc.Stage)
		}
		if err := s.CheckHandoverSignatures(doc, d.Document, d.Signatures); err != nil {
			return fmt.Errorf("invariant 6: handover on movement %s: %w", e.Subject, err)
		}
	case *PersonDeparted:
		t, ok := s.transfers[d.Transfer]
		if !ok {
			return fmt.Errorf("invariant 3: person %s departed on unknown transfer %s", e.Subject, d.Transfer)
		}
		tp, ok := t.byPerson[e.Subject]
		if !ok {
			return fmt.Errorf("invariant 3: person %s departed on transfer %s, which does not name them", e.Subject, t.ID)
		}
		if !t.Approved() {
			return fmt.Errorf("invariant 3: person %s departed on transfer %s before both sides approved it", tp.RegNo, t.ID)
		}
		if len(tp.Missing) > 0 {
			return fmt.Errorf("invariant 3: person %s departed on transfer %s without %v, and no override precedes it", tp.RegNo, t.ID, tp.Missing)
		}
	case *MovementReconciled:
		m, ok := s.movements[e.Subject]
		if !ok || m.Departure == nil {
			return fmt.Errorf("invariant 2: movement %s is reconciled but never departed", e.Subject)
		}
		for _, id := range m.Departure.Present {
			p := s.persons[id]
			if p.Custody.Status != InTransit || p.Custody.Movement != m.ID {
				continue // arrived, or left transit by an event of its own
			}
			named := false
			for _, iid := range s.incidentsOf[id] {
				if in := s.incidents[iid]; in.Open && in.Movement == m.ID {
					if _, done := in.Resolved[id.String()]; !done {
						named = true
					}
				}
			}
			if !named {
				return fmt.Errorf("invariant 2: movement %s is reconciled but person %s, who departed on it, neither arrived nor is named in an open incident", m.ID, p.Record.RegNo)
			}
		}
	}
	return nil
}
