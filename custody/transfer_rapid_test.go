package custody

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestTransferInvariantsHold drives random sequences of transfer work — proposals,
// safeguards, overrides, approvals, manifests, signed handovers with random
// outcomes, escapes on the road, incident resolutions, cancellations — and checks
// after every step invariants 1 and 4, and before every event invariants 2, 3 and 6
// (the world's run calls CheckEvent), and at the end that a replay gives the same state.
func TestTransferInvariantsHold(t *testing.T) {
	var stats [2]int
	defer func() { t.Logf("handovers accepted: %d departures, %d arrivals", stats[0], stats[1]) }()
	rapid.Check(t, func(rt *rapid.T) {
		w := newTransferWorld(t, 0)
		tally, tallied := NewTally(), 0
		handovers := map[Stage]int{}
		defer func() { stats[0] += handovers[Departure]; stats[1] += handovers[Arrival] }()
		var transfers, movements []uuid.UUID
		pickOf := func(ids []uuid.UUID, label string) (uuid.UUID, bool) {
			if len(ids) == 0 {
				return uuid.Nil, false
			}
			return ids[rapid.IntRange(0, len(ids)-1).Draw(rt, label)], true
		}
		subset := func(ids []uuid.UUID, label string) []uuid.UUID {
			var out []uuid.UUID
			for _, id := range ids {
				if rapid.Bool().Draw(rt, label) {
					out = append(out, id)
				}
			}
			return out
		}
		outcomes := func(ids []uuid.UUID) map[uuid.UUID]Outcome {
			m := map[uuid.UUID]Outcome{}
			for _, id := range ids {
				m[id] = rapid.SampledFrom([]Outcome{OutcomePresent, OutcomePresent, OutcomePresent, OutcomeAbsent, OutcomeDisputed, OutcomeRefused, OutcomeMedical}).Draw(rt, "outcome")
			}
			return m
		}
		steps := rapid.IntRange(20, 80).Draw(rt, "steps")
		for i := range steps {
			var cmd Command
			m := w.meta()
			switch rapid.SampledFrom([]int{0, 1, 2, 2, 3, 4, 5, 6, 7, 7, 7, 8, 8, 9, 9, 10, 11, 11, 12, 12, 13}).Draw(rt, "kind") {
			case 12, 13:
				// Get a transfer ready: every safeguard met, both approvals.
				tid, ok := pickOf(transfers, "transfer")
				tr, known := w.s.transfers[tid]
				if !ok || !known {
					continue
				}
				for _, k := range SafeguardKinds {
					var need []uuid.UUID
					for _, tp := range tr.People {
						if tp.Stage == StageWaiting && slices.Contains(tp.Required, k) {
							need = append(need, tp.Person)
						}
					}
					if len(need) == 0 {
						continue
					}
					g := Safeguard{Kind: k, Met: true, Finding: "f", Risk: &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: NoRealRisk, Monitoring: "m"}, Interview: InterviewHeld}
					if k != RiskAssessment {
						g.Risk = nil
					}
					if k != ICRCNotified {
						g.Interview = ""
					}
					w.run(RecordSafeguard{Meta: w.meta(), Transfer: tid, Persons: need, Safeguard: g})
				}
				for _, party := range []string{"SDF", "IRQ"} {
					w.run(ApproveTransfer{Meta: Meta{Actor: "a", Party: testID(party), OccurredAt: w.meta().OccurredAt}, Transfer: tid})
				}
			case 0, 1:
				p := testPerson(fmt.Sprintf("R%d", i))
				if rapid.Bool().Draw(rt, "foreign") {
					p.Nationalities = []string{"FRA"}
				}
				cmd = RegisterPerson{Meta: m, Person: p, Facility: testID("HSK")}
			case 2:
				var held []uuid.UUID
				for _, id := range sortedIDs(w.s.persons) {
					if p := w.s.persons[id]; p.Custody.Status == Held && p.Custody.Facility == testID("HSK") && p.Custody.Transfer == uuid.Nil {
						held = append(held, id)
					}
				}
				id := testID(fmt.Sprintf("transfer %d", i))
				cmd = ProposeTransfer{Meta: m, Transfer: Transfer{ID: id, From: testID("HSK"), To: testID("IQ1"), LegalBasis: "l", OrderedBy: "o", Persons: subset(held, "on-transfer")}}
				transfers = append(transfers, id)
			case 3, 4:
				tid, ok := pickOf(transfers, "transfer")
				if !ok {
					continue
				}
				k := rapid.SampledFrom(SafeguardKinds).Draw(rt, "safeguard")
				g := Safeguard{Kind: k, Met: rapid.IntRange(0, 4).Draw(rt, "met") > 0, Finding: "f"}
				if k == RiskAssessment {
					g.Risk = &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: NoRealRisk, Monitoring: "m"}
				}
				if k == ICRCNotified {
					g.Interview = InterviewHeld
				}
				var on []uuid.UUID
				if tr, ok := w.s.transfers[tid]; ok {
					for _, tp := range tr.People {
						on = append(on, tp.Person)
					}
				}
				cmd = RecordSafeguard{Meta: m, Transfer: tid, Persons: subset(on, "safeguarded"), Safeguard: g}
			case 5:
				tid, ok := pickOf(transfers, "transfer")
				if !ok {
					continue
				}
				var on []uuid.UUID
				if tr, ok := w.s.transfers[tid]; ok {
					for _, tp := range tr.People {
						on = append(on, tp.Person)
					}
				}
				p, ok := pickOf(on, "overridden")
				if !ok {
					continue
				}
				cmd = OverrideSafeguard{Meta: m, Transfer: tid, Person: p, Kind: rapid.SampledFrom(SafeguardKinds).Draw(rt, "override-kind"), Reason: "r"}
			case 6:
				tid, ok := pickOf(transfers, "transfer")
				if !ok {
					continue
				}
				m.Party = testID(rapid.SampledFrom([]string{"SDF", "IRQ", "USF"}).Draw(rt, "approver"))
				cmd = ApproveTransfer{Meta: m, Transfer: tid}
			case 7:
				tid, ok := pickOf(transfers, "transfer")
				if !ok {
					continue
				}
				var waiting []uuid.UUID
				if tr, ok := w.s.transfers[tid]; ok {
					for _, tp := range tr.People {
						if tp.Stage == StageWaiting {
							waiting = append(waiting, tp.Person)
						}
					}
				}
				var seats []Seat
				for _, id := range subset(waiting, "manifest") {
					seats = append(seats, Seat{Person: id, Vehicle: "bus"})
				}
				id := testID(fmt.Sprintf("movement %d", i))
				cmd = PlanMovement{Meta: m, Movement: Movement{ID: id, Transfer: tid, Escort: testID("USF"), Mode: Convoy,
					Vehicles: []Vehicle{{ID: "bus", Seats: 100}}, PlannedDeparture: m.OccurredAt, Manifest: seats}}
				movements = append(movements, id)
			case 8, 9:
				mid, ok := pickOf(movements, "movement")
				mv, known := w.s.movements[mid]
				if !ok || !known {
					continue
				}
				w.movement = mid
				stage, list := Departure, []uuid.UUID{}
				if mv.Status == PlannedMovement {
					for _, st := range mv.Manifest {
						list = append(list, st.Person)
					}
				} else {
					stage = Arrival
					if mv.Departure != nil {
						for _, id := range mv.Departure.Present {
							if c := w.s.persons[id].Custody; c.Status == InTransit && c.Movement == mid {
								list = append(list, id)
							}
						}
					}
				}
				before := w.s.Size()
				if _, err := w.handover(stage, outcomes(list), list); err != nil && w.s.Size() != before {
					rt.Fatalf("refused handover changed the state")
				} else if err == nil {
					handovers[stage]++
				} else if testing.Verbose() {
					t.Logf("handover refused: %v", err)
				}
			case 10:
				var moving []uuid.UUID
				for _, id := range sortedIDs(w.s.persons) {
					if w.s.persons[id].Custody.Status == InTransit {
						moving = append(moving, id)
					}
				}
				p, ok := pickOf(moving, "escapee")
				if !ok {
					continue
				}
				cmd = RecordEscape{Meta: m, Person: p, Circumstances: "jumped from the bus"}
			case 11:
				var open []uuid.UUID
				for _, id := range sortedIDs(w.s.incidents) {
					if w.s.incidents[id].Open {
						open = append(open, id)
					}
				}
				iid, ok := pickOf(open, "incident")
				if !ok {
					continue
				}
				p, ok := pickOf(w.s.incidents[iid].Unresolved(), "resolved")
				if !ok {
					continue
				}
				res := rapid.SampledFrom([]Resolution{Found, EscapedR, DiedR, ClosedR}).Draw(rt, "resolution")
				cmd = ResolveIncident{Meta: m, Incident: iid, Person: p, Resolution: res, Facility: testID("IQ1"), Cause: "c", Note: "n"}
			}
			if cmd != nil {
				before := w.s.Size()
				if _, err := w.run(cmd); err != nil && w.s.Size() != before {
					rt.Fatalf("refused %T changed the state", cmd)
				}
			}
			for ; tallied < len(w.events); tallied++ {
				tally.Add(&w.events[tallied])
			}
			if err := CheckInvariants(w.s); err != nil {
				rt.Fatalf("step %d: %v", i, err)
			}
			if err := tally.Check(w.s); err != nil {
				rt.Fatalf("step %d: %v", i, err)
			}
			for _, id := range sortedIDs(w.s.persons) {
				p := w.s.persons[id]
				if p.Custody.Status == InTransit {
					tp := w.s.transfers[p.Custody.Transfer].byPerson[id]
					if !slices.Equal(tp.Missing, []SafeguardKind{}) {
						rt.Fatalf("person %s in transit with safeguards missing %v", p.Record.RegNo, tp.Missing)
					}
				}
			}
		}
		w.checkReplay(rt)
	})
}
