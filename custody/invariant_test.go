package custody

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestInvariantsHold drives random sequences of commands, accepted or refused, and
// checks invariants 1 and 4 after each, and that replaying the ledger from scratch
// gives the same state.
func TestInvariantsHold(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld(t)
		var persons []uuid.UUID
		facilities := []string{"HSK", "HOL", "HOSP", "IQ1", "HSK2", "nowhere"}
		pick := func(label string) uuid.UUID {
			if len(persons) == 0 || rapid.IntRange(0, 20).Draw(rt, label+"-unknown") == 0 {
				return uuid.New()
			}
			return persons[rapid.IntRange(0, len(persons)-1).Draw(rt, label)]
		}
		fac := func(label string) uuid.UUID { return testID(rapid.SampledFrom(facilities).Draw(rt, label)) }
		tally := NewTally()
		for _, e := range w.events {
			tally.Add(&e)
		}
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for i := range steps {
			var cmd Command
			m := w.meta()
			switch rapid.IntRange(0, 10).Draw(rt, "kind") {
			case 0, 1, 2:
				p := testPerson(fmt.Sprintf("P%d", i))
				p.Category = rapid.SampledFrom(categories).Draw(rt, "category")
				cmd = RegisterPerson{Meta: m, Person: p, Facility: fac("at")}
				persons = append(persons, p.ID)
			case 3:
				cmd = AdmitPerson{Meta: m, Person: pick("admit"), Facility: fac("to")}
			case 4:
				cmd = ReleasePerson{Meta: m, Person: pick("release"), Reason: "r", Authority: "a"}
			case 5:
				cmd = RecordDeath{Meta: m, Person: pick("death"), Cause: "c", Circumstances: "c"}
			case 6:
				cmd = RecordEscape{Meta: m, Person: pick("escape"), Circumstances: "c"}
			case 7:
				cmd = RecordRecapture{Meta: m, Person: pick("recapture"), Facility: fac("recaptured-to")}
			case 8:
				cmd = AdmitToHospital{Meta: m, Person: pick("hospital"), Hospital: fac("hospital-at"), Reason: "r"}
			case 9:
				cmd = ReturnFromHospital{Meta: m, Person: pick("return")}
			case 10:
				cmd = ChangeFacilityControl{Meta: m, Facility: fac("control"), To: testID(rapid.SampledFrom([]string{"SDF", "SYG", "IRQ"}).Draw(rt, "party")), Reason: "r"}
			}
			before := w.s.Size()
			es, err := w.run(cmd)
			if err != nil && w.s.Size() != before {
				rt.Fatalf("refused %T changed the state", cmd)
			}
			for _, e := range es {
				tally.Add(&e)
			}
			if err := CheckInvariants(w.s); err != nil {
				rt.Fatalf("after %T: %v", cmd, err)
			}
			if err := tally.Check(w.s); err != nil {
				rt.Fatalf("after %T: %v", cmd, err)
			}
		}
		w.checkReplay(rt)
	})
}
