package plan

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

// demo loads the demo world (registrations, the control change of al-Hol, the
// deadlines of Riverside and Plains, and the campaign) into a State, once.
var demo = sync.OnceValues(func() (*Input, Request) {
	w := scenario.New(1)
	s := custody.NewState()
	cmds := append(w.Commands(), w.Risks()...)
	cmds = append(cmds, custody.CreateCampaign{Meta: custody.Meta{Actor: scenario.Actor, OccurredAt: w.Operations.Created}, Campaign: w.Operations.Campaign})
	var n uint64
	for _, c := range cmds {
		ds, err := custody.Decide(s, c)
		if err != nil {
			panic(err)
		}
		for _, d := range ds {
			n++
			e, _, err := custody.Seal(d, uuid.NewSHA1(uuid.Nil, []byte{byte(n), byte(n >> 8), byte(n >> 16)}), d.OccurredAt, [16]byte{})
			if err != nil {
				panic(err)
			}
			if err := s.Apply(&e); err != nil {
				panic(err)
			}
		}
	}
	src, _ := SourceOf(s, w.Operations.Campaign.ID)
	from := w.ControlChange.AddDate(0, 0, 1)
	in := InputOf(src, from, 0)
	req := Request{From: from, Convoys: Convoys(2, 3, 50), MovementSize: 150, Escort: w.Party(scenario.USF).ID}
	return in, req
})

// The demo's campaign: every rule kept, both prisons with a deadline emptied before
// it, every detainee planned, and the gap to the bound small.
func TestDemoPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo world")
	}
	in, req := demo()
	pl, err := Make(in, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, pl); err != nil {
		t.Fatal(err)
	}
	detainees := 0
	for _, p := range in.Persons {
		if p.Category == custody.Detainee {
			detainees++
		}
	}
	t.Logf("%d persons (%d detainees), %d sites, %d receivers: %d movements, completion day %d; objective %+v, bound %+v",
		len(in.Persons), detainees, len(in.Sites), len(in.Receivers), len(pl.Movements), pl.Objective.Completion, pl.Objective, pl.Bound)
	for _, o := range pl.Sites {
		t.Logf("%s: %d now, %d remain at %s: %v", o.Code, o.Now, o.Remain, o.Deadline.Format(time.DateOnly), o.Why)
		if o.Remain != 0 {
			t.Errorf("%s: %d remain at its deadline", o.Code, o.Remain)
		}
	}
	if len(pl.Sites) != 2 {
		t.Errorf("%d deadline sites, want Riverside and Plains", len(pl.Sites))
	}
	moved := 0
	for _, m := range pl.Movements {
		moved += len(m.Manifest)
	}
	if moved < detainees {
		t.Errorf("%d moved, fewer than the %d detainees", moved, detainees)
	}
	if gap := pl.Objective.Movements - pl.Bound.Movements; gap > 1 {
		t.Errorf("%d movements, bound %d", pl.Objective.Movements, pl.Bound.Movements)
	}
}

// BenchmarkDemoPlan plans the demo's campaign (some 7,000 detainees, 150 a movement).
func BenchmarkDemoPlan(b *testing.B) {
	in, req := demo()
	for b.Loop() {
		if _, err := Make(in, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDemoReplan re-plans the demo's campaign after a vehicle is lost.
func BenchmarkDemoReplan(b *testing.B) {
	in, req := demo()
	pl, err := Make(in, req)
	if err != nil {
		b.Fatal(err)
	}
	in2, req2, prev, err := Event{Kind: VehicleLost, Vehicle: "C1-BUS2"}.Apply(in, req, pl)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Replan(prev, in2, req2); err != nil {
			b.Fatal(err)
		}
	}
}
