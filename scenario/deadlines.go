package scenario

import (
	"time"

	"github.com/handover-project/handover/custody"
)

// Deadlines are the demo's facility risks: control of Riverside and Plains is
// expected to change three and four weeks after al-Hol's, so that the campaign's
// plan has deadlines to meet from the first start.
var Deadlines = []struct {
	Facility string
	After    time.Duration // after the control change of al-Hol
	Note     string
}{
	{Riverside, 21 * 24 * time.Hour, "SDF withdrawal from the Riverside area announced under the ceasefire"},
	{Plains, 28 * 24 * time.Hour, "Syrian government forces expected to take over the Plains area"},
}

// Risks returns the commands that set the Deadlines, dated an hour after the
// control change of al-Hol; the demo submits them after Commands.
func (w *World) Risks() []custody.Command {
	var out []custody.Command
	at := w.ControlChange.Add(time.Hour)
	for _, d := range Deadlines {
		out = append(out, custody.SetFacilityRisk{Meta: custody.Meta{Actor: Actor, OccurredAt: at}, Facility: w.Facility(d.Facility).ID,
			Kind: custody.ControlChangeExpected, By: w.ControlChange.Add(d.After), Note: d.Note})
	}
	return out
}
