package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Replan plans again after a change, keeping the movements of prev as they were
// wherever the rules still allow: each keeps its day, convoy, site and receiver, and
// each person on it stays, in the same vehicle when it still has room, unless they
// may no longer go (blocked, gone, no room left at the receiver, the vehicle lost).
// Kept movements are then topped up from the persons waiting at their site, and the
// persons left are planned in the free slots as Make would. Keys of kept movements
// are kept; new movements get new keys. Replan is deterministic.
func Replan(prev *Plan, in *Input, req Request) (*Plan, error) {
	p, err := newPlanner(in, &req)
	if err != nil {
		return nil, err
	}
	p.static = p.staticBound()
	p.topUp(p.seed(prev, nil, true))
	p.schedule()
	return p.finish(), nil
}

// seed puts the movements of prev back on the planner, but for those drop names,
// as far as the rules still allow: each keeps its day, convoy, site and receiver,
// and each person on it stays, in the same vehicle when it still has room, unless
// they may no longer go. With mark, the persons kept are marked so (a re-plan says
// why they stay). It returns the movements put back, by day and convoy.
func (p *planner) seed(prev *Plan, drop map[string]bool, mark bool) []*planned {
	unitOf := map[uuid.UUID]*unit{}
	for _, s := range p.sites {
		for _, u := range s.pending {
			for _, m := range u.members {
				unitOf[m.ID] = u
			}
		}
	}
	recvs := map[uuid.UUID]*recvState{}
	for _, r := range p.recvs {
		recvs[r.ID] = r
	}
	old := slices.Clone(prev.Movements)
	slices.SortFunc(old, func(a, b Movement) int { return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Slot, b.Slot)) })
	var kept []*planned
	for _, m := range old {
		if n, err := strconv.Atoi(strings.TrimPrefix(m.Key, "P")); err == nil {
			p.next = max(p.next, n)
		}
		site, recv := p.siteByID[m.From], recvs[m.To]
		if drop[m.Key] || site == nil || recv == nil || m.Slot >= len(p.req.Convoys) || p.taken[[2]int{m.Day, m.Slot}] {
			continue
		}
		l := newLoad(p.req.Convoys[m.Slot], p.req.MovementSize)
		on := map[*unit]bool{}
		for _, st := range m.Manifest {
			u := unitOf[st.Person]
			if u == nil || on[u] || u.site != site.ID || u.ready > m.Day || (u.to != uuid.Nil && u.to != recv.ID) || !l.room(recv.free, u) {
				continue
			}
			on[u] = true
			i := slices.IndexFunc(l.vehicles, func(v custody.Vehicle) bool { return v.ID == st.Vehicle })
			if i < 0 || (l.class[i] != 0 && (l.class[i] != u.class || u.class == classAlone)) || l.vehicles[i].Seats-l.used[i] < u.size() || l.total+u.size() > l.limit {
				i = l.fit(u)
			}
			if i >= 0 {
				l.put(u, i)
			}
		}
		if len(l.units) == 0 {
			continue
		}
		pm := &planned{key: m.Key, day: m.Day, slot: m.Slot, site: site, recv: recv, load: l}
		if mark {
			pm.kept = map[uuid.UUID]bool{}
			for _, u := range l.units {
				for _, per := range u.members {
					pm.kept[per.ID] = true
				}
			}
		}
		p.commit(pm)
		kept = append(kept, pm)
	}
	return kept
}

// topUp fills the movements put back with the persons waiting at their sites, in
// the order of the movements.
func (p *planner) topUp(kept []*planned) {
	for _, m := range kept {
		p.build(m.site, nil, m.day, m.slot, m)
		p.commit(m)
	}
}

// Change is one movement of a re-plan's difference.
type Change struct {
	Key     string    `json:"key"`
	Kind    string    `json:"kind"` // "added", "removed" or "changed"
	Day     int       `json:"day"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Joined  []string  `json:"joined,omitempty"` // registration numbers added to the manifest
	Left    []string  `json:"left,omitempty"`   // registration numbers taken off it
	Moved   bool      `json:"moved,omitempty"`  // its day, convoy, receiver or vehicles changed
	Persons int       `json:"persons"`
	Ref     uuid.UUID `json:"-"`
}

// Diff is the difference between two plans, by movement key.
type Diff struct {
	Unchanged int      `json:"unchanged"`
	Changes   []Change `json:"changes"`
}

// Compare says how next differs from prev, movement by movement.
func Compare(prev, next *Plan) Diff {
	reg := map[uuid.UUID]string{}
	for _, pl := range []*Plan{prev, next} {
		for _, a := range pl.Persons {
			reg[a.Person] = a.RegNo
		}
	}
	names := func(ss []custody.Seat) map[string]string {
		m := map[string]string{}
		for _, s := range ss {
			m[reg[s.Person]] = s.Vehicle
		}
		return m
	}
	byKey := map[string]Movement{}
	for _, m := range next.Movements {
		byKey[m.Key] = m
	}
	d := Diff{Changes: []Change{}}
	for _, a := range prev.Movements {
		b, ok := byKey[a.Key]
		if !ok {
			d.Changes = append(d.Changes, Change{Key: a.Key, Kind: "removed", Day: a.Day, From: a.FromCode, To: a.ToCode, Left: sortedKeys(names(a.Manifest))})
			continue
		}
		delete(byKey, a.Key)
		na, nb := names(a.Manifest), names(b.Manifest)
		c := Change{Key: a.Key, Kind: "changed", Day: b.Day, From: b.FromCode, To: b.ToCode, Persons: len(b.Manifest)}
		for r := range nb {
			if _, ok := na[r]; !ok {
				c.Joined = append(c.Joined, r)
			}
		}
		for r := range na {
			if _, ok := nb[r]; !ok {
				c.Left = append(c.Left, r)
			}
		}
		slices.Sort(c.Joined)
		slices.Sort(c.Left)
		c.Moved = a.Day != b.Day || a.Slot != b.Slot || a.To != b.To || fmt.Sprint(a.Vehicles) != fmt.Sprint(b.Vehicles)
		if len(c.Joined) == 0 && len(c.Left) == 0 && !c.Moved {
			d.Unchanged++
			continue
		}
		d.Changes = append(d.Changes, c)
	}
	for _, b := range next.Movements {
		if _, ok := byKey[b.Key]; ok {
			d.Changes = append(d.Changes, Change{Key: b.Key, Kind: "added", Day: b.Day, From: b.FromCode, To: b.ToCode, Persons: len(b.Manifest), Joined: sortedKeys(names(b.Manifest))})
		}
	}
	return d
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
