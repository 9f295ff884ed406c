package custody

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Flags the system raises on its own (docs/standards.md §J), beside those recorded by hand.
const (
	BoyInAdultFacility      Flag = "boy_in_adult_facility"
	ConsulateNotNotified    Flag = "consulate_not_notified"
	ManifestNotReconciled   Flag = "manifest_not_reconciled"
	RecordReconstructed     Flag = "record_reconstructed"
	SafeguardOverriddenFlag Flag = "safeguard_overridden"
	NotificationOverdue     Flag = "notification_overdue"
)

// ComputedFlags lists every flag of docs/standards.md §J, in the order reports show them.
var ComputedFlags = []Flag{AgeDisputed, BoyInAdultFacility, FamilySeparated, ConsulateNotNotified, DeathPenaltyExposed,
	NoICRCAccess, ManifestNotReconciled, RecordReconstructed, SafeguardOverriddenFlag, NotificationOverdue}

// IsFlag reports whether f names a flag.
func IsFlag(f Flag) bool { return slices.Contains(ComputedFlags, f) }

// refreshFlags recomputes a person's flags and notification deadline into their
// custody projection. NotificationOverdue depends on the clock, so it is not stored:
// NotifyBy is, and readers compare it with the time (Custody.FlagsAt).
func (s *State) refreshFlags(p *PersonState) {
	set := map[Flag]bool{}
	for _, f := range p.Record.Flags {
		set[f] = true
	}
	r := &p.Record
	c := &p.Custody
	if r.Reconstructed != nil {
		set[RecordReconstructed] = true
	}
	if r.Sex == Male && isMinor(r) && c.Status.AtFacility() {
		if f, ok := s.facilities[c.Facility]; ok && (f.Kind == Prison || f.Kind == CorrectionalInstitution) {
			set[BoyInAdultFacility] = true
		}
	}
	if r.Household != uuid.Nil && !c.Status.Ended() {
		for _, id := range s.households[r.Household] {
			q := s.persons[id]
			if q == nil || id == r.ID || q.Custody.Status.Ended() {
				continue
			}
			if q.Custody.Facility != c.Facility || q.Custody.Movement != c.Movement || q.Custody.Status == Escaped || c.Status == Escaped {
				set[FamilySeparated] = true
				break
			}
		}
	}
	for _, tid := range s.transfersOf[r.ID] {
		t := s.transfers[tid]
		tp := t.byPerson[r.ID]
		if len(tp.Overrides) > 0 {
			set[SafeguardOverriddenFlag] = true
		}
		if t.Status == CancelledTransfer {
			continue
		}
		if slices.Contains(tp.Required, Consular) {
			if g, ok := tp.Safeguards[Consular]; !ok || !g.Met {
				set[ConsulateNotNotified] = true
			}
		}
		if g, ok := tp.Safeguards[RiskAssessment]; ok && g.Risk != nil && g.Risk.DeathPenalty == RealRisk {
			set[DeathPenaltyExposed] = true
		}
		if g, ok := tp.Safeguards[ICRCNotified]; ok && g.Interview == InterviewDenied {
			set[NoICRCAccess] = true
		}
	}
	for _, iid := range s.incidentsOf[r.ID] {
		in := s.incidents[iid]
		if in.Type == Discrepancy && in.Open {
			if _, done := in.Resolved[r.ID.String()]; !done {
				set[ManifestNotReconciled] = true
			}
		}
	}
	c.NotifyBy = time.Time{}
	for _, nid := range s.notificationsOf[r.ID] {
		n := s.notifications[nid]
		if n.Done == nil && (c.NotifyBy.IsZero() || n.Due.Before(c.NotifyBy)) {
			c.NotifyBy = n.Due
		}
	}
	c.Flags = c.Flags[:0:0]
	for _, f := range ComputedFlags {
		if set[f] {
			c.Flags = append(c.Flags, f)
		}
	}
	if len(c.Flags) == 0 {
		c.Flags = nil
	}
}

// FlagsAt returns the custody's flags as they stand at time now: the stored ones,
// and NotificationOverdue when a notification is past its deadline.
func (c *Custody) FlagsAt(now time.Time) []Flag {
	if c.NotifyBy.IsZero() || !now.After(c.NotifyBy) {
		return c.Flags
	}
	return append(slices.Clone(c.Flags), NotificationOverdue)
}

// RefreshFlags recomputes every person's flags: after a replay, before projections
// are compared or written whole.
func (s *State) RefreshFlags() {
	for _, p := range s.persons {
		s.refreshFlags(p)
	}
}
