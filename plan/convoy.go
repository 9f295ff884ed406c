package plan

import (
	"fmt"

	"github.com/handover-project/handover/custody"
)

// Convoys returns perDay convoys of vehicles buses of seats seats each, named
// "C<k>-BUS<i>": the request of a campaign that sends perDay movements a day.
func Convoys(perDay, vehicles, seats int) [][]custody.Vehicle {
	out := make([][]custody.Vehicle, perDay)
	for k := range out {
		for i := range vehicles {
			out[k] = append(out[k], custody.Vehicle{ID: fmt.Sprintf("C%d-BUS%d", k+1, i+1), Kind: "bus", Seats: seats})
		}
	}
	return out
}
