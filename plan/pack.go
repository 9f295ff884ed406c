package plan

import (
	"github.com/handover-project/handover/custody"
)

// load is one movement being filled: its convoy's vehicles, what class each carries,
// and the units put on it.
type load struct {
	vehicles []custody.Vehicle
	class    []class
	used     []int
	total    int
	limit    int // the most persons the movement may carry
	units    []*unit
	where    []int // vehicle index of each unit
	cats     map[custody.Category]int
	// spare, when set, caps the persons of each category the load may take
	// (places left for sites due earlier).
	spare map[custody.Category]int
}

func newLoad(convoy []custody.Vehicle, size int) *load {
	seats := 0
	for _, v := range convoy {
		seats += v.Seats
	}
	if size <= 0 || size > seats {
		size = seats
	}
	return &load{vehicles: convoy, class: make([]class, len(convoy)), used: make([]int, len(convoy)), limit: size, cats: map[custody.Category]int{}}
}

// fit returns the vehicle a unit would ride, or -1. A unit joins the first vehicle
// already carrying its class with room for it; otherwise it opens an empty vehicle:
// the largest for a class, the smallest that holds it for a household alone.
func (l *load) fit(u *unit) int {
	n := u.size()
	if l.total+n > l.limit {
		return -1
	}
	if u.class != classAlone {
		for i, c := range l.class {
			if c == u.class && l.vehicles[i].Seats-l.used[i] >= n {
				return i
			}
		}
	}
	best := -1
	for i, c := range l.class {
		// An empty vehicle, or one set aside for a household alone.
		if (c != 0 && (c != classAlone || u.class != classAlone || l.used[i] > 0)) || l.vehicles[i].Seats < n {
			continue
		}
		switch {
		case best < 0:
			best = i
		case u.class == classAlone && l.vehicles[i].Seats < l.vehicles[best].Seats:
			best = i
		case u.class != classAlone && l.vehicles[i].Seats > l.vehicles[best].Seats:
			best = i
		}
	}
	return best
}

func (l *load) put(u *unit, i int) {
	if l.class[i] == 0 {
		l.class[i] = u.class
	}
	l.used[i] += u.size()
	l.total += u.size()
	l.units = append(l.units, u)
	l.where = append(l.where, i)
	for _, c := range u.counts {
		l.cats[c.cat] += c.n
	}
}

// trade makes room for unit u, which fits no vehicle: it gives u's class a larger
// vehicle, trading loads with a vehicle of another class (or an empty one) when each
// load fits the other's seats. It reports whether it traded.
func (l *load) trade(u *unit) bool {
	if u.class == classAlone {
		return false
	}
	for i, c := range l.class {
		if c != u.class {
			continue
		}
		for j := range l.vehicles {
			if j == i || l.vehicles[j].Seats <= l.vehicles[i].Seats || l.used[j] > l.vehicles[i].Seats ||
				l.vehicles[j].Seats-l.used[i] < u.size() {
				continue
			}
			l.class[i], l.class[j] = l.class[j], l.class[i]
			l.used[i], l.used[j] = l.used[j], l.used[i]
			for k, w := range l.where {
				switch w {
				case i:
					l.where[k] = j
				case j:
					l.where[k] = i
				}
			}
			return true
		}
	}
	return false
}

// room reports whether a receiver's free places take the load plus unit u, and u
// may ride with the units already on the load (one transfer per movement).
func (l *load) room(free map[custody.Category]int, u *unit) bool {
	if len(l.units) > 0 && l.units[0].transfer != u.transfer {
		return false
	}
	for _, c := range u.counts {
		if l.cats[c.cat]+c.n > free[c.cat] {
			return false
		}
		if l.spare != nil && l.cats[c.cat]+c.n > l.spare[c.cat] {
			return false
		}
	}
	return true
}

// full reports whether no vehicle has a seat left, or the movement is at its limit.
func (l *load) full() bool {
	if l.total >= l.limit {
		return true
	}
	for i, v := range l.vehicles {
		if l.used[i] < v.Seats && (l.class[i] != classAlone || l.used[i] == 0) {
			return false
		}
	}
	return true
}

// maxSeats is the largest vehicle of any convoy.
func maxSeats(convoys [][]custody.Vehicle) int {
	m := 0
	for _, c := range convoys {
		for _, v := range c {
			m = max(m, v.Seats)
		}
	}
	return m
}

// capacityOf is the persons one convoy may carry in a movement of at most size.
func capacityOf(convoy []custody.Vehicle, size int) int {
	s := 0
	for _, v := range convoy {
		s += v.Seats
	}
	if size > 0 {
		s = min(s, size)
	}
	return s
}
