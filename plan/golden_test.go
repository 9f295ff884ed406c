package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/custody"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

// scenarios are small named situations whose plans are fixed by golden files.
var scenarios = map[string]func() (*world, Request){
	// A prison due to change hands on day 2 and a prison with priority detainees:
	// the deadline is met, the priority group goes as early as it allows.
	"deadline-and-priority": func() (*world, Request) {
		w := newWorld("alleged attacks on civilians")
		w.addSite("RIV", 2)
		w.addSite("HSK", -1)
		w.addReceiver("NCI", custody.Detainee, 100)
		for range 14 {
			w.add("RIV")
		}
		for i := range 10 {
			if i%2 == 0 {
				w.add("HSK", priority(0))
			} else {
				w.add("HSK")
			}
		}
		return w, request(convoys(1, 6, 6), 12)
	},
	// A camp: households ride alone in a vehicle, women apart from men, children
	// without adults together, a household larger than any vehicle left out.
	"households": func() (*world, Request) {
		w := newWorld()
		w.addSite("HOL", -1)
		w.addReceiver("JRI", custody.Minor, 20, custody.UnaccompaniedMinor, 5, custody.FamilyMember, 20)
		w.addReceiver("NCI", custody.Detainee, 10)
		for h := 1; h <= 3; h++ {
			w.add("HOL", woman, inHousehold(h))
			for range h {
				w.add("HOL", child, inHousehold(h))
			}
		}
		for range 7 {
			w.add("HOL", inHousehold(9), child)
		}
		w.add("HOL", woman)
		w.add("HOL", woman)
		w.add("HOL", func(p *Person) { p.Category = custody.UnaccompaniedMinor })
		w.add("HOL", func(p *Person) { p.Category = custody.UnaccompaniedMinor; p.Sex = custody.Female })
		w.add("HOL")
		return w, request(convoys(1, 6, 4, 4), 0)
	},
	// Safeguards: one cleared on day 3, one with no clearance expected, and a
	// household waiting for one member.
	"blocked": func() (*world, Request) {
		w := newWorld()
		w.addSite("PLN", 5)
		w.addReceiver("SCI", custody.Detainee, 50, custody.FamilyMember, 5, custody.Minor, 5)
		for range 4 {
			w.add("PLN")
		}
		w.add("PLN", blocked(3))
		w.add("PLN", blocked(-1))
		w.add("PLN", woman, inHousehold(1), blocked(-1))
		w.add("PLN", child, inHousehold(1))
		return w, request(convoys(1, 5), 0)
	},
	// Too few places: the receiver takes what it has room for, the rest are
	// explained, and the deadline site reports who remains.
	"capacity": func() (*world, Request) {
		w := newWorld()
		w.addSite("RIV", 3)
		w.addReceiver("CCI", custody.Detainee, 7)
		for range 10 {
			w.add("RIV")
		}
		return w, request(convoys(2, 4), 0)
	},
}

func TestGoldenPlans(t *testing.T) {
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			w, req := sc()
			pl, err := Make(&w.in, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(&w.in, pl); err != nil {
				t.Fatal(err)
			}
			golden(t, "plan-"+name+".json", pl)
		})
	}
}

// Each change re-plans with the fewest changes to what was planned; the difference
// is fixed by a golden file.
func TestGoldenReplans(t *testing.T) {
	w, req := scenarios["deadline-and-priority"]()
	pl, err := Make(&w.in, req)
	if err != nil {
		t.Fatal(err)
	}
	blockedWorld, breq := scenarios["blocked"]()
	bpl, err := Make(&blockedWorld.in, breq)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		w    *world
		req  Request
		prev *Plan
		e    Event
	}{
		"vehicle-lost":       {w, req, pl, Event{Kind: VehicleLost, Vehicle: "C1-V2"}},
		"movement-cancelled": {w, req, pl, Event{Kind: MovementCancelled, Movement: pl.Movements[0].Key}},
		"capacity-reduced":   {w, req, pl, Event{Kind: CapacityReduced, Receiver: w.in.Receivers[0].ID, Category: custody.Detainee, By: 90}},
		"safeguard-cleared":  {blockedWorld, breq, bpl, Event{Kind: SafeguardCleared, Person: blockedWorld.in.Persons[5].ID}},
	} {
		t.Run(name, func(t *testing.T) {
			in2, req2, prev2, err := c.e.Apply(&c.w.in, c.req, c.prev)
			if err != nil {
				t.Fatal(err)
			}
			next, err := Replan(prev2, in2, req2)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(in2, next); err != nil {
				t.Fatal(err)
			}
			golden(t, "replan-"+name+".json", Compare(c.prev, next))
		})
	}
}
