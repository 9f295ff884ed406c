package plan

import (
	"cmp"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/google/uuid"
)

// searchWork bounds the local search: the persons re-planned, summed over every
// neighbour tried. A neighbour re-plans every person, so an instance of 60 persons
// may try some 650 neighbours, and the demo's campaign (9,855 persons) four.
const searchWork = 40_000

// repairs are the strategies a neighbour is planned with: the plain scheduler,
// larger households first, the tightest receiver, places left for sites due earlier
// (alone, and with deadline sites served first), and no slot forced to a deadline
// site. (Counting half-full convoys, which Make also tries, never found a better
// neighbour on the instances compared with the exact solver.)
var repairs = []strategy{{false, 1, false, false, false, false, false}, {false, 1, false, true, false, false, false}, {false, 1, true, false, false, false, false},
	{false, 1, false, false, true, false, false}, {false, 1, false, false, false, true, false}, {true, 1, false, false, true, false, false},
	{false, 1, false, false, false, false, true}}

// improve searches around plan cur by large neighbourhoods: it takes some
// movements out (one, two, all of a site, every one from a day on), keeps the others
// as they are, and plans the rest again as Make does, with each of repairs, the
// kept movements topped up first or as the schedule reaches them; then it holds back
// one unit, or one class of a site, plans every movement again, and only then gives
// the units held back the seats and slots left. It moves to the
// first neighbour with a better Objective, until no neighbour is better or the work
// allowed is spent. Neighbours are tried in parallel but chosen in a fixed order, so
// the result is deterministic. base is a planner before scheduling, cloned for each
// neighbour.
func improve(base *planner, cur *Plan) *Plan {
	budget := searchWork / max(1, len(base.in.Persons))
	batch := 2 * runtime.GOMAXPROCS(0)
	type try struct {
		drop  map[string]bool
		st    strategy
		first bool
		hold  map[*unit]bool
		limit map[uuid.UUID]int
	}
	unitOf := map[uuid.UUID]*unit{}
	for _, s := range base.sites {
		for _, u := range s.pending {
			for _, m := range u.members {
				unitOf[m.ID] = u
			}
		}
	}
	for budget > 0 {
		// Each deadline site held to one movement fewer before its deadline,
		// every movement planned again: a site due early may leave a few persons
		// behind so that a site due later, whose classes need more vehicles, leaves
		// fewer.
		all := map[string]bool{}
		for _, m := range cur.Movements {
			all[m.Key] = true
		}
		early := map[uuid.UUID]int{}
		for _, m := range cur.Movements {
			if s := base.siteByID[m.From]; s != nil && s.deadline >= 0 && m.Day < s.deadline {
				early[m.From]++
			}
		}
		var tries []try
		for _, s := range base.sites {
			if early[s.ID] > 0 {
				for _, rs := range repairs {
					tries = append(tries, try{all, rs, false, nil, map[uuid.UUID]int{s.ID: early[s.ID] - 1}})
				}
			}
		}
		// Then movements taken out.
		for _, drop := range neighbourhoods(cur) {
			for _, first := range []bool{false, true} {
				for _, st := range repairs {
					tries = append(tries, try{drop, st, first, nil, nil})
				}
			}
		}
		// Then each unit held back in turn, every movement planned again and the
		// unit last: planning one person last may save a vehicle, or a slot
		// another site needs more.
		// And each class of a site held back whole (a class may cost a vehicle
		// for few persons).
		held := map[*unit]bool{}
		groups := map[[2]int]map[*unit]bool{}
		var order [][2]int
		for _, m := range byLoad(cur) {
			for _, st := range m.Manifest {
				if u := unitOf[st.Person]; u != nil && !held[u] {
					held[u] = true
					for _, rs := range repairs {
						tries = append(tries, try{all, rs, false, map[*unit]bool{u: true}, nil})
					}
					k := [2]int{slices.IndexFunc(base.sites, func(s *siteState) bool { return s.ID == u.site }), int(u.class)}
					if groups[k] == nil {
						groups[k] = map[*unit]bool{}
						order = append(order, k)
					}
					groups[k][u] = true
				}
			}
		}
		for _, k := range order {
			if len(groups[k]) > 1 {
				for _, rs := range repairs {
					tries = append(tries, try{all, rs, false, groups[k], nil})
				}
			}
		}
		var next *Plan
		for len(tries) > 0 && budget > 0 && next == nil {
			n := min(batch, len(tries), budget)
			out := make([]*planner, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					out[i] = base.rebuild(tries[i].st, cur, tries[i].drop, tries[i].first, tries[i].hold, tries[i].limit)
				})
			}
			wg.Wait()
			// Only the neighbours up to the one taken are charged, so that the
			// work, and the plan, do not depend on the number of cores.
			used := n
			for i, p := range out {
				if !p.score().Less(cur.Objective) {
					continue
				}
				if pl := p.finish(); pl.Objective.Less(cur.Objective) {
					next, used = pl, i+1
					break
				}
			}
			budget -= used
			tries = tries[n:]
		}
		if next == nil {
			break
		}
		cur = next
	}
	return cur
}

// neighbourhoods lists the sets of movements to take out of a plan, in a fixed
// order: each movement alone (the emptiest first), each pair, each site's
// movements, and every movement from each day on.
func neighbourhoods(pl *Plan) []map[string]bool {
	ms := byLoad(pl)
	var out []map[string]bool
	for _, m := range ms {
		out = append(out, map[string]bool{m.Key: true})
	}
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			out = append(out, map[string]bool{a.Key: true, b.Key: true})
		}
	}
	bySite := map[uuid.UUID]map[string]bool{}
	var sites []uuid.UUID
	for _, m := range pl.Movements {
		if bySite[m.From] == nil {
			bySite[m.From] = map[string]bool{}
			sites = append(sites, m.From)
		}
		bySite[m.From][m.Key] = true
	}
	for _, s := range sites {
		if len(bySite[s]) > 2 {
			out = append(out, bySite[s])
		}
	}
	// Movements are in day order: every movement from the i-th on, at each new day.
	for i, m := range pl.Movements {
		if i == 0 || m.Day == pl.Movements[i-1].Day || len(pl.Movements)-i < 3 {
			continue
		}
		from := map[string]bool{}
		for _, n := range pl.Movements[i:] {
			from[n.Key] = true
		}
		out = append(out, from)
	}
	return out
}

// byLoad is a plan's movements, the emptiest first.
func byLoad(pl *Plan) []Movement {
	ms := slices.Clone(pl.Movements)
	slices.SortStableFunc(ms, func(a, b Movement) int { return cmp.Compare(len(a.Manifest), len(b.Manifest)) })
	return ms
}

// rebuild plans again from cur on a clone of p (a planner before scheduling),
// keeping cur's movements but those drop names and planning the persons left as
// Make does with strategy st, the units hold names last (in the seats and slots
// the others left). With first, the kept movements are topped up before
// anything else (as Replan does); otherwise when the schedule reaches each, after
// the free slots before it.
func (p *planner) rebuild(st strategy, cur *Plan, drop map[string]bool, first bool, hold map[*unit]bool, limit map[uuid.UUID]int) *planner {
	q := p.clone()
	q.use(st)
	for id, n := range limit {
		q.siteByID[id].limit = n
	}
	kept := q.seed(cur, drop, false)
	held := map[*siteState][]*unit{}
	for _, s := range q.sites {
		for _, u := range s.pending {
			if hold[u] {
				held[s] = append(held[s], u)
			}
		}
		if len(held[s]) > 0 {
			s.pending = slices.DeleteFunc(s.pending, func(u *unit) bool { return hold[u] })
		}
	}
	if first {
		q.topUp(kept)
	} else {
		q.later = map[[2]int]*planned{}
		for _, m := range kept {
			q.later[[2]int{m.day, m.slot}] = m
		}
	}
	q.schedule()
	if len(hold) == 0 {
		return q
	}
	// The units held back come last: into the seats left, then the slots left.
	for _, s := range q.sites {
		s.pending = append(s.pending, held[s]...)
	}
	moves := slices.Clone(q.moves)
	slices.SortFunc(moves, func(a, b *planned) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.slot, b.slot)) })
	q.later = nil
	q.topUp(moves)
	q.schedule()
	return q
}

// clone copies a planner that has not scheduled yet; units are shared, as nothing
// changes them.
func (p *planner) clone() *planner {
	q := *p
	q.sites = make([]*siteState, len(p.sites))
	q.siteByID = make(map[uuid.UUID]*siteState, len(p.sites))
	for i, s := range p.sites {
		c := *s
		c.pending = slices.Clone(s.pending)
		q.sites[i], q.siteByID[s.ID] = &c, &c
	}
	q.recvs = make([]*recvState, len(p.recvs))
	for i, r := range p.recvs {
		c := *r
		c.free = maps.Clone(r.free)
		q.recvs[i] = &c
	}
	q.taken = maps.Clone(p.taken)
	q.reasons = maps.Clone(p.reasons)
	q.moves = nil
	q.later = nil
	return &q
}

// score is the Objective of the movements planned so far, as Score computes it on
// the finished plan, without finishing it.
func (p *planner) score() Objective {
	var o Objective
	h, g := p.req.horizon(), len(p.in.Priorities)
	moved := 0
	for _, m := range p.moves {
		o.Movements++
		o.Completion = max(o.Completion, m.day+1)
		for _, u := range m.load.units {
			moved += u.size()
			if m.site.deadline >= 0 && m.day < m.site.deadline {
				o.Late -= u.size()
			}
			for _, per := range u.members {
				if per.Priority >= 0 && per.Priority < g {
					o.Priority -= (g - per.Priority) * (h - m.day)
				}
			}
		}
	}
	o.Unplanned = len(p.in.Persons) - moved
	for i := range p.in.Persons {
		per := &p.in.Persons[i]
		if s := p.siteByID[per.Site]; s != nil && s.deadline >= 0 {
			o.Late++
		}
		if per.Priority >= 0 && per.Priority < g {
			o.Priority += (g - per.Priority) * h
		}
	}
	return o
}

// renumber gives a plan's movements the keys P001, P002… by day and convoy.
func renumber(pl *Plan) {
	keys := map[string]string{}
	for i := range pl.Movements {
		m := &pl.Movements[i]
		k := fmt.Sprintf("P%03d", i+1)
		keys[m.Key], m.Key = k, k
	}
	for i := range pl.Persons {
		if a := &pl.Persons[i]; a.Movement != "" {
			a.Movement = keys[a.Movement]
		}
	}
}
