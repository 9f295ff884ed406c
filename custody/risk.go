package custody

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// RiskKind says what threatens a facility by a date.
type RiskKind string

const (
	// ControlChangeExpected: control of the facility is expected to change by the
	// date; those held there should have left before it.
	ControlChangeExpected RiskKind = "control_change"
	// BreakoutRisk: the facility is at risk of a breakout from the date.
	BreakoutRisk RiskKind = "breakout"
)

// RiskKinds lists every kind of facility risk.
var RiskKinds = []RiskKind{ControlChangeExpected, BreakoutRisk}

// FacilityRisk is the risk standing on a facility, with its deadline.
type FacilityRisk struct {
	Kind  RiskKind  `json:"kind"`
	By    time.Time `json:"by"` // the deadline
	Note  string    `json:"note,omitempty"`
	Event uint64    `json:"event"` // the ledger index of the event that set it
}

// SetFacilityRisk records, replaces or (with Clear) lifts the risk on a facility.
type SetFacilityRisk struct {
	Meta
	Facility uuid.UUID
	Kind     RiskKind
	By       time.Time
	Note     string
	Clear    bool
}

// FacilityRiskSet: a facility's risk and deadline are set, or lifted (Kind empty).
// Subject: the facility.
type FacilityRiskSet struct {
	Kind RiskKind  `json:"kind,omitempty"`
	By   time.Time `json:"by,omitzero"`
	Note string    `json:"note,omitempty"`
}

func (FacilityRiskSet) EventType() Type { return TypeFacilityRiskSet }

func decideFacilityRisk(s *State, c SetFacilityRisk) ([]Draft, error) {
	f, ok := s.facilities[c.Facility]
	if !ok {
		return nil, Errorf(NotFound, "facility", "no facility %s", c.Facility)
	}
	if c.Clear {
		if f.Risk == nil {
			return nil, Errorf(Refused, "facility", "%s carries no risk to lift", f.Code)
		}
		if c.Kind != "" || !c.By.IsZero() {
			return nil, Errorf(Invalid, "clear", "lifting a risk takes no kind or date")
		}
		if err := optionalText("note", c.Note, 2000); err != nil {
			return nil, err
		}
		return []Draft{draft(c.Meta, f.ID, f.Controller, &FacilityRiskSet{Note: c.Note})}, nil
	}
	if err := oneOf("kind", c.Kind, RiskKinds); err != nil {
		return nil, err
	}
	if c.By.IsZero() {
		return nil, Errorf(Invalid, "by", "is required: the date of the expected change or from which a breakout is feared")
	}
	if err := optionalText("note", c.Note, 2000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, f.ID, f.Controller, &FacilityRiskSet{Kind: c.Kind, By: c.By.UTC(), Note: c.Note})}, nil
}

func (s *State) applyFacilityRisk(e *Event, d *FacilityRiskSet, idx uint64) error {
	f, ok := s.facilities[e.Subject]
	if !ok {
		return fmt.Errorf("unknown facility %s", e.Subject)
	}
	if d.Kind == "" {
		f.Risk = nil
		return nil
	}
	f.Risk = &FacilityRisk{Kind: d.Kind, By: d.By, Note: d.Note, Event: idx}
	return nil
}
