package plan

import (
	"cmp"
	"slices"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// staticBound is the part of the lower bound known before scheduling: persons no plan
// can move (unavailable, blocked, too large, beyond every receiver's places, beyond
// every slot), persons at deadline sites no plan can move in time, and the priority
// days if every priority person left on the day they are ready.
func (p *planner) staticBound() Objective {
	var b Objective
	n := len(p.req.Convoys)
	capMax := 0
	for _, c := range p.req.Convoys {
		capMax = max(capMax, capacityOf(c, p.req.MovementSize))
	}
	g := len(p.in.Priorities)
	site := map[uuid.UUID]*siteState{}
	for _, s := range p.sites {
		site[s.ID] = s
	}
	for i := range p.in.Persons {
		per := &p.in.Persons[i]
		if _, out := p.reasons[per.ID]; !out {
			continue
		}
		b.Unplanned++
		if s := site[per.Site]; s != nil && s.deadline >= 0 {
			b.Late++
		}
		if per.Priority >= 0 && per.Priority < g {
			b.Priority += (g - per.Priority) * p.req.horizon()
		}
	}
	demand := map[custody.Category]int{}
	pending := 0
	type due struct{ day, persons int }
	var dues []due
	for _, s := range p.sites {
		onTime := 0
		for _, u := range s.pending {
			if len(p.possible(u)) == 0 {
				b.Unplanned += u.size()
				if s.deadline >= 0 {
					b.Late += u.size()
				}
				for _, m := range u.members {
					if m.Priority >= 0 && m.Priority < g {
						b.Priority += (g - m.Priority) * p.req.horizon()
					}
				}
				continue
			}
			pending += u.size()
			for c, k := range u.cats {
				demand[c] += k
			}
			if s.deadline >= 0 {
				if u.ready >= s.deadline {
					b.Late += u.size()
				} else {
					onTime += u.size()
				}
			}
		}
		if s.deadline >= 0 {
			dues = append(dues, due{s.deadline, onTime})
		}
	}
	b.Priority += p.priorityFloor(capMax)
	supply := map[custody.Category]int{}
	for _, r := range p.recvs {
		for c, k := range r.free {
			supply[c] += k
		}
	}
	short := 0
	for c, k := range demand {
		short += max(0, k-supply[c])
	}
	short = max(short, pending-p.req.horizon()*n*capMax)
	b.Unplanned += short
	slices.SortFunc(dues, func(a, b due) int { return a.day - b.day })
	late, sum := 0, 0
	for _, d := range dues {
		sum += d.persons
		late = max(late, sum-d.day*n*capMax)
	}
	b.Late += late
	return b
}

// bound completes the static bound with the movements and the completion day any
// plan needs to carry the persons this plan carries: per site, its persons over the
// largest convoy, or its households riding alone over the most vehicles of a convoy.
func (p *planner) bound(pl *Plan) Objective {
	b := p.static
	capMax, vehMax := 0, 0
	for _, c := range p.req.Convoys {
		capMax = max(capMax, capacityOf(c, p.req.MovementSize))
		vehMax = max(vehMax, len(c))
	}
	// Per site, persons whose possible receivers differ entirely need movements
	// of their own: the bound sums over such groups when the groups are disjoint.
	type group struct {
		persons, alone int
		recvs          map[uuid.UUID]bool
	}
	groups := map[uuid.UUID]map[string]*group{}
	last := 0
	for _, m := range p.moves {
		if groups[m.site.ID] == nil {
			groups[m.site.ID] = map[string]*group{}
		}
		for _, u := range m.load.units {
			key := u.catKey + "|" + u.to.String()
			gr := groups[m.site.ID][key]
			if gr == nil {
				gr = &group{recvs: p.possible(u)}
				groups[m.site.ID][key] = gr
			}
			gr.persons += u.size()
			if u.class == classAlone {
				gr.alone++
			}
			last = max(last, u.ready+1)
		}
	}
	need := func(n, alone int) int { return max((n+capMax-1)/capMax, (alone+vehMax-1)/vehMax) }
	for _, gs := range groups {
		disjoint := true
		total, alone, sum := 0, 0, 0
		seen := map[uuid.UUID]int{}
		for _, gr := range gs {
			total += gr.persons
			alone += gr.alone
			sum += need(gr.persons, gr.alone)
			for r := range gr.recvs {
				seen[r]++
				if seen[r] > 1 {
					disjoint = false
				}
			}
		}
		if disjoint {
			b.Movements += sum
		} else {
			b.Movements += need(total, alone)
		}
	}
	per := len(p.req.Convoys)
	b.Completion = max(last, (b.Movements+per-1)/per)
	return b
}

// possible is the set of receivers that had, at the start, room for unit u.
func (p *planner) possible(u *unit) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	for _, r := range p.in.Receivers {
		if u.to != uuid.Nil && u.to != r.ID {
			continue
		}
		ok := true
		for c, n := range u.cats {
			if r.Free[c] < n {
				ok = false
			}
		}
		if ok {
			out[r.ID] = true
		}
	}
	return out
}

// priorityFloor bounds the priority days of the persons a plan may move from below
// by relaxing the problem: any persons may share a movement, so that a day carries
// up to perSlot persons in each of its open slots; each day, the heaviest persons
// ready leave (for persons of equal size, taking the heaviest ready first is
// optimal: swapping a lighter one sent earlier with a heavier one sent later never
// costs more). Those not sent within the horizon count at the horizon.
func (p *planner) priorityFloor(perSlot int) int {
	g := len(p.in.Priorities)
	h := p.req.horizon()
	if g == 0 {
		return 0
	}
	type waiting struct{ weight, ready int }
	var ws []waiting
	for _, s := range p.sites {
		for _, u := range s.pending {
			if len(p.possible(u)) == 0 {
				continue // counted at the horizon by staticBound
			}
			for _, m := range u.members {
				if m.Priority >= 0 && m.Priority < g {
					ws = append(ws, waiting{g - m.Priority, u.ready})
				}
			}
		}
	}
	// By ready day, then heaviest first; a max-heap of weights holds those ready.
	slices.SortFunc(ws, func(a, b waiting) int { return cmp.Compare(a.ready, b.ready) })
	var ready []int // weights of the persons ready and not sent, kept sorted
	floor, next := 0, 0
	for d := 0; d < h && (next < len(ws) || len(ready) > 0); d++ {
		for next < len(ws) && ws[next].ready <= d {
			i, _ := slices.BinarySearch(ready, ws[next].weight)
			ready = slices.Insert(ready, i, ws[next].weight)
			next++
		}
		open := 0
		for k := range p.req.Convoys {
			if !p.taken[[2]int{d, k}] {
				open++
			}
		}
		for n := open * perSlot; n > 0 && len(ready) > 0; n-- {
			floor += ready[len(ready)-1] * d
			ready = ready[:len(ready)-1]
		}
	}
	for _, w := range ready {
		floor += w * h
	}
	for _, w := range ws[next:] {
		floor += w.weight * h
	}
	return floor
}
