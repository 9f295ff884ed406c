package custody

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/google/uuid"
)

// Campaign is a planned programme of transfers, such as "north-east Syria → Iraq, up
// to 7,000".
type Campaign struct {
	ID     uuid.UUID `json:"id"`
	Name   string    `json:"name"`
	Target int       `json:"target"` // how many persons the campaign means to move
	// Receiving is the party the campaign moves persons to.
	Receiving uuid.UUID `json:"receiving"`
	// Priorities names the priority groups, first first (e.g. "alleged attacks on
	// Iraqi civilians"); a transfer may say which group it serves.
	Priorities []string `json:"priorities,omitempty"`
}

// CampaignState is a campaign with its transfers. Its progress is computed on demand
// (State.Progress).
type CampaignState struct {
	Campaign
	Created   uint64      `json:"created"`
	Transfers []uuid.UUID `json:"transfers"`
}

// Progress counts a campaign's persons by where they stand. Blocked persons are also
// counted by each safeguard they still lack.
type Progress struct {
	Target    int                   `json:"target"`
	Planned   int                   `json:"planned"` // on a transfer, not yet departed (blocked or not)
	Blocked   int                   `json:"blocked"` // of the planned, those who may not depart yet
	BlockedBy map[SafeguardKind]int `json:"blocked_by"`
	InTransit int                   `json:"in_transit"`
	Arrived   int                   `json:"arrived"`
	Missing   int                   `json:"missing"` // named in an unresolved discrepancy
	ByGroup   map[string]int        `json:"by_group,omitempty"`
}

// SafeguardKind names one safeguard of docs/standards.md §F.
type SafeguardKind string

const (
	Acceptance     SafeguardKind = "acceptance"      // the receiving state accepted this person (GCIII 12; GCIV 45)
	RiskAssessment SafeguardKind = "risk_assessment" // torture, persecution, death penalty (CAT 3; ICCPR 6)
	Medical        SafeguardKind = "medical"         // fit to travel (GCIII 47; GCIV 127)
	Informed       SafeguardKind = "informed"        // told of the transfer; objection recorded (CAT GC 4)
	ICRCNotified   SafeguardKind = "icrc"            // ICRC notified, private interview offered
	Consular       SafeguardKind = "consular"        // consular notification, for foreign nationals
	BestInterests  SafeguardKind = "best_interests"  // minors: best interests, family unity
)

// SafeguardKinds lists every safeguard in the order checklists show them.
var SafeguardKinds = []SafeguardKind{Acceptance, RiskAssessment, Medical, Informed, ICRCNotified, Consular, BestInterests}

// RiskFinding is the outcome of one part of a risk assessment.
type RiskFinding string

const (
	NoRealRisk RiskFinding = "no_real_risk"
	RealRisk   RiskFinding = "real_risk"
	Pending    RiskFinding = "pending"
)

var riskFindings = []RiskFinding{NoRealRisk, RealRisk, Pending}

// Risk is an individual risk assessment (docs/standards.md §F). Assurances do not replace it.
type Risk struct {
	Torture      RiskFinding `json:"torture"`
	Persecution  RiskFinding `json:"persecution"`
	DeathPenalty RiskFinding `json:"death_penalty"`
	Assurances   string      `json:"assurances,omitempty"` // diplomatic assurances obtained, if any
	Monitoring   string      `json:"monitoring,omitempty"` // the post-transfer monitoring arrangement
}

// Interview says what became of the private interview the ICRC was offered.
type Interview string

const (
	InterviewOffered  Interview = "offered"  // offered, not yet held
	InterviewHeld     Interview = "held"     // held in private
	InterviewDeclined Interview = "declined" // the person declined it
	InterviewDenied   Interview = "denied"   // the authority did not allow it
)

var interviews = []Interview{InterviewOffered, InterviewHeld, InterviewDeclined, InterviewDenied}

// Safeguard is one safeguard as recorded for one person on one transfer.
type Safeguard struct {
	Kind SafeguardKind `json:"kind"`
	// Met says whether the safeguard is satisfied; a safeguard recorded as not met
	// blocks departure like a missing one.
	Met      bool   `json:"met"`
	Finding  string `json:"finding"`            // what was found, in words
	Evidence string `json:"evidence,omitempty"` // reference to the document or file
	Assessor string `json:"assessor,omitempty"` // who assessed, when not the actor
	// Risk is required for a risk assessment.
	Risk *Risk `json:"risk,omitempty"`
	// Objected and Objection record the person's objection, for "informed".
	Objected  bool   `json:"objected,omitempty"`
	Objection string `json:"objection,omitempty"`
	// Interview is required for "icrc".
	Interview Interview `json:"interview,omitempty"`
}

func (g *Safeguard) validate() error {
	if err := oneOf("kind", g.Kind, SafeguardKinds); err != nil {
		return err
	}
	if err := requireText("finding", g.Finding, 4000); err != nil {
		return err
	}
	for _, kv := range []struct {
		k string
		v string
	}{{"evidence", g.Evidence}, {"assessor", g.Assessor}, {"objection", g.Objection}} {
		f, v := kv.k, kv.v
		if err := optionalText(f, v, 2000); err != nil {
			return err
		}
	}
	if g.Kind == RiskAssessment {
		r := g.Risk
		if r == nil {
			return Errorf(Invalid, "risk", "a risk assessment needs its findings on torture, persecution and death penalty")
		}
		for _, kv := range []struct {
			k string
			v RiskFinding
		}{{"risk.torture", r.Torture}, {"risk.persecution", r.Persecution}, {"risk.death_penalty", r.DeathPenalty}} {
			f, v := kv.k, kv.v
			if err := oneOf(f, v, riskFindings); err != nil {
				return err
			}
		}
		if err := optionalText("risk.assurances", r.Assurances, 4000); err != nil {
			return err
		}
		if err := optionalText("risk.monitoring", r.Monitoring, 4000); err != nil {
			return err
		}
		if g.Met {
			for _, kv := range []struct {
				k string
				v RiskFinding
			}{{"risk.torture", r.Torture}, {"risk.persecution", r.Persecution}, {"risk.death_penalty", r.DeathPenalty}} {
				f, v := kv.k, kv.v
				if v != NoRealRisk {
					return Errorf(Invalid, f, "is %s: a risk assessment with a real or pending risk cannot be met (assurances do not replace the assessment)", v)
				}
			}
			if r.Monitoring == "" {
				return Errorf(Invalid, "risk.monitoring", "is required: name the post-transfer monitoring arrangement")
			}
		}
	} else if g.Risk != nil {
		return Errorf(Invalid, "risk", "applies only to a risk assessment")
	}
	if g.Kind == ICRCNotified {
		if err := oneOf("interview", g.Interview, interviews); err != nil {
			return err
		}
		if g.Met && g.Interview == InterviewDenied {
			return Errorf(Invalid, "interview", "the ICRC was denied an interview: the safeguard is not met")
		}
	} else if g.Interview != "" {
		return Errorf(Invalid, "interview", "applies only to the ICRC safeguard")
	}
	if (g.Objected || g.Objection != "") && g.Kind != Informed {
		return Errorf(Invalid, "objection", "applies only to the \"informed\" safeguard")
	}
	if g.Objected && g.Objection == "" {
		return Errorf(Invalid, "objection", "is required when the person objected: record what they said")
	}
	return nil
}

// Override lets a person depart without a safeguard. It stays flagged forever.
type Override struct {
	Reason string `json:"reason"`
	Actor  string `json:"actor"`
	Event  uint64 `json:"event"`
}

// Transfer is the decision to move named persons from one facility and party to another.
type Transfer struct {
	ID       uuid.UUID `json:"id"`
	Campaign uuid.UUID `json:"campaign,omitzero"`
	From     uuid.UUID `json:"from"` // sending facility
	To       uuid.UUID `json:"to"`   // receiving facility
	// LegalBasis and OrderedBy: the legal basis of the transfer and the authority
	// that ordered it (Copenhagen Principles 4, 15).
	LegalBasis string      `json:"legal_basis"`
	OrderedBy  string      `json:"ordered_by"`
	Priority   string      `json:"priority,omitempty"` // the campaign's priority group it serves
	Persons    []uuid.UUID `json:"persons"`
}

// TransferStatus is where a transfer stands.
type TransferStatus string

const (
	ProposedTransfer   TransferStatus = "proposed"    // awaiting approvals
	ApprovedTransfer   TransferStatus = "approved"    // both sides approved; nobody has departed
	InProgressTransfer TransferStatus = "in_progress" // some persons departed
	CompletedTransfer  TransferStatus = "completed"   // every person arrived, or is accounted for by an incident
	CancelledTransfer  TransferStatus = "cancelled"
)

// Approval is one side's approval of a transfer.
type Approval struct {
	Party uuid.UUID `json:"party"`
	Actor string    `json:"actor"`
	Event uint64    `json:"event"`
}

// TransferPerson is one person's standing on a transfer: safeguards required and
// recorded, overrides, and how far they have come.
type TransferPerson struct {
	Person     uuid.UUID                   `json:"person"`
	RegNo      string                      `json:"reg_no"`
	Required   []SafeguardKind             `json:"required"`
	Safeguards map[SafeguardKind]Safeguard `json:"safeguards"`
	Overrides  map[SafeguardKind]Override  `json:"overrides,omitempty"`
	// Missing lists the required safeguards neither met nor overridden.
	Missing  []SafeguardKind `json:"missing"`
	Movement uuid.UUID       `json:"movement,omitzero"`
	Stage    PersonStage     `json:"stage"`
}

// PersonStage is how far a person on a transfer has come.
type PersonStage string

const (
	StageWaiting   PersonStage = "waiting" // not yet departed
	StageInTransit PersonStage = "in_transit"
	StageArrived   PersonStage = "arrived"
	StageMissing   PersonStage = "missing"   // not present at a handover; see the incident
	StageWithdrawn PersonStage = "withdrawn" // the transfer was cancelled before they left
)

// TransferState is a transfer as the ledger left it.
type TransferState struct {
	Transfer
	Sending   uuid.UUID         `json:"sending"`   // the party holding the persons
	Receiving uuid.UUID         `json:"receiving"` // the party controlling the receiving facility
	Status    TransferStatus    `json:"status"`
	Approvals []Approval        `json:"approvals"`
	People    []*TransferPerson `json:"people"`
	Proposed  uint64            `json:"proposed"`
	Cancelled string            `json:"cancelled,omitempty"` // the reason
	byPerson  map[uuid.UUID]*TransferPerson
}

// Approved reports whether both sides approved.
func (t *TransferState) Approved() bool {
	var s, r bool
	for _, a := range t.Approvals {
		s = s || a.Party == t.Sending
		r = r || a.Party == t.Receiving
	}
	return s && r
}

// Person returns a person's standing on the transfer.
func (t *TransferState) Person(id uuid.UUID) (*TransferPerson, bool) {
	p, ok := t.byPerson[id]
	return p, ok
}

// missing recomputes the safeguards a person still lacks.
func (tp *TransferPerson) missing() []SafeguardKind {
	out := []SafeguardKind{}
	for _, k := range tp.Required {
		if g, ok := tp.Safeguards[k]; ok && g.Met {
			continue
		}
		if _, ok := tp.Overrides[k]; ok {
			continue
		}
		out = append(out, k)
	}
	return out
}

// RequiredSafeguards is the default transfer policy (docs/standards.md §F): every person
// needs acceptance, a risk assessment, medical fitness, to be informed and the ICRC
// notified; a foreign national of the receiving facility's country also consular
// notification, and a minor a best-interests assessment. Legal basis and ordering
// authority are required of the transfer itself.
func RequiredSafeguards(p *Person, to *FacilityState) []SafeguardKind {
	ks := []SafeguardKind{Acceptance, RiskAssessment, Medical, Informed, ICRCNotified}
	if !slices.Contains(p.Nationalities, to.Country) {
		ks = append(ks, Consular)
	}
	if p.Category == Minor || p.Category == UnaccompaniedMinor {
		ks = append(ks, BestInterests)
	}
	return ks
}

// Commands.

// CreateCampaign starts a campaign.
type CreateCampaign struct {
	Meta
	Campaign Campaign
}

// ProposeTransfer proposes to move persons between two facilities.
type ProposeTransfer struct {
	Meta
	Transfer Transfer
}

// RecordSafeguard records one safeguard for one or more persons on a transfer; each
// person gets an event of their own.
type RecordSafeguard struct {
	Meta
	Transfer  uuid.UUID
	Persons   []uuid.UUID
	Safeguard Safeguard
}

// OverrideSafeguard lets a person depart without a safeguard, for a recorded reason.
type OverrideSafeguard struct {
	Meta
	Transfer uuid.UUID
	Person   uuid.UUID
	Kind     SafeguardKind
	Reason   string
}

// ApproveTransfer is one side's approval; Meta.Party says which side.
type ApproveTransfer struct {
	Meta
	Transfer uuid.UUID
}

// CancelTransfer withdraws a transfer before anyone has departed on it.
type CancelTransfer struct {
	Meta
	Transfer uuid.UUID
	Reason   string
}

// Payloads.

// CampaignCreated: a campaign starts. Subject: the campaign.
type CampaignCreated struct {
	Campaign
}

// TransferProposed: a transfer is proposed. Subject: the transfer.
type TransferProposed struct {
	Transfer
	Sending   uuid.UUID                  `json:"sending"`
	Receiving uuid.UUID                  `json:"receiving"`
	Required  map[string][]SafeguardKind `json:"required"` // person id → safeguards the policy requires
}

// SafeguardRecorded: a safeguard is recorded for a person. Subject: the person.
type SafeguardRecorded struct {
	Transfer  uuid.UUID `json:"transfer"`
	Safeguard Safeguard `json:"safeguard"`
}

// SafeguardOverridden: a person may depart without a safeguard. Subject: the person.
type SafeguardOverridden struct {
	Transfer uuid.UUID     `json:"transfer"`
	Kind     SafeguardKind `json:"kind"`
	Reason   string        `json:"reason"`
}

// TransferApproved: one side approved. Subject: the transfer.
type TransferApproved struct {
	Party uuid.UUID `json:"party"`
}

// TransferCancelled: the transfer is withdrawn. Subject: the transfer.
type TransferCancelled struct {
	Reason string `json:"reason"`
}

func (CampaignCreated) EventType() Type     { return TypeCampaignCreated }
func (TransferProposed) EventType() Type    { return TypeTransferProposed }
func (SafeguardRecorded) EventType() Type   { return TypeSafeguardRecorded }
func (SafeguardOverridden) EventType() Type { return TypeSafeguardOverridden }
func (TransferApproved) EventType() Type    { return TypeTransferApproved }
func (TransferCancelled) EventType() Type   { return TypeTransferCancelled }

// Decisions.

func decideCreateCampaign(s *State, c CreateCampaign) ([]Draft, error) {
	cp := c.Campaign
	if cp.ID == uuid.Nil {
		return nil, Errorf(Invalid, "campaign.id", "is required")
	}
	if _, ok := s.campaigns[cp.ID]; ok {
		return nil, Errorf(Conflict, "campaign.id", "campaign %s already exists", cp.ID)
	}
	if err := requireName("campaign.name", cp.Name, 200); err != nil {
		return nil, err
	}
	if cp.Target < 1 || cp.Target > 10_000_000 {
		return nil, Errorf(Invalid, "campaign.target", "must be between 1 and 10000000; got %d", cp.Target)
	}
	if _, ok := s.parties[cp.Receiving]; !ok {
		return nil, Errorf(NotFound, "campaign.receiving", "no party %s", cp.Receiving)
	}
	for i, g := range cp.Priorities {
		if err := requireText(fieldAt("campaign.priorities", i), g, 200); err != nil {
			return nil, err
		}
		if slices.Index(cp.Priorities, g) != i {
			return nil, Errorf(Invalid, fieldAt("campaign.priorities", i), "%q is listed twice", g)
		}
	}
	return []Draft{draft(c.Meta, cp.ID, cp.Receiving, &CampaignCreated{cp})}, nil
}

func decideProposeTransfer(s *State, c ProposeTransfer) ([]Draft, error) {
	t := c.Transfer
	if t.ID == uuid.Nil {
		return nil, Errorf(Invalid, "transfer.id", "is required")
	}
	if _, ok := s.transfers[t.ID]; ok {
		return nil, Errorf(Conflict, "transfer.id", "transfer %s already exists", t.ID)
	}
	from, err := s.destination("transfer.from", t.From)
	if err != nil {
		return nil, err
	}
	to, err := s.destination("transfer.to", t.To)
	if err != nil {
		return nil, err
	}
	if from.Controller == to.Controller {
		return nil, Errorf(Refused, "transfer.to", "%s and %s are both controlled by %s: a move within one party is an admission, not a transfer",
			from.Code, to.Code, s.partyCode(from.Controller))
	}
	if err := requireText("transfer.legal_basis", t.LegalBasis, 2000); err != nil {
		return nil, err
	}
	if err := requireText("transfer.ordered_by", t.OrderedBy, 400); err != nil {
		return nil, err
	}
	if t.Campaign != uuid.Nil {
		cp, ok := s.campaigns[t.Campaign]
		if !ok {
			return nil, Errorf(NotFound, "transfer.campaign", "no campaign %s", t.Campaign)
		}
		if cp.Receiving != to.Controller {
			return nil, Errorf(Refused, "transfer.to", "campaign %q moves persons to %s, but %s is controlled by %s",
				cp.Name, s.partyCode(cp.Receiving), to.Code, s.partyCode(to.Controller))
		}
		if t.Priority != "" && !slices.Contains(cp.Priorities, t.Priority) {
			return nil, Errorf(Invalid, "transfer.priority", "%q is not a priority group of campaign %q", t.Priority, cp.Name)
		}
	} else if t.Priority != "" {
		return nil, Errorf(Invalid, "transfer.priority", "a priority group needs a campaign")
	}
	if err := optionalText("transfer.priority", t.Priority, 200); err != nil {
		return nil, err
	}
	if len(t.Persons) == 0 {
		return nil, Errorf(Invalid, "transfer.persons", "name at least one person")
	}
	if len(t.Persons) > 10_000 {
		return nil, Errorf(Invalid, "transfer.persons", "at most 10000 persons per transfer; got %d", len(t.Persons))
	}
	seen := make(map[uuid.UUID]bool, len(t.Persons))
	required := make(map[string][]SafeguardKind, len(t.Persons))
	for i, id := range t.Persons {
		f := fieldAt("transfer.persons", i)
		p, ok := s.persons[id]
		if !ok {
			return nil, Errorf(NotFound, f, "no person %s", id)
		}
		if seen[id] {
			return nil, Errorf(Invalid, f, "person %s is listed twice", p.Record.RegNo)
		}
		seen[id] = true
		for _, o := range p.Custody.Linked {
			if seen[o] {
				return nil, Errorf(Refused, f, "person %s and %s are linked records of one person: name one of them", p.Record.RegNo, s.persons[o].Record.RegNo)
			}
			if other := s.persons[o].Custody.Transfer; other != uuid.Nil {
				return nil, Errorf(Conflict, f, "person %s is already on transfer %s as %s, a linked record of the same person", p.Record.RegNo, other, s.persons[o].Record.RegNo)
			}
		}
		if p.Custody.Status != Held || p.Custody.Facility != from.ID {
			return nil, Errorf(Refused, f, "person %s is %s, not held at %s", p.Record.RegNo, describeCustody(s, p), from.Code)
		}
		if other := p.Custody.Transfer; other != uuid.Nil {
			return nil, Errorf(Conflict, f, "person %s is already on transfer %s", p.Record.RegNo, other)
		}
		required[id.String()] = RequiredSafeguards(&p.Record, to)
	}
	return []Draft{draft(c.Meta, t.ID, from.Controller, &TransferProposed{Transfer: t, Sending: from.Controller, Receiving: to.Controller, Required: required})}, nil
}

// openTransfer returns a transfer that can still take safeguards and approvals.
func (s *State) openTransfer(id uuid.UUID) (*TransferState, error) {
	t, ok := s.transfers[id]
	if !ok {
		return nil, Errorf(NotFound, "transfer", "no transfer %s", id)
	}
	if t.Status == CancelledTransfer || t.Status == CompletedTransfer {
		return nil, Errorf(Refused, "transfer", "transfer %s is %s", id, t.Status)
	}
	return t, nil
}

func decideRecordSafeguard(s *State, c RecordSafeguard) ([]Draft, error) {
	t, err := s.openTransfer(c.Transfer)
	if err != nil {
		return nil, err
	}
	g := c.Safeguard
	if err := g.validate(); err != nil {
		return nil, within("safeguard", err)
	}
	if g.Assessor == "" {
		g.Assessor = c.Actor
	}
	if len(c.Persons) == 0 {
		return nil, Errorf(Invalid, "persons", "name at least one person")
	}
	out := make([]Draft, 0, len(c.Persons))
	seen := map[uuid.UUID]bool{}
	for i, id := range c.Persons {
		f := fieldAt("persons", i)
		tp, ok := t.byPerson[id]
		if !ok {
			return nil, Errorf(NotFound, f, "person %s is not on transfer %s", id, t.ID)
		}
		if seen[id] {
			return nil, Errorf(Invalid, f, "person %s is listed twice", tp.RegNo)
		}
		seen[id] = true
		if tp.Stage != StageWaiting {
			return nil, Errorf(Refused, f, "person %s has already left (%s): safeguards are recorded before departure", tp.RegNo, tp.Stage)
		}
		if !slices.Contains(tp.Required, g.Kind) {
			return nil, Errorf(Refused, "safeguard.kind", "the policy does not require %s for person %s (required: %v)", g.Kind, tp.RegNo, tp.Required)
		}
		out = append(out, draft(c.Meta, id, t.Sending, &SafeguardRecorded{Transfer: t.ID, Safeguard: g}))
	}
	return out, nil
}

func decideOverride(s *State, c OverrideSafeguard) ([]Draft, error) {
	if err := oneOf("kind", c.Kind, SafeguardKinds); err != nil {
		return nil, err
	}
	t, err := s.openTransfer(c.Transfer)
	if err != nil {
		return nil, err
	}
	tp, ok := t.byPerson[c.Person]
	if !ok {
		return nil, Errorf(NotFound, "person", "person %s is not on transfer %s", c.Person, t.ID)
	}
	if tp.Stage != StageWaiting {
		return nil, Errorf(Refused, "person", "person %s has already left (%s)", tp.RegNo, tp.Stage)
	}
	if !slices.Contains(tp.Required, c.Kind) {
		return nil, Errorf(Refused, "kind", "the policy does not require %s for person %s", c.Kind, tp.RegNo)
	}
	if g, ok := tp.Safeguards[c.Kind]; ok && g.Met {
		return nil, Errorf(Refused, "kind", "%s is already met for person %s: there is nothing to override", c.Kind, tp.RegNo)
	}
	if _, ok := tp.Overrides[c.Kind]; ok {
		return nil, Errorf(Conflict, "kind", "%s is already overridden for person %s", c.Kind, tp.RegNo)
	}
	if err := requireText("reason", c.Reason, 4000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, c.Person, t.Sending, &SafeguardOverridden{Transfer: t.ID, Kind: c.Kind, Reason: c.Reason})}, nil
}

func decideApprove(s *State, c ApproveTransfer) ([]Draft, error) {
	t, err := s.openTransfer(c.Transfer)
	if err != nil {
		return nil, err
	}
	if c.Party != t.Sending && c.Party != t.Receiving {
		return nil, Errorf(Refused, "party", "only the sending party %s or the receiving party %s approves transfer %s",
			s.partyCode(t.Sending), s.partyCode(t.Receiving), t.ID)
	}
	for _, a := range t.Approvals {
		if a.Party == c.Party {
			return nil, Errorf(Conflict, "party", "%s already approved transfer %s (event %d)", s.partyCode(c.Party), t.ID, a.Event)
		}
	}
	return []Draft{draft(c.Meta, t.ID, c.Party, &TransferApproved{Party: c.Party})}, nil
}

func decideCancelTransfer(s *State, c CancelTransfer) ([]Draft, error) {
	t, err := s.openTransfer(c.Transfer)
	if err != nil {
		return nil, err
	}
	if t.Status == InProgressTransfer {
		return nil, Errorf(Refused, "transfer", "persons have already departed on transfer %s", t.ID)
	}
	for _, m := range s.movements {
		if m.Transfer == t.ID && m.Status == PlannedMovement {
			return nil, Errorf(Refused, "transfer", "movement %s is planned on this transfer: cancel it first", m.ID)
		}
	}
	if err := requireText("reason", c.Reason, 2000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, t.ID, t.Sending, &TransferCancelled{Reason: c.Reason})}, nil
}

// Progress computes a campaign's progress.
func (s *State) Progress(id uuid.UUID) (Progress, bool) {
	cp, ok := s.campaigns[id]
	if !ok {
		return Progress{}, false
	}
	pr := Progress{Target: cp.Target, BlockedBy: map[SafeguardKind]int{}}
	for _, tid := range cp.Transfers {
		t := s.transfers[tid]
		if t.Status == CancelledTransfer {
			continue
		}
		for _, tp := range t.People {
			switch tp.Stage {
			case StageWaiting:
				pr.Planned++
				if len(tp.Missing) > 0 || !t.Approved() {
					pr.Blocked++
				}
				for _, k := range tp.Missing {
					pr.BlockedBy[k]++
				}
			case StageInTransit:
				pr.InTransit++
			case StageArrived:
				pr.Arrived++
				if t.Priority != "" {
					if pr.ByGroup == nil {
						pr.ByGroup = map[string]int{}
					}
					pr.ByGroup[t.Priority]++
				}
			case StageMissing:
				pr.Missing++
			}
		}
	}
	return pr, true
}

// describeCustody says where a person is, for messages.
func describeCustody(s *State, p *PersonState) string {
	c := p.Custody
	switch {
	case c.Status.AtFacility():
		code := c.Facility.String()
		if f, ok := s.facilities[c.Facility]; ok {
			code = f.Code
		}
		return string(c.Status) + " at " + code
	default:
		return string(c.Status)
	}
}

func fieldAt(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

func sortPeople(ps []*TransferPerson) {
	slices.SortFunc(ps, func(a, b *TransferPerson) int { return cmp.Compare(a.RegNo, b.RegNo) })
}
