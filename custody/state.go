package custody

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Status is where a person stands in custody.
type Status string

const (
	Held         Status = "held"         // at a facility, in the custody of a party
	Hospitalised Status = "hospitalised" // at a hospital facility, still in custody
	InTransit    Status = "in_transit"   // on a movement, in the escort's custody
	Escaped      Status = "escaped"      // not held; the last custodian stays responsible
	Released     Status = "released"     // ended
	Repatriated  Status = "repatriated"  // ended
	Deceased     Status = "deceased"     // ended
)

// Statuses lists every status, in the order reports use.
var Statuses = []Status{Held, Hospitalised, InTransit, Escaped, Released, Repatriated, Deceased}

// Ended reports whether custody is over.
func (s Status) Ended() bool { return s == Released || s == Repatriated || s == Deceased }

// AtFacility reports whether a person with this status occupies a place in a facility.
func (s Status) AtFacility() bool { return s == Held || s == Hospitalised }

// Custody is the current custody state of one person.
type Custody struct {
	Status    Status    `json:"status"`
	Custodian uuid.UUID `json:"custodian"`         // the party responsible; for ended custody, the last one
	Facility  uuid.UUID `json:"facility,omitzero"` // where the person is, when at a facility
	Return    uuid.UUID `json:"return,omitzero"`   // while hospitalised: the facility to return to
	Movement  uuid.UUID `json:"movement,omitzero"` // while in transit: the movement
	Since     time.Time `json:"since"`             // occurred_at of the event that set this state
	Event     uint64    `json:"event"`             // ledger index of that event
	// Transfer is the open transfer the person is on, if any.
	Transfer uuid.UUID `json:"transfer,omitzero"`
	// Flags are the flags of docs/standards.md §J that stand on the person, recorded or
	// computed, except NotificationOverdue, which FlagsAt adds by the clock.
	Flags []Flag `json:"flags,omitempty"`
	// NotifyBy is the earliest deadline of the person's open notifications.
	NotifyBy time.Time `json:"notify_by,omitzero"`
	// Linked lists the records found to hold the same person (see LinkPersons);
	// Distinct those found to hold a different person proposed as a duplicate.
	Linked   []uuid.UUID `json:"linked,omitempty"`
	Distinct []uuid.UUID `json:"distinct,omitempty"`
}

// PersonState is a person's record and custody.
type PersonState struct {
	Record  Person  `json:"person"`
	Custody Custody `json:"custody"`
}

// FacilityState is a facility with its current controlling party and population.
type FacilityState struct {
	Facility
	Controller uuid.UUID `json:"controller"`
	// History lists every control period, oldest first; the last is current.
	History    []ControlPeriod  `json:"history"`
	Population map[Category]int `json:"population"`
	// Risk is the risk standing on the facility, with its deadline, if any.
	Risk *FacilityRisk `json:"risk,omitempty"`
}

// ControlPeriod is a span during which one party controlled a facility.
type ControlPeriod struct {
	Party      uuid.UUID `json:"party"`
	Since      time.Time `json:"since"`
	Event      uint64    `json:"event"`
	Unilateral bool      `json:"unilateral,omitempty"`
	// Signed says both parties' officers signed the change (see ControlDocument).
	Signed bool `json:"signed,omitempty"`
}

// Total is the facility's population over all categories.
func (f *FacilityState) Total() int {
	n := 0
	for _, c := range f.Population {
		n += c
	}
	return n
}

// State is the projection of the ledger that decisions are made against. The zero
// value is not usable; call NewState. A State is not safe for concurrent use: one
// sequencer owns it.
type State struct {
	size        uint64
	parties     map[uuid.UUID]*Party
	partyCodes  map[string]uuid.UUID
	facilities  map[uuid.UUID]*FacilityState
	facCodes    map[string]uuid.UUID
	persons     map[uuid.UUID]*PersonState
	regNos      map[string]uuid.UUID
	identifiers map[string]uuid.UUID // identifierKey → person
	serials     map[string]int       // series → highest number given out

	keys          map[uuid.UUID]*OfficerKey
	campaigns     map[uuid.UUID]*CampaignState
	transfers     map[uuid.UUID]*TransferState
	movements     map[uuid.UUID]*MovementState
	incidents     map[uuid.UUID]*IncidentState
	notifications map[uuid.UUID]*Notification
	mandates      map[uuid.UUID]*Mandate
	handovers     map[uuid.UUID]bool        // handover documents accepted
	households    map[uuid.UUID][]uuid.UUID // household → its members
	// transfersOf, incidentsOf and notificationsOf index by person, for flags.
	transfersOf     map[uuid.UUID][]uuid.UUID
	incidentsOf     map[uuid.UUID][]uuid.UUID
	notificationsOf map[uuid.UUID][]uuid.UUID

	// touched records what events changed, when tracking is on (see Track).
	tracking       bool
	touchedPersons map[uuid.UUID]bool
	touchedDocs    map[DocRef]bool
}

// NewState returns the state of an empty ledger.
func NewState() *State {
	return &State{
		parties: map[uuid.UUID]*Party{}, partyCodes: map[string]uuid.UUID{},
		facilities: map[uuid.UUID]*FacilityState{}, facCodes: map[string]uuid.UUID{},
		persons: map[uuid.UUID]*PersonState{}, regNos: map[string]uuid.UUID{},
		identifiers: map[string]uuid.UUID{}, serials: map[string]int{},
		keys: map[uuid.UUID]*OfficerKey{}, campaigns: map[uuid.UUID]*CampaignState{},
		transfers: map[uuid.UUID]*TransferState{}, movements: map[uuid.UUID]*MovementState{},
		incidents: map[uuid.UUID]*IncidentState{}, notifications: map[uuid.UUID]*Notification{},
		mandates: map[uuid.UUID]*Mandate{}, handovers: map[uuid.UUID]bool{}, households: map[uuid.UUID][]uuid.UUID{},
		transfersOf: map[uuid.UUID][]uuid.UUID{}, incidentsOf: map[uuid.UUID][]uuid.UUID{}, notificationsOf: map[uuid.UUID][]uuid.UUID{},
		touchedPersons: map[uuid.UUID]bool{}, touchedDocs: map[DocRef]bool{},
	}
}

// Size is the number of events applied: the index the next event will get.
func (s *State) Size() uint64 { return s.size }

// Party returns a party by id.
func (s *State) Party(id uuid.UUID) (*Party, bool) { p, ok := s.parties[id]; return p, ok }

// PartyByCode returns a party by its code.
func (s *State) PartyByCode(code string) (*Party, bool) { return s.Party(s.partyCodes[code]) }

// Facility returns a facility by id.
func (s *State) Facility(id uuid.UUID) (*FacilityState, bool) {
	f, ok := s.facilities[id]
	return f, ok
}

// FacilityByCode returns a facility by its code.
func (s *State) FacilityByCode(code string) (*FacilityState, bool) {
	return s.Facility(s.facCodes[code])
}

// Person returns a person by id.
func (s *State) Person(id uuid.UUID) (*PersonState, bool) { p, ok := s.persons[id]; return p, ok }

// PersonByRegNo returns a person by registration number.
func (s *State) PersonByRegNo(regNo string) (*PersonState, bool) { return s.Person(s.regNos[regNo]) }

// Parties, Facilities and Persons iterate over all entities in no particular order.
func (s *State) Parties() map[uuid.UUID]*Party            { return s.parties }
func (s *State) Facilities() map[uuid.UUID]*FacilityState { return s.facilities }
func (s *State) Persons() map[uuid.UUID]*PersonState      { return s.persons }

func identifierKey(id Identifier) string {
	return string(id.Kind) + "\x00" + id.Issuer + "\x00" + strings.ToUpper(strings.TrimSpace(id.Value))
}

// Apply advances the state by one event, which must be the event at ledger index
// s.Size(). It trusts that the event was decided against this state; an event that
// does not fit (an unknown subject, say) is an error, and the state is then unusable.
func (s *State) Apply(e *Event) error {
	if err := s.apply(e); err != nil {
		return fmt.Errorf("apply event %d (%s %s): %w", s.size, e.Type, e.ID, err)
	}
	s.size++
	return nil
}

func (s *State) apply(e *Event) error {
	idx := s.size
	switch d := e.Data.(type) {
	case *PartyRegistered:
		p := d.Party
		s.parties[p.ID] = &p
		s.partyCodes[p.Code] = p.ID
	case *FacilityRegistered:
		f := &FacilityState{Facility: d.Facility, Controller: d.ControllingParty, Population: map[Category]int{}}
		f.History = []ControlPeriod{{Party: d.ControllingParty, Since: e.OccurredAt, Event: idx}}
		s.facilities[f.ID] = f
		s.facCodes[f.Code] = f.ID
	case *FacilityControlChanged:
		f, ok := s.facilities[e.Subject]
		if !ok {
			return fmt.Errorf("unknown facility %s", e.Subject)
		}
		f.Controller = d.To
		f.History = append(f.History, ControlPeriod{Party: d.To, Since: e.OccurredAt, Event: idx, Unilateral: d.Unilateral, Signed: len(d.Document) > 0})
		if len(d.Document) > 0 {
			doc, err := ParseControlDocument(d.Document)
			if err != nil {
				return err
			}
			s.handovers[doc.ID] = true
		}
	case *FacilityRiskSet:
		return s.applyFacilityRisk(e, d, idx)
	case *PersonRegistered:
		p := &PersonState{Record: d.Person}
		s.persons[p.Record.ID] = p
		s.indexRecord(&p.Record)
		return s.place(p, Custody{Status: Held, Custodian: d.Custodian, Facility: d.Facility}, e, idx)
	case *RecordCorrected:
		p, err := s.person(e)
		if err != nil {
			return err
		}
		s.unindexRecord(&p.Record)
		if old, cat := p.Record.Category, d.Person.Category; old != cat && p.Custody.Status.AtFacility() {
			f := s.facilities[p.Custody.Facility]
			f.Population[old]--
			f.Population[cat]++
		}
		p.Record = d.Person
		s.indexRecord(&p.Record)
		s.touchPerson(p)
	case *PersonLinked, *PersonUnlinked, *PersonsDistinct:
		return s.applyLink(e)
	case *KeyRegistered, *KeyRevoked, *CampaignCreated, *TransferProposed, *SafeguardRecorded, *SafeguardOverridden,
		*TransferApproved, *TransferCancelled, *MovementPlanned, *ManifestSet, *MovementCancelled, *HandedOver,
		*MovementReconciled, *IncidentOpened, *IncidentResolved, *NotificationCompleted, *MandateSet:
		return s.applyOps(e, idx)
	default:
		p, err := s.person(e)
		if err != nil {
			return err
		}
		c, err := nextCustody(p.Custody, e)
		if err != nil {
			return err
		}
		if err := s.place(p, c, e, idx); err != nil {
			return err
		}
		return s.afterCustody(p, e, idx)
	}
	return nil
}

func (s *State) person(e *Event) (*PersonState, error) {
	p, ok := s.persons[e.Subject]
	if !ok {
		return nil, fmt.Errorf("unknown person %s", e.Subject)
	}
	return p, nil
}

// nextCustody is the custody a person-custody event leads to from the current one.
func nextCustody(cur Custody, e *Event) (Custody, error) {
	c := Custody{Custodian: cur.Custodian, Linked: cur.Linked, Distinct: cur.Distinct}
	switch d := e.Data.(type) {
	case *PersonAdmitted:
		c.Status, c.Custodian, c.Facility = Held, d.Custodian, d.Facility
	case *PersonDeparted:
		c.Status, c.Custodian, c.Movement = InTransit, d.Escort, d.Movement
	case *PersonArrived:
		c.Status, c.Custodian, c.Facility = Held, d.Custodian, d.Facility
	case *CustodianChanged:
		c = cur
		c.Custodian = d.To
	case *PersonReleased:
		c.Status = Released
	case *PersonRepatriated:
		c.Status = Repatriated
	case *PersonDied:
		c.Status = Deceased
	case *PersonEscaped:
		c.Status = Escaped
	case *PersonRecaptured:
		c.Status, c.Custodian, c.Facility = Held, d.Custodian, d.Facility
	case *HospitalAdmitted:
		c.Status, c.Facility, c.Return = Hospitalised, d.Hospital, cur.Facility
	case *HospitalReturned:
		c.Status, c.Facility = Held, d.Facility
	default:
		return cur, fmt.Errorf("no custody rule for %T", e.Data)
	}
	return c, nil
}

// place moves a person to custody c, keeping facility populations in step.
func (s *State) place(p *PersonState, c Custody, e *Event, idx uint64) error {
	cat := p.Record.Category
	if p.Custody.Status.AtFacility() {
		if f, ok := s.facilities[p.Custody.Facility]; ok {
			f.Population[cat]--
		}
	}
	if c.Status.AtFacility() {
		f, ok := s.facilities[c.Facility]
		if !ok {
			return fmt.Errorf("unknown facility %s", c.Facility)
		}
		f.Population[cat]++
	}
	c.Since, c.Event = e.OccurredAt, idx
	c.Transfer, c.Flags, c.NotifyBy = p.Custody.Transfer, p.Custody.Flags, p.Custody.NotifyBy
	p.Custody = c
	s.touchPerson(p)
	return nil
}

func (s *State) indexRecord(p *Person) {
	s.regNos[p.RegNo] = p.ID
	if p.Household != uuid.Nil && !slices.Contains(s.households[p.Household], p.ID) {
		s.households[p.Household] = append(s.households[p.Household], p.ID)
	}
	for _, id := range p.Identifiers {
		s.identifiers[identifierKey(id)] = p.ID
	}
	if series, n, ok := splitRegNo(p.RegNo); ok && n > s.serials[series] {
		s.serials[series] = n
	}
}

func (s *State) unindexRecord(p *Person) {
	delete(s.regNos, p.RegNo)
	if p.Household != uuid.Nil {
		s.households[p.Household] = slices.DeleteFunc(s.households[p.Household], func(id uuid.UUID) bool { return id == p.ID })
	}
	for _, id := range p.Identifiers {
		delete(s.identifiers, identifierKey(id))
	}
}

// splitRegNo splits "HSK-000150" into "HSK" and 150.
func splitRegNo(r string) (string, int, bool) {
	series, num, ok := strings.Cut(r, "-")
	if !ok {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	return series, n, err == nil
}

// NextRegNo is the registration number the next person registered in a series gets.
func (s *State) NextRegNo(series string) string {
	return fmt.Sprintf("%s-%06d", series, s.serials[series]+1)
}
