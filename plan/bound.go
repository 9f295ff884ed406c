package plan

import (
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
			pending += u.size()
			for c, k := range u.cats {
				demand[c] += k
			}
			for _, m := range u.members {
				if m.Priority >= 0 && m.Priority < g {
					b.Priority += (g - m.Priority) * min(u.ready, p.req.horizon())
				}
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
	persons := map[uuid.UUID]int{}
	alone := map[uuid.UUID]int{}
	last := 0
	for _, m := range p.moves {
		for _, u := range m.load.units {
			persons[m.site.ID] += u.size()
			if u.class == classAlone {
				alone[m.site.ID]++
			}
			last = max(last, u.ready+1)
		}
	}
	for s, n := range persons {
		b.Movements += max((n+capMax-1)/capMax, (alone[s]+vehMax-1)/vehMax)
	}
	per := len(p.req.Convoys)
	b.Completion = max(last, (b.Movements+per-1)/per)
	return b
}
