package scenario

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestShiftKeepsOrderAndSpacing: a shifted world's registrations and operations
// keep their order and the time between any two of them.
func TestShiftKeepsOrderAndSpacing(t *testing.T) {
	a, b := New(1), New(1)
	d := 313 * 24 * time.Hour
	b.Shift(d)
	if !b.Start.Equal(a.Start.Add(d)) || !b.ControlChange.Equal(a.ControlChange.Add(d)) || !b.Operations.Created.Equal(a.Operations.Created.Add(d)) {
		t.Fatalf("start, control change or campaign not moved by %v", d)
	}
	for i := range a.Persons {
		if got := b.Persons[i].At.Sub(a.Persons[i].At); got != d {
			t.Fatalf("registration %d moved by %v", i, got)
		}
	}
	for i, m := range a.Operations.Moves {
		n := b.Operations.Moves[i]
		if n.Proposed.Sub(m.Proposed) != d || n.Movement.PlannedDeparture.Sub(m.Movement.PlannedDeparture) != d ||
			(m.Departure != nil && n.Departure.At.Sub(m.Departure.At) != d) || (m.Arrival != nil && n.Arrival.At.Sub(m.Arrival.At) != d) {
			t.Fatalf("%s not moved by %v", m.Name, d)
		}
	}
}

// TestDaysBefore: the shift is whole days and lands the latest event on the day
// before now, never after it.
func TestDaysBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		latest := time.Date(2026, 1, 27, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 86400).Draw(t, "second")) * time.Second)
		now := latest.Add(time.Duration(rapid.Int64Range(-86400*10, 86400*3000).Draw(t, "after")) * time.Second)
		d := DaysBefore(latest, now)
		if d < 0 || d%(24*time.Hour) != 0 {
			t.Fatalf("shift %v is not whole days", d)
		}
		moved := latest.Add(d)
		if d > 0 && (now.Sub(moved) < 24*time.Hour || now.Sub(moved) >= 48*time.Hour) {
			t.Fatalf("latest %v, now %v: shifted to %v, not the day before", latest, now, moved)
		}
	})
}
