package custody

import (
	"slices"

	"github.com/google/uuid"
)

// Mandate is what a monitor party may see (CIHL 124: access to all detainees and
// premises, or as agreed): every person, or those at a list of facilities and the
// transfers and movements to and from them. It is set in the ledger, so that every
// party can see what each monitor was allowed, and since when.
type Mandate struct {
	Party      uuid.UUID   `json:"party"`
	All        bool        `json:"all"`
	Facilities []uuid.UUID `json:"facilities,omitempty"`
	Event      uint64      `json:"event"` // the ledger index that set it
}

// SetMandate sets a monitor party's mandate, replacing any earlier one.
type SetMandate struct {
	Meta
	Party      uuid.UUID
	All        bool
	Facilities []uuid.UUID
}

// MandateSet: a monitor's mandate is set. Subject: the monitor party.
type MandateSet struct {
	All        bool        `json:"all"`
	Facilities []uuid.UUID `json:"facilities,omitempty"`
}

func (MandateSet) EventType() Type { return TypeMandateSet }

// Mandate returns a monitor party's mandate.
func (s *State) Mandate(party uuid.UUID) (*Mandate, bool) { m, ok := s.mandates[party]; return m, ok }

func decideSetMandate(s *State, c SetMandate) ([]Draft, error) {
	p, ok := s.parties[c.Party]
	if !ok {
		return nil, Errorf(NotFound, "party", "no party %s", c.Party)
	}
	if p.Kind != Monitor {
		return nil, Errorf(Refused, "party", "%s is a %s, not a monitor: only monitors have mandates", p.Code, p.Kind)
	}
	if c.All && len(c.Facilities) > 0 {
		return nil, Errorf(Invalid, "facilities", "a mandate over all persons lists no facilities")
	}
	if !c.All && len(c.Facilities) == 0 {
		return nil, Errorf(Invalid, "facilities", "name the facilities the mandate covers, or all")
	}
	for i, f := range c.Facilities {
		if _, ok := s.facilities[f]; !ok {
			return nil, Errorf(NotFound, fieldAt("facilities", i), "no facility %s", f)
		}
		if slices.Index(c.Facilities, f) != i {
			return nil, Errorf(Invalid, fieldAt("facilities", i), "facility %s is listed twice", f)
		}
	}
	return []Draft{draft(c.Meta, p.ID, p.ID, &MandateSet{All: c.All, Facilities: c.Facilities})}, nil
}
