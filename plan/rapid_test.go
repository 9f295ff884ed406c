package plan

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/handover-project/handover/custody"
)

// randomWorld draws a state: sites (some with deadlines), receivers with places by
// category, men, women, children, households, priorities and blocked persons.
func randomWorld(t *rapid.T) (*world, Request) {
	w := newWorld("first", "second")
	nSites := rapid.IntRange(1, 3).Draw(t, "sites")
	codes := []string{"AAA", "BBB", "CCC"}
	for i := range nSites {
		w.addSite(codes[i], rapid.IntRange(-1, 10).Draw(t, "deadline"))
	}
	w.addReceiver("RX", custody.Detainee, rapid.IntRange(0, 80).Draw(t, "rx"), custody.Minor, rapid.IntRange(0, 10).Draw(t, "rxm"))
	w.addReceiver("RY", custody.Detainee, rapid.IntRange(0, 80).Draw(t, "ry"), custody.FamilyMember, rapid.IntRange(0, 30).Draw(t, "ryf"),
		custody.Minor, rapid.IntRange(0, 30).Draw(t, "rym"), custody.UnaccompaniedMinor, rapid.IntRange(0, 5).Draw(t, "ryu"))
	n := rapid.IntRange(0, 120).Draw(t, "persons")
	h := 0
	for range n {
		site := codes[rapid.IntRange(0, nSites-1).Draw(t, "site")]
		var opts []func(*Person)
		switch rapid.IntRange(0, 9).Draw(t, "kind") {
		case 0:
			opts = append(opts, woman)
		case 1:
			opts = append(opts, child)
		case 2:
			opts = append(opts, func(p *Person) { p.Category = custody.UnaccompaniedMinor })
		case 3:
			opts = append(opts, func(p *Person) { p.Sex = custody.Unknown })
		case 4:
			h++
			hh := inHousehold(h)
			w.add(site, woman, hh)
			for range rapid.IntRange(0, 4).Draw(t, "children") {
				w.add(site, child, hh)
			}
			if rapid.Bool().Draw(t, "man") {
				w.add(site, hh)
			}
			continue
		}
		if g := rapid.IntRange(-1, 1).Draw(t, "priority"); g >= 0 {
			opts = append(opts, priority(g))
		}
		if rapid.IntRange(0, 7).Draw(t, "on transfer") == 0 {
			k := rapid.IntRange(0, 1).Draw(t, "transfer")
			opts = append(opts, func(p *Person) { p.Transfer, p.To = id(6, k), w.in.Receivers[k].ID })
		}
		if rapid.IntRange(0, 9).Draw(t, "blocked") == 0 {
			opts = append(opts, blocked(rapid.IntRange(-1, 5).Draw(t, "clear")))
		}
		w.add(site, opts...)
	}
	var seats []int
	for range rapid.IntRange(1, 3).Draw(t, "vehicles") {
		seats = append(seats, rapid.IntRange(1, 12).Draw(t, "seats"))
	}
	req := request(convoys(rapid.IntRange(1, 3).Draw(t, "convoys"), seats...), rapid.IntRange(0, 25).Draw(t, "size"))
	req.Horizon = rapid.IntRange(1, 30).Draw(t, "horizon")
	return w, req
}

// Every plan of a random state keeps every hard rule, explains every person, and
// scores no better than its bound.
func TestPlanKeepsTheRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, req := randomWorld(t)
		pl, err := Make(&w.in, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(&w.in, pl); err != nil {
			t.Fatal(err)
		}
		explained(t, &w.in, pl)
		bounded(t, pl)
	})
}

// A re-plan after any change still keeps every rule.
func TestReplanKeepsTheRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, req := randomWorld(t)
		pl, err := Make(&w.in, req)
		if err != nil {
			t.Fatal(err)
		}
		var e Event
		switch rapid.IntRange(0, 3).Draw(t, "change") {
		case 0:
			if len(req.Convoys) == 1 && len(req.Convoys[0]) == 1 {
				return // losing the only vehicle leaves nothing to plan with
			}
			e = Event{Kind: VehicleLost, Vehicle: req.Convoys[0][0].ID}
		case 1:
			e = Event{Kind: CapacityReduced, Receiver: w.in.Receivers[0].ID, Category: custody.Detainee, By: rapid.IntRange(1, 50).Draw(t, "by")}
		case 2:
			if len(pl.Movements) == 0 {
				return
			}
			e = Event{Kind: MovementCancelled, Movement: pl.Movements[rapid.IntRange(0, len(pl.Movements)-1).Draw(t, "m")].Key}
		case 3:
			for _, p := range w.in.Persons {
				if len(p.Blocked) > 0 {
					e = Event{Kind: SafeguardCleared, Person: p.ID}
				}
			}
			if e.Kind == "" {
				return
			}
		}
		in2, req2, prev2, err := e.Apply(&w.in, req, pl)
		if err != nil {
			t.Fatal(err)
		}
		next, err := Replan(prev2, in2, req2)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(in2, next); err != nil {
			t.Fatalf("after %s: %v", e.Kind, err)
		}
		explained(t, in2, next)
		bounded(t, next)
	})
}

func explained(t *rapid.T, in *Input, pl *Plan) {
	if len(pl.Persons) != len(in.Persons) {
		t.Fatalf("%d persons explained of %d", len(pl.Persons), len(in.Persons))
	}
	for _, a := range pl.Persons {
		if len(a.Reasons) == 0 || a.Reasons[0].Code == "" {
			t.Fatalf("%s has no reason", a.RegNo)
		}
		if (a.Movement != "") != a.Reasons[len(a.Reasons)-1].Code.Planned() {
			t.Fatalf("%s: movement %q but reason %s", a.RegNo, a.Movement, a.Reasons[0].Code)
		}
		for _, lang := range Languages {
			if s, _ := a.Reasons[0].Say(lang); s == "" || s == string(a.Reasons[0].Code) {
				t.Fatalf("%s: no %s text for %s", a.RegNo, lang, a.Reasons[0].Code)
			}
		}
	}
}

func bounded(t *rapid.T, pl *Plan) {
	o, b := pl.Objective, pl.Bound
	if b.Late > o.Late || b.Unplanned > o.Unplanned || b.Priority > o.Priority {
		t.Fatalf("bound %+v above objective %+v", b, o)
	}
	if o.Late == b.Late && o.Unplanned == b.Unplanned && (b.Movements > o.Movements || b.Completion > o.Completion) {
		t.Fatalf("bound %+v above objective %+v", b, o)
	}
}
