package storetest_test

import (
	"strconv"
	"testing"

	"github.com/handover-project/handover/names"
	"github.com/handover-project/handover/storetest"
)

// TestPersonsAreNotDuplicates: the fixture's persons are registered by the API,
// which refuses a likely duplicate without a reason; no two of the first 667 are one.
func TestPersonsAreNotDuplicates(t *testing.T) {
	idx := names.NewIndex()
	const n = 667
	for i := range n {
		p := storetest.Person(i)
		np := names.Person{Birth: p.Birth.Date, BirthPrecision: string(p.Birth.Precision), Sex: string(p.Sex), Nationalities: p.Nationalities}
		for _, nm := range p.Names {
			np.Names = append(np.Names, nm.Text)
		}
		idx.Put(strconv.Itoa(i), np)
	}
	if idx.Len() != n {
		t.Fatalf("%d persons indexed", idx.Len())
	}
	for _, d := range idx.Duplicates(names.Threshold) {
		t.Errorf("persons %s and %s: %s", d.A, d.B, d.Explanation.Text("en"))
	}
}
