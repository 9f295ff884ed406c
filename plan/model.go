package plan

import (
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Person is one person the campaign may move, as the planner sees them.
type Person struct {
	ID       uuid.UUID        `json:"id"`
	RegNo    string           `json:"reg_no"`
	Site     uuid.UUID        `json:"site"` // the facility holding the person
	Category custody.Category `json:"category"`
	Sex      custody.Sex      `json:"sex"`
	// Household is the person's household; members at the same site travel together.
	Household uuid.UUID `json:"household,omitzero"`
	// Priority is the index of the person's priority group in Input.Priorities, or -1.
	Priority int `json:"priority"`
	// Blocked lists the safeguards the person still lacks. A blocked person is
	// planned from ClearBy on, or not at all when ClearBy is zero.
	Blocked []custody.SafeguardKind `json:"blocked,omitempty"`
	ClearBy time.Time               `json:"clear_by,omitzero"`
	// ReadyFrom is the earliest day the person may depart (zero: at once).
	ReadyFrom time.Time `json:"ready_from,omitzero"`
	// Transfer is the open transfer the person waits on, if any, and To its
	// receiving facility: such a person rides only a movement of that transfer.
	Transfer uuid.UUID `json:"transfer,omitzero"`
	To       uuid.UUID `json:"to,omitzero"`
	// Unavailable, when not empty, says why the person cannot be planned at all
	// (in hospital, already on a planned movement…); it is a Reason code.
	Unavailable ReasonCode `json:"unavailable,omitempty"`
	// UnavailableArg completes Unavailable (a movement, a facility).
	UnavailableArg string `json:"unavailable_arg,omitempty"`
}

// Adult reports whether the person counts as an adult for the separation rules.
func (p *Person) Adult() bool {
	return p.Category != custody.Minor && p.Category != custody.UnaccompaniedMinor
}

// Risk is what a site's deadline is about.
type Risk string

const (
	ControlChange Risk = "control_change" // control expected to change by the deadline
	Breakout      Risk = "breakout"       // at risk of breakout from the deadline
)

// Site is a sending facility. A site with a deadline should be empty before it.
type Site struct {
	ID       uuid.UUID `json:"id"`
	Code     string    `json:"code"`
	Deadline time.Time `json:"deadline,omitzero"`
	Risk     Risk      `json:"risk,omitempty"`
}

// Receiver is a receiving institution with its free places by category: capacity,
// less those held, less those already on their way.
type Receiver struct {
	ID   uuid.UUID                `json:"id"`
	Code string                   `json:"code"`
	Free map[custody.Category]int `json:"free"`
}

// Input is the state a plan starts from.
type Input struct {
	Campaign   uuid.UUID  `json:"campaign"`
	Priorities []string   `json:"priorities,omitempty"`
	Sites      []Site     `json:"sites"`
	Receivers  []Receiver `json:"receivers"`
	Persons    []Person   `json:"persons"`
}

// Request says how to plan.
type Request struct {
	// From is the first day a movement may depart (its date is used, at 00:00 UTC).
	From time.Time `json:"from"`
	// Convoys are the convoys available every day: slot k of a day uses Convoys[k].
	// Their number is the number of movements per day.
	Convoys [][]custody.Vehicle `json:"convoys"`
	// MovementSize is the most persons one movement may carry (0: the convoy's seats).
	MovementSize int `json:"movement_size"`
	// Escort is the party escorting every movement.
	Escort uuid.UUID `json:"escort"`
	// Horizon is the number of days planned (0: 366).
	Horizon int `json:"horizon,omitempty"`
	// Departure is the time of day movements depart (default 06:00).
	Departure time.Duration `json:"departure,omitempty"`
	// Closed lists slots that may not be used (a convoy cancelled on a day).
	Closed []Slot `json:"closed,omitempty"`
}

// Slot is one convoy on one day.
type Slot struct {
	Day  int `json:"day"`
	Slot int `json:"slot"`
}

func (r *Request) horizon() int {
	if r.Horizon <= 0 {
		return 366
	}
	return r.Horizon
}

func (r *Request) day0() time.Time {
	return r.From.UTC().Truncate(24 * time.Hour)
}

// dayOf is the first day index on or after t (0 for a zero t).
func (r *Request) dayOf(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	d := t.Sub(r.day0())
	if d <= 0 {
		return 0
	}
	n := int(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		n++
	}
	return n
}

// Date is the departure time of day d.
func (r *Request) Date(d int) time.Time {
	dep := r.Departure
	if dep == 0 {
		dep = 6 * time.Hour
	}
	return r.day0().AddDate(0, 0, d).Add(dep)
}

// Movement is one planned movement.
type Movement struct {
	Key      string    `json:"key"` // stable within a plan and its re-plans: "P001"
	Day      int       `json:"day"`
	Slot     int       `json:"slot"` // which convoy of the day
	Date     time.Time `json:"date"`
	From     uuid.UUID `json:"from"`
	FromCode string    `json:"from_code"`
	To       uuid.UUID `json:"to"`
	ToCode   string    `json:"to_code"`
	Escort   uuid.UUID `json:"escort"`
	// Transfer is the open transfer whose persons the movement carries; zero when
	// they are on none yet (accepting the movement proposes one).
	Transfer uuid.UUID         `json:"transfer,omitzero"`
	Vehicles []custody.Vehicle `json:"vehicles"`
	Manifest []custody.Seat    `json:"manifest"`
}

// Assignment is one person's place in a plan, with the reasons for it.
type Assignment struct {
	Person   uuid.UUID `json:"person"`
	RegNo    string    `json:"reg_no"`
	Movement string    `json:"movement,omitempty"` // key; empty when not planned
	Vehicle  string    `json:"vehicle,omitempty"`
	Reasons  []Reason  `json:"reasons"`
}

// Outlook is how a site with a deadline stands at its deadline.
type Outlook struct {
	Site     uuid.UUID `json:"site"`
	Code     string    `json:"code"`
	Deadline time.Time `json:"deadline"`
	Risk     Risk      `json:"risk,omitempty"`
	Now      int       `json:"now"`    // persons held there at the start
	Remain   int       `json:"remain"` // persons still there at the deadline
	// Why counts those who remain by the reason they are not moved in time.
	Why map[ReasonCode]int `json:"why"`
	// Daily is the population at the start of each day, up to the deadline.
	Daily []int `json:"daily"`
}

// Plan is the planner's answer.
type Plan struct {
	Request   Request      `json:"request"`
	Movements []Movement   `json:"movements"`
	Persons   []Assignment `json:"persons"`
	Sites     []Outlook    `json:"sites"`
	Objective Objective    `json:"objective"`
	Bound     Objective    `json:"bound"`
}

// Objective is what a plan is judged by, compared in field order (lexicographically).
type Objective struct {
	Late       int `json:"late"`       // persons at a deadline site not moved before its deadline
	Unplanned  int `json:"unplanned"`  // persons not moved at all
	Priority   int `json:"priority"`   // Σ over priority persons of weight × departure day
	Movements  int `json:"movements"`  // number of movements
	Completion int `json:"completion"` // day index after the last departure (0: none)
}
