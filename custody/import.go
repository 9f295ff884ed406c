package custody

import (
	"fmt"

	"github.com/google/uuid"
)

// MaxImport is the most persons one ImportPersons may register.
const MaxImport = 20000

// ImportPersons registers many persons and admits them to one facility, all or none:
// one decision, so that a file of a camp's registry is either in the ledger whole or
// not at all. Each person is registered exactly as RegisterPerson would register them
// alone, in order; an empty RegNo gets the facility series' next number, counting the
// persons before it in the same import.
type ImportPersons struct {
	Meta
	Facility uuid.UUID
	Persons  []Person
	// Duplicates, if not nil, holds for each person of Persons (same index) the
	// registered persons found likely to be them, and DuplicateReason why the file
	// is registered all the same: each person.registered records its own, as
	// RegisterPerson's warning.
	Duplicates      [][]uuid.UUID
	DuplicateReason string
}

func decideImport(s *State, c ImportPersons) ([]Draft, error) {
	if len(c.Persons) == 0 {
		return nil, Errorf(Invalid, "persons", "at least one person is required")
	}
	if len(c.Persons) > MaxImport {
		return nil, Errorf(Invalid, "persons", "at most %d persons in one import; split it", MaxImport)
	}
	if len(c.Duplicates) > len(c.Persons) {
		return nil, Errorf(Invalid, "duplicates", "names %d persons; the import has %d", len(c.Duplicates), len(c.Persons))
	}
	f, ok := s.facilities[c.Facility]
	if !ok {
		return nil, Errorf(NotFound, "facility", "no facility %s", c.Facility)
	}
	if f.Kind == Hospital {
		return nil, Errorf(Refused, "facility", "%s is a hospital; register the persons at the facility that holds them", f.Code)
	}
	// What the persons before each one in the import take: ids, numbers, identifiers.
	ids := map[uuid.UUID]int{}
	regNos := map[string]int{}
	idents := map[string]int{}
	serial := map[string]int{}
	next := func(series string) string {
		if _, ok := serial[series]; !ok {
			serial[series] = s.serials[series]
		}
		for {
			serial[series]++
			r := fmt.Sprintf("%s-%06d", series, serial[series])
			if _, taken := regNos[r]; !taken {
				return r
			}
		}
	}
	// Numbers given in the file come first, so that an empty one never takes them.
	for i, p := range c.Persons {
		if p.RegNo == "" {
			continue
		}
		if j, ok := regNos[p.RegNo]; ok {
			return nil, Errorf(Conflict, fmt.Sprintf("persons[%d].reg_no", i), "%s is also the registration number of persons[%d]", p.RegNo, j)
		}
		regNos[p.RegNo] = i
		if series, n, ok := splitRegNo(p.RegNo); ok && n > serial[series] && n > s.serials[series] {
			serial[series] = n
		}
	}
	ds := make([]Draft, 0, len(c.Persons))
	for i, p := range c.Persons {
		at := fmt.Sprintf("persons[%d]", i)
		if p.RegNo == "" {
			if f.Series == "" {
				return nil, Errorf(Invalid, at+".reg_no", "is required: facility %s has no registration series", f.Code)
			}
			p.RegNo = next(f.Series)
		}
		if err := p.Validate(); err != nil {
			return nil, within(at, err)
		}
		if _, ok := s.persons[p.ID]; ok {
			return nil, Errorf(Conflict, at+".id", "person %s is already registered", p.ID)
		}
		if j, ok := ids[p.ID]; ok {
			return nil, Errorf(Conflict, at+".id", "is also the id of persons[%d]", j)
		}
		ids[p.ID] = i
		if err := s.checkUnique(&p); err != nil {
			return nil, within(at, trimPerson(err))
		}
		for k, id := range p.Identifiers {
			key := identifierKey(id)
			if j, ok := idents[key]; ok && j != i {
				return nil, Errorf(Conflict, fmt.Sprintf("%s.identifiers[%d]", at, k), "%s %s is also recorded for persons[%d]", id.Kind, id.Value, j)
			}
			idents[key] = i
		}
		ev := &PersonRegistered{Person: p, Facility: f.ID, Custodian: f.Controller}
		if i < len(c.Duplicates) && len(c.Duplicates[i]) > 0 {
			warn, err := s.duplicateWarning(p.ID, RegisterPerson{Duplicates: c.Duplicates[i], DuplicateReason: c.DuplicateReason})
			if err != nil {
				return nil, within(at, err)
			}
			ev.Duplicates = warn
		}
		ds = append(ds, draft(c.Meta, p.ID, f.Controller, ev))
	}
	return ds, nil
}

// trimPerson drops the "person." that checkUnique puts before its fields, so that
// they can be placed under persons[i].
func trimPerson(err error) error {
	e, ok := err.(*Error)
	if !ok || len(e.Field) < len("person.") || e.Field[:len("person.")] != "person." {
		return err
	}
	c := *e
	c.Field = c.Field[len("person."):]
	return &c
}
