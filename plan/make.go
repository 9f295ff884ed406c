package plan

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// ErrRequest is returned, wrapped, for a request that cannot be planned.
var ErrRequest = errors.New("plan: invalid request")

// Make plans the input's persons. The same input and request give the same plan.
// It returns an error wrapping ErrRequest when the request names no convoy, a
// vehicle without seats, or a negative movement size.
//
// It tries a few strategies (deadline sites served as late as their deadlines allow,
// or first; the movements a deadline site needs estimated from full or half-full
// convoys), keeps the plan with the best Objective (the first on a tie) and improves
// it by a bounded local search (see improve).
func Make(in *Input, req Request) (*Plan, error) {
	base, err := newPlanner(in, &req)
	if err != nil {
		return nil, err
	}
	base.static = base.staticBound()
	plans := make([]*Plan, len(strategies))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, st := range strategies {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			p := base.clone()
			p.use(st)
			p.schedule()
			plans[i] = p.finish()
		})
	}
	wg.Wait()
	// The search starts from the best plan of the plain strategies and from the
	// best of the dense ones: a dense plan may score better at first and yet lead
	// the search to a worse end (it moves more persons early, with fewer classes).
	var best *Plan
	for _, from := range [][]*Plan{plans[:firstDense], plans[firstDense:]} {
		var start *Plan
		for _, pl := range from {
			if start == nil || pl.Objective.Less(start.Objective) {
				start = pl
			}
		}
		if pl := improve(base, start); best == nil || pl.Objective.Less(best.Objective) {
			best = pl
		}
	}
	renumber(best)
	return best, nil
}

// strategy varies how the scheduler weighs deadlines against priorities.
type strategy struct {
	deadlinesFirst bool // serve deadline sites before priority groups
	caution        int  // divide a convoy's capacity by this when counting what a deadline site needs
	tightest       bool // on a tie, send to the receiver with the fewest free places left
	largestFirst   bool // within a ready day and priority, larger households first (more persons per scarce place)
	reserve        bool // leave the places of each category that sites due earlier still need
	unforced       bool // never force a slot to a deadline site (a neighbour may need it elsewhere)
	dense          bool // empty a vehicle and fill the movement again when that moves more persons (see denser)
}

// firstDense is the index of the first dense strategy; those before are plain.
var firstDense = slices.IndexFunc(strategies, func(st strategy) bool { return st.dense })

var strategies = []strategy{{false, 1, false, false, false, false, false}, {false, 2, false, false, false, false, false}, {true, 1, false, false, false, false, false},
	{false, 1, true, false, false, false, false}, {true, 2, true, false, false, false, false}, {false, 1, false, true, false, false, false}, {true, 1, false, true, false, false, false},
	{false, 1, false, false, true, false, false}, {false, 1, false, false, false, false, true}, {true, 1, false, false, false, false, true}}

// use sets the planner's strategy, ordering the units at each site for it.
func (p *planner) use(st strategy) {
	p.strategy = st
	if !st.largestFirst {
		return
	}
	for _, s := range p.sites {
		slices.SortStableFunc(s.pending, func(a, b *unit) int {
			return cmp.Or(cmp.Compare(a.ready, b.ready), cmp.Compare(rank(a.priority), rank(b.priority)), cmp.Compare(b.size(), a.size()))
		})
	}
}

func checkRequest(req *Request) error {
	if len(req.Convoys) == 0 {
		return fmt.Errorf("%w: name at least one convoy", ErrRequest)
	}
	if maxSeats(req.Convoys) == 0 {
		return fmt.Errorf("%w: no convoy has a vehicle", ErrRequest)
	}
	for i, c := range req.Convoys {
		for _, v := range c {
			if v.Seats < 1 || v.ID == "" {
				return fmt.Errorf("%w: vehicle %q of convoy %d needs an id and at least one seat", ErrRequest, v.ID, i+1)
			}
		}
	}
	if req.MovementSize < 0 {
		return fmt.Errorf("%w: movement size %d is negative", ErrRequest, req.MovementSize)
	}
	if req.From.IsZero() {
		return fmt.Errorf("%w: the first day is required", ErrRequest)
	}
	return nil
}

type siteState struct {
	Site
	deadline int // day index of the deadline; -1 without one
	pending  []*unit
	limit    int // the most movements it may have before its deadline; -1: no limit
}

type recvState struct {
	Receiver
	free map[custody.Category]int
}

// planned is a movement while the plan is made.
type planned struct {
	key       string
	day, slot int
	site      *siteState
	recv      *recvState
	load      *load
	kept      map[uuid.UUID]bool // persons a re-plan kept
	done      map[*unit]bool     // units committed
}

type planner struct {
	in       *Input
	req      *Request
	sites    []*siteState
	siteByID map[uuid.UUID]*siteState
	recvs    []*recvState
	taken    map[[2]int]bool
	moves    []*planned
	reasons  map[uuid.UUID]Reason // for persons not planned
	next     int
	static   Objective
	strategy strategy
	perMove  int // persons a movement may carry, estimated
	unitsAll []*unit
	// later holds kept movements the schedule tops up when it reaches their slot.
	later map[[2]int]*planned
}

func newPlanner(in *Input, req *Request) (*planner, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	p := &planner{in: in, req: req, siteByID: map[uuid.UUID]*siteState{}, taken: map[[2]int]bool{}}
	for _, s := range in.Sites {
		st := &siteState{Site: s, deadline: -1, limit: -1}
		if !s.Deadline.IsZero() {
			st.deadline = req.dayOf(s.Deadline)
		}
		p.sites = append(p.sites, st)
		p.siteByID[s.ID] = st
	}
	slices.SortFunc(p.sites, func(a, b *siteState) int { return cmp.Compare(a.Code, b.Code) })
	for _, r := range in.Receivers {
		rs := &recvState{Receiver: r, free: map[custody.Category]int{}}
		for c, n := range r.Free {
			rs.free[c] = max(n, 0)
		}
		p.recvs = append(p.recvs, rs)
	}
	slices.SortFunc(p.recvs, func(a, b *recvState) int { return cmp.Compare(a.Code, b.Code) })
	for _, c := range req.Closed {
		p.taken[[2]int{c.Day, c.Slot}] = true
	}
	us, reasons := units(in, req)
	p.reasons = reasons
	p.unitsAll = us
	seats := maxSeats(req.Convoys)
	total := 0
	for _, c := range req.Convoys {
		total += capacityOf(c, req.MovementSize)
	}
	p.perMove = max(1, total/len(req.Convoys))
	p.strategy = strategy{caution: 1}
	for _, u := range us {
		s, ok := p.siteByID[u.site]
		if !ok {
			for _, m := range u.members {
				p.reasons[m.ID] = Reason{Code: NotHeld, Args: []string{"not at a site of the campaign"}}
			}
			continue
		}
		if u.size() > seats || (req.MovementSize > 0 && u.size() > req.MovementSize) {
			for _, m := range u.members {
				p.reasons[m.ID] = Reason{Code: TooLarge, Args: []string{strconv.Itoa(u.size()), strconv.Itoa(seats)}}
			}
			continue
		}
		if len(p.possible(u)) == 0 {
			r := p.leftReason(u)
			for _, m := range u.members {
				p.reasons[m.ID] = r
			}
			continue
		}
		s.pending = append(s.pending, u)
	}
	return p, nil
}

// schedule fills every free slot, day by day, until nobody is left or the horizon ends.
func (p *planner) schedule() {
	for d := 0; d < p.req.horizon(); d++ {
		if !p.anyPending(d) {
			if p.nothingLater(d) {
				return
			}
			continue
		}
		forced := 0
		if !p.strategy.unforced {
			forced = p.forced(d)
		}
		for k := range p.req.Convoys {
			if m := p.later[[2]int{d, k}]; m != nil {
				p.build(m.site, nil, d, k, m)
				p.commit(m)
				continue
			}
			if p.taken[[2]int{d, k}] {
				continue
			}
			if p.fill(d, k, forced > 0) {
				forced--
			}
		}
	}
}

func (p *planner) anyPending(d int) bool {
	for _, s := range p.sites {
		for _, u := range s.pending {
			if u.ready <= d {
				return true
			}
		}
	}
	return false
}

func (p *planner) nothingLater(d int) bool {
	for _, s := range p.sites {
		if len(s.pending) > 0 {
			return false
		}
	}
	return true
}

// forced is how many of day d's movements must serve deadline sites so that every
// deadline can still be met with the slots left: for each deadline D, the movements
// still needed by sites due by D, less the free slots strictly between d and D.
func (p *planner) forced(d int) int {
	type need struct{ deadline, moves int }
	var ns []need
	for _, s := range p.sites {
		if s.deadline <= d {
			continue
		}
		persons := 0
		for _, u := range s.pending {
			persons += u.size()
		}
		if persons > 0 {
			per := max(1, p.perMove/max(1, p.strategy.caution))
			n := (persons + per - 1) / per
			if s.limit >= 0 {
				n = min(n, max(0, s.limit-p.early(s)))
			}
			ns = append(ns, need{s.deadline, n})
		}
	}
	slices.SortFunc(ns, func(a, b need) int { return cmp.Compare(a.deadline, b.deadline) })
	forced, sum := 0, 0
	for _, n := range ns {
		sum += n.moves
		free := 0
		for day := d + 1; day < n.deadline; day++ {
			for k := range p.req.Convoys {
				if !p.taken[[2]int{day, k}] {
					free++
				}
			}
		}
		forced = max(forced, sum-free)
	}
	return forced
}

// fill plans one movement on day d with convoy k. It builds the load each site
// could send to each receiver and keeps the best: when urgent, one from the site
// whose deadline comes first; then the most priority (weighted by group), the
// earliest deadline, the most persons, the site and receiver codes.
func (p *planner) fill(d, k int, urgent bool) bool {
	var best *planned
	var bestKey [5]int
	for _, s := range p.sites {
		ready := false
		for _, u := range s.pending {
			if u.ready <= d {
				ready = true
				break
			}
		}
		if !ready || (s.limit >= 0 && d < s.deadline && p.early(s) >= s.limit) {
			continue
		}
		// A site past its deadline has no lateness left to save: it ranks as a
		// site without one.
		dl := 1 << 30
		if s.deadline > d {
			dl = s.deadline
		}
		for _, r := range p.recvs {
			m := p.build(s, r, d, k, nil)
			if m == nil {
				continue
			}
			key := [5]int{0, -p.weight(m.load), dl, -m.load.total, -freeOf(r)}
			if p.strategy.tightest {
				key[4] = -key[4]
			}
			if urgent || p.strategy.deadlinesFirst {
				key[0] = dl
			}
			if best == nil || less(key, bestKey) {
				best, bestKey = m, key
			}
		}
	}
	if best == nil {
		return false
	}
	p.commit(best)
	return true
}

// early is how many movements site s has before its deadline so far.
func (p *planner) early(s *siteState) int {
	n := 0
	for _, m := range p.moves {
		if m.site == s && m.day < s.deadline {
			n++
		}
	}
	return n
}

func less(a, b [5]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func freeOf(r *recvState) int {
	n := 0
	for _, k := range r.free {
		n += k
	}
	return n
}

// build packs a movement from site s to receiver r on day d with convoy k, taking
// the site's ready units in order. With base (a kept movement being topped up), it
// adds to base's load instead.
func (p *planner) build(s *siteState, r *recvState, d, k int, base *planned) *planned {
	var l *load
	if base != nil {
		r, l = base.recv, base.load
	} else {
		l = newLoad(p.req.Convoys[k], p.req.MovementSize)
	}
	on := map[*unit]bool{}
	for _, u := range l.units {
		on[u] = true
	}
	if p.strategy.reserve {
		l.spare = p.spare(s, d)
	}
	p.pack(l, s, r, d, on)
	if p.strategy.dense && base == nil {
		l = p.denser(l, s, r, d, k)
	}
	if len(l.units) == 0 {
		return nil
	}
	if base != nil {
		return base
	}
	return &planned{day: d, slot: k, site: s, recv: r, load: l}
}

// pack fills l from site s for receiver r on day d; on is the set of units already on
// it (or to leave off). When a unit misses for want of a vehicle of its class with
// room, it trades vehicles between two classes (a larger one to the class that lacks
// seats, when both loads still fit) and fills again, at most once per vehicle.
func (p *planner) pack(l *load, s *siteState, r *recvState, d int, on map[*unit]bool) {
	for range len(l.vehicles) + 1 {
		missed := p.fillLoad(l, s, r, d, on)
		if missed == nil || !l.trade(missed) {
			break
		}
	}
}

// denser improves a new movement's load l by emptying one vehicle (its units are
// left off and the movement is filled again in the site's order), or by giving one
// vehicle another class or trading two vehicles' classes (the movement filled again
// with each vehicle's class fixed). It keeps the fullest such load that moves more
// persons with no less priority weight (any, before the site's deadline), and tries
// again, until none moves more. A vehicle half filled by one class may so carry a
// whole household or a fuller class (a deadline site's last slot can then leave
// fewer persons behind).
func (p *planner) denser(l *load, s *siteState, r *recvState, d, k int) *load {
	// Before a site's deadline, moving more persons counts first (lateness is the
	// first tier of the Objective), priority weight or not.
	due := d < s.deadline
	for l.total < l.limit {
		var best *load
		for i := range l.vehicles {
			if l.class[i] == 0 {
				continue
			}
			off := map[*unit]bool{}
			for j, u := range l.units {
				if l.where[j] == i {
					off[u] = true
				}
			}
			m := newLoad(p.req.Convoys[k], p.req.MovementSize)
			m.spare = l.spare
			p.pack(m, s, r, d, off)
			if m.total > l.total && (due || p.weight(m) >= p.weight(l)) && (best == nil || m.total > best.total) {
				best = m
			}
			// Or vehicle i given another class, or vehicle i's class given to
			// vehicle j and j's to i, every other vehicle keeping its class, and
			// the movement filled again.
			var recolour [][]class
			for c := classMen; c <= classAlone; c++ {
				if c != l.class[i] {
					cs := slices.Clone(l.class)
					cs[i] = c
					recolour = append(recolour, cs)
				}
			}
			for j := range l.vehicles {
				if l.class[j] != l.class[i] && l.vehicles[j].Seats != l.vehicles[i].Seats {
					cs := slices.Clone(l.class)
					cs[i], cs[j] = l.class[j], l.class[i]
					recolour = append(recolour, cs)
				}
			}
			for _, cs := range recolour {
				m := newLoad(p.req.Convoys[k], p.req.MovementSize)
				m.spare = l.spare
				m.class = cs
				p.pack(m, s, r, d, map[*unit]bool{})
				for v := range m.class {
					if m.used[v] == 0 {
						m.class[v] = 0
					}
				}
				if m.total > l.total && (due || p.weight(m) >= p.weight(l)) && (best == nil || m.total > best.total) {
					best = m
				}
			}
		}
		if best == nil {
			break
		}
		l = best
	}
	return l
}

// weight is the priority weight of a load's persons (group g of G weighs G-g).
func (p *planner) weight(l *load) int {
	g, w := len(p.in.Priorities), 0
	for _, u := range l.units {
		for _, per := range u.members {
			if per.Priority >= 0 && per.Priority < g {
				w += g - per.Priority
			}
		}
	}
	return w
}

// spare is, by category, the places over every receiver that site s may take on
// day d: the free places less the persons of that category waiting at the other
// sites whose deadline comes first (every deadline, for a site without one), ready
// before it.
func (p *planner) spare(s *siteState, d int) map[custody.Category]int {
	out := map[custody.Category]int{}
	for _, r := range p.recvs {
		for c, n := range r.free {
			out[c] += n
		}
	}
	for _, t := range p.sites {
		if t == s || t.deadline <= d || (s.deadline >= 0 && t.deadline >= s.deadline) {
			continue
		}
		for _, u := range t.pending {
			if u.ready < t.deadline {
				for _, c := range u.counts {
					out[c.cat] -= c.n
				}
			}
		}
	}
	return out
}

// fillLoad puts on l, in the site's order, the ready units for receiver r that fit;
// on is the set of units already on it. It returns the first unit that missed for
// want of seats in a vehicle, if any.
func (p *planner) fillLoad(l *load, s *siteState, r *recvState, d int, on map[*unit]bool) *unit {
	var first *unit
	misses := 0
	for _, u := range s.pending {
		if l.full() || misses > 256 {
			break
		}
		if u.ready > d || on[u] {
			continue
		}
		if (u.to != uuid.Nil && u.to != r.ID) || !l.room(r.free, u) {
			continue // not for this receiver, or no room left there: no miss
		}
		i := l.fit(u)
		if i < 0 {
			if first == nil && l.total+u.size() <= l.limit {
				first = u
			}
			misses++
			continue
		}
		l.put(u, i)
		on[u] = true
	}
	return first
}

// receiverFor is the receiver with the most free places for the unit's categories.
func (p *planner) receiverFor(u *unit) *recvState {
	var best *recvState
	bestFree := -1
	for _, r := range p.recvs {
		ok, free := true, 0
		for c, n := range u.cats {
			if r.free[c] < n {
				ok = false
				break
			}
			free += r.free[c]
		}
		if ok && free > bestFree {
			best, bestFree = r, free
		}
	}
	return best
}

// commit takes a built movement's new units off their site and their places off
// its receiver.
func (p *planner) commit(m *planned) {
	if m.done == nil {
		m.done = map[*unit]bool{}
	}
	on := map[*unit]bool{}
	for _, u := range m.load.units {
		if m.done[u] {
			continue
		}
		on[u], m.done[u] = true, true
		for _, c := range u.counts {
			m.recv.free[c.cat] -= c.n
		}
	}
	m.site.pending = slices.DeleteFunc(m.site.pending, func(u *unit) bool { return on[u] })
	p.taken[[2]int{m.day, m.slot}] = true
	if m.key == "" {
		p.next++
		m.key = fmt.Sprintf("P%03d", p.next)
	}
	if !slices.Contains(p.moves, m) {
		p.moves = append(p.moves, m)
	}
}
