package plan

import (
	"github.com/google/uuid"
)

// Score computes a plan's objective over the input it was made for: persons at a
// site with a deadline who do not leave before it (including those never planned),
// persons not planned, the departure days of priority persons (group g of G weighs
// G-g; a person not planned counts at the horizon), movements, and the day after the
// last departure.
func Score(in *Input, pl *Plan) Objective {
	var o Objective
	leaves := map[uuid.UUID]int{}
	for _, m := range pl.Movements {
		o.Movements++
		o.Completion = max(o.Completion, m.Day+1)
		for _, st := range m.Manifest {
			leaves[st.Person] = m.Day
		}
	}
	deadline := map[uuid.UUID]int{}
	for _, s := range in.Sites {
		if !s.Deadline.IsZero() {
			deadline[s.ID] = pl.Request.dayOf(s.Deadline)
		}
	}
	g := len(in.Priorities)
	for i := range in.Persons {
		p := &in.Persons[i]
		d, moved := leaves[p.ID]
		if !moved {
			o.Unplanned++
			d = pl.Request.horizon()
		}
		if dl, ok := deadline[p.Site]; ok && (!moved || d >= dl) {
			o.Late++
		}
		if p.Priority >= 0 && p.Priority < g {
			o.Priority += (g - p.Priority) * d
		}
	}
	return o
}

// Less reports whether objective a is better than b.
func (a Objective) Less(b Objective) bool {
	x := []int{a.Late, a.Unplanned, a.Priority, a.Movements, a.Completion}
	y := []int{b.Late, b.Unplanned, b.Priority, b.Movements, b.Completion}
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}
