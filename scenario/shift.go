package scenario

import "time"

// Shift moves every time of the world by d: the registrations, the control
// change and the operations (proposals, planned departures, handovers), so that
// the scenario keeps its order and its spacing on another calendar. Ids drawn
// from the original times stay as they are, and so do the records' own dates
// (births, arrests), which lie before the shifted registrations all the same
// when d is not negative. Shift before drafting the operations' commands: their
// signed documents carry the times.
func (w *World) Shift(d time.Duration) {
	w.Start = w.Start.Add(d)
	w.ControlChange = w.ControlChange.Add(d)
	for i := range w.Persons {
		w.Persons[i].At = w.Persons[i].At.Add(d)
	}
	ops := &w.Operations
	ops.Created = ops.Created.Add(d)
	for i := range ops.Moves {
		m := &ops.Moves[i]
		m.Proposed = m.Proposed.Add(d)
		m.Movement.PlannedDeparture = m.Movement.PlannedDeparture.Add(d)
		for _, leg := range []*Leg{m.Departure, m.Arrival} {
			if leg != nil {
				leg.At = leg.At.Add(d)
			}
		}
	}
}

// DaysBefore is the whole number of days to shift a scenario whose latest event
// occurs at latest so that it occurs on the day before now, at the same time of
// day (never later than a day before now); zero when latest is already that old.
func DaysBefore(latest, now time.Time) time.Duration {
	days := int(now.Sub(latest) / (24 * time.Hour))
	if days <= 1 {
		return 0
	}
	return time.Duration(days-1) * 24 * time.Hour
}
