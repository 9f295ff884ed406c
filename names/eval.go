package names

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strings"
)

// Threshold is the person score from which two records are taken for one person:
// a search shows them as likely, and duplicates lists them for review. It was chosen
// on the evaluation set (testdata/eval.tsv); see docs/decisions/0014-names.md.
const Threshold = 0.80

//go:embed testdata/eval.tsv
var evalTSV []byte

// Pair is one labelled pair of the evaluation set.
type Pair struct {
	Same bool
	Set  string // "cross" (Arabic script against Latin) or "latin"
	Kind string // variant, or the hard negative: father, son, brother, given, family, confusable
	A, B Person
}

// EvalSet returns the evaluation pairs kept in the package.
func EvalSet() ([]Pair, error) { return ParseEval(evalTSV) }

// ParseEval reads labelled pairs, one a line: label (same or different), set, kind,
// then two records "names|birth|precision|sex|nationality|father", tab-separated.
// Several names are separated by ";". Lines starting with # are comments.
func ParseEval(b []byte) ([]Pair, error) {
	var out []Pair
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 || f[0] != "same" && f[0] != "different" {
			return nil, fmt.Errorf("eval line %d: want label, set, kind and two records, tab-separated, label same or different", n)
		}
		a, err := evalRecord(f[3])
		if err != nil {
			return nil, fmt.Errorf("eval line %d: first record: %w", n, err)
		}
		bb, err := evalRecord(f[4])
		if err != nil {
			return nil, fmt.Errorf("eval line %d: second record: %w", n, err)
		}
		out = append(out, Pair{Same: f[0] == "same", Set: f[1], Kind: f[2], A: a, B: bb})
	}
	return out, sc.Err()
}

func evalRecord(s string) (Person, error) {
	f := strings.Split(s, "|")
	if len(f) != 6 {
		return Person{}, fmt.Errorf("want 6 fields separated by |, got %d", len(f))
	}
	if strings.TrimSpace(f[0]) == "" {
		return Person{}, fmt.Errorf("no name")
	}
	p := Person{Names: strings.Split(f[0], ";"), Birth: f[1], BirthPrecision: f[2], Sex: f[3], Father: f[5]}
	if f[4] != "" {
		p.Nationalities = []string{f[4]}
	}
	return p, nil
}

// Metrics are the counts and figures of an evaluation at one threshold.
type Metrics struct {
	Set                 string
	TP, FP, TN, FN      int
	Precision, Recall   float64
	F1                  float64
	Misses, FalseAlarms []string
}

// Evaluate scores every pair with ComparePersons and counts, per set, the pairs
// taken for one person (score ≥ threshold) against their labels.
func Evaluate(pairs []Pair, threshold float64) []Metrics {
	by := map[string]*Metrics{}
	var order []string
	for _, p := range pairs {
		m := by[p.Set]
		if m == nil {
			m = &Metrics{Set: p.Set}
			by[p.Set] = m
			order = append(order, p.Set)
		}
		ex := ComparePersons(Prepare(p.A), Prepare(p.B))
		hit := ex.Score >= threshold
		line := fmt.Sprintf("%.3f %s %s ~ %s (%s)", ex.Score, p.Kind, strings.Join(p.A.Names, ";"), strings.Join(p.B.Names, ";"), ex.Text("en"))
		switch {
		case hit && p.Same:
			m.TP++
		case hit:
			m.FP++
			m.FalseAlarms = append(m.FalseAlarms, line)
		case p.Same:
			m.FN++
			m.Misses = append(m.Misses, line)
		default:
			m.TN++
		}
	}
	var out []Metrics
	for _, s := range order {
		m := by[s]
		if m.TP+m.FP > 0 {
			m.Precision = float64(m.TP) / float64(m.TP+m.FP)
		}
		if m.TP+m.FN > 0 {
			m.Recall = float64(m.TP) / float64(m.TP+m.FN)
		}
		if m.Precision+m.Recall > 0 {
			m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
		}
		out = append(out, *m)
	}
	return out
}

// String is one line: set, pairs, precision, recall, F1.
func (m Metrics) String() string {
	return fmt.Sprintf("%-6s pairs %4d  TP %4d FP %3d TN %4d FN %3d  precision %.3f  recall %.3f  F1 %.3f",
		m.Set, m.TP+m.FP+m.TN+m.FN, m.TP, m.FP, m.TN, m.FN, m.Precision, m.Recall, m.F1)
}
