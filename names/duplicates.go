package names

import "sort"

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

// elementKeys are the keys of an element for blocking: its broad key, and its
// canonical given name when the table knows it.
func elementKeys(e Element) []string {
	ks := []string{broad(e)}
	if e.Canon != "" {
		ks = append(ks, "="+e.Canon)
	}
	return ks
}

// pairKeys are the blocking keys of a person: for every name, every unordered pair
// of its elements' keys (given and family, given and father, father and family…),
// so that two records meet when they share two parts of a name in any order, and
// a name of one element by itself.
func pairKeys(p *Parsed) []string {
	seen := map[string]bool{}
	var out []string
	put := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, nm := range p.names {
		es := nm.Elements
		if len(es) == 1 {
			for _, k := range elementKeys(es[0]) {
				put("1|" + k)
			}
		}
		for i := range es {
			for j := i + 1; j < len(es); j++ {
				for _, a := range elementKeys(es[i]) {
					for _, b := range elementKeys(es[j]) {
						if a > b {
							a, b = b, a
						}
						put(a + "|" + b)
					}
				}
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
// compared (see pairKeys), never all pairs.
func (x *Index) Duplicates(threshold float64) []Duplicate {
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[[2]int32]bool{}
	var out []Duplicate
	for _, ns := range x.block {
		if len(ns) < 2 || len(ns) > maxBlock {
			continue
		}
		for i, a := range ns {
			if x.dead[a] {
				continue
			}
			for _, b := range ns[i+1:] {
				if x.dead[b] || seen[[2]int32{a, b}] {
					continue
				}
				seen[[2]int32{a, b}] = true
				if ex := ComparePersons(x.people[a], x.people[b]); ex.Score >= threshold {
					ia, ib := x.ids[a], x.ids[b]
					if ib < ia {
						ia, ib = ib, ia
					}
					out = append(out, Duplicate{ia, ib, ex})
				}
			}
		}
	}
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
// a registrar sees before saving.
func (x *Index) Candidates(p Person, threshold float64, limit int) []Hit {
	pp := Prepare(p)
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[int32]bool{}
	var out []Hit
	for _, k := range pairKeys(pp) {
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
