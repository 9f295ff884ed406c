package custody

import (
	"slices"

	"github.com/google/uuid"
)

// IncidentType classifies an incident.
type IncidentType string

const (
	Discrepancy      IncidentType = "discrepancy" // a person not where the record says: a disappearance alert until resolved
	EscapeIncident   IncidentType = "escape"
	DeathIncident    IncidentType = "death"
	SeriousInjury    IncidentType = "serious_injury"
	MedicalEmergency IncidentType = "medical_emergency"
	UseOfForce       IncidentType = "use_of_force"
	BreakoutAttempt  IncidentType = "breakout_attempt"
	VehicleFailure   IncidentType = "vehicle_failure"
)

// IncidentTypes lists every incident type.
var IncidentTypes = []IncidentType{Discrepancy, EscapeIncident, DeathIncident, SeriousInjury, MedicalEmergency, UseOfForce, BreakoutAttempt, VehicleFailure}

// Resolution is how an incident's person, or a whole incident, is resolved.
type Resolution string

const (
	Found    Resolution = "found"   // the person is found, at a facility
	EscapedR Resolution = "escaped" // the person escaped (a person.escaped event follows)
	DiedR    Resolution = "died"    // the person died (a person.died event follows)
	ClosedR  Resolution = "closed"  // for incidents other than discrepancies: handled
)

var resolutions = []Resolution{Found, EscapedR, DiedR, ClosedR}

// Incident is something that went wrong: on a movement, at a facility, or to persons.
type Incident struct {
	ID          uuid.UUID    `json:"id"`
	Type        IncidentType `json:"type"`
	Movement    uuid.UUID    `json:"movement,omitzero"`
	Facility    uuid.UUID    `json:"facility,omitzero"`
	Persons     []uuid.UUID  `json:"persons,omitempty"`
	Description string       `json:"description"`
}

// PersonResolution is how one person named in an incident was accounted for.
type PersonResolution struct {
	Resolution Resolution `json:"resolution"`
	Event      uint64     `json:"event"`
	Note       string     `json:"note,omitempty"`
}

// IncidentState is an incident as the ledger left it.
type IncidentState struct {
	Incident
	Party  uuid.UUID `json:"party"` // the party that reported it
	Opened uint64    `json:"opened"`
	// Resolved maps a person id to their resolution.
	Resolved map[string]PersonResolution `json:"resolved"`
	Open     bool                        `json:"open"`
	Closed   *PersonResolution           `json:"closed,omitempty"` // for an incident closed as a whole
}

// Unresolved lists the persons the incident names who are not yet accounted for.
func (in *IncidentState) Unresolved() []uuid.UUID {
	var out []uuid.UUID
	for _, p := range in.Persons {
		if _, ok := in.Resolved[p.String()]; !ok {
			out = append(out, p)
		}
	}
	return out
}

// Alert reports whether the incident is a disappearance alert: a discrepancy with
// somebody still unaccounted for.
func (in *IncidentState) Alert() bool {
	return in.Type == Discrepancy && len(in.Unresolved()) > 0
}

// OpenIncident reports an incident.
type OpenIncident struct {
	Meta
	Incident Incident
}

// ResolveIncident accounts for one person of an incident, or closes an incident that
// is not a discrepancy. A discrepancy is never just closed: each person is found,
// escaped or died, and the matching custody event is recorded with the resolution.
type ResolveIncident struct {
	Meta
	Incident   uuid.UUID
	Person     uuid.UUID // nil to close the whole incident (not for discrepancies)
	Resolution Resolution
	Facility   uuid.UUID // where a person was found
	Cause      string    // of a death
	Note       string    // circumstances
}

// IncidentOpened: an incident is reported. Subject: the incident.
type IncidentOpened struct {
	Incident
}

// IncidentResolved: a person of the incident is accounted for, or the incident is
// closed. Subject: the incident.
type IncidentResolved struct {
	Person     uuid.UUID  `json:"person,omitzero"`
	Resolution Resolution `json:"resolution"`
	Note       string     `json:"note,omitempty"`
}

func (IncidentOpened) EventType() Type   { return TypeIncidentOpened }
func (IncidentResolved) EventType() Type { return TypeIncidentResolved }

// Incident returns an incident by id.
func (s *State) Incident(id uuid.UUID) (*IncidentState, bool) {
	in, ok := s.incidents[id]
	return in, ok
}

// Alerts returns the open disappearance alerts.
func (s *State) Alerts() []*IncidentState {
	var out []*IncidentState
	for _, id := range sortedIDs(s.incidents) {
		if in := s.incidents[id]; in.Alert() {
			out = append(out, in)
		}
	}
	return out
}

func decideOpenIncident(s *State, c OpenIncident) ([]Draft, error) {
	in := c.Incident
	if in.ID == uuid.Nil {
		return nil, Errorf(Invalid, "incident.id", "is required")
	}
	if _, ok := s.incidents[in.ID]; ok {
		return nil, Errorf(Conflict, "incident.id", "incident %s already exists", in.ID)
	}
	if err := oneOf("incident.type", in.Type, IncidentTypes); err != nil {
		return nil, err
	}
	if err := requireText("incident.description", in.Description, 8000); err != nil {
		return nil, err
	}
	party := c.Party
	if in.Movement != uuid.Nil {
		m, ok := s.movements[in.Movement]
		if !ok {
			return nil, Errorf(NotFound, "incident.movement", "no movement %s", in.Movement)
		}
		if party == uuid.Nil {
			party = m.Escort
		}
	}
	if in.Facility != uuid.Nil {
		f, ok := s.facilities[in.Facility]
		if !ok {
			return nil, Errorf(NotFound, "incident.facility", "no facility %s", in.Facility)
		}
		if party == uuid.Nil {
			party = f.Controller
		}
	}
	if in.Movement == uuid.Nil && in.Facility == uuid.Nil && len(in.Persons) == 0 {
		return nil, Errorf(Invalid, "incident", "name the movement, the facility or the persons it concerns")
	}
	if in.Type == Discrepancy && len(in.Persons) == 0 {
		return nil, Errorf(Invalid, "incident.persons", "a discrepancy names the persons unaccounted for")
	}
	for i, id := range in.Persons {
		p, ok := s.persons[id]
		if !ok {
			return nil, Errorf(NotFound, fieldAt("incident.persons", i), "no person %s", id)
		}
		if slices.Index(in.Persons, id) != i {
			return nil, Errorf(Invalid, fieldAt("incident.persons", i), "person %s is listed twice", p.Record.RegNo)
		}
		if party == uuid.Nil {
			party = p.Custody.Custodian
		}
	}
	return []Draft{draft(c.Meta, in.ID, party, &IncidentOpened{in})}, nil
}

func decideResolveIncident(s *State, c ResolveIncident) ([]Draft, error) {
	in, ok := s.incidents[c.Incident]
	if !ok {
		return nil, Errorf(NotFound, "incident", "no incident %s", c.Incident)
	}
	if !in.Open {
		return nil, Errorf(Refused, "incident", "incident %s is already resolved", in.ID)
	}
	if err := oneOf("resolution", c.Resolution, resolutions); err != nil {
		return nil, err
	}
	if err := optionalText("note", c.Note, 4000); err != nil {
		return nil, err
	}
	res := &IncidentResolved{Person: c.Person, Resolution: c.Resolution, Note: c.Note}
	if c.Person == uuid.Nil {
		if c.Resolution != ClosedR {
			return nil, Errorf(Invalid, "person", "is required to resolve an incident as %s", c.Resolution)
		}
		if in.Type == Discrepancy {
			return nil, Errorf(Refused, "resolution", "a discrepancy is never just closed: account for each person (found, escaped or died)")
		}
		if err := requireText("note", c.Note, 4000); err != nil {
			return nil, err
		}
		return []Draft{draft(c.Meta, in.ID, in.Party, res)}, nil
	}
	if !slices.Contains(in.Persons, c.Person) {
		return nil, Errorf(NotFound, "person", "incident %s does not name person %s", in.ID, c.Person)
	}
	if _, done := in.Resolved[c.Person.String()]; done {
		return nil, Errorf(Conflict, "person", "person %s is already accounted for in incident %s", c.Person, in.ID)
	}
	p := s.persons[c.Person]
	var custodyCmd Command
	switch c.Resolution {
	case ClosedR:
		if in.Type == Discrepancy {
			return nil, Errorf(Refused, "resolution", "a discrepancy is never just closed: say whether the person was found, escaped or died")
		}
	case Found:
		f, err := s.destination("facility", c.Facility)
		if err != nil {
			return nil, err
		}
		if !(p.Custody.Status == Held && p.Custody.Facility == f.ID) {
			custodyCmd = AdmitPerson{Meta: c.Meta, Person: c.Person, Facility: f.ID, Note: "found: incident " + in.ID.String(), found: true}
		}
	case EscapedR:
		custodyCmd = RecordEscape{Meta: c.Meta, Person: c.Person, Circumstances: nonEmpty(c.Note, "escaped: incident "+in.ID.String())}
	case DiedR:
		custodyCmd = RecordDeath{Meta: c.Meta, Person: c.Person, Cause: c.Cause, Circumstances: nonEmpty(c.Note, "incident "+in.ID.String())}
	}
	var out []Draft
	if custodyCmd != nil {
		ds, err := decideCustody(s, custodyCmd)
		if err != nil {
			return nil, err
		}
		out = ds
	}
	return append(out, draft(c.Meta, in.ID, p.Custody.Custodian, res)), nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
