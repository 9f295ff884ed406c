package names

import (
	"sort"
	"sync"
)

// Index finds persons by name among many without comparing every pair. Each person
// is filed under blocking keys: the coarse consonant key of every element of every
// name (near classes merged: ث with ت, ذ with د, خ with ح, ش with س, غ with ق/ك),
// the same key with one consonant left out (a letter dropped or added by a spelling),
// and the canonical given name when the table knows it. A search scores only the
// persons that share keys with the query; duplicate detection compares only the
// persons that share a pair of element keys. An Index is safe for concurrent use.
type Index struct {
	mu     sync.RWMutex
	ids    []string
	people []*Parsed
	dead   []bool
	byID   map[string]int32
	post   map[string][]int32 // search keys
	block  map[string][]int32 // pair keys, for duplicates
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byID: map[string]int32{}, post: map[string][]int32{}, block: map[string][]int32{}}
}

// Len is the number of persons in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Put files a person under id, replacing what was filed under it before.
func (x *Index) Put(id string, p Person) {
	pp := Prepare(p)
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.byID[id]; ok {
		x.dead[old] = true
	}
	n := int32(len(x.ids))
	x.ids, x.people, x.dead = append(x.ids, id), append(x.people, pp), append(x.dead, false)
	x.byID[id] = n
	seen := map[string]bool{}
	for _, nm := range pp.names {
		for _, e := range append(append([]Element{}, nm.Elements...), nm.Kunyas...) {
			for _, k := range searchKeys(e) {
				if !seen[k] {
					seen[k] = true
					x.post[k] = append(x.post[k], n)
				}
			}
		}
	}
	for _, k := range pairKeys(pp) {
		x.block[k] = append(x.block[k], n)
	}
}

var coarseClass = map[byte]byte{cTH: cT, cDH: cD, cKH: cH, cSH: cS, cG: cK}

// coarse is an element's key with near classes merged.
func coarse(e Element) string {
	b := []byte(e.w.key())
	for i, c := range b {
		if m, ok := coarseClass[c]; ok {
			b[i] = m
		}
	}
	return [...]string{"", "abd:", "din:", "abu:"}[e.Form] + string(b)
}

// searchKeys are the keys an element is filed and looked up under.
func searchKeys(e Element) []string {
	k := coarse(e)
	keys := []string{k, "~" + broad(e)}
	if e.Canon != "" {
		keys = append(keys, "="+e.Canon)
	}
	pre := [...]string{"", "abd:", "din:", "abu:"}[e.Form]
	body := k[len(pre):]
	if len(body) >= 3 {
		for i := range body {
			keys = append(keys, "-"+pre+body[:i]+body[i+1:])
		}
	}
	return keys
}

// Hit is one person found by a search.
type Hit struct {
	ID          string
	Explanation Explanation
}

// maxScored bounds the persons a search scores in full; the others are ranked by how
// many of the query's words they share keys with.
const maxScored = 3000

// Search returns at most limit persons whose names the query names, best first, with
// a score of at least minScore each. The query is a name or part of one, in either
// script, in any order.
func (x *Index) Search(query string, limit int, minScore float64) []Hit {
	q := Parse(query)
	qe := append(append([]Element{}, q.Elements...), q.Kunyas...)
	if len(qe) == 0 || limit <= 0 {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	hits := map[int32]int{}
	for _, e := range qe {
		mine := map[int32]int{}
		for i, k := range searchKeys(e) {
			w := 1
			if i == 0 || k[0] == '=' {
				w = 2
			}
			for _, n := range x.post[k] {
				mine[n] = max(mine[n], w)
			}
		}
		for n, w := range mine {
			hits[n] += w
		}
	}
	cands := make([]int32, 0, len(hits))
	for n := range hits {
		if !x.dead[n] {
			cands = append(cands, n)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if hits[cands[i]] != hits[cands[j]] {
			return hits[cands[i]] > hits[cands[j]]
		}
		return cands[i] < cands[j]
	})
	if len(cands) > maxScored {
		cands = cands[:maxScored]
	}
	var out []Hit
	for _, n := range cands {
		best := Explanation{}
		for _, nm := range x.people[n].names {
			if ex := SearchScore(q, nm); ex.Score > best.Score {
				best = ex
			}
		}
		if best.Score >= minScore {
			out = append(out, Hit{ID: x.ids[n], Explanation: best})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Explanation.Score > out[j].Explanation.Score })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
