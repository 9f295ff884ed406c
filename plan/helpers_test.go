package plan

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// world builds inputs for tests with stable identifiers.
type world struct {
	in   Input
	n    int
	site map[string]uuid.UUID
}

func newWorld(priorities ...string) *world {
	return &world{in: Input{Campaign: id(0, 0), Priorities: priorities}, site: map[string]uuid.UUID{}}
}

// id is a stable identifier for test object k of kind.
func id(kind, k int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("00000000-0000-7000-8000-%04x%08x", kind, k))
}

var day0 = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

func (w *world) addSite(code string, deadlineDay int) uuid.UUID {
	s := Site{ID: id(1, len(w.in.Sites)+1), Code: code}
	if deadlineDay >= 0 {
		s.Deadline, s.Risk = day0.AddDate(0, 0, deadlineDay), ControlChange
	}
	w.in.Sites = append(w.in.Sites, s)
	w.site[code] = s.ID
	return s.ID
}

func (w *world) addReceiver(code string, kv ...any) uuid.UUID {
	r := Receiver{ID: id(2, len(w.in.Receivers)+1), Code: code, Free: map[custody.Category]int{}}
	for i := 0; i < len(kv); i += 2 {
		r.Free[kv[i].(custody.Category)] = kv[i+1].(int)
	}
	w.in.Receivers = append(w.in.Receivers, r)
	return r.ID
}

// add registers a person at a site; options change the default adult man.
func (w *world) add(site string, opts ...func(*Person)) *Person {
	w.n++
	p := Person{ID: id(3, w.n), RegNo: fmt.Sprintf("%s-%06d", site, w.n), Site: w.site[site], Category: custody.Detainee, Sex: custody.Male, Priority: -1}
	for _, o := range opts {
		o(&p)
	}
	w.in.Persons = append(w.in.Persons, p)
	return &w.in.Persons[len(w.in.Persons)-1]
}

func woman(p *Person) { p.Sex, p.Category = custody.Female, custody.FamilyMember }
func child(p *Person) { p.Category = custody.Minor }
func inHousehold(h int) func(*Person) {
	return func(p *Person) { p.Household = id(4, h) }
}
func priority(g int) func(*Person) { return func(p *Person) { p.Priority = g } }
func blocked(clearDay int) func(*Person) {
	return func(p *Person) {
		p.Blocked = []custody.SafeguardKind{custody.Medical}
		if clearDay >= 0 {
			p.ClearBy = day0.AddDate(0, 0, clearDay)
		}
	}
}

// convoys is n convoys of vehicles with the given seats.
func convoys(n int, seats ...int) [][]custody.Vehicle {
	var cs [][]custody.Vehicle
	for k := range n {
		var c []custody.Vehicle
		for i, s := range seats {
			c = append(c, custody.Vehicle{ID: fmt.Sprintf("C%d-V%d", k+1, i+1), Kind: "bus", Seats: s})
		}
		cs = append(cs, c)
	}
	return cs
}

func request(cs [][]custody.Vehicle, size int) Request {
	return Request{From: day0, Convoys: cs, MovementSize: size, Escort: id(5, 1), Horizon: 60}
}
