package custody

import (
	"time"

	"github.com/google/uuid"
)

// NotificationKind names a duty to inform (docs/standards.md §E).
type NotificationKind string

const (
	FamilyTransfer  NotificationKind = "family_transfer"   // family told after every transfer (Body of Principles 16; SMR 68)
	CaptureCard     NotificationKind = "capture_card"      // to the Central Tracing Agency within a week, on every transfer (GCIII 70, 123)
	ParentsJuvenile NotificationKind = "parents_juvenile"  // parents of a juvenile told at once (Havana Rule 22)
	NextOfKinDeath  NotificationKind = "next_of_kin_death" // next of kin told at once of a death (SMR 69)
	FamilyIllness   NotificationKind = "family_illness"    // family may be told of serious illness (SMR 68)
)

// Notification is a duty to inform someone, with a deadline and an outcome. The
// ledger derives notifications from the events that give rise to them, so each has
// the same id on every replay.
type Notification struct {
	ID        uuid.UUID        `json:"id"`
	Kind      NotificationKind `json:"kind"`
	Person    uuid.UUID        `json:"person"`
	RegNo     string           `json:"reg_no"`
	Recipient string           `json:"recipient"`
	Due       time.Time        `json:"due"`
	Cause     uint64           `json:"cause"` // the ledger index of the event that made it due
	Party     uuid.UUID        `json:"party"` // who owes it: the custodian at the time
	Done      *time.Time       `json:"done,omitempty"`
	Outcome   string           `json:"outcome,omitempty"`
	Event     uint64           `json:"event,omitempty"` // the completion's ledger index
}

// Overdue reports whether the notification is past its deadline and not done.
func (n *Notification) Overdue(now time.Time) bool { return n.Done == nil && now.After(n.Due) }

// CompleteNotification records that a notification was made, and its outcome.
type CompleteNotification struct {
	Meta
	Notification uuid.UUID
	Outcome      string
}

// NotificationCompleted: a duty to inform was carried out. Subject: the person.
type NotificationCompleted struct {
	Notification uuid.UUID `json:"notification"`
	Outcome      string    `json:"outcome"`
}

func (NotificationCompleted) EventType() Type { return TypeNotificationCompleted }

// Notification returns a notification by id.
func (s *State) Notification(id uuid.UUID) (*Notification, bool) {
	n, ok := s.notifications[id]
	return n, ok
}

func decideCompleteNotification(s *State, c CompleteNotification) ([]Draft, error) {
	n, ok := s.notifications[c.Notification]
	if !ok {
		return nil, Errorf(NotFound, "notification", "no notification %s", c.Notification)
	}
	if n.Done != nil {
		return nil, Errorf(Conflict, "notification", "notification %s was already completed at event %d", n.ID, n.Event)
	}
	if err := requireText("outcome", c.Outcome, 2000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, n.Person, n.Party, &NotificationCompleted{Notification: n.ID, Outcome: c.Outcome})}, nil
}

// notificationsFor returns the duties an event gives rise to.
func (s *State) notificationsFor(e *Event, p *PersonState) []*Notification {
	var out []*Notification
	add := func(kind NotificationKind, recipient string, within time.Duration) {
		out = append(out, &Notification{ID: deriveAfter(e.ID, []byte(kind)), Kind: kind, Person: p.Record.ID, RegNo: p.Record.RegNo,
			Recipient: recipient, Due: e.OccurredAt.Add(within), Party: p.Custody.Custodian})
	}
	switch e.Data.(type) {
	case *PersonArrived:
		add(FamilyTransfer, "family", 48*time.Hour)
		add(CaptureCard, "ICRC Central Tracing Agency", 7*24*time.Hour)
		if isMinor(&p.Record) {
			add(ParentsJuvenile, "parents or guardian", 24*time.Hour)
		}
	case *PersonDied:
		add(NextOfKinDeath, "next of kin", 24*time.Hour)
	case *HospitalAdmitted:
		add(FamilyIllness, "family", 72*time.Hour)
	}
	return out
}
