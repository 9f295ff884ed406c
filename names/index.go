package names

import (
	"slices"
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
	intern map[string]int32   // element form and text → number, from 1
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byID: map[string]int32{}, post: map[string][]int32{}, block: map[string][]int32{}, intern: map[string]int32{}}
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
	for _, nm := range pp.names {
		for _, es := range [][]Element{nm.Elements, nm.Kunyas} {
			for i := range es {
				k := string(rune('0'+es[i].Form)) + es[i].Text
				id, ok := x.intern[k]
				if !ok {
					id = int32(len(x.intern) + 1)
					x.intern[k] = id
				}
				es[i].id = id
			}
		}
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

// searchKeys are the keys an element is filed and looked up under, the strongest
// first: its coarse key and canonical name, then its broad key and one-letter-less keys.
func searchKeys(e Element) []string {
	k := coarse(e)
	keys := []string{k}
	if e.Canon != "" {
		keys = append(keys, "="+e.Canon)
	}
	keys = append(keys, "~"+broad(e))
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
const maxScored = 1000

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
	// each person's hits: 2 for a query word's own key or canonical name, 1 for a
	// near key, summed over the query's words
	hits := make([]uint8, len(x.ids))
	stamp := make([]uint8, len(x.ids))
	var touched []int32
	for qi, e := range qe {
		mark := uint8(qi + 1)
		for i, k := range searchKeys(e) {
			w := uint8(1)
			if i == 0 || k[0] == '=' {
				w = 2
			}
			for _, n := range x.post[k] {
				if stamp[n] != mark { // the first key met is the strongest: searchKeys' order
					if hits[n] == 0 {
						touched = append(touched, n)
					}
					stamp[n] = mark
					hits[n] += w
				}
			}
		}
	}
	// the persons with the most hits first, in filing order; at most maxScored
	byHits := make([][]int32, 2*len(qe)+1)
	for _, n := range touched {
		if !x.dead[n] {
			h := min(int(hits[n]), len(byHits)-1)
			byHits[h] = append(byHits[h], n)
		}
	}
	var cands []int32
	for h := len(byHits) - 1; h > 0 && len(cands) < maxScored; h-- {
		slices.Sort(byHits[h])
		cands = append(cands, byHits[h][:min(len(byHits[h]), maxScored-len(cands))]...)
	}
	sr := newSearcher(q)
	type scored struct {
		n int32
		s float64
		k int // the name that scored best
	}
	var top []scored
	for _, n := range cands {
		best := scored{n, 0, -1}
		for k, nm := range x.people[n].names {
			if s := sr.score(nm, false).Score; s > best.s {
				best.s, best.k = s, k
			}
		}
		if best.s >= minScore {
			top = append(top, best)
		}
	}
	sort.SliceStable(top, func(i, j int) bool { return top[i].s > top[j].s })
	if len(top) > limit {
		top = top[:limit]
	}
	out := make([]Hit, len(top))
	for i, t := range top {
		out[i] = Hit{ID: x.ids[t.n], Explanation: sr.score(x.people[t.n].names[t.k], true)}
	}
	return out
}
