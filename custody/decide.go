package custody

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/google/uuid"
)

// Decide returns the events that cmd produces against state s, or an *Error saying
// why it is refused. It does not change s: the caller seals the drafts, appends them
// and applies them, in order, before deciding the next command.
func Decide(s *State, cmd Command) ([]Draft, error) {
	m := cmd.meta()
	if h, ok := cmd.(SubmitHandover); ok {
		return decideHandover(s, h) // its time is the signed document's
	}
	if m.OccurredAt.IsZero() {
		return nil, Errorf(Invalid, "occurred_at", "is required")
	}
	if err := requireText("actor", m.Actor, 200); err != nil {
		return nil, err
	}
	if m.Party != uuid.Nil {
		if _, ok := s.parties[m.Party]; !ok {
			return nil, Errorf(NotFound, "party", "no party %s", m.Party)
		}
	}
	switch c := cmd.(type) {
	case RegisterParty:
		return decideRegisterParty(s, c)
	case RegisterFacility:
		return decideRegisterFacility(s, c)
	case ChangeFacilityControl:
		return decideControlChange(s, c)
	case SetFacilityRisk:
		return decideFacilityRisk(s, c)
	case RegisterPerson:
		return decideRegisterPerson(s, c)
	case ImportPersons:
		return decideImport(s, c)
	case CorrectRecord:
		return decideCorrection(s, c)
	case RegisterKey:
		return decideRegisterKey(s, c)
	case RevokeKey:
		return decideRevokeKey(s, c)
	case CreateCampaign:
		return decideCreateCampaign(s, c)
	case ProposeTransfer:
		return decideProposeTransfer(s, c)
	case RecordSafeguard:
		return decideRecordSafeguard(s, c)
	case OverrideSafeguard:
		return decideOverride(s, c)
	case ApproveTransfer:
		return decideApprove(s, c)
	case CancelTransfer:
		return decideCancelTransfer(s, c)
	case PlanMovement:
		return decidePlanMovement(s, c)
	case SetManifest:
		return decideSetManifest(s, c)
	case CancelMovement:
		return decideCancelMovement(s, c)
	case OpenIncident:
		return decideOpenIncident(s, c)
	case ResolveIncident:
		return decideResolveIncident(s, c)
	case CompleteNotification:
		return decideCompleteNotification(s, c)
	case SetMandate:
		return decideSetMandate(s, c)
	case LinkPersons:
		return decideLink(s, c)
	case UnlinkPersons:
		return decideUnlink(s, c)
	case DistinguishPersons:
		return decideDistinguish(s, c)
	default:
		return decideCustody(s, cmd)
	}
}

// draft builds one draft, defaulting the acting party to def.
func draft(m Meta, subject, def uuid.UUID, d Payload) Draft {
	party := m.Party
	if party == uuid.Nil {
		party = def
	}
	return Draft{Subject: subject, Party: party, Actor: m.Actor, OccurredAt: m.OccurredAt, Data: d}
}

func decideRegisterParty(s *State, c RegisterParty) ([]Draft, error) {
	if err := c.Party.Validate(); err != nil {
		return nil, within("party", err)
	}
	if _, ok := s.parties[c.Party.ID]; ok {
		return nil, Errorf(Conflict, "party.id", "party %s is already registered", c.Party.ID)
	}
	if _, ok := s.partyCodes[c.Party.Code]; ok {
		return nil, Errorf(Conflict, "party.code", "a party with code %s is already registered", c.Party.Code)
	}
	return []Draft{draft(c.Meta, c.Party.ID, c.Party.ID, &PartyRegistered{c.Party})}, nil
}

func decideRegisterFacility(s *State, c RegisterFacility) ([]Draft, error) {
	f := c.Facility
	if err := f.Validate(); err != nil {
		return nil, within("facility", err)
	}
	if _, ok := s.facilities[f.ID]; ok {
		return nil, Errorf(Conflict, "facility.id", "facility %s is already registered", f.ID)
	}
	if _, ok := s.facCodes[f.Code]; ok {
		return nil, Errorf(Conflict, "facility.code", "a facility with code %s is already registered", f.Code)
	}
	if _, ok := s.parties[f.ControllingParty]; !ok {
		return nil, Errorf(NotFound, "facility.controlling_party", "no party %s", f.ControllingParty)
	}
	return []Draft{draft(c.Meta, f.ID, f.ControllingParty, &FacilityRegistered{f})}, nil
}

func decideControlChange(s *State, c ChangeFacilityControl) ([]Draft, error) {
	f, ok := s.facilities[c.Facility]
	if !ok {
		return nil, Errorf(NotFound, "facility", "no facility %s", c.Facility)
	}
	if _, ok := s.parties[c.To]; !ok {
		return nil, Errorf(NotFound, "to", "no party %s", c.To)
	}
	if c.To == f.Controller {
		return nil, Errorf(Refused, "to", "%s already controls %s", s.parties[c.To].Code, f.Code)
	}
	if err := requireText("reason", c.Reason, 2000); err != nil {
		return nil, err
	}
	var moved []*PersonState
	for _, p := range s.persons {
		cu := p.Custody
		if cu.Status == Held && cu.Facility == f.ID || cu.Status == Hospitalised && cu.Return == f.ID {
			moved = append(moved, p)
		}
	}
	ev := &FacilityControlChanged{From: f.Controller, To: c.To, Reason: c.Reason, Unilateral: c.Unilateral}
	switch {
	case len(c.Document) > 0 && c.Unilateral:
		return nil, Errorf(Invalid, "unilateral", "a change signed by both parties is not unilateral")
	case len(c.Document) > 0:
		doc, err := s.checkControlDocument(f, c.To, c.Document, c.Signatures, len(moved))
		if err != nil {
			return nil, err
		}
		c.Meta.OccurredAt = doc.At
		ev.Document, ev.Signatures = c.Document, c.Signatures
	case len(c.Signatures) > 0:
		return nil, Errorf(Invalid, "document", "signatures need the document they sign")
	}
	ds := []Draft{draft(c.Meta, f.ID, c.To, ev)}
	slices.SortFunc(moved, func(a, b *PersonState) int { return cmp.Compare(a.Record.RegNo, b.Record.RegNo) })
	for _, p := range moved {
		ds = append(ds, draft(c.Meta, p.Record.ID, c.To, &CustodianChanged{Facility: f.ID, From: p.Custody.Custodian, To: c.To}))
	}
	return ds, nil
}

func decideRegisterPerson(s *State, c RegisterPerson) ([]Draft, error) {
	f, ok := s.facilities[c.Facility]
	if !ok {
		return nil, Errorf(NotFound, "facility", "no facility %s", c.Facility)
	}
	if f.Kind == Hospital {
		return nil, Errorf(Refused, "facility", "%s is a hospital; register the person at the facility that holds them", f.Code)
	}
	p := c.Person
	if p.RegNo == "" {
		if f.Series == "" {
			return nil, Errorf(Invalid, "person.reg_no", "is required: facility %s has no registration series", f.Code)
		}
		p.RegNo = s.NextRegNo(f.Series)
	}
	if err := p.Validate(); err != nil {
		return nil, within("person", err)
	}
	if _, ok := s.persons[p.ID]; ok {
		return nil, Errorf(Conflict, "person.id", "person %s is already registered", p.ID)
	}
	if err := s.checkUnique(&p); err != nil {
		return nil, err
	}
	ev := &PersonRegistered{Person: p, Facility: f.ID, Custodian: f.Controller}
	warn, err := s.duplicateWarning(p.ID, c)
	if err != nil {
		return nil, err
	}
	ev.Duplicates = warn
	ds := []Draft{draft(c.Meta, p.ID, f.Controller, ev)}
	if c.LinkTo != uuid.Nil {
		ds = append(ds, draft(c.Meta, p.ID, f.Controller, &PersonLinked{Other: c.LinkTo, Reason: c.DuplicateReason}))
	}
	return ds, nil
}

// maxDuplicates is the most candidates a registration's warning may name.
const maxDuplicates = 20

// duplicateWarning checks the likely duplicates a registration passes, and the
// record it is linked to, and returns the warning to record (nil when none).
func (s *State) duplicateWarning(id uuid.UUID, c RegisterPerson) (*DuplicateWarning, error) {
	if len(c.Duplicates) == 0 && c.LinkTo == uuid.Nil {
		if c.DuplicateReason != "" {
			return nil, Errorf(Invalid, "duplicate_reason", "is only recorded with the likely duplicates it passes")
		}
		return nil, nil
	}
	if len(c.Duplicates) > maxDuplicates {
		return nil, Errorf(Invalid, "duplicates", "at most %d likely duplicates", maxDuplicates)
	}
	if err := requireText("duplicate_reason", c.DuplicateReason, 2000); err != nil {
		return nil, err
	}
	for i, d := range c.Duplicates {
		at := fmt.Sprintf("duplicates[%d]", i)
		if _, ok := s.persons[d]; !ok || d == id {
			return nil, Errorf(NotFound, at, "no person %s", d)
		}
		if slices.Index(c.Duplicates, d) != i {
			return nil, Errorf(Invalid, at, "%s is named twice", d)
		}
	}
	if c.LinkTo != uuid.Nil {
		o, ok := s.persons[c.LinkTo]
		if !ok || c.LinkTo == id {
			return nil, Errorf(NotFound, "link_to", "no person %s", c.LinkTo)
		}
		if len(o.Custody.Linked) >= MaxLinks {
			return nil, Errorf(Refused, "link_to", "a record may be linked to at most %d others", MaxLinks)
		}
	}
	if len(c.Duplicates) == 0 {
		return nil, nil // a link with no warning: its reason is the link's
	}
	return &DuplicateWarning{Candidates: slices.Clone(c.Duplicates), Reason: c.DuplicateReason}, nil
}

// checkUnique refuses a record whose registration number or identifiers belong to
// another person.
func (s *State) checkUnique(p *Person) error {
	if other, ok := s.regNos[p.RegNo]; ok && other != p.ID {
		return Errorf(Conflict, "person.reg_no", "%s is already the registration number of person %s", p.RegNo, other)
	}
	for i, id := range p.Identifiers {
		if other, ok := s.identifiers[identifierKey(id)]; ok && other != p.ID {
			return Errorf(Conflict, fmt.Sprintf("person.identifiers[%d]", i), "%s %s is already recorded for person %s", id.Kind, id.Value, other)
		}
	}
	return nil
}

func decideCorrection(s *State, c CorrectRecord) ([]Draft, error) {
	cur, ok := s.persons[c.Person.ID]
	if !ok {
		return nil, Errorf(NotFound, "person.id", "no person %s", c.Person.ID)
	}
	if err := requireText("reason", c.Reason, 2000); err != nil {
		return nil, err
	}
	p := c.Person
	if err := p.Validate(); err != nil {
		return nil, within("person", err)
	}
	if p.RegNo == "" {
		return nil, Errorf(Invalid, "person.reg_no", "is required")
	}
	if err := s.checkUnique(&p); err != nil {
		return nil, err
	}
	fields, err := changedFields(&cur.Record, &p)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, Errorf(Invalid, "person", "the corrected record is the same as the current one")
	}
	return []Draft{draft(c.Meta, p.ID, cur.Custody.Custodian, &RecordCorrected{Person: p, Fields: fields, Reason: c.Reason})}, nil
}

// changedFields lists the top-level JSON fields that differ between two records.
func changedFields(a, b *Person) ([]string, error) {
	var ma, mb map[string]json.RawMessage
	for _, x := range []struct {
		p *Person
		m *map[string]json.RawMessage
	}{{a, &ma}, {b, &mb}} {
		raw, err := json.Marshal(x.p)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, x.m); err != nil {
			return nil, err
		}
	}
	var fields []string
	t := reflect.TypeFor[Person]()
	for i := range t.NumField() {
		name, _, _ := bytes.Cut([]byte(t.Field(i).Tag.Get("json")), []byte(","))
		if !bytes.Equal(ma[string(name)], mb[string(name)]) {
			fields = append(fields, string(name))
		}
	}
	return fields, nil
}
