package scenario

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The demo's four movements (docs/scenario.md items 3–6): where each goes from and to,
// when its transfer is proposed, and how far it comes.
var demoMoves = []struct {
	from, to string
	priority string
	proposed time.Time
	departs  bool
	arrives  bool
	absent   int // persons not present at arrival
	blocked  bool
}{
	{Hasakah, Northern, AttacksOnIraqiCivilians, time.Date(2026, 1, 20, 15, 0, 0, 0, time.UTC), true, true, 0, false},
	{Riverside, Central, "", time.Date(2026, 1, 22, 16, 0, 0, 0, time.UTC), true, true, 1, false},
	{Plains, Southern, "", time.Date(2026, 1, 24, 16, 0, 0, 0, time.UTC), true, false, 0, false},
	{Hasakah, Northern, "", time.Date(2026, 1, 26, 16, 0, 0, 0, time.UTC), false, false, 0, true},
}

// How many persons of movement 4 wait on a death-penalty risk assessment, and how
// many on a medical clearance.
const (
	demoPendingRisk    = 3
	demoMissingMedical = 2
)

// When a move's handovers happen, after its transfer is proposed: the plan is made
// within the day (Drafter.Prepare), the convoy leaves early the next morning and
// arrives the same afternoon.
const (
	departAfter = 38*time.Hour + 30*time.Minute
	arriveAfter = 47*time.Hour + 10*time.Minute
)

// plan draws the demo's operations from g: which persons each movement carries and
// the identifiers of everything it creates.
func (w *World) plan(g *gen) Operations {
	created := w.ControlChange.Add(4 * time.Hour)
	ops := Operations{Created: created, Campaign: custody.Campaign{ID: g.idAt(created), Name: CampaignName, Target: CampaignTarget,
		Receiving: w.Party(IRQ).ID, Priorities: []string{AttacksOnIraqiCivilians}}}
	// Neither registration of a man registered twice travels in the demo: the
	// duplicate finder should meet both while they are still in Syria.
	used := map[uuid.UUID]bool{}
	for _, d := range w.Duplicates {
		used[d[0]], used[d[1]] = true, true
	}
	order := map[uuid.UUID]int{}
	for i, p := range w.Persons {
		order[p.Person.ID] = i
	}
	for i, spec := range demoMoves {
		var pool []uuid.UUID
		for _, p := range w.adults(spec.from) {
			if !used[p.ID] && (spec.priority == "" || p.Detention.Reasons == spec.priority) {
				pool = append(pool, p.ID)
			}
		}
		shuffle(g, pool)
		persons := pool[:min(MovementSize, len(pool))]
		slices.SortFunc(persons, func(a, b uuid.UUID) int { return order[a] - order[b] })
		for _, p := range persons {
			used[p] = true
		}
		m := w.move(g, fmt.Sprintf("movement %d", i+1), ops.Campaign.ID, spec.from, spec.to, spec.priority, spec.proposed, persons)
		if !spec.departs {
			m.Departure = nil
		}
		if !spec.arrives {
			m.Arrival = nil
		} else {
			for _, j := range g.r.Perm(len(persons))[:spec.absent] {
				m.Arrival.Absent = append(m.Arrival.Absent, persons[j])
			}
		}
		if spec.blocked {
			perm := g.r.Perm(len(persons))
			for _, j := range perm[:demoPendingRisk] {
				m.Blocked = append(m.Blocked, Block{Person: persons[j], Kind: custody.RiskAssessment, Recorded: pendingRisk()})
			}
			for _, j := range perm[demoPendingRisk : demoPendingRisk+demoMissingMedical] {
				m.Blocked = append(m.Blocked, Block{Person: persons[j], Kind: custody.Medical})
			}
		}
		ops.Moves = append(ops.Moves, m)
	}
	return ops
}

// pendingRisk is a risk assessment that cannot be met yet: the death penalty.
func pendingRisk() *custody.Safeguard {
	return &custody.Safeguard{Kind: custody.RiskAssessment, Met: false,
		Finding: "the charges he faces in Iraq carry the death penalty: the assessment waits for the written assurance requested from the Iraqi Ministry of Justice",
		Risk: &custody.Risk{Torture: custody.NoRealRisk, Persecution: custody.NoRealRisk, DeathPenalty: custody.Pending,
			Assurances: "requested from the Iraqi Ministry of Justice; not yet received"},
		Assessor: "transfer cell legal officer"}
}

// adults returns the adult detainees registered at the facility with the given code,
// in registration order.
func (w *World) adults(code string) []*custody.Person {
	f := w.Facility(code).ID
	var out []*custody.Person
	for i := range w.Persons {
		p := &w.Persons[i]
		if p.Facility == f && p.Person.Category == custody.Detainee {
			out = append(out, &p.Person)
		}
	}
	return out
}

// move builds a transfer of persons from one facility to another and its movement,
// carried through to arrival; callers cut it short.
func (w *World) move(g *gen, name string, campaign uuid.UUID, from, to, priority string, proposed time.Time, persons []uuid.UUID) Move {
	src, dst := w.Facility(from), w.Facility(to)
	t := custody.Transfer{ID: g.idAt(proposed), Campaign: campaign, From: src.ID, To: dst.ID,
		LegalBasis: legalBasis, OrderedBy: orderedBy, Priority: priority, Persons: persons}
	vehicles, manifest := Convoy(persons)
	departs, arrives := proposed.Add(departAfter), proposed.Add(arriveAfter)
	mv := custody.Movement{ID: g.idAt(proposed.Add(22 * time.Hour)), Transfer: t.ID, Escort: w.Party(USF).ID, Mode: custody.Convoy,
		Vehicles: vehicles, PlannedDeparture: departs, Conditions: conditions, Manifest: manifest}
	return Move{Name: name, Transfer: t, Movement: mv, Proposed: proposed,
		Departure: &Leg{Document: g.idAt(departs), At: departs, Place: src.Name + ", vehicle gate"},
		Arrival:   &Leg{Document: g.idAt(arrives), At: arrives, Place: dst.Name + ", reception"}}
}

// CampaignPlan is a whole campaign of target adult detainees, taken from the Syrian
// prisons in registration order (a man registered twice travels once), on movements
// of at most MovementSize persons to the Iraqi correctional institutions with the
// most room, each carried through to arrival. The benchmarks build it; it does not
// depend on the demo's operations, and the same world and target give the same plan.
func (w *World) CampaignPlan(target int) (*Operations, error) {
	g := newGen(int64(target))
	second := map[uuid.UUID]bool{}
	for _, d := range w.Duplicates {
		second[d[1]] = true
	}
	created := w.ControlChange.Add(4 * time.Hour)
	ops := &Operations{Created: created, Campaign: custody.Campaign{ID: g.idAt(created), Name: CampaignName + " (benchmark)", Target: target,
		Receiving: w.Party(IRQ).ID, Priorities: []string{AttacksOnIraqiCivilians}}}
	room := map[string]int{}
	dests := []string{Northern, Central, Southern}
	for _, c := range dests {
		room[c] = w.Facility(c).Capacities[custody.Detainee]
	}
	left := target
	for _, prison := range prisons {
		var pool []uuid.UUID
		for _, p := range w.adults(prison) {
			if !second[p.ID] {
				pool = append(pool, p.ID)
			}
		}
		for len(pool) > 0 && left > 0 {
			n := min(MovementSize, len(pool), left)
			persons := pool[:n:n]
			pool, left = pool[n:], left-n
			to := slices.MaxFunc(dests, func(a, b string) int { return room[a] - room[b] })
			if room[to] < n {
				return nil, fmt.Errorf("scenario: no Iraqi institution has room for %d more persons", n)
			}
			room[to] -= n
			i := len(ops.Moves)
			proposed := created.Add(time.Hour + time.Duration(i)*2*time.Hour)
			ops.Moves = append(ops.Moves, w.move(g, fmt.Sprintf("movement %d", i+1), ops.Campaign.ID, prison, to, "", proposed, persons))
		}
	}
	if left > 0 {
		return nil, fmt.Errorf("scenario: the world holds %d adult detainees, fewer than the target %d", target-left, target)
	}
	return ops, nil
}
