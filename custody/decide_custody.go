package custody

import (
	"maps"
	"slices"

	"github.com/google/uuid"
)

// decideCustody handles the commands that change one person's custody.
func decideCustody(s *State, cmd Command) ([]Draft, error) {
	m := cmd.meta()
	var (
		person  uuid.UUID
		allowed []Status
		data    Payload
		check   func(p *PersonState) error
	)
	switch c := cmd.(type) {
	case AdmitPerson:
		person, allowed = c.Person, []Status{Held}
		if c.found {
			allowed = append(allowed, InTransit)
		}
		check = func(p *PersonState) error {
			f, err := s.destination("facility", c.Facility)
			if err != nil {
				return err
			}
			if p.Custody.Status == Held && p.Custody.Facility == f.ID {
				return Errorf(Refused, "facility", "the person is already held at %s", f.Code)
			}
			if p.Custody.Status == Held && f.Controller != p.Custody.Custodian {
				return Errorf(Refused, "facility", "%s is controlled by %s, not by the custodian %s: moving a person to another party needs a transfer",
					f.Code, s.partyCode(f.Controller), s.partyCode(p.Custody.Custodian))
			}
			data = &PersonAdmitted{Facility: f.ID, Custodian: f.Controller, Note: c.Note}
			return optionalText("note", c.Note, 2000)
		}
	case ReleasePerson:
		person, allowed = c.Person, []Status{Held, Hospitalised}
		check = func(*PersonState) error {
			data = &PersonReleased{Reason: c.Reason, Authority: c.Authority}
			return requireAll(map[string]string{"reason": c.Reason, "authority": c.Authority})
		}
	case RepatriatePerson:
		person, allowed = c.Person, []Status{Held, Hospitalised}
		check = func(*PersonState) error {
			data = &PersonRepatriated{Country: c.Country, Authority: c.Authority}
			if err := validCountry("country", c.Country); err != nil {
				return err
			}
			return requireAll(map[string]string{"authority": c.Authority})
		}
	case RecordDeath:
		person, allowed = c.Person, []Status{Held, Hospitalised, InTransit, Escaped}
		check = func(*PersonState) error {
			data = &PersonDied{Cause: c.Cause, Circumstances: c.Circumstances, Remains: c.Remains}
			if err := requireAll(map[string]string{"cause": c.Cause, "circumstances": c.Circumstances}); err != nil {
				return err
			}
			return optionalText("remains", c.Remains, 2000)
		}
	case RecordEscape:
		person, allowed = c.Person, []Status{Held, Hospitalised, InTransit}
		check = func(*PersonState) error {
			data = &PersonEscaped{Circumstances: c.Circumstances}
			return requireAll(map[string]string{"circumstances": c.Circumstances})
		}
	case RecordRecapture:
		person, allowed = c.Person, []Status{Escaped}
		check = func(*PersonState) error {
			f, err := s.destination("facility", c.Facility)
			if err != nil {
				return err
			}
			data = &PersonRecaptured{Facility: f.ID, Custodian: f.Controller, Circumstances: c.Circumstances}
			return optionalText("circumstances", c.Circumstances, 2000)
		}
	case AdmitToHospital:
		person, allowed = c.Person, []Status{Held}
		check = func(*PersonState) error {
			h, ok := s.facilities[c.Hospital]
			if !ok {
				return Errorf(NotFound, "hospital", "no facility %s", c.Hospital)
			}
			if h.Kind != Hospital {
				return Errorf(Invalid, "hospital", "%s is a %s, not a hospital", h.Code, h.Kind)
			}
			data = &HospitalAdmitted{Hospital: h.ID, Reason: c.Reason}
			return requireAll(map[string]string{"reason": c.Reason})
		}
	case ReturnFromHospital:
		person, allowed = c.Person, []Status{Hospitalised}
		check = func(p *PersonState) error {
			id := c.Facility
			if id == uuid.Nil {
				id = p.Custody.Return
			}
			f, err := s.destination("facility", id)
			if err != nil {
				return err
			}
			if f.Controller != p.Custody.Custodian {
				return Errorf(Refused, "facility", "%s is controlled by %s, not by the custodian %s: moving a person to another party needs a transfer",
					f.Code, s.partyCode(f.Controller), s.partyCode(p.Custody.Custodian))
			}
			data = &HospitalReturned{Facility: f.ID}
			return nil
		}
	default:
		return nil, Errorf(Invalid, "", "unknown command %T", cmd)
	}
	p, ok := s.persons[person]
	if !ok {
		return nil, Errorf(NotFound, "person", "no person %s", person)
	}
	if !slices.Contains(allowed, p.Custody.Status) {
		return nil, Errorf(Refused, "person", "person %s is %s; this applies only to a person who is %s",
			p.Record.RegNo, p.Custody.Status, joinStatuses(allowed))
	}
	if err := check(p); err != nil {
		return nil, err
	}
	return []Draft{draft(m, person, p.Custody.Custodian, data)}, nil
}

// destination returns a facility a person can be held at (not a hospital).
func (s *State) destination(field string, id uuid.UUID) (*FacilityState, error) {
	f, ok := s.facilities[id]
	if !ok {
		return nil, Errorf(NotFound, field, "no facility %s", id)
	}
	if f.Kind == Hospital {
		return nil, Errorf(Invalid, field, "%s is a hospital; use a hospital admission", f.Code)
	}
	return f, nil
}

func (s *State) partyCode(id uuid.UUID) string {
	if p, ok := s.parties[id]; ok {
		return p.Code
	}
	return id.String()
}

func requireAll(fields map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if err := requireText(k, fields[k], 2000); err != nil {
			return err
		}
	}
	return nil
}

func joinStatuses(ss []Status) string {
	out := ""
	for i, s := range ss {
		switch {
		case i == 0:
		case i == len(ss)-1:
			out += " or "
		default:
			out += ", "
		}
		out += string(s)
	}
	return out
}
