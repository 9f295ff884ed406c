package plan

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Check verifies a plan against the hard rules, independently of how it was made: it
// returns the first breach found, or nil. The rules: every manifest names persons of
// the input, once across the plan, held at the movement's site, not blocked before
// their clearance, ready by the movement's day; a movement uses one convoy of the
// request, once per day, within its seats and the movement size; men and women ride
// apart unless of one household; children ride only with adults of their household;
// a household at one site rides whole in one vehicle; receivers get no more persons
// of a category than their free places.
func Check(in *Input, pl *Plan) error {
	req := &pl.Request
	persons := map[uuid.UUID]*Person{}
	members := map[[3]uuid.UUID]int{}
	for i := range in.Persons {
		p := &in.Persons[i]
		persons[p.ID] = p
		if p.Household != uuid.Nil {
			members[[3]uuid.UUID{p.Site, p.Household, p.Transfer}]++
		}
	}
	free := map[uuid.UUID]map[custody.Category]int{}
	for _, r := range in.Receivers {
		free[r.ID] = map[custody.Category]int{}
		for c, n := range r.Free {
			free[r.ID][c] = n
		}
	}
	seen := map[uuid.UUID]string{}
	slots := map[[2]int]string{}
	for _, m := range pl.Movements {
		if m.Slot < 0 || m.Slot >= len(req.Convoys) {
			return fmt.Errorf("movement %s: no convoy %d", m.Key, m.Slot)
		}
		if k, ok := slots[[2]int{m.Day, m.Slot}]; ok {
			return fmt.Errorf("movement %s: convoy %d already used on day %d by %s", m.Key, m.Slot, m.Day, k)
		}
		slots[[2]int{m.Day, m.Slot}] = m.Key
		seats := map[string]int{}
		for _, v := range req.Convoys[m.Slot] {
			seats[v.ID] = v.Seats
		}
		for _, v := range m.Vehicles {
			if seats[v.ID] != v.Seats {
				return fmt.Errorf("movement %s: vehicle %s is not in convoy %d as listed", m.Key, v.ID, m.Slot)
			}
		}
		if req.MovementSize > 0 && len(m.Manifest) > req.MovementSize {
			return fmt.Errorf("movement %s carries %d persons, more than %d", m.Key, len(m.Manifest), req.MovementSize)
		}
		if _, ok := free[m.To]; !ok {
			return fmt.Errorf("movement %s: %s is not a receiver", m.Key, m.ToCode)
		}
		byVehicle := map[string][]*Person{}
		vehicleOf := map[uuid.UUID]string{}
		households := map[uuid.UUID]int{}
		for _, st := range m.Manifest {
			p, ok := persons[st.Person]
			if !ok {
				return fmt.Errorf("movement %s: person %s is not in the input", m.Key, st.Person)
			}
			if k, ok := seen[p.ID]; ok {
				return fmt.Errorf("movement %s: %s is already on %s", m.Key, p.RegNo, k)
			}
			seen[p.ID] = m.Key
			if p.Site != m.From {
				return fmt.Errorf("movement %s: %s is not held at %s", m.Key, p.RegNo, m.FromCode)
			}
			if p.Transfer != m.Transfer || (p.To != uuid.Nil && p.To != m.To) {
				return fmt.Errorf("movement %s: %s waits on transfer %s to %s, not this movement's", m.Key, p.RegNo, p.Transfer, p.To)
			}
			if p.Unavailable != "" {
				return fmt.Errorf("movement %s: %s is unavailable (%s)", m.Key, p.RegNo, p.Unavailable)
			}
			if len(p.Blocked) > 0 && (p.ClearBy.IsZero() || req.dayOf(p.ClearBy) > m.Day) {
				return fmt.Errorf("movement %s: %s is blocked on %v on day %d", m.Key, p.RegNo, p.Blocked, m.Day)
			}
			if req.dayOf(p.ReadyFrom) > m.Day {
				return fmt.Errorf("movement %s: %s is not ready on day %d", m.Key, p.RegNo, m.Day)
			}
			if _, ok := seats[st.Vehicle]; !ok {
				return fmt.Errorf("movement %s: %s rides vehicle %q, not in convoy %d", m.Key, p.RegNo, st.Vehicle, m.Slot)
			}
			byVehicle[st.Vehicle] = append(byVehicle[st.Vehicle], p)
			vehicleOf[p.ID] = st.Vehicle
			if p.Household != uuid.Nil {
				households[p.Household]++
			}
			free[m.To][p.Category]--
			if free[m.To][p.Category] < 0 {
				return fmt.Errorf("movement %s: %s has no free place left for %s", m.Key, m.ToCode, p.Category)
			}
		}
		for v, ps := range byVehicle {
			if len(ps) > seats[v] {
				return fmt.Errorf("movement %s: vehicle %s has %d seats and %d persons", m.Key, v, seats[v], len(ps))
			}
			if err := separated(ps); err != nil {
				return fmt.Errorf("movement %s, vehicle %s: %w", m.Key, v, err)
			}
		}
		for h, n := range households {
			if want := members[[3]uuid.UUID{m.From, h, m.Transfer}]; n != want {
				return fmt.Errorf("movement %s: household %s is split (%d of %d members)", m.Key, h, n, want)
			}
		}
		for _, st := range m.Manifest {
			p := persons[st.Person]
			if p.Household == uuid.Nil {
				continue
			}
			for _, q := range m.Manifest {
				if persons[q.Person].Household == p.Household && q.Vehicle != st.Vehicle {
					return fmt.Errorf("movement %s: household of %s rides two vehicles", m.Key, p.RegNo)
				}
			}
		}
	}
	return nil
}

// separated checks the separation rules within one vehicle.
func separated(ps []*Person) error {
	for _, a := range ps {
		for _, b := range ps {
			same := a.Household != uuid.Nil && a.Household == b.Household
			if same {
				continue
			}
			if a.Adult() && b.Adult() && a.Sex == custody.Male && b.Sex == custody.Female {
				return fmt.Errorf("man %s rides with woman %s of another household", a.RegNo, b.RegNo)
			}
			if !a.Adult() && b.Adult() {
				return fmt.Errorf("child %s rides with adult %s of another household", a.RegNo, b.RegNo)
			}
		}
	}
	return nil
}
