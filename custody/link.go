package custody

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Linked records. Two registrations may hold one person, written under other
// spellings by other parties. A registrar who has compared them records a decision:
//
//   - LinkPersons: they are the same person. The records stay apart — nothing is
//     merged, each keeps its own custody — but each lists the other in
//     Custody.Linked, and the rules that must see one person (a transfer may not
//     carry both) read that list. Reversible by UnlinkPersons.
//   - DistinguishPersons: they are different persons, so that the pair is no longer
//     proposed as a duplicate. It stands in Custody.Distinct on both. Linking a pair
//     found distinct is allowed (new evidence) and lifts the distinction; finding a
//     linked pair distinct is refused: unlink it first, so each fact has its event.
//
// Links are direct: a linked to b and b to c does not link a to c.

// MaxLinks is the most records one record may be linked to or distinguished from.
const MaxLinks = 50

// LinkPersons records that two registrations are one person.
type LinkPersons struct {
	Meta
	Person uuid.UUID
	Other  uuid.UUID
	Reason string
}

// UnlinkPersons withdraws a link recorded by LinkPersons.
type UnlinkPersons struct {
	Meta
	Person uuid.UUID
	Other  uuid.UUID
	Reason string
}

// DistinguishPersons records that two registrations proposed as one person are
// different persons.
type DistinguishPersons struct {
	Meta
	Person uuid.UUID
	Other  uuid.UUID
	Reason string
}

// PersonLinked: the subject's record and Other's hold one person. Subject: the
// person whose page the registrar acted from. The actor is in the envelope.
type PersonLinked struct {
	Other  uuid.UUID `json:"other"`
	Reason string    `json:"reason"`
}

// PersonUnlinked: a link between the subject and Other is withdrawn. Subject: a person.
type PersonUnlinked struct {
	Other  uuid.UUID `json:"other"`
	Reason string    `json:"reason"`
}

// PersonsDistinct: the subject and Other are different persons. Subject: a person.
type PersonsDistinct struct {
	Other  uuid.UUID `json:"other"`
	Reason string    `json:"reason"`
}

func (PersonLinked) EventType() Type    { return TypePersonLinked }
func (PersonUnlinked) EventType() Type  { return TypePersonUnlinked }
func (PersonsDistinct) EventType() Type { return TypePersonsDistinct }

// LinkedTo reports whether two persons' records are linked.
func (s *State) LinkedTo(a, b uuid.UUID) bool {
	p, ok := s.persons[a]
	return ok && slices.Contains(p.Custody.Linked, b)
}

// pair checks the two persons of a link decision and returns them.
func (s *State) pair(a, b uuid.UUID, reason string) (*PersonState, *PersonState, error) {
	if a == b {
		return nil, nil, Errorf(Invalid, "other", "a record cannot be linked to or distinguished from itself")
	}
	pa, ok := s.persons[a]
	if !ok {
		return nil, nil, Errorf(NotFound, "person", "no person %s", a)
	}
	pb, ok := s.persons[b]
	if !ok {
		return nil, nil, Errorf(NotFound, "other", "no person %s", b)
	}
	if err := requireText("reason", reason, 2000); err != nil {
		return nil, nil, err
	}
	return pa, pb, nil
}

func decideLink(s *State, c LinkPersons) ([]Draft, error) {
	a, b, err := s.pair(c.Person, c.Other, c.Reason)
	if err != nil {
		return nil, err
	}
	if slices.Contains(a.Custody.Linked, b.Record.ID) {
		return nil, Errorf(Conflict, "other", "%s and %s are already linked", a.Record.RegNo, b.Record.RegNo)
	}
	if len(a.Custody.Linked) >= MaxLinks || len(b.Custody.Linked) >= MaxLinks {
		return nil, Errorf(Refused, "other", "a record may be linked to at most %d others", MaxLinks)
	}
	return []Draft{draft(c.Meta, a.Record.ID, a.Custody.Custodian, &PersonLinked{Other: b.Record.ID, Reason: c.Reason})}, nil
}

func decideUnlink(s *State, c UnlinkPersons) ([]Draft, error) {
	a, b, err := s.pair(c.Person, c.Other, c.Reason)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(a.Custody.Linked, b.Record.ID) {
		return nil, Errorf(Conflict, "other", "%s and %s are not linked", a.Record.RegNo, b.Record.RegNo)
	}
	return []Draft{draft(c.Meta, a.Record.ID, a.Custody.Custodian, &PersonUnlinked{Other: b.Record.ID, Reason: c.Reason})}, nil
}

func decideDistinguish(s *State, c DistinguishPersons) ([]Draft, error) {
	a, b, err := s.pair(c.Person, c.Other, c.Reason)
	if err != nil {
		return nil, err
	}
	if slices.Contains(a.Custody.Linked, b.Record.ID) {
		return nil, Errorf(Conflict, "other", "%s and %s are linked as one person: unlink them first", a.Record.RegNo, b.Record.RegNo)
	}
	if slices.Contains(a.Custody.Distinct, b.Record.ID) {
		return nil, Errorf(Conflict, "other", "%s and %s are already recorded as different persons", a.Record.RegNo, b.Record.RegNo)
	}
	if len(a.Custody.Distinct) >= MaxLinks || len(b.Custody.Distinct) >= MaxLinks {
		return nil, Errorf(Refused, "other", "a record may be distinguished from at most %d others", MaxLinks)
	}
	return []Draft{draft(c.Meta, a.Record.ID, a.Custody.Custodian, &PersonsDistinct{Other: b.Record.ID, Reason: c.Reason})}, nil
}

// applyLink projects a link decision on both records.
func (s *State) applyLink(e *Event) error {
	a, err := s.person(e)
	if err != nil {
		return err
	}
	var other uuid.UUID
	switch d := e.Data.(type) {
	case *PersonLinked:
		other = d.Other
	case *PersonUnlinked:
		other = d.Other
	case *PersonsDistinct:
		other = d.Other
	}
	b, ok := s.persons[other]
	if !ok {
		return Errorf(NotFound, "other", "unknown person %s", other)
	}
	for _, x := range [][2]*PersonState{{a, b}, {b, a}} {
		c, o := &x[0].Custody, x[1].Record.ID
		switch e.Data.(type) {
		case *PersonLinked:
			c.Linked = append(slices.Clone(c.Linked), o)
			c.Distinct = slices.DeleteFunc(slices.Clone(c.Distinct), func(id uuid.UUID) bool { return id == o })
		case *PersonUnlinked:
			c.Linked = slices.DeleteFunc(slices.Clone(c.Linked), func(id uuid.UUID) bool { return id == o })
		case *PersonsDistinct:
			c.Distinct = append(slices.Clone(c.Distinct), o)
		}
		if len(c.Linked) == 0 {
			c.Linked = nil
		}
		if len(c.Distinct) == 0 {
			c.Distinct = nil
		}
		s.touchPerson(x[0])
	}
	return nil
}

// checkLinks checks that a person's links and distinctions name other known
// persons, once each, that each is returned by the other record, and that no pair
// is both linked and distinct.
func (s *State) checkLinks(p *PersonState) error {
	id := p.Record.ID
	for _, l := range []struct {
		name string
		ids  func(*PersonState) []uuid.UUID
	}{{"linked", func(q *PersonState) []uuid.UUID { return q.Custody.Linked }}, {"distinct", func(q *PersonState) []uuid.UUID { return q.Custody.Distinct }}} {
		for i, o := range l.ids(p) {
			q, ok := s.persons[o]
			switch {
			case o == id:
				return fmt.Errorf("%s to itself", l.name)
			case !ok:
				return fmt.Errorf("%s to unknown person %s", l.name, o)
			case slices.Index(l.ids(p), o) != i:
				return fmt.Errorf("%s to %s twice", l.name, o)
			case !slices.Contains(l.ids(q), id):
				return fmt.Errorf("%s to %s, which is not %s back", l.name, q.Record.RegNo, l.name)
			}
		}
	}
	for _, o := range p.Custody.Linked {
		if slices.Contains(p.Custody.Distinct, o) {
			return fmt.Errorf("both linked to and distinct from %s", o)
		}
	}
	return nil
}
