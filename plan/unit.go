package plan

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// class is what a vehicle may carry together, by the separation rules: adult men
// (and adults of unknown sex), adult women, children without adults, or one
// household alone (a household with children and adults, or with men and women).
type class int

const (
	classMen class = iota + 1
	classWomen
	classChildren
	classAlone
)

// unit is the smallest group the planner moves: one person, or the members of one
// household held at the same site, who must ride one vehicle.
type unit struct {
	members  []*Person
	site     uuid.UUID
	class    class
	cats     map[custody.Category]int
	counts   []catCount // cats as a list, by category: quicker to walk
	catKey   string     // the sorted categories, joined: which receivers may take the unit
	ready    int        // first day every member may depart
	priority int        // best (lowest) priority group of a member, or -1
	blocked  *Person
	first    string // the first registration number, for a stable order
	transfer uuid.UUID
	to       uuid.UUID
}

// catCount is how many persons of a category a unit has.
type catCount struct {
	cat custody.Category
	n   int
}

func (u *unit) size() int { return len(u.members) }

// rank orders priority groups first-first; persons of no group come last.
func rank(p int) int {
	if p < 0 {
		return 1 << 30
	}
	return p
}

// classify gives a unit its class.
func classify(ms []*Person) class {
	var men, women, adults, children int
	for _, p := range ms {
		switch {
		case !p.Adult():
			children++
		case p.Sex == custody.Female:
			women++
			adults++
		default:
			if p.Sex == custody.Male {
				men++
			}
			adults++
		}
	}
	switch {
	case children > 0 && adults > 0, men > 0 && women > 0:
		return classAlone
	case children > 0:
		return classChildren
	case women > 0:
		return classWomen
	default:
		return classMen
	}
}

// units groups the persons that may be planned into units, and reports the others
// with the reason they may not. Units come in a stable order: by site, ready day,
// priority, first registration number.
func units(in *Input, req *Request) ([]*unit, map[uuid.UUID]Reason) {
	out := map[uuid.UUID]Reason{}
	byHousehold := map[[3]uuid.UUID][]*Person{}
	var singles []*Person
	for i := range in.Persons {
		p := &in.Persons[i]
		if p.Unavailable != "" {
			out[p.ID] = Reason{Code: p.Unavailable, Args: []string{p.UnavailableArg}}
			continue
		}
		if p.Household == uuid.Nil {
			singles = append(singles, p)
			continue
		}
		k := [3]uuid.UUID{p.Site, p.Household, p.Transfer}
		byHousehold[k] = append(byHousehold[k], p)
	}
	var us []*unit
	add := func(ms []*Person) {
		slices.SortFunc(ms, func(a, b *Person) int { return strings.Compare(a.RegNo, b.RegNo) })
		u := &unit{members: ms, site: ms[0].Site, class: classify(ms), cats: map[custody.Category]int{}, priority: -1, first: ms[0].RegNo,
			transfer: ms[0].Transfer, to: ms[0].To}
		for _, p := range ms {
			u.cats[p.Category]++
			if rank(p.Priority) < rank(u.priority) {
				u.priority = p.Priority
			}
			r := req.dayOf(p.ReadyFrom)
			if len(p.Blocked) > 0 {
				if p.ClearBy.IsZero() {
					u.blocked = p
				}
				r = max(r, req.dayOf(p.ClearBy))
			}
			u.ready = max(u.ready, r)
		}
		cs := make([]string, 0, len(u.cats))
		for c := range u.cats {
			cs = append(cs, string(c))
		}
		slices.Sort(cs)
		u.catKey = strings.Join(cs, "+")
		for _, c := range cs {
			u.counts = append(u.counts, catCount{custody.Category(c), u.cats[custody.Category(c)]})
		}
		us = append(us, u)
	}
	for _, p := range singles {
		add([]*Person{p})
	}
	for _, ms := range byHousehold {
		add(ms)
	}
	kept := us[:0]
	for _, u := range us {
		if u.blocked != nil {
			for _, p := range u.members {
				out[p.ID] = blockedReason(p, u.blocked)
			}
			continue
		}
		kept = append(kept, u)
	}
	us = kept
	slices.SortFunc(us, func(a, b *unit) int {
		return cmp.Or(bytes.Compare(a.site[:], b.site[:]), cmp.Compare(a.ready, b.ready),
			cmp.Compare(rank(a.priority), rank(b.priority)), strings.Compare(a.first, b.first))
	})
	return us, out
}

func blockedReason(p, by *Person) Reason {
	ks := make([]string, len(by.Blocked))
	for i, k := range by.Blocked {
		ks[i] = string(k)
	}
	if p == by {
		return Reason{Code: Blocked, Args: []string{strings.Join(ks, ", ")}}
	}
	return Reason{Code: HouseholdBlocked, Args: []string{by.RegNo, strings.Join(ks, ", ")}}
}
