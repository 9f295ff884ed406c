package custody

import (
	"fmt"

	"github.com/google/uuid"
)

// DocKind names a kind of operational record the ledger projects: officer keys,
// campaigns, transfers, movements, incidents and notifications. Stores keep each as
// one JSON document, rewritten whenever an event changes it.
type DocKind string

const (
	KeyDoc          DocKind = "key"
	CampaignDoc     DocKind = "campaign"
	TransferDoc     DocKind = "transfer"
	MovementDoc     DocKind = "movement"
	IncidentDoc     DocKind = "incident"
	NotificationDoc DocKind = "notification"
	MandateDoc      DocKind = "mandate"
)

// DocKinds lists every kind of document.
var DocKinds = []DocKind{KeyDoc, CampaignDoc, TransferDoc, MovementDoc, IncidentDoc, NotificationDoc, MandateDoc}

// DocRef names one document.
type DocRef struct {
	Kind DocKind
	ID   uuid.UUID
}

// CampaignView is a campaign with its progress, as stores keep it.
type CampaignView struct {
	*CampaignState
	Progress Progress `json:"progress"`
}

// Doc returns the value a store keeps for a document, ready to be encoded as JSON.
func (s *State) Doc(ref DocRef) (any, bool) {
	switch ref.Kind {
	case KeyDoc:
		k, ok := s.keys[ref.ID]
		return k, ok
	case CampaignDoc:
		c, ok := s.campaigns[ref.ID]
		if !ok {
			return nil, false
		}
		pr, _ := s.Progress(ref.ID)
		return CampaignView{CampaignState: c, Progress: pr}, true
	case TransferDoc:
		t, ok := s.transfers[ref.ID]
		return t, ok
	case MovementDoc:
		m, ok := s.movements[ref.ID]
		return m, ok
	case IncidentDoc:
		in, ok := s.incidents[ref.ID]
		return in, ok
	case NotificationDoc:
		n, ok := s.notifications[ref.ID]
		return n, ok
	case MandateDoc:
		m, ok := s.mandates[ref.ID]
		return m, ok
	}
	return nil, false
}

// Docs calls fn for every document, kind by kind, in id order.
func (s *State) Docs(fn func(DocRef) error) error {
	each := func(kind DocKind, ids []uuid.UUID) error {
		for _, id := range ids {
			if err := fn(DocRef{kind, id}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, err := range []error{
		each(KeyDoc, sortedIDs(s.keys)), each(CampaignDoc, sortedIDs(s.campaigns)), each(TransferDoc, sortedIDs(s.transfers)),
		each(MovementDoc, sortedIDs(s.movements)), each(IncidentDoc, sortedIDs(s.incidents)), each(NotificationDoc, sortedIDs(s.notifications)),
		each(MandateDoc, sortedIDs(s.mandates)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Track turns on the recording of what each applied event changes; Drain reads it.
// The sequencer tracks; replays (start-up, verify) do not, and pay nothing.
func (s *State) Track() { s.tracking = true }

// Drain reports the persons whose custody projection (or flags) and the documents
// that events applied since the last Drain changed, and forgets them.
func (s *State) Drain(person func(uuid.UUID), doc func(DocRef)) {
	for id := range s.touchedPersons {
		person(id)
	}
	for ref := range s.touchedDocs {
		doc(ref)
	}
	clear(s.touchedPersons)
	clear(s.touchedDocs)
}

// Refresh recomputes the flags of a person before their projection is written.
func (s *State) Refresh(id uuid.UUID) {
	if p, ok := s.persons[id]; ok {
		s.refreshFlags(p)
	}
}

func (s *State) touch(kind DocKind, id uuid.UUID) {
	if s.tracking {
		s.touchedDocs[DocRef{kind, id}] = true
	}
}

func (s *State) touchPerson(p *PersonState) {
	if !s.tracking {
		return
	}
	s.touchedPersons[p.Record.ID] = true
	for _, id := range s.households[p.Record.Household] {
		s.touchedPersons[id] = true // family separation may have changed
	}
}

func (s *State) touchID(id uuid.UUID) {
	if p, ok := s.persons[id]; ok {
		s.touchPerson(p)
	}
}

// afterCustody updates transfers, notifications and documents after a person's
// custody changed.
func (s *State) afterCustody(p *PersonState, e *Event, idx uint64) error {
	for _, n := range s.notificationsFor(e, p) {
		n.Cause = idx
		s.notifications[n.ID] = n
		s.notificationsOf[p.Record.ID] = append(s.notificationsOf[p.Record.ID], n.ID)
		s.touch(NotificationDoc, n.ID)
	}
	tid := p.Custody.Transfer
	if tid == uuid.Nil {
		return nil
	}
	t := s.transfers[tid]
	tp := t.byPerson[p.Record.ID]
	switch d := e.Data.(type) {
	case *PersonDeparted:
		tp.Stage, tp.Movement = StageInTransit, d.Movement
	case *PersonArrived:
		tp.Stage = StageArrived
		s.leaveTransfer(p)
	case *PersonEscaped, *PersonDied, *PersonReleased, *PersonRepatriated:
		switch {
		case tp.Stage == StageInTransit:
			tp.Stage = StageMissing
		case tp.Stage == StageWaiting && p.Custody.Status.Ended():
			tp.Stage = StageWithdrawn
		}
		if p.Custody.Status.Ended() {
			s.leaveTransfer(p)
		}
	case *PersonAdmitted:
		if tp.Stage == StageInTransit || tp.Stage == StageMissing {
			// Found after a discrepancy: at the destination they have arrived.
			tp.Stage = StageWithdrawn
			if d.Facility == t.To {
				tp.Stage = StageArrived
			}
			s.leaveTransfer(p)
		}
	default:
		return nil
	}
	s.transferChanged(t)
	return nil
}

func (s *State) leaveTransfer(p *PersonState) {
	p.Custody.Transfer = uuid.Nil
}

// transferChanged updates a transfer's status and marks its documents.
func (s *State) transferChanged(t *TransferState) {
	if t.Status != CancelledTransfer {
		waiting, moving, departed := 0, 0, false
		for _, tp := range t.People {
			switch tp.Stage {
			case StageWaiting:
				waiting++
			case StageInTransit:
				moving++
				departed = true
			default:
				departed = true
			}
		}
		switch {
		case departed && waiting == 0 && moving == 0:
			t.Status = CompletedTransfer
		case departed:
			t.Status = InProgressTransfer
		case t.Approved():
			t.Status = ApprovedTransfer
		default:
			t.Status = ProposedTransfer
		}
	}
	s.touch(TransferDoc, t.ID)
	if t.Campaign != uuid.Nil {
		s.touch(CampaignDoc, t.Campaign)
	}
}

// applyOps applies the events of transfers, movements, handovers, incidents,
// keys and notifications.
func (s *State) applyOps(e *Event, idx uint64) error {
	switch d := e.Data.(type) {
	case *KeyRegistered:
		s.keys[e.Subject] = &OfficerKey{ID: e.Subject, Party: d.Party, Officer: d.Officer, User: d.User, PublicKey: d.PublicKey, Registered: idx}
		s.touch(KeyDoc, e.Subject)
	case *KeyRevoked:
		k, ok := s.keys[e.Subject]
		if !ok {
			return fmt.Errorf("unknown key %s", e.Subject)
		}
		k.Revoked, k.RevokedAt, k.RevokeReason = true, idx, d.Reason
		s.touch(KeyDoc, k.ID)
	case *CampaignCreated:
		s.campaigns[d.ID] = &CampaignState{Campaign: d.Campaign, Created: idx, Transfers: []uuid.UUID{}}
		s.touch(CampaignDoc, d.ID)
	case *TransferProposed:
		t := &TransferState{Transfer: d.Transfer, Sending: d.Sending, Receiving: d.Receiving, Status: ProposedTransfer,
			Approvals: []Approval{}, Proposed: idx, byPerson: make(map[uuid.UUID]*TransferPerson, len(d.Persons))}
		for _, id := range d.Persons {
			p, ok := s.persons[id]
			if !ok {
				return fmt.Errorf("unknown person %s", id)
			}
			tp := &TransferPerson{Person: id, RegNo: p.Record.RegNo, Required: d.Required[id.String()],
				Safeguards: map[SafeguardKind]Safeguard{}, Stage: StageWaiting}
			tp.Missing = tp.missing()
			t.People = append(t.People, tp)
			t.byPerson[id] = tp
			s.transfersOf[id] = append(s.transfersOf[id], t.ID)
			p.Custody.Transfer = t.ID
			s.touchPerson(p)
		}
		sortPeople(t.People)
		s.transfers[t.ID] = t
		if cp, ok := s.campaigns[t.Campaign]; ok {
			cp.Transfers = append(cp.Transfers, t.ID)
		}
		s.transferChanged(t)
	case *SafeguardRecorded, *SafeguardOverridden:
		var tid uuid.UUID
		if g, ok := d.(*SafeguardRecorded); ok {
			tid = g.Transfer
		} else {
			tid = d.(*SafeguardOverridden).Transfer
		}
		t, ok := s.transfers[tid]
		if !ok {
			return fmt.Errorf("unknown transfer %s", tid)
		}
		tp, ok := t.byPerson[e.Subject]
		if !ok {
			return fmt.Errorf("person %s is not on transfer %s", e.Subject, tid)
		}
		switch d := d.(type) {
		case *SafeguardRecorded:
			tp.Safeguards[d.Safeguard.Kind] = d.Safeguard
		case *SafeguardOverridden:
			if tp.Overrides == nil {
				tp.Overrides = map[SafeguardKind]Override{}
			}
			tp.Overrides[d.Kind] = Override{Reason: d.Reason, Actor: e.Actor, Event: idx}
		}
		tp.Missing = tp.missing()
		s.touchID(e.Subject)
		s.transferChanged(t)
	case *TransferApproved:
		t, ok := s.transfers[e.Subject]
		if !ok {
			return fmt.Errorf("unknown transfer %s", e.Subject)
		}
		t.Approvals = append(t.Approvals, Approval{Party: d.Party, Actor: e.Actor, Event: idx})
		s.transferChanged(t)
	case *TransferCancelled:
		t, ok := s.transfers[e.Subject]
		if !ok {
			return fmt.Errorf("unknown transfer %s", e.Subject)
		}
		t.Status, t.Cancelled = CancelledTransfer, d.Reason
		for _, tp := range t.People {
			if tp.Stage == StageWaiting {
				tp.Stage = StageWithdrawn
				if p := s.persons[tp.Person]; p.Custody.Transfer == t.ID {
					s.leaveTransfer(p)
					s.touchPerson(p)
				}
			}
		}
		s.transferChanged(t)
	case *MovementPlanned:
		t, ok := s.transfers[d.Transfer]
		if !ok {
			return fmt.Errorf("unknown transfer %s", d.Transfer)
		}
		m := &MovementState{Movement: d.Movement, From: t.From, To: t.To, Status: PlannedMovement,
			Breaches: d.Breaches, Overrides: d.Overrides, Planned: idx}
		s.movements[m.ID] = m
		s.seat(t, m, m.Manifest)
		s.touch(MovementDoc, m.ID)
		s.transferChanged(t)
	case *ManifestSet:
		m, ok := s.movements[e.Subject]
		if !ok {
			return fmt.Errorf("unknown movement %s", e.Subject)
		}
		t := s.transfers[m.Transfer]
		s.unseat(t, m)
		m.Manifest, m.Breaches = d.Manifest, d.Breaches
		m.Overrides = append(m.Overrides, d.Overrides...) // an override stays visible
		s.seat(t, m, m.Manifest)
		s.touch(MovementDoc, m.ID)
		s.transferChanged(t)
	case *MovementCancelled:
		m, ok := s.movements[e.Subject]
		if !ok {
			return fmt.Errorf("unknown movement %s", e.Subject)
		}
		m.Status, m.Cancelled = CancelledMovement, d.Reason
		t := s.transfers[m.Transfer]
		s.unseat(t, m)
		s.touch(MovementDoc, m.ID)
		s.transferChanged(t)
	case *HandedOver:
		m, ok := s.movements[e.Subject]
		if !ok {
			return fmt.Errorf("unknown movement %s", e.Subject)
		}
		doc, err := ParseHandover(d.Document)
		if err != nil {
			return err
		}
		s.handovers[doc.ID] = true
		rec := &HandoverRecord{Document: doc.ID, Event: idx, At: doc.At, Place: doc.Place, From: doc.From, To: doc.To,
			HeadCount: doc.HeadCount, Present: []uuid.UUID{}}
		for _, row := range doc.Persons {
			if row.Outcome == OutcomePresent || doc.Stage == Arrival && row.Outcome == OutcomeMedical {
				rec.Present = append(rec.Present, row.Person)
				continue
			}
			if rec.NotPresent == nil {
				rec.NotPresent = map[string]Outcome{}
			}
			rec.NotPresent[row.Person.String()] = row.Outcome
		}
		if doc.Stage == Departure {
			m.Departure, m.Status = rec, DepartedMovement
		} else {
			m.Arrival, m.Status = rec, ArrivedMovement
		}
		s.touch(MovementDoc, m.ID)
	case *MovementReconciled:
		m, ok := s.movements[e.Subject]
		if !ok {
			return fmt.Errorf("unknown movement %s", e.Subject)
		}
		m.Status = ReconciledMovement
		s.touch(MovementDoc, m.ID)
	case *IncidentOpened:
		in := &IncidentState{Incident: d.Incident, Party: e.Party, Opened: idx, Resolved: map[string]PersonResolution{}, Open: true}
		s.incidents[in.ID] = in
		for _, id := range in.Persons {
			s.incidentsOf[id] = append(s.incidentsOf[id], in.ID)
			p, ok := s.persons[id]
			if !ok {
				return fmt.Errorf("unknown person %s", id)
			}
			s.touchPerson(p)
			if in.Type == Discrepancy && p.Custody.Transfer != uuid.Nil {
				t := s.transfers[p.Custody.Transfer]
				if tp := t.byPerson[id]; tp.Stage == StageInTransit {
					tp.Stage = StageMissing
					s.transferChanged(t)
				}
			}
		}
		if m, ok := s.movements[in.Movement]; ok {
			m.Incidents = append(m.Incidents, in.ID)
			s.touch(MovementDoc, m.ID)
		}
		s.touch(IncidentDoc, in.ID)
	case *IncidentResolved:
		in, ok := s.incidents[e.Subject]
		if !ok {
			return fmt.Errorf("unknown incident %s", e.Subject)
		}
		r := PersonResolution{Resolution: d.Resolution, Event: idx, Note: d.Note}
		if d.Person == uuid.Nil {
			in.Closed, in.Open = &r, false
		} else {
			in.Resolved[d.Person.String()] = r
			in.Open = len(in.Unresolved()) > 0
			s.touchID(d.Person)
		}
		s.touch(IncidentDoc, in.ID)
	case *MandateSet:
		s.mandates[e.Subject] = &Mandate{Party: e.Subject, All: d.All, Facilities: d.Facilities, Event: idx}
		s.touch(MandateDoc, e.Subject)
	case *NotificationCompleted:
		n, ok := s.notifications[d.Notification]
		if !ok {
			return fmt.Errorf("unknown notification %s", d.Notification)
		}
		at := e.OccurredAt
		n.Done, n.Outcome, n.Event = &at, d.Outcome, idx
		s.touchID(n.Person)
		s.touch(NotificationDoc, n.ID)
	default:
		return fmt.Errorf("no rule for %T", e.Data)
	}
	return nil
}

// seat records which movement each person of a manifest is planned on.
func (s *State) seat(t *TransferState, m *MovementState, manifest []Seat) {
	for _, st := range manifest {
		if tp, ok := t.byPerson[st.Person]; ok {
			tp.Movement = m.ID
		}
	}
}

func (s *State) unseat(t *TransferState, m *MovementState) {
	for _, st := range m.Manifest {
		if tp, ok := t.byPerson[st.Person]; ok && tp.Movement == m.ID && tp.Stage == StageWaiting {
			tp.Movement = uuid.Nil
		}
	}
}

// Keys, Campaigns, Transfers, Movements, Incidents and Notifications iterate over
// the operational records in no particular order.
func (s *State) Keys() map[uuid.UUID]*OfficerKey            { return s.keys }
func (s *State) Campaigns() map[uuid.UUID]*CampaignState    { return s.campaigns }
func (s *State) Transfers() map[uuid.UUID]*TransferState    { return s.transfers }
func (s *State) Movements() map[uuid.UUID]*MovementState    { return s.movements }
func (s *State) Incidents() map[uuid.UUID]*IncidentState    { return s.incidents }
func (s *State) Notifications() map[uuid.UUID]*Notification { return s.notifications }
