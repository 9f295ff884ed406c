package plan

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// finish turns the planner's movements into a Plan, explains every person and
// every deadline site, and scores the plan and its bound.
func (p *planner) finish() *Plan {
	slices.SortFunc(p.moves, func(a, b *planned) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.slot, b.slot))
	})
	out := &Plan{Request: *p.req, Movements: []Movement{}, Persons: []Assignment{}, Sites: []Outlook{}}
	type seat struct {
		m       *planned
		vehicle string
		u       *unit
	}
	seats := map[uuid.UUID]seat{}
	for _, m := range p.moves {
		mv := Movement{Key: m.key, Day: m.day, Slot: m.slot, Date: p.req.Date(m.day), From: m.site.ID, FromCode: m.site.Code,
			To: m.recv.ID, ToCode: m.recv.Code, Escort: p.req.Escort, Transfer: m.load.units[0].transfer, Manifest: []custody.Seat{}}
		used := map[int]bool{}
		for i, u := range m.load.units {
			v := m.load.vehicles[m.load.where[i]]
			used[m.load.where[i]] = true
			for _, per := range u.members {
				mv.Manifest = append(mv.Manifest, custody.Seat{Person: per.ID, Vehicle: v.ID})
				seats[per.ID] = seat{m, v.ID, u}
			}
		}
		for i, v := range m.load.vehicles {
			if used[i] {
				mv.Vehicles = append(mv.Vehicles, v)
			}
		}
		out.Movements = append(out.Movements, mv)
	}
	for _, s := range p.sites {
		for _, u := range s.pending {
			r := p.leftReason(u)
			for _, m := range u.members {
				p.reasons[m.ID] = r
			}
		}
	}
	for i := range p.in.Persons {
		per := &p.in.Persons[i]
		a := Assignment{Person: per.ID, RegNo: per.RegNo}
		if st, ok := seats[per.ID]; ok {
			a.Movement, a.Vehicle = st.m.key, st.vehicle
			a.Reasons = p.plannedReasons(per, st.m, st.u)
		} else {
			a.Reasons = []Reason{p.reasons[per.ID]}
		}
		out.Persons = append(out.Persons, a)
	}
	slices.SortFunc(out.Persons, func(a, b Assignment) int { return cmp.Compare(a.RegNo, b.RegNo) })
	out.Sites = p.outlooks(out)
	out.Objective = Score(p.in, out)
	out.Bound = p.bound(out)
	return out
}

// leftReason says why a unit still at its site at the end was not planned.
// Categories are looked at in order, so that the reason is the same every time.
func (p *planner) leftReason(u *unit) Reason {
	for _, c := range u.counts {
		room := false
		for _, r := range p.recvs {
			if r.free[c.cat] >= c.n {
				room = true
			}
		}
		if !room {
			return Reason{Code: NoPlaces, Args: []string{string(c.cat)}}
		}
	}
	if p.receiverFor(u) == nil {
		return Reason{Code: NoPlaces, Args: []string{u.catKey}}
	}
	return Reason{Code: NoSlot, Args: []string{strconv.Itoa(p.req.horizon())}}
}

func (p *planner) plannedReasons(per *Person, m *planned, u *unit) []Reason {
	var rs []Reason
	if m.kept[per.ID] {
		rs = append(rs, Reason{Code: Kept})
	}
	if s := m.site; s.deadline >= 0 {
		code := Deadline
		if m.day >= s.deadline {
			code = Late
		}
		rs = append(rs, Reason{Code: code, Args: []string{s.Code, s.Deadline.Format("2006-01-02"), string(s.Risk)}})
	}
	if per.Priority >= 0 && per.Priority < len(p.in.Priorities) {
		rs = append(rs, Reason{Code: PriorityGroup, Args: []string{p.in.Priorities[per.Priority]}})
	}
	if u.size() > 1 {
		rs = append(rs, Reason{Code: Household, Args: []string{strconv.Itoa(u.size())}})
	}
	if u.ready > 0 {
		rs = append(rs, Reason{Code: Cleared, Args: []string{p.req.Date(u.ready).Format("2006-01-02")}})
	}
	if len(rs) == 0 {
		rs = append(rs, Reason{Code: Turn, Args: []string{m.site.Code}})
	}
	return rs
}

// outlooks describes every site with a deadline at its deadline.
func (p *planner) outlooks(pl *Plan) []Outlook {
	leaves := map[uuid.UUID]int{} // person → day of departure
	for _, m := range pl.Movements {
		for _, st := range m.Manifest {
			leaves[st.Person] = m.Day
		}
	}
	reasons := map[uuid.UUID]Reason{}
	for _, a := range pl.Persons {
		if a.Movement == "" {
			reasons[a.Person] = a.Reasons[0]
		}
	}
	var out []Outlook
	for _, s := range p.sites {
		if s.deadline < 0 {
			continue
		}
		o := Outlook{Site: s.ID, Code: s.Code, Deadline: s.Deadline, Risk: s.Risk, Why: map[ReasonCode]int{}}
		days := min(s.deadline, p.req.horizon())
		o.Daily = make([]int, days+1)
		for i := range p.in.Persons {
			per := &p.in.Persons[i]
			if per.Site != s.ID {
				continue
			}
			o.Now++
			d, ok := leaves[per.ID]
			if !ok {
				d = 1 << 30
			}
			for day := 0; day <= days && day <= d; day++ {
				o.Daily[day]++
			}
			if d < s.deadline {
				continue
			}
			o.Remain++
			if ok {
				o.Why[Late]++
			} else {
				o.Why[reasons[per.ID].Code]++
			}
		}
		out = append(out, o)
	}
	return out
}
