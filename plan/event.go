package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// EventKind names a change that calls for a re-plan.
type EventKind string

const (
	SafeguardCleared  EventKind = "safeguard_cleared"  // Person's safeguards are now met
	MovementCancelled EventKind = "movement_cancelled" // Movement (a key) will not go; its slot is closed
	VehicleLost       EventKind = "vehicle_lost"       // Vehicle is gone from every convoy
	CapacityReduced   EventKind = "capacity_reduced"   // Receiver has By fewer places for Category
)

// Event is one change to the input, the request or the plan before a re-plan.
type Event struct {
	Kind     EventKind        `json:"kind"`
	Person   uuid.UUID        `json:"person,omitzero"`
	Movement string           `json:"movement,omitempty"`
	Vehicle  string           `json:"vehicle,omitempty"`
	Receiver uuid.UUID        `json:"receiver,omitzero"`
	Category custody.Category `json:"category,omitempty"`
	By       int              `json:"by,omitempty"`
}

// Apply returns copies of the input, request and plan with the event applied; the
// arguments are not changed. It fails for an event naming nothing it knows.
func (e Event) Apply(in *Input, req Request, prev *Plan) (*Input, Request, *Plan, error) {
	in2 := *in
	in2.Persons = slices.Clone(in.Persons)
	in2.Receivers = slices.Clone(in.Receivers)
	prev2 := *prev
	prev2.Movements = slices.Clone(prev.Movements)
	req.Convoys = slices.Clone(req.Convoys)
	req.Closed = slices.Clone(req.Closed)
	switch e.Kind {
	case SafeguardCleared:
		i := slices.IndexFunc(in2.Persons, func(p Person) bool { return p.ID == e.Person })
		if i < 0 {
			return nil, req, nil, fmt.Errorf("%w: no person %s", ErrRequest, e.Person)
		}
		in2.Persons[i].Blocked = nil
		in2.Persons[i].ClearBy = time.Time{}
	case MovementCancelled:
		i := slices.IndexFunc(prev2.Movements, func(m Movement) bool { return m.Key == e.Movement })
		if i < 0 {
			return nil, req, nil, fmt.Errorf("%w: no movement %s in the plan", ErrRequest, e.Movement)
		}
		m := prev2.Movements[i]
		req.Closed = append(req.Closed, Slot{Day: m.Day, Slot: m.Slot})
		prev2.Movements = slices.Delete(prev2.Movements, i, i+1)
	case VehicleLost:
		found := false
		for k, c := range req.Convoys {
			if j := slices.IndexFunc(c, func(v custody.Vehicle) bool { return v.ID == e.Vehicle }); j >= 0 {
				req.Convoys[k] = slices.Delete(slices.Clone(c), j, j+1)
				found = true
			}
		}
		if !found {
			return nil, req, nil, fmt.Errorf("%w: no vehicle %q in any convoy", ErrRequest, e.Vehicle)
		}
	case CapacityReduced:
		i := slices.IndexFunc(in2.Receivers, func(r Receiver) bool { return r.ID == e.Receiver })
		if i < 0 || e.By < 1 {
			return nil, req, nil, fmt.Errorf("%w: capacity_reduced needs a receiver of the input and a positive number", ErrRequest)
		}
		r := in2.Receivers[i]
		free := map[custody.Category]int{}
		for c, n := range r.Free {
			free[c] = n
		}
		free[e.Category] = max(0, free[e.Category]-e.By)
		r.Free = free
		in2.Receivers[i] = r
	default:
		return nil, req, nil, fmt.Errorf("%w: unknown change %q", ErrRequest, e.Kind)
	}
	return &in2, req, &prev2, nil
}
