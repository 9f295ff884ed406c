package plan

import (
	"bufio"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/handover-project/handover/custody"
)

// The exact solver of the comparison tests is COIN-OR CBC (Debian's coinor-cbc),
// driven as a subprocess with a CPLEX-LP file; see docs/decisions/0015.

// cbcPath finds cbc, failing under CI (where .ci/run installs it) and skipping elsewhere.
func cbcPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("cbc")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cbc (Debian package coinor-cbc) is required in CI: .ci/run installs it")
		}
		t.Skip("cbc not installed (apt-get install coinor-cbc)")
	}
	return p
}

// lp is a mixed-integer program written in CPLEX-LP form.
type lp struct {
	cons     []string
	ints     map[string]bool
	bins     map[string]bool
	fixed    []string // extra constraints, added tier by tier
	tiers    [5]string
	constant [5]int
}

func (m *lp) con(s string, args ...any) {
	m.cons = append(m.cons, fmt.Sprintf(" c%d: %s", len(m.cons)+len(m.fixed), fmt.Sprintf(s, args...)))
}

func (m *lp) text(tier int) string {
	var b strings.Builder
	b.WriteString("Minimize\n obj: " + orZero(m.tiers[tier]) + "\nSubject To\n")
	for _, c := range append(slices.Clone(m.cons), m.fixed...) {
		b.WriteString(c + "\n")
	}
	b.WriteString("Generals\n")
	for _, v := range slices.Sorted(maps.Keys(m.ints)) {
		b.WriteString(" " + v + "\n")
	}
	b.WriteString("Binaries\n")
	for _, v := range slices.Sorted(maps.Keys(m.bins)) {
		b.WriteString(" " + v + "\n")
	}
	b.WriteString("End\n")
	return b.String()
}

func orZero(s string) string {
	if s == "" {
		return "0 zero"
	}
	return s
}

// optimum solves the input exactly, lexicographically: each tier of the objective is
// minimised with the tiers before it held at their optimum. It returns the optimum
// and the CPU seconds the solver took (its time limit, 120 s a tier, is in CPU
// seconds too, so a busy machine slows it without making it fail).
func optimum(t *testing.T, cbc string, in *Input, req Request) (Objective, float64) {
	t.Helper()
	m := model(t, in, req)
	dir := t.TempDir()
	var got [5]int
	cpu := 0.0
	for tier := range 5 {
		file := filepath.Join(dir, fmt.Sprintf("tier%d.lp", tier))
		if err := os.WriteFile(file, []byte(m.text(tier)), 0o644); err != nil {
			t.Fatal(err)
		}
		sol := filepath.Join(dir, fmt.Sprintf("tier%d.sol", tier))
		out, err := exec.Command(cbc, file, "sec", "120", "solve", "solu", sol).CombinedOutput()
		if _, after, ok := strings.Cut(string(out), "Total time (CPU seconds):"); ok {
			if f := strings.Fields(after); len(f) > 0 {
				s, _ := strconv.ParseFloat(f[0], 64)
				cpu += s
			}
		}
		if os.Getenv("PLAN_DEBUG") != "" {
			t.Logf("%s\n%s", m.text(tier), out)
		}
		if err != nil {
			t.Fatalf("cbc: %v\n%s", err, out)
		}
		v := objectiveOf(t, sol)
		got[tier] = m.constant[tier] + v
		// Held at its optimum: no solution of the tiers after does better, so
		// equality is as valid as an upper bound, and tightens the relaxation.
		m.fixed = append(m.fixed, fmt.Sprintf(" f%d: %s = %d", tier, orZero(m.tiers[tier]), v))
	}
	return Objective{Late: got[0], Unplanned: got[1], Priority: got[2], Movements: got[3], Completion: got[4]}, cpu
}

func objectiveOf(t *testing.T, file string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		t.Fatalf("%s is empty", file)
	}
	line := sc.Text()
	if !strings.HasPrefix(line, "Optimal") {
		t.Fatalf("cbc did not prove optimality: %s", line)
	}
	i := strings.LastIndex(line, " ")
	v, err := strconv.ParseFloat(strings.TrimSpace(line[i:]), 64)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return int(math.Round(v))
}

// kind is a type of interchangeable units: same site, class, size, categories, ready
// day and priority weight.
type kind struct {
	site   string
	class  class
	size   int
	cats   string
	ready  int
	weight int
}

// model writes the planning problem as a MIP over unit kinds, slots and vehicles.
func model(t *testing.T, in *Input, req Request) *lp {
	t.Helper()
	p, err := newPlanner(in, &req)
	if err != nil {
		t.Fatal(err)
	}
	m := &lp{ints: map[string]bool{}, bins: map[string]bool{"zero": true}}
	m.cons = append(m.cons, " z0: zero = 0")
	h, g := req.horizon(), len(in.Priorities)
	for i := range in.Persons {
		per := &in.Persons[i]
		if _, out := p.reasons[per.ID]; !out {
			continue
		}
		m.constant[1]++
		if s := p.siteByID[per.Site]; s != nil && s.deadline >= 0 {
			m.constant[0]++
		}
		if per.Priority >= 0 {
			m.constant[2] += (g - per.Priority) * h
		}
	}
	count := map[kind]int{}
	cats := map[kind]map[custody.Category]int{}
	deadline := map[string]int{}
	for _, s := range p.sites {
		deadline[s.Code] = s.deadline
		for _, u := range s.pending {
			w := 0
			for _, per := range u.members {
				if per.Priority >= 0 {
					w += g - per.Priority
				}
			}
			k := kind{s.Code, u.class, u.size(), u.catKey, min(u.ready, h), w}
			count[k]++
			cats[k] = u.cats
		}
	}
	kinds := slices.SortedFunc(maps.Keys(count), func(a, b kind) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	var late, unplanned, moves, done []string
	prio := map[string]int{}
	for ki, k := range kinds {
		var moved, early []string
		for d := range h {
			for s, convoy := range req.Convoys {
				for j := range convoy {
					if k.ready > d {
						continue
					}
					x := fmt.Sprintf("x_%d_%d_%d_%d", ki, d, s, j)
					m.ints[x] = true
					moved = append(moved, x)
					if dl := deadline[k.site]; dl >= 0 && d < dl {
						early = append(early, x)
					}
					if k.weight > 0 {
						prio[x] += k.weight * (d - h)
					}
				}
			}
		}
		if len(moved) > 0 {
			m.con("%s <= %d", strings.Join(moved, " + "), count[k])
		}
		n := k.size * count[k]
		if deadline[k.site] >= 0 {
			m.constant[0] += n
			for _, x := range early {
				late = append(late, fmt.Sprintf("-%d %s", k.size, x))
			}
		}
		m.constant[1] += n
		for _, x := range moved {
			unplanned = append(unplanned, fmt.Sprintf("-%d %s", k.size, x))
		}
		if k.weight > 0 {
			m.constant[2] += k.weight * h * count[k]
		}
	}
	for d := range h {
		for s, convoy := range req.Convoys {
			u := fmt.Sprintf("u_%d_%d", d, s)
			m.bins[u] = true
			if s > 0 && sameSeats(convoy, req.Convoys[s-1]) {
				m.con("u_%d_%d - %s >= 0", d, s-1, u)
			}
			moves = append(moves, u)
			done = append(done, u)
			m.con("completion - %d %s >= 0", d+1, u)
			var sites, recvs []string
			for _, st := range p.sites {
				o := fmt.Sprintf("o_%d_%d_%s", d, s, st.Code)
				m.bins[o] = true
				sites = append(sites, o)
			}
			m.con("%s - %s = 0", strings.Join(sites, " + "), u)
			for _, r := range p.recvs {
				tv := fmt.Sprintf("t_%d_%d_%s", d, s, r.Code)
				m.bins[tv] = true
				recvs = append(recvs, tv)
			}
			m.con("%s - %s = 0", strings.Join(recvs, " + "), u)
			var load []string
			for j, v := range convoy {
				// Each vehicle carries one class (a household riding alone: one
				// household), and persons of one site: the seats bound each class's
				// and each site's persons, which keeps the relaxation tight.
				var zs, seat, alone []string
				byClass := map[class][]string{}
				bySite := map[string][]string{}
				for c := classMen; c <= classAlone; c++ {
					z := fmt.Sprintf("z_%d_%d_%d_%d", d, s, j, c)
					m.bins[z] = true
					zs = append(zs, z)
				}
				m.con("%s - u_%d_%d <= 0", strings.Join(zs, " + "), d, s)
				for ki, k := range kinds {
					if k.ready > d {
						continue
					}
					x := fmt.Sprintf("x_%d_%d_%d_%d", ki, d, s, j)
					term := fmt.Sprintf("%d %s", k.size, x)
					seat = append(seat, term)
					byClass[k.class] = append(byClass[k.class], term)
					bySite[k.site] = append(bySite[k.site], term)
					if k.class == classAlone {
						alone = append(alone, x)
					}
				}
				if len(seat) > 0 {
					m.con("%s <= %d", strings.Join(seat, " + "), v.Seats)
					load = append(load, seat...)
				}
				for c := classMen; c < classAlone; c++ {
					if len(byClass[c]) > 0 {
						m.con("%s - %d z_%d_%d_%d_%d <= 0", strings.Join(byClass[c], " + "), v.Seats, d, s, j, c)
					}
				}
				if len(alone) > 0 {
					m.con("%s - z_%d_%d_%d_%d <= 0", strings.Join(alone, " + "), d, s, j, classAlone)
				}
				for _, st := range p.sites {
					if len(bySite[st.Code]) > 0 {
						m.con("%s - %d o_%d_%d_%s <= 0", strings.Join(bySite[st.Code], " + "), v.Seats, d, s, st.Code)
					}
				}
			}
			if len(load) > 0 {
				m.con("%s - %d %s <= 0", strings.Join(load, " + "), capacityOf(convoy, req.MovementSize), u)
			}
			for ki, k := range kinds {
				if k.ready > d {
					continue
				}
				var xs, ys []string
				for j := range convoy {
					xs = append(xs, fmt.Sprintf("x_%d_%d_%d_%d", ki, d, s, j))
				}
				for _, r := range p.recvs {
					y := fmt.Sprintf("y_%d_%d_%d_%s", ki, d, s, r.Code)
					m.ints[y] = true
					ys = append(ys, "- "+y)
					m.con("%s - %d t_%d_%d_%s <= 0", y, count[k], d, s, r.Code)
				}
				m.con("%s %s = 0", strings.Join(xs, " + "), strings.Join(ys, " "))
			}
		}
	}
	for _, r := range p.recvs {
		for _, c := range []custody.Category{custody.Detainee, custody.FamilyMember, custody.Minor, custody.UnaccompaniedMinor} {
			var ys []string
			for ki, k := range kinds {
				if cats[k][c] == 0 {
					continue
				}
				for d := range h {
					for s := range req.Convoys {
						if k.ready <= d {
							ys = append(ys, fmt.Sprintf("%d y_%d_%d_%d_%s", cats[k][c], ki, d, s, r.Code))
						}
					}
				}
			}
			if len(ys) > 0 {
				m.con("%s <= %d", strings.Join(ys, " + "), r.free[c])
			}
		}
	}
	// The movements fit in the slots of the days before completion.
	m.con("%d completion - %s >= 0", len(req.Convoys), strings.Join(moves, " - "))
	m.ints["completion"] = true
	var pr []string
	for _, x := range slices.Sorted(maps.Keys(prio)) {
		if prio[x] != 0 {
			pr = append(pr, fmt.Sprintf("%d %s", prio[x], x))
		}
	}
	m.tiers = [5]string{join(late), join(unplanned), join(pr), strings.Join(moves, " + "), "completion"}
	return m
}

func join(terms []string) string {
	s := strings.Join(terms, " + ")
	return strings.ReplaceAll(s, "+ -", "- ")
}

func sameSeats(a, b []custody.Vehicle) bool {
	return slices.EqualFunc(a, b, func(x, y custody.Vehicle) bool { return x.Seats == y.Seats })
}
