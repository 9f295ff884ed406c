package custody

import (
	"testing"
	"time"
)

func TestFacilityRisk(t *testing.T) {
	w := newWorld(t)
	by := time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		w.must(SetFacilityRisk{Meta: w.meta(), Facility: testID("HSK"), Kind: ControlChangeExpected, By: by, Note: "withdrawal announced"})
		f, _ := w.s.Facility(testID("HSK"))
		if f.Risk == nil || f.Risk.Kind != ControlChangeExpected || !f.Risk.By.Equal(by) {
			t.Fatalf("risk %+v", f.Risk)
		}
		w.must(SetFacilityRisk{Meta: w.meta(), Facility: testID("HSK"), Kind: BreakoutRisk, By: by.AddDate(0, 0, -3)})
		if f.Risk.Kind != BreakoutRisk {
			t.Fatalf("risk not replaced: %+v", f.Risk)
		}
		w.must(SetFacilityRisk{Meta: w.meta(), Facility: testID("HSK"), Clear: true, Note: "ceasefire extended"})
		if f.Risk != nil {
			t.Fatalf("risk not lifted: %+v", f.Risk)
		}
		w.checkReplay(t)
	})
	w.must(SetFacilityRisk{Meta: w.meta(), Facility: testID("HSK2"), Kind: BreakoutRisk, By: by})
	for name, tc := range map[string]struct {
		c    SetFacilityRisk
		code Code
	}{
		"ErrNoFacility":    {SetFacilityRisk{Facility: testID("nowhere"), Kind: BreakoutRisk, By: by}, NotFound},
		"ErrKind":          {SetFacilityRisk{Facility: testID("HSK"), Kind: "flood", By: by}, Invalid},
		"ErrNoDate":        {SetFacilityRisk{Facility: testID("HSK"), Kind: BreakoutRisk}, Invalid},
		"ErrNothingToLift": {SetFacilityRisk{Facility: testID("HOL"), Clear: true}, Refused},
		"ErrLiftWithDate":  {SetFacilityRisk{Facility: testID("HSK2"), Clear: true, By: by}, Invalid},
	} {
		t.Run(name, func(t *testing.T) {
			tc.c.Meta = w.meta()
			size := w.s.Size()
			if _, err := w.run(tc.c); ErrorCode(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if w.s.Size() != size {
				t.Fatal("a refused command changed the state")
			}
		})
	}
}
