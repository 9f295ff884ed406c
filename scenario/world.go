// Package scenario builds the synthetic world that `handover demo` loads: the parties,
// facilities and some 10,000 invented people of the north-east Syria → Iraq transfers
// described in docs/scenario.md, and the campaign's first movements, as custody commands.
//
// Everything is drawn from one seeded random source, so New(seed) gives the same world,
// identifiers included, every time. Every person is invented: names combine common
// Arabic given names with invented family names, and every record has Demo set.
package scenario

import (
	"time"

	"github.com/google/uuid"
	"github.com/handover-project/handover/custody"
)

// Actor is the actor recorded on every command of the demo world.
const Actor = "demo-loader"

// World is the demo world: everything needed to load it through custody commands.
type World struct {
	Parties    []custody.Party
	Facilities []custody.Facility
	// Persons are in registration order; each is registered at its facility at its time.
	Persons []Placement
	// Duplicates lists pairs of records of the same invented man registered twice at
	// different prisons under another spelling: the first registration, then the second.
	Duplicates [][2]uuid.UUID
	// Start is when the first event occurred; ControlChange when al-Hol passes from
	// SDF to SYG, the last command of Commands. Every registration falls between them.
	Start, ControlChange time.Time
	// Operations are the campaign and its first four movements (docs/scenario.md items
	// 2–6), which follow the control change; a Drafter turns them into commands.
	Operations Operations
}

// Placement is a person with the facility they are registered at and when.
type Placement struct {
	Person   custody.Person
	Facility uuid.UUID
	At       time.Time
}

var (
	start         = time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC)
	controlChange = time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC)
)

// The party and facility codes of the world.
const (
	SDF, SYG, USF, IRQ, ICRC    = "SDF", "SYG", "USF", "IRQ", "ICRC"
	Hasakah, Riverside, Plains  = "HSK", "RIV", "PLN" // the Syrian prisons
	AlHol, Airfield             = "HOL", "AIRFIELD"
	Northern, Central, Southern = "NCI", "CCI", "SCI" // the Iraqi correctional institutions
	Juvenile                    = "JRI"
)

var parties = []custody.Party{
	{Code: SDF, Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority},
	{Code: SYG, Name: "Syrian government", Kind: custody.DetainingAuthority},
	{Code: USF, Name: "US forces (CENTCOM)", Kind: custody.EscortForce},
	{Code: IRQ, Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState},
	{Code: ICRC, Name: "International Committee of the Red Cross", Kind: custody.Monitor},
}

type facilitySpec struct {
	custody.Facility
	controller string
}

func caps(kv ...any) map[custody.Category]int {
	m := map[custody.Category]int{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(custody.Category)] = kv[i+1].(int)
	}
	return m
}

var facilities = []facilitySpec{
	{custody.Facility{Code: Hasakah, Name: "Hasakah detention facility", Kind: custody.Prison, Country: "SYR", Series: "HSK", Capacities: caps(custody.Detainee, 4300)}, SDF},
	{custody.Facility{Code: Riverside, Name: "Riverside detention facility", Kind: custody.Prison, Country: "SYR", Series: "RIV", Capacities: caps(custody.Detainee, 1850)}, SDF},
	{custody.Facility{Code: Plains, Name: "Plains detention facility", Kind: custody.Prison, Country: "SYR", Series: "PLN", Capacities: caps(custody.Detainee, 1450)}, SDF},
	{custody.Facility{Code: AlHol, Name: "al-Hol camp", Kind: custody.Camp, Country: "SYR", Series: "HOL", Capacities: caps(custody.FamilyMember, 850, custody.Minor, 2300, custody.UnaccompaniedMinor, 100)}, SDF},
	{custody.Facility{Code: Airfield, Name: "Eastern airfield transit point", Kind: custody.TransitPoint, Country: "SYR", Capacities: caps(custody.Detainee, 400)}, USF},
	{custody.Facility{Code: Northern, Name: "Northern Correctional Institution", Kind: custody.CorrectionalInstitution, Country: "IRQ", Series: "NCI", Capacities: caps(custody.Detainee, 3000)}, IRQ},
	{custody.Facility{Code: Central, Name: "Central Correctional Institution", Kind: custody.CorrectionalInstitution, Country: "IRQ", Series: "CCI", Capacities: caps(custody.Detainee, 2500)}, IRQ},
	{custody.Facility{Code: Southern, Name: "Southern Correctional Institution", Kind: custody.CorrectionalInstitution, Country: "IRQ", Series: "SCI", Capacities: caps(custody.Detainee, 2000)}, IRQ},
	{custody.Facility{Code: Juvenile, Name: "Juvenile Reform Institution", Kind: custody.JuvenileInstitution, Country: "IRQ", Series: "JRI", Capacities: caps(custody.Minor, 200, custody.UnaccompaniedMinor, 50)}, IRQ},
}

// New builds the demo world from seed. The same seed gives an identical world.
func New(seed int64) *World {
	g := newGen(seed)
	w := &World{Start: start, ControlChange: controlChange}
	t := start
	for _, p := range parties {
		p.ID = g.idAt(t)
		w.Parties = append(w.Parties, p)
		t = t.Add(time.Minute)
	}
	for _, s := range facilities {
		f := s.Facility
		f.Capacities = caps()
		for c, n := range s.Capacities {
			f.Capacities[c] = n
		}
		f.ID = g.idAt(t)
		f.ControllingParty = w.Party(s.controller).ID
		w.Facilities = append(w.Facilities, f)
		t = t.Add(time.Minute)
	}
	b := newBuilder(g)
	b.detainees()
	b.households()
	b.place(w, t.Add(time.Hour))
	w.Operations = w.plan(g)
	return w
}

// Party returns the party with the given code, or the zero Party.
func (w *World) Party(code string) custody.Party {
	for _, p := range w.Parties {
		if p.Code == code {
			return p
		}
	}
	return custody.Party{}
}

// Facility returns the facility with the given code, or the zero Facility.
func (w *World) Facility(code string) custody.Facility {
	for _, f := range w.Facilities {
		if f.Code == code {
			return f
		}
	}
	return custody.Facility{}
}

// Commands returns the commands that load the world into an empty ledger, in order:
// the parties, the facilities, every person's registration, and last the control
// change of al-Hol from SDF to SYG. Their occurrence times never decrease.
func (w *World) Commands() []custody.Command {
	cmds := make([]custody.Command, 0, len(w.Parties)+len(w.Facilities)+len(w.Persons)+1)
	t := w.Start
	meta := func() custody.Meta { return custody.Meta{Actor: Actor, OccurredAt: t} }
	for _, p := range w.Parties {
		cmds = append(cmds, custody.RegisterParty{Meta: meta(), Party: p})
		t = t.Add(time.Minute)
	}
	for _, f := range w.Facilities {
		cmds = append(cmds, custody.RegisterFacility{Meta: meta(), Facility: f})
		t = t.Add(time.Minute)
	}
	for _, p := range w.Persons {
		cmds = append(cmds, custody.RegisterPerson{Meta: custody.Meta{Actor: Actor, OccurredAt: p.At}, Person: p.Person, Facility: p.Facility})
	}
	t = w.ControlChange
	cmds = append(cmds, custody.ChangeFacilityControl{
		Meta: meta(), Facility: w.Facility(AlHol).ID, To: w.Party(SYG).ID,
		Reason: "SDF withdrawal from al-Hol under the ceasefire; Syrian government forces take over the camp",
	})
	return cmds
}
