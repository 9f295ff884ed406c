package custody

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Mode is how a movement travels.
type Mode string

const (
	Convoy Mode = "convoy"
	Flight Mode = "flight"
)

var modes = []Mode{Convoy, Flight}

// Vehicle is one vehicle or aircraft of a movement.
type Vehicle struct {
	ID    string `json:"id"`   // plate, call sign or tail number
	Kind  string `json:"kind"` // "bus", "truck", "C-130"…
	Seats int    `json:"seats"`
}

// Seat puts a person on a vehicle.
type Seat struct {
	Person  uuid.UUID `json:"person"`
	Vehicle string    `json:"vehicle"`
}

// Rule names a check made when a manifest is built.
type Rule string

const (
	SeparationRule Rule = "separation" // docs/standards.md §D
	CapacityRule   Rule = "capacity"   // the destination's places by category
)

var rules = []Rule{SeparationRule, CapacityRule}

// Breach is one failed check of a manifest.
type Breach struct {
	Rule    Rule   `json:"rule"`
	Vehicle string `json:"vehicle,omitempty"`
	Message string `json:"message"`
}

// ManifestOverride accepts the breaches of one rule, for a recorded reason.
type ManifestOverride struct {
	Rule   Rule   `json:"rule"`
	Reason string `json:"reason"`
}

// Movement is one physical batch: a convoy or flight, its escort and its manifest.
type Movement struct {
	ID               uuid.UUID `json:"id"`
	Transfer         uuid.UUID `json:"transfer"`
	Escort           uuid.UUID `json:"escort"` // the escort party
	Mode             Mode      `json:"mode"`
	Vehicles         []Vehicle `json:"vehicles"`
	PlannedDeparture time.Time `json:"planned_departure"`
	// Conditions records food, water, medical care and vehicle conditions (GCIII 46; SMR 73).
	Conditions string `json:"conditions,omitempty"`
	Manifest   []Seat `json:"manifest"`
}

// MovementStatus is where a movement stands.
type MovementStatus string

const (
	PlannedMovement    MovementStatus = "planned"
	DepartedMovement   MovementStatus = "departed"
	ArrivedMovement    MovementStatus = "arrived"
	ReconciledMovement MovementStatus = "reconciled"
	CancelledMovement  MovementStatus = "cancelled"
)

// HandoverRecord summarises an accepted handover.
type HandoverRecord struct {
	Document  uuid.UUID   `json:"document"`
	Event     uint64      `json:"event"`
	At        time.Time   `json:"at"`
	Place     string      `json:"place"`
	From      Officer     `json:"from"`
	To        Officer     `json:"to"`
	HeadCount int         `json:"head_count"`
	Present   []uuid.UUID `json:"present"`
	// NotPresent maps each person not handed over to the outcome recorded.
	NotPresent map[string]Outcome `json:"not_present,omitempty"`
}

// MovementState is a movement as the ledger left it.
type MovementState struct {
	Movement
	From      uuid.UUID          `json:"from"` // facility
	To        uuid.UUID          `json:"to"`   // facility
	Status    MovementStatus     `json:"status"`
	Breaches  []Breach           `json:"breaches,omitempty"` // accepted by Overrides
	Overrides []ManifestOverride `json:"overrides,omitempty"`
	Departure *HandoverRecord    `json:"departure,omitempty"`
	Arrival   *HandoverRecord    `json:"arrival,omitempty"`
	Incidents []uuid.UUID        `json:"incidents,omitempty"`
	Planned   uint64             `json:"planned"`
	Cancelled string             `json:"cancelled,omitempty"`
}

// Commands.

// PlanMovement plans a movement on a transfer, with its manifest.
type PlanMovement struct {
	Meta
	Movement  Movement
	Overrides []ManifestOverride
}

// SetManifest replaces the manifest of a planned movement.
type SetManifest struct {
	Meta
	Movement  uuid.UUID
	Manifest  []Seat
	Overrides []ManifestOverride
	// IfMatch, when not empty, is the versions of the movement (see RecordVersion) the
	// manifest may replace, as an HTTP If-Match lists them ("*": any): it is
	// checked in the decision itself, against the movement as the ledger has it.
	IfMatch string
}

// CancelMovement cancels a planned movement.
type CancelMovement struct {
	Meta
	Movement uuid.UUID
	Reason   string
}

// Payloads.

// MovementPlanned: a movement is planned. Subject: the movement.
type MovementPlanned struct {
	Movement
	Breaches  []Breach           `json:"breaches,omitempty"`
	Overrides []ManifestOverride `json:"overrides,omitempty"`
}

// ManifestSet: a planned movement's manifest is replaced. Subject: the movement.
type ManifestSet struct {
	Manifest  []Seat             `json:"manifest"`
	Breaches  []Breach           `json:"breaches,omitempty"`
	Overrides []ManifestOverride `json:"overrides,omitempty"`
}

// MovementCancelled: a planned movement will not go. Subject: the movement.
type MovementCancelled struct {
	Reason string `json:"reason"`
}

func (MovementPlanned) EventType() Type   { return TypeMovementPlanned }
func (ManifestSet) EventType() Type       { return TypeManifestSet }
func (MovementCancelled) EventType() Type { return TypeMovementCancelled }

// Movement returns a movement by id.
func (s *State) Movement(id uuid.UUID) (*MovementState, bool) { m, ok := s.movements[id]; return m, ok }

// Transfer returns a transfer by id.
func (s *State) Transfer(id uuid.UUID) (*TransferState, bool) { t, ok := s.transfers[id]; return t, ok }

// Campaign returns a campaign by id.
func (s *State) Campaign(id uuid.UUID) (*CampaignState, bool) { c, ok := s.campaigns[id]; return c, ok }

func decidePlanMovement(s *State, c PlanMovement) ([]Draft, error) {
	m := c.Movement
	if m.ID == uuid.Nil {
		return nil, Errorf(Invalid, "movement.id", "is required")
	}
	if _, ok := s.movements[m.ID]; ok {
		return nil, Errorf(Conflict, "movement.id", "movement %s already exists", m.ID)
	}
	t, err := s.openTransfer(m.Transfer)
	if err != nil {
		return nil, within("movement", err)
	}
	if _, ok := s.parties[m.Escort]; !ok {
		return nil, Errorf(NotFound, "movement.escort", "no party %s", m.Escort)
	}
	if err := oneOf("movement.mode", m.Mode, modes); err != nil {
		return nil, err
	}
	if m.PlannedDeparture.IsZero() {
		return nil, Errorf(Invalid, "movement.planned_departure", "is required")
	}
	if err := optionalText("movement.conditions", m.Conditions, 4000); err != nil {
		return nil, err
	}
	if len(m.Vehicles) == 0 {
		return nil, Errorf(Invalid, "movement.vehicles", "name at least one vehicle")
	}
	for i, v := range m.Vehicles {
		f := fieldAt("movement.vehicles", i)
		if err := requireCode(f+".id", v.ID, 40); err != nil {
			return nil, err
		}
		if err := optionalText(f+".kind", v.Kind, 80); err != nil {
			return nil, err
		}
		if v.Seats < 1 || v.Seats > 1000 {
			return nil, Errorf(Invalid, f+".seats", "must be between 1 and 1000; got %d", v.Seats)
		}
		if slices.IndexFunc(m.Vehicles, func(o Vehicle) bool { return o.ID == v.ID }) != i {
			return nil, Errorf(Invalid, f+".id", "vehicle %q is listed twice", v.ID)
		}
	}
	breaches, err := s.checkManifest(t, m.ID, m.Vehicles, m.Manifest, "movement.manifest")
	if err != nil {
		return nil, err
	}
	if err := acceptBreaches(breaches, c.Overrides); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, m.ID, m.Escort, &MovementPlanned{Movement: m, Breaches: breaches, Overrides: c.Overrides})}, nil
}

func decideSetManifest(s *State, c SetManifest) ([]Draft, error) {
	m, ok := s.movements[c.Movement]
	if !ok {
		return nil, Errorf(NotFound, "movement", "no movement %s", c.Movement)
	}
	if c.IfMatch != "" {
		if v := RecordVersion(m); !VersionMatches(c.IfMatch, v) {
			return nil, Errorf(Stale, "if_match", "the movement has changed since that version; read it again (its version is %s)", v)
		}
	}
	if m.Status != PlannedMovement {
		return nil, Errorf(Refused, "movement", "movement %s is %s: its manifest was fixed at departure", m.ID, m.Status)
	}
	t, err := s.openTransfer(m.Transfer)
	if err != nil {
		return nil, err
	}
	breaches, err := s.checkManifest(t, m.ID, m.Vehicles, c.Manifest, "manifest")
	if err != nil {
		return nil, err
	}
	if err := acceptBreaches(breaches, c.Overrides); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, m.ID, m.Escort, &ManifestSet{Manifest: c.Manifest, Breaches: breaches, Overrides: c.Overrides})}, nil
}

func decideCancelMovement(s *State, c CancelMovement) ([]Draft, error) {
	m, ok := s.movements[c.Movement]
	if !ok {
		return nil, Errorf(NotFound, "movement", "no movement %s", c.Movement)
	}
	if m.Status != PlannedMovement {
		return nil, Errorf(Refused, "movement", "movement %s is %s: only a planned movement can be cancelled", m.ID, m.Status)
	}
	if err := requireText("reason", c.Reason, 2000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, m.ID, m.Escort, &MovementCancelled{Reason: c.Reason})}, nil
}

// acceptBreaches refuses a manifest whose breaches are not all overridden, and an
// override that names no breach or gives no reason.
func acceptBreaches(breaches []Breach, overrides []ManifestOverride) error {
	for i, o := range overrides {
		f := fieldAt("overrides", i)
		if err := oneOf(f+".rule", o.Rule, rules); err != nil {
			return err
		}
		if err := requireText(f+".reason", o.Reason, 4000); err != nil {
			return err
		}
		if !slices.ContainsFunc(breaches, func(b Breach) bool { return b.Rule == o.Rule }) {
			return Errorf(Invalid, f+".rule", "the manifest does not breach the %s rule: there is nothing to override", o.Rule)
		}
	}
	var unaccepted []string
	for _, b := range breaches {
		if !slices.ContainsFunc(overrides, func(o ManifestOverride) bool { return o.Rule == b.Rule }) {
			unaccepted = append(unaccepted, b.Message)
		}
	}
	if len(unaccepted) > 0 {
		return Errorf(Refused, "manifest", "%s (an override with a reason is needed to accept this)", strings.Join(unaccepted, "; "))
	}
	return nil
}

// checkManifest validates a manifest and returns its breaches of separation and
// capacity. Errors (an unknown person, an overfull vehicle) cannot be overridden.
func (s *State) checkManifest(t *TransferState, movement uuid.UUID, vehicles []Vehicle, manifest []Seat, field string) ([]Breach, error) {
	if len(manifest) == 0 {
		return nil, Errorf(Invalid, field, "name at least one person")
	}
	seats := map[string]int{}
	for _, v := range vehicles {
		seats[v.ID] = v.Seats
	}
	byVehicle := map[string][]*PersonState{}
	seen := map[uuid.UUID]bool{}
	for i, st := range manifest {
		f := fieldAt(field, i)
		tp, ok := t.byPerson[st.Person]
		if !ok {
			return nil, Errorf(Refused, f+".person", "person %s is not on transfer %s", st.Person, t.ID)
		}
		if seen[st.Person] {
			return nil, Errorf(Invalid, f+".person", "person %s is listed twice", tp.RegNo)
		}
		seen[st.Person] = true
		if tp.Stage != StageWaiting {
			return nil, Errorf(Refused, f+".person", "person %s has already left (%s)", tp.RegNo, tp.Stage)
		}
		if tp.Movement != uuid.Nil && tp.Movement != movement {
			if om := s.movements[tp.Movement]; om != nil && om.Status == PlannedMovement {
				return nil, Errorf(Conflict, f+".person", "person %s is on the manifest of movement %s", tp.RegNo, tp.Movement)
			}
		}
		if _, ok := seats[st.Vehicle]; !ok {
			return nil, Errorf(Invalid, f+".vehicle", "no vehicle %q on this movement", st.Vehicle)
		}
		byVehicle[st.Vehicle] = append(byVehicle[st.Vehicle], s.persons[st.Person])
	}
	var breaches []Breach
	for _, v := range vehicles {
		ps := byVehicle[v.ID]
		if len(ps) > v.Seats {
			return nil, Errorf(Invalid, field, "vehicle %s has %d seats but %d persons are put on it", v.ID, v.Seats, len(ps))
		}
		breaches = append(breaches, separation(v.ID, ps)...)
	}
	// Households stay together: every member on this transfer rides the same vehicle.
	vehicleOf := map[uuid.UUID]string{}
	for _, st := range manifest {
		vehicleOf[st.Person] = st.Vehicle
	}
	reported := map[uuid.UUID]bool{}
	for _, st := range manifest {
		p := s.persons[st.Person]
		h := p.Record.Household
		if h == uuid.Nil || reported[h] {
			continue
		}
		for _, tp := range t.People {
			q := s.persons[tp.Person]
			if q.Record.Household != h || tp.Stage != StageWaiting || q.Record.ID == p.Record.ID {
				continue
			}
			if v, ok := vehicleOf[q.Record.ID]; !ok || v != st.Vehicle {
				where := "is not on this movement"
				if ok {
					where = "rides vehicle " + v
				}
				breaches = append(breaches, Breach{Rule: SeparationRule, Vehicle: st.Vehicle,
					Message: fmt.Sprintf("household split: %s rides vehicle %s but %s %s", p.Record.RegNo, st.Vehicle, q.Record.RegNo, where)})
				reported[h] = true
				break
			}
		}
	}
	// Capacity of the destination by category, counting what is already on its way.
	to := s.facilities[t.To]
	need := map[Category]int{}
	for _, st := range manifest {
		need[s.persons[st.Person].Record.Category]++
	}
	inbound := map[Category]int{}
	for _, om := range s.movements {
		if om.ID == movement || om.To != to.ID || om.Status != PlannedMovement && om.Status != DepartedMovement {
			continue
		}
		if om.Status == DepartedMovement && om.Departure != nil {
			for _, id := range om.Departure.Present {
				inbound[s.persons[id].Record.Category]++
			}
			continue
		}
		for _, st := range om.Manifest {
			inbound[s.persons[st.Person].Record.Category]++
		}
	}
	for _, cat := range categories {
		if need[cat] == 0 {
			continue
		}
		free := to.Capacities[cat] - to.Population[cat] - inbound[cat]
		if need[cat] > free {
			breaches = append(breaches, Breach{Rule: CapacityRule,
				Message: fmt.Sprintf("%s has %d free places for %s (capacity %d, held %d, on the way %d) but the manifest brings %d",
					to.Code, max(free, 0), cat, to.Capacities[cat], to.Population[cat], inbound[cat], need[cat])})
		}
	}
	return breaches, nil
}

func isMinor(p *Person) bool { return p.Category == Minor || p.Category == UnaccompaniedMinor }

// separation checks docs/standards.md §D within one vehicle: men apart from women unless
// of one household, children apart from adults who are not of their household.
func separation(vehicle string, ps []*PersonState) []Breach {
	var out []Breach
	var man, woman *PersonState
	for _, p := range ps {
		if isMinor(&p.Record) {
			continue
		}
		switch p.Record.Sex {
		case Male:
			if man == nil {
				man = p
			}
		case Female:
			if woman == nil {
				woman = p
			}
		}
	}
	if man != nil && woman != nil {
		for _, a := range ps {
			if isMinor(&a.Record) || a.Record.Sex != Male {
				continue
			}
			for _, b := range ps {
				if isMinor(&b.Record) || b.Record.Sex != Female {
					continue
				}
				if a.Record.Household == uuid.Nil || a.Record.Household != b.Record.Household {
					out = append(out, Breach{Rule: SeparationRule, Vehicle: vehicle,
						Message: fmt.Sprintf("vehicle %s carries men and women who are not one household (%s and %s)", vehicle, a.Record.RegNo, b.Record.RegNo)})
					goto children
				}
			}
		}
	}
children:
	for _, child := range ps {
		if !isMinor(&child.Record) {
			continue
		}
		for _, a := range ps {
			if isMinor(&a.Record) {
				continue
			}
			if child.Record.Household == uuid.Nil || a.Record.Household != child.Record.Household {
				out = append(out, Breach{Rule: SeparationRule, Vehicle: vehicle,
					Message: fmt.Sprintf("vehicle %s carries child %s with unrelated adult %s", vehicle, child.Record.RegNo, a.Record.RegNo)})
				return out
			}
		}
	}
	return out
}
