package names

import (
	"sort"
	"strings"
)

// How says how two parts were found to agree or not.
type How string

const (
	Same            How = "same"            // written alike once normalised
	Equivalent      How = "equivalent"      // spellings of one given name in the table
	Transliteration How = "transliteration" // one script's spelling reads as the other's
	Spelling        How = "spelling"        // Latin spellings of one Arabic name
	Close           How = "close"           // near, with a letter or vowel apart
	Partial         How = "partial"         // the query is the start of the word
	Differs         How = "differs"
	OneSide         How = "one_side" // present on one record only
)

// Part is one compared part with its verdict; A or B is empty for OneSide.
type Part struct {
	Field string  `json:"field"` // given, chain, family, kunya, name, birth, sex, nationality, father, mother, origin
	A     string  `json:"a"`
	B     string  `json:"b"`
	How   How     `json:"how"`
	Score float64 `json:"score"`
}

// Explanation is a score and the parts that made it.
type Explanation struct {
	Score float64 `json:"score"`
	Parts []Part  `json:"parts"`
}

// elemSim compares two elements of names.
func elemSim(a, b Element) (float64, How) {
	if a.Form != b.Form {
		return 0, Differs
	}
	if a.Text == b.Text {
		return 1, Same
	}
	ws := wordSim(a.w, b.w)
	if a.Canon != "" && b.Canon != "" {
		if a.Canon == b.Canon {
			return 1, Equivalent
		}
		return min(ws, 0.25), Differs
	}
	switch {
	case ws >= 0.999 && a.w.ar != b.w.ar:
		return 1, Transliteration
	case ws >= 0.999:
		return 1, Spelling
	case ws >= 0.6:
		return ws, Close
	}
	return ws, Differs
}

// gapCost is what an element one name lacks costs: records often leave out the
// nasab, less often the family name.
func gapCost(e Element) float64 {
	if e.Role == Chain {
		return 0.25 * weight(e)
	}
	return 0.35 * weight(e)
}

func weight(e Element) float64 {
	if e.Role == Chain {
		return 0.7
	}
	return 1
}

type aligned struct {
	i, j int // -1 for a gap
	sim  float64
	how  How
}

// compareSeq aligns two element sequences in order, the first with the first, and
// scores the alignment: matched weight times similarity over matched weight, plus
// 0.35 of each element left over, plus 0.35 more for each place where both names
// hold an element the other lacks (a father's name that differs).
func compareSeq(a, b []Element) (float64, []aligned) {
	s0, h0 := elemSim(a[0], b[0])
	n, m := len(a)-1, len(b)-1
	type cell struct {
		v  float64
		op byte // 'm' match, 'a' gap in b (a's element alone), 'b'
	}
	dp := make([][]cell, n+1)
	for i := range dp {
		dp[i] = make([]cell, m+1)
	}
	for i := 1; i <= n; i++ {
		dp[i][0] = cell{dp[i-1][0].v - 0.15*weight(a[i]), 'a'}
	}
	for j := 1; j <= m; j++ {
		dp[0][j] = cell{dp[0][j-1].v - 0.15*weight(b[j]), 'b'}
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			s, _ := elemSim(a[i], b[j])
			w := (weight(a[i]) + weight(b[j])) / 2
			best := cell{dp[i-1][j-1].v + (s-0.6)*w, 'm'}
			if v := dp[i-1][j].v - 0.15*weight(a[i]); v > best.v {
				best = cell{v, 'a'}
			}
			if v := dp[i][j-1].v - 0.15*weight(b[j]); v > best.v {
				best = cell{v, 'b'}
			}
			dp[i][j] = best
		}
	}
	var al []aligned
	for i, j := n, m; i > 0 || j > 0; {
		switch dp[i][j].op {
		case 'm':
			s, h := elemSim(a[i], b[j])
			al = append(al, aligned{i, j, s, h})
			i, j = i-1, j-1
		case 'a':
			al = append(al, aligned{i, -1, 0, OneSide})
			i--
		default:
			al = append(al, aligned{-1, j, 0, OneSide})
			j--
		}
	}
	al = append(al, aligned{0, 0, s0, h0})
	for l, r := 0, len(al)-1; l < r; l, r = l+1, r-1 {
		al[l], al[r] = al[r], al[l]
	}
	num, den := 0.0, 0.0
	ga, gb := 0, 0
	for _, x := range al {
		switch {
		case x.i >= 0 && x.j >= 0:
			w := (weight(a[x.i]) + weight(b[x.j])) / 2
			num += w * x.sim
			den += w
		case x.i >= 0:
			den += gapCost(a[x.i])
			ga++
		default:
			den += gapCost(b[x.j])
			gb++
		}
	}
	den += 0.35 * float64(min(ga, gb))
	return num / den, al
}

// rotate moves a name written family-first ("AL-BASHQALI Sami Ahmad") into written
// order: the first element goes to the end. Roles stay as parsed.
func rotate(es []Element) []Element {
	return append(append([]Element{}, es[1:]...), es[0])
}

// CompareNames scores two names as names of one person (0 to 1) and explains the
// score part by part. It is symmetric: CompareNames(a, b) scores as CompareNames(b, a).
func CompareNames(a, b Name) Explanation {
	x, y := compareNames(a, b), compareNames(b, a)
	if y.Score > x.Score {
		for i := range y.Parts {
			y.Parts[i].A, y.Parts[i].B = y.Parts[i].B, y.Parts[i].A
		}
		return y
	}
	return x
}

func compareNames(a, b Name) Explanation {
	var ex Explanation
	if len(a.Elements) > 0 && len(b.Elements) > 0 {
		type try struct {
			x, y []Element
			pen  float64
			rotB bool
		}
		tries := []try{{a.Elements, b.Elements, 0, false}}
		if len(a.Elements) > 1 {
			tries = append(tries, try{rotate(a.Elements), b.Elements, 0.03, false})
		}
		if len(b.Elements) > 1 {
			tries = append(tries, try{a.Elements, rotate(b.Elements), 0.03, true})
		}
		best, bestAl, bt := -1.0, []aligned(nil), tries[0]
		for _, t := range tries {
			s, al := compareSeq(t.x, t.y)
			if s-t.pen > best+1e-9 {
				best, bestAl, bt = s-t.pen, al, t
			}
		}
		ex.Score = best
		for _, x := range bestAl {
			p := Part{How: x.how, Score: round(x.sim)}
			// a rotated side keeps the roles of its written order; the other
			// side, written family first, would name them wrongly
			if x.i >= 0 {
				p.A, p.Field = bt.x[x.i].Text, bt.x[x.i].Role.String()
			}
			if x.j >= 0 {
				p.B = bt.y[x.j].Text
				if p.Field == "" || bt.rotB {
					p.Field = bt.y[x.j].Role.String()
				}
			}
			ex.Parts = append(ex.Parts, p)
		}
	}
	if k, ok := bestKunya(a.Kunyas, b.Kunyas); ok {
		switch {
		case len(ex.Parts) == 0:
			ex.Score = 0.7 * k.Score
		case k.Score >= 0.9:
			ex.Score = min(1, ex.Score+0.05)
		}
		ex.Parts = append(ex.Parts, k)
	}
	ex.Score = round(ex.Score)
	return ex
}

func bestKunya(a, b []Element) (Part, bool) {
	best, ok := Part{Field: "kunya", How: Differs}, false
	for _, x := range a {
		for _, y := range b {
			s, h := elemSim(x, y)
			if !ok || s > best.Score {
				best, ok = Part{Field: "kunya", A: x.Text, B: y.Text, How: h, Score: round(s)}, true
			}
		}
	}
	return best, ok
}

// SearchScore scores a record's name for a query: given and family names in any
// order, either script, part of the name. Each query word counts alike; the words of
// the record the query does not name cost a little. It is 1 when every query word
// and every record word agree.
func SearchScore(query, record Name) Explanation {
	q := append(append([]Element{}, query.Elements...), query.Kunyas...)
	r := append(append([]Element{}, record.Elements...), record.Kunyas...)
	if len(q) == 0 || len(r) == 0 {
		return Explanation{}
	}
	type cand struct {
		i, j int
		s    float64
		h    How
	}
	var cs []cand
	for i, x := range q {
		for j, y := range r {
			s, h := elemSim(x, y)
			if s < 0.85 && x.Form == y.Form && len([]rune(x.stem)) >= 3 && x.w.ar == y.w.ar && strings.HasPrefix(y.stem, x.stem) {
				s, h = 0.85, Partial
			}
			if s >= 0.5 {
				cs = append(cs, cand{i, j, s, h})
			}
		}
	}
	sort.SliceStable(cs, func(x, y int) bool { return cs[x].s > cs[y].s })
	usedQ, usedR := make([]bool, len(q)), make([]bool, len(r))
	var ex Explanation
	sum, matched := 0.0, 0
	for _, c := range cs {
		if usedQ[c.i] || usedR[c.j] {
			continue
		}
		usedQ[c.i], usedR[c.j] = true, true
		sum += c.s
		matched++
		ex.Parts = append(ex.Parts, Part{Field: r[c.j].Role.String(), A: q[c.i].Text, B: r[c.j].Text, How: c.h, Score: round(c.s)})
	}
	for i, u := range usedQ {
		if !u {
			ex.Parts = append(ex.Parts, Part{Field: "name", A: q[i].Text, How: OneSide})
		}
	}
	ex.Score = round(sum / float64(len(q)) * (0.9 + 0.1*float64(matched)/float64(len(r))))
	return ex
}

func round(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
