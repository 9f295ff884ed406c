package plan

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// optima: go test ./plan -run TestSweepWithinOnePercent -optima -timeout 0 (CBC takes
// several minutes over the 39 instances, more than the default timeout on a busy
// machine).
var optima = flag.Bool("optima", false, "solve the sweep's instances with CBC and rewrite testdata/sweep-optima.json")

// optimumFile holds the exact optimum of each sweep instance, found by CBC under
// -optima, so that the sweep needs no solver when it runs.
const optimumFile = "sweep-optima.json"

// sweepCase is one instance of the sweep and its optimum.
type sweepCase struct {
	Persons int       `json:"persons"`
	Seed    uint64    `json:"seed"`
	Optimum Objective `json:"optimum"`
}

// sweepInstances lists the sweep: 30, 40 and 50 persons with seeds 1 to 12, and 60
// persons with seeds 1 to 3 (CBC takes minutes on some larger ones).
func sweepInstances() []sweepCase {
	var cs []sweepCase
	for _, n := range []int{30, 40, 50} {
		for seed := uint64(1); seed <= 12; seed++ {
			cs = append(cs, sweepCase{Persons: n, Seed: seed})
		}
	}
	for seed := uint64(1); seed <= 3; seed++ {
		cs = append(cs, sweepCase{Persons: 60, Seed: seed})
	}
	return cs
}

// readOptima reads the sweep's optima, solving them first under -optima.
func readOptima(t *testing.T) []sweepCase {
	t.Helper()
	file := filepath.Join("testdata", optimumFile)
	if *optima {
		cbc := cbcPath(t)
		cs := sweepInstances()
		// Parallel subtests, as many at once as -parallel allows (CBC uses one core).
		t.Run("solve", func(t *testing.T) {
			for i := range cs {
				t.Run(fmt.Sprintf("%d persons seed %d", cs[i].Persons, cs[i].Seed), func(t *testing.T) {
					t.Parallel()
					w, req := smallWorld(cs[i].Seed, cs[i].Persons)
					var cpu float64
					cs[i].Optimum, cpu = optimum(t, cbc, &w.in, req)
					t.Logf("optimum %+v, CBC %.1f CPU-s", cs[i].Optimum, cpu)
				})
			}
		})
		if t.Failed() {
			t.FailNow()
		}
		b, err := json.MarshalIndent(cs, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cs []sweepCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	want := sweepInstances()
	same := len(cs) == len(want)
	for i := 0; same && i < len(cs); i++ {
		same = cs[i].Persons == want[i].Persons && cs[i].Seed == want[i].Seed
	}
	if !same {
		t.Fatalf("%s does not list the sweep's instances (go test ./plan -run Sweep -optima -timeout 0 to solve them again)", file)
	}
	return cs
}

// On 39 instances of 30 to 60 persons, the plan's objective is within 1 % of the
// optimum CBC found (stored in testdata/sweep-optima.json), tier by tier folded
// into one figure, and never better than it.
func TestSweepWithinOnePercent(t *testing.T) {
	cs := readOptima(t)
	at := 0
	for _, c := range cs {
		t.Run(fmt.Sprintf("%d persons seed %d", c.Persons, c.Seed), func(t *testing.T) {
			w, req := smallWorld(c.Seed, c.Persons)
			pl, err := Make(&w.in, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(&w.in, pl); err != nil {
				t.Fatal(err)
			}
			opt := c.Optimum
			if pl.Objective.Less(opt) {
				t.Fatalf("plan %+v beats the stored optimum %+v: the model or the file is wrong", pl.Objective, opt)
			}
			if opt.Less(pl.Bound) {
				t.Errorf("bound %+v above the optimum %+v", pl.Bound, opt)
			}
			gap := (weighted(pl.Objective) - weighted(opt)) / max(weighted(opt), 1)
			t.Logf("plan %+v, optimum %+v, gap %.3f%%", pl.Objective, opt, 100*gap)
			if pl.Objective == opt {
				at++
			}
			if gap > 0.01 {
				t.Errorf("plan %+v is %.2f%% worse than the optimum %+v", pl.Objective, 100*gap, opt)
			}
		})
	}
	t.Logf("%d of %d instances at the optimum", at, len(cs))
}
