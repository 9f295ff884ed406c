package names

import "strings"

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

type simHow struct {
	s float64
	h How
}

// simMatrix holds elemSim of every pair of elements of two names, computed once.
func simMatrix(a, b []Element) [][]simHow {
	m := make([][]simHow, len(a))
	for i := range a {
		m[i] = make([]simHow, len(b))
		for j := range b {
			m[i][j].s, m[i][j].h = elemSim(a[i], b[j])
		}
	}
	return m
}

func transpose(m [][]simHow) [][]simHow {
	if len(m) == 0 {
		return nil
	}
	t := make([][]simHow, len(m[0]))
	for j := range t {
		t[j] = make([]simHow, len(m))
		for i := range m {
			t[j][i] = m[i][j]
		}
	}
	return t
}

// compareSeq aligns two element sequences in order (a[ia[0]], a[ia[1]]… against
// b[ib[0]]…), the first with the first, and scores the alignment: matched weight
// times similarity over matched weight, plus the gap cost of each element left over,
// plus 0.35 more for each place where both names hold an element the other lacks
// (a father's name that differs).
func compareSeq(a, b []Element, ia, ib []int, sm [][]simHow) (float64, []aligned) {
	n, m := len(ia)-1, len(ib)-1
	type cell struct {
		v  float64
		op byte // 'm' match, 'a' gap in b (a's element alone), 'b'
	}
	var buf [64]cell
	var dp []cell
	if (n+1)*(m+1) <= len(buf) {
		dp = buf[:(n+1)*(m+1)]
	} else {
		dp = make([]cell, (n+1)*(m+1))
	}
	at := func(i, j int) *cell { return &dp[i*(m+1)+j] }
	for i := 1; i <= n; i++ {
		*at(i, 0) = cell{at(i-1, 0).v - 0.15*weight(a[ia[i]]), 'a'}
	}
	for j := 1; j <= m; j++ {
		*at(0, j) = cell{at(0, j-1).v - 0.15*weight(b[ib[j]]), 'b'}
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			s := sm[ia[i]][ib[j]].s
			w := (weight(a[ia[i]]) + weight(b[ib[j]])) / 2
			best := cell{at(i-1, j-1).v + (s-0.6)*w, 'm'}
			if v := at(i-1, j).v - 0.15*weight(a[ia[i]]); v > best.v {
				best = cell{v, 'a'}
			}
			if v := at(i, j-1).v - 0.15*weight(b[ib[j]]); v > best.v {
				best = cell{v, 'b'}
			}
			*at(i, j) = best
		}
	}
	al := make([]aligned, 0, n+m+1)
	for i, j := n, m; i > 0 || j > 0; {
		switch at(i, j).op {
		case 'm':
			x := sm[ia[i]][ib[j]]
			al = append(al, aligned{ia[i], ib[j], x.s, x.h})
			i, j = i-1, j-1
		case 'a':
			al = append(al, aligned{ia[i], -1, 0, OneSide})
			i--
		default:
			al = append(al, aligned{-1, ib[j], 0, OneSide})
			j--
		}
	}
	x := sm[ia[0]][ib[0]]
	al = append(al, aligned{ia[0], ib[0], x.s, x.h})
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

// order is the identity order of n elements; rotated moves the first to the end,
// reading a name written family first ("AL-BASHQALI Sami Ahmad") in written order.
func order(n int, rotated bool) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
		if rotated {
			o[i] = (i + 1) % n
		}
	}
	return o
}

// CompareNames scores two names as names of one person (0 to 1) and explains the
// score part by part. It is symmetric: CompareNames(a, b) scores as CompareNames(b, a).
func CompareNames(a, b Name) Explanation {
	var sm [][]simHow
	if len(a.Elements) > 0 && len(b.Elements) > 0 {
		sm = simMatrix(a.Elements, b.Elements)
	}
	x, y := compareNames(a, b, sm, true), compareNames(b, a, transpose(sm), true)
	if y.Score > x.Score {
		for i := range y.Parts {
			y.Parts[i].A, y.Parts[i].B = y.Parts[i].B, y.Parts[i].A
		}
		return y
	}
	return x
}

// nameScore is CompareNames(a, b).Score without the explanation.
func nameScore(a, b Name) float64 {
	var sm [][]simHow
	if len(a.Elements) > 0 && len(b.Elements) > 0 {
		sm = simMatrix(a.Elements, b.Elements)
	}
	return max(compareNames(a, b, sm, false).Score, compareNames(b, a, transpose(sm), false).Score)
}

func compareNames(a, b Name, sm [][]simHow, explain bool) Explanation {
	var ex Explanation
	if na, nb := len(a.Elements), len(b.Elements); na > 0 && nb > 0 {
		type try struct {
			ia, ib []int
			pen    float64
			rotA   bool
			rotB   bool
		}
		tries := []try{{order(na, false), order(nb, false), 0, false, false}}
		if na > 1 {
			tries = append(tries, try{order(na, true), order(nb, false), 0.03, true, false})
		}
		if nb > 1 {
			tries = append(tries, try{order(na, false), order(nb, true), 0.03, false, true})
		}
		best, bestAl, bt := -1.0, []aligned(nil), tries[0]
		for _, t := range tries {
			s, al := compareSeq(a.Elements, b.Elements, t.ia, t.ib, sm)
			if s-t.pen > best+1e-9 {
				best, bestAl, bt = s-t.pen, al, t
			}
		}
		ex.Score = best
		if !explain {
			bestAl = nil
		}
		// roles are named by the side written in order: the one not written family
		// first, or else the one not rotated
		fromB := b.FamilyFirst != a.FamilyFirst && a.FamilyFirst || a.FamilyFirst == b.FamilyFirst && bt.rotA
		for _, x := range bestAl {
			p := Part{How: x.how, Score: round(x.sim)}
			if x.i >= 0 {
				p.A, p.Field = a.Elements[x.i].Text, a.Elements[x.i].Role.String()
			}
			if x.j >= 0 {
				p.B = b.Elements[x.j].Text
				if p.Field == "" || fromB {
					p.Field = b.Elements[x.j].Role.String()
				}
			}
			// an element of the untrusted side alone: its first is the family name
			// written first, the others are links of the chain
			if x.i > 0 && x.j < 0 && fromB || x.j > 0 && x.i < 0 && !fromB {
				p.Field = "chain"
			}
			if x.i == 0 && x.j < 0 && fromB || x.j == 0 && x.i < 0 && !fromB {
				p.Field = "family"
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
	return newSearcher(query).score(record, true)
}

// searcher scores records for one query, remembering how each query element
// compares with each element text met: names repeat across a register.
type searcher struct {
	q    []Element
	memo []map[int32]simHow
}

func newSearcher(query Name) *searcher {
	q := append(append([]Element{}, query.Elements...), query.Kunyas...)
	m := make([]map[int32]simHow, len(q))
	for i := range m {
		m[i] = map[int32]simHow{}
	}
	return &searcher{q, m}
}

func (sr *searcher) sim(i int, y Element) simHow {
	if v, ok := sr.memo[i][y.id]; ok && y.id != 0 {
		return v
	}
	x := sr.q[i]
	s, h := elemSim(x, y)
	if s < 0.85 && x.Form == y.Form && len([]rune(x.stem)) >= 3 && x.w.ar == y.w.ar && strings.HasPrefix(y.stem, x.stem) {
		s, h = 0.85, Partial
	}
	if y.id != 0 {
		sr.memo[i][y.id] = simHow{s, h}
	}
	return simHow{s, h}
}

func (sr *searcher) score(record Name, explain bool) Explanation {
	q := sr.q
	nr := len(record.Elements) + len(record.Kunyas)
	if len(q) == 0 || nr == 0 {
		return Explanation{}
	}
	elem := func(j int) Element {
		if j < len(record.Elements) {
			return record.Elements[j]
		}
		return record.Kunyas[j-len(record.Elements)]
	}
	type cand struct {
		i, j int
		s    float64
		h    How
	}
	var buf [32]cand
	cs := buf[:0]
	for i := range q {
		for j := 0; j < nr; j++ {
			if v := sr.sim(i, elem(j)); v.s >= 0.5 {
				cs = append(cs, cand{i, j, v.s, v.h})
			}
		}
	}
	// insertion sort, stable, best first: a handful of candidates
	for x := 1; x < len(cs); x++ {
		for y := x; y > 0 && cs[y].s > cs[y-1].s; y-- {
			cs[y], cs[y-1] = cs[y-1], cs[y]
		}
	}
	var usedQ, usedR [64]bool
	if len(q) > 64 || nr > 64 {
		return Explanation{}
	}
	var ex Explanation
	sum, matched := 0.0, 0
	for _, c := range cs {
		if usedQ[c.i] || usedR[c.j] {
			continue
		}
		usedQ[c.i], usedR[c.j] = true, true
		sum += c.s
		matched++
		if explain {
			ex.Parts = append(ex.Parts, Part{Field: elem(c.j).Role.String(), A: q[c.i].Text, B: elem(c.j).Text, How: c.h, Score: round(c.s)})
		}
	}
	if explain {
		for i := range q {
			if !usedQ[i] {
				ex.Parts = append(ex.Parts, Part{Field: "name", A: q[i].Text, How: OneSide})
			}
		}
	}
	ex.Score = round(sum / float64(len(q)) * (0.9 + 0.1*float64(matched)/float64(nr)))
	return ex
}

func round(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
