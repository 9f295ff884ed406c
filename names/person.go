package names

import (
	"strconv"
	"strings"
)

// Person is what ComparePersons weighs: the names in every script and kind (aliases
// and kunyas included), the date of birth with its precision (day, month, year,
// estimated), sex (male, female, unknown), nationalities (ISO 3166-1 alpha-3; XXX
// unknown), the parents' names and the place of origin. Empty fields say nothing.
type Person struct {
	Names          []string
	Birth          string // YYYY, YYYY-MM or YYYY-MM-DD
	BirthPrecision string
	Sex            string
	Nationalities  []string
	Father         string
	Mother         string
	Origin         string
}

// Parsed is a Person with its names parsed once, for comparing it many times.
type Parsed struct {
	Person
	names  []Name
	father Name
	mother Name
	origin Name
}

// Prepare parses a person's names.
func Prepare(p Person) *Parsed {
	pp := &Parsed{Person: p, father: Parse(p.Father), mother: Parse(p.Mother), origin: Parse(p.Origin)}
	for _, n := range p.Names {
		if x := Parse(n); len(x.Elements)+len(x.Kunyas) > 0 {
			pp.names = append(pp.names, x)
		}
	}
	return pp
}

// ComparePersons scores two persons as one (0 to 1) and explains it. The best
// agreement between any of their names is the base; then, where both records hold
// the field: a date of birth that agrees at the coarser precision adds a little and
// one that disagrees beyond it takes away (a year apart is forgiven when either is
// estimated); a different sex takes away 0.5; nationalities with none in common take
// away 0.1; the father's and mother's names add when alike and take away when
// different; the place of origin nudges. It is symmetric.
func ComparePersons(a, b *Parsed) Explanation {
	var ex Explanation
	top, bx, by := -1.0, Name{}, Name{}
	for _, x := range a.names {
		for _, y := range b.names {
			if s := nameScore(x, y); s > top {
				top, bx, by = s, x, y
			}
		}
	}
	if top < 0 {
		return ex
	}
	best := CompareNames(bx, by)
	score := best.Score
	ex.Parts = append(ex.Parts, best.Parts...)
	add := func(p Part, delta float64) {
		score += delta
		ex.Parts = append(ex.Parts, p)
	}
	if a.Birth != "" && b.Birth != "" {
		d, how := birthAgreement(a, b)
		add(Part{Field: "birth", A: a.Birth, B: b.Birth, How: how, Score: round(d)}, d)
	}
	if a.Sex != "" && b.Sex != "" && a.Sex != "unknown" && b.Sex != "unknown" {
		if a.Sex == b.Sex {
			add(Part{Field: "sex", A: a.Sex, B: b.Sex, How: Same, Score: 0}, 0)
		} else {
			add(Part{Field: "sex", A: a.Sex, B: b.Sex, How: Differs, Score: -0.5}, -0.5)
		}
	}
	if na, nb := known(a.Nationalities), known(b.Nationalities); len(na) > 0 && len(nb) > 0 {
		if common(na, nb) {
			add(Part{Field: "nationality", A: strings.Join(na, ","), B: strings.Join(nb, ","), How: Same, Score: 0.03}, 0.03)
		} else {
			add(Part{Field: "nationality", A: strings.Join(na, ","), B: strings.Join(nb, ","), How: Differs, Score: -0.1}, -0.1)
		}
	}
	for _, f := range []struct {
		field    string
		x, y     Name
		plus, mi float64
	}{{"father", a.father, b.father, 0.08, -0.15}, {"mother", a.mother, b.mother, 0.05, -0.1}, {"origin", a.origin, b.origin, 0.03, -0.03}} {
		if len(f.x.Elements) == 0 || len(f.y.Elements) == 0 {
			continue
		}
		s := SearchScore(shorter(f.x, f.y), longer(f.x, f.y)).Score
		p := Part{Field: f.field, A: f.x.Text, B: f.y.Text, How: Close}
		switch {
		case s >= 0.85:
			p.How, p.Score = Same, f.plus
		case s < 0.5:
			p.How, p.Score = Differs, f.mi
		}
		add(p, p.Score)
	}
	ex.Score = round(min(max(score, 0), 1))
	return ex
}

func shorter(a, b Name) Name {
	if len(b.Elements) < len(a.Elements) || len(b.Elements) == len(a.Elements) && b.Text < a.Text {
		return b
	}
	return a
}

func longer(a, b Name) Name {
	if len(b.Elements) < len(a.Elements) || len(b.Elements) == len(a.Elements) && b.Text < a.Text {
		return a
	}
	return b
}

// birthAgreement compares two dates of birth at the coarser of their precisions.
func birthAgreement(a, b *Parsed) (float64, How) {
	ya, yb := year(a.Birth), year(b.Birth)
	if ya == 0 || yb == 0 {
		return 0, OneSide
	}
	est := a.BirthPrecision == "estimated" || b.BirthPrecision == "estimated"
	dy := ya - yb
	if dy < 0 {
		dy = -dy
	}
	switch {
	case dy == 0:
		n := min(len(a.Birth), len(b.Birth))
		if a.Birth[:n] == b.Birth[:n] {
			if n >= 10 {
				return 0.1, Same
			}
			return 0.04, Same
		}
		if n >= 10 && a.Birth[5:7] == b.Birth[8:10] && a.Birth[8:10] == b.Birth[5:7] {
			return 0.03, Close // day and month swapped
		}
		return -0.08, Close
	case dy == 1 && est, dy <= 2 && est && (a.BirthPrecision == b.BirthPrecision):
		return 0, Close
	case dy <= 1:
		return -0.1, Close
	case est && dy <= 3:
		return -0.1, Close
	}
	return -0.3, Differs
}

func year(s string) int {
	if len(s) < 4 {
		return 0
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil {
		return 0
	}
	return y
}

func known(cs []string) []string {
	var out []string
	for _, c := range cs {
		if c != "" && c != "XXX" {
			out = append(out, c)
		}
	}
	return out
}

func common(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
