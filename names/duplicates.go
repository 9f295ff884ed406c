package names

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// maxBlock is the largest block whose pairs are all compared. A larger block shares
// only very common names (Muhammad and Ahmad) and would cost more than it finds;
// its persons still meet through their other pairs of names.
const maxBlock = 400

// broadClass merges, for blocking only, the classes that regional pronunciation
// and Latin spelling swap: the dentals and sibilants (ت ث د ذ ز ظ س ص: Dhafer,
// Zafer, Thafer; Samer, Thamer), the velars and gutturals with ش (ج غ ق ك خ ح ه ش: Gassim,
// Jasim; Chaled, Khaled, Chaker), the labials and the nasals.
var broadClass = map[byte]byte{cT: 't', cTH: 't', cD: 't', cDH: 't', cZ: 't', cS: 't', cSH: 'k',
	cJ: 'k', cG: 'k', cK: 'k', cKH: 'k', cH: 'k', cB: 'b', cF: 'b', cM: 'm', cN: 'm'}

// broad is an element's key with broadClass applied, doubled classes once.
func broad(e Element) string {
	var b []byte
	for _, c := range []byte(e.w.key()) {
		if m, ok := broadClass[c]; ok {
			c = m
		}
		if n := len(b); n == 0 || b[n-1] != c {
			b = append(b, c)
		}
	}
	return [...]string{"", "abd:", "din:", "abu:"}[e.Form] + string(b)
}

// elementKeys are the keys of an element for blocking: its coarse key, its broad
// key when that still holds three consonants (a shorter one is shared by too many
// names: Said, Saad, Zayd), and its canonical given name when the table knows it.
func elementKeys(e Element) []string {
	ks := []string{coarse(e)}
	if b := broad(e); len(b)-len([...]string{"", "abd:", "din:", "abu:"}[e.Form]) >= 3 && b != ks[0] {
		ks = append(ks, b)
	}
	if e.Canon != "" {
		ks = append(ks, "="+e.Canon)
	}
	return ks
}

// pairKeys are the blocking keys of a person: for every name, the unordered pairs
// of element keys that hold its last element (given and family, father and family,
// in any order, so a name written family first meets), the pair of its first two
// elements (given and father, for a record without the family name), and a name
// of one element by itself.
func pairKeys(p *Parsed) []string {
	seen := map[string]bool{}
	var out []string
	put := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	pair := func(x, y Element) {
		for _, a := range elementKeys(x) {
			for _, b := range elementKeys(y) {
				if a < b {
					put(a + "|" + b)
				} else {
					put(b + "|" + a)
				}
			}
		}
	}
	for _, nm := range p.names {
		es := nm.Elements
		switch len(es) {
		case 0:
		case 1:
			for _, k := range elementKeys(es[0]) {
				put("1|" + k)
			}
		default:
			last := es[len(es)-1]
			for _, e := range es[:len(es)-1] {
				pair(e, last)
			}
			if len(es) > 2 {
				pair(es[0], es[1])
			}
		}
	}
	return out
}

// Duplicate is a pair of persons likely to be one, with the explanation.
type Duplicate struct {
	A, B        string
	Explanation Explanation
}

// Duplicates returns the pairs of persons in the index whose score reaches
// threshold, best first (ties by ids). Only persons that share a pair key are
// compared (see pairKeys), never all pairs; the blocks are shared among as many
// goroutines as there are processors.
func (x *Index) Duplicates(threshold float64) []Duplicate {
	x.mu.RLock()
	defer x.mu.RUnlock()
	blocks := make([][]int32, 0, len(x.block))
	for _, ns := range x.block {
		if len(ns) >= 2 && len(ns) <= maxBlock {
			blocks = append(blocks, ns)
		}
	}
	var (
		next   atomic.Int64
		shards [64]struct {
			sync.Mutex
			seen map[[2]int32]bool
		}
		mu  sync.Mutex
		out []Duplicate
		wg  sync.WaitGroup
	)
	for i := range shards {
		shards[i].seen = map[[2]int32]bool{}
	}
	first := func(a, b int32) bool { // reports whether the pair is new
		sh := &shards[(a*31+b)&63]
		sh.Lock()
		defer sh.Unlock()
		if sh.seen[[2]int32{a, b}] {
			return false
		}
		sh.seen[[2]int32{a, b}] = true
		return true
	}
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Go(func() {
			var mine []Duplicate
			for {
				k := int(next.Add(1)) - 1
				if k >= len(blocks) {
					break
				}
				ns := blocks[k]
				for i, a := range ns {
					if x.dead[a] {
						continue
					}
					for _, b := range ns[i+1:] {
						lo, hi := min(a, b), max(a, b)
						if x.dead[b] || !first(lo, hi) {
							continue
						}
						if threshold > 0.79 && otherSex(x.people[a], x.people[b]) {
							continue // a different sex takes 0.5; the other fields add at most 0.29
						}
						if ex := ComparePersons(x.people[lo], x.people[hi]); ex.Score >= threshold {
							ia, ib := x.ids[lo], x.ids[hi]
							if ib < ia {
								ia, ib = ib, ia
							}
							mine = append(mine, Duplicate{ia, ib, ex})
						}
					}
				}
			}
			mu.Lock()
			out = append(out, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	sortDuplicates(out)
	return out
}

func sortDuplicates(ds []Duplicate) {
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].Explanation.Score != ds[j].Explanation.Score {
			return ds[i].Explanation.Score > ds[j].Explanation.Score
		}
		if ds[i].A != ds[j].A {
			return ds[i].A < ds[j].A
		}
		return ds[i].B < ds[j].B
	})
}

// Candidates returns the persons of the index likely to be p (a registration not
// yet saved), best first, with a score of at least threshold: the likely duplicates
// a registrar sees before saving. Like Duplicates, it skips the blocks larger than
// maxBlock (names too common to tell anyone apart by): a registration costs at most
// maxBlock comparisons a key, and warns of what the review would list.
func (x *Index) Candidates(p Person, threshold float64, limit int) []Hit {
	pp := Prepare(p)
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[int32]bool{}
	var out []Hit
	for _, k := range pairKeys(pp) {
		if len(x.block[k]) > maxBlock {
			continue
		}
		for _, n := range x.block[k] {
			if seen[n] || x.dead[n] {
				continue
			}
			seen[n] = true
			if ex := ComparePersons(pp, x.people[n]); ex.Score >= threshold {
				out = append(out, Hit{ID: x.ids[n], Explanation: ex})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Explanation.Score > out[j].Explanation.Score })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func otherSex(a, b *Parsed) bool {
	return a.Sex != b.Sex && (a.Sex == "male" || a.Sex == "female") && (b.Sex == "male" || b.Sex == "female")
}
