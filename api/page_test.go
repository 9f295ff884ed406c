package api

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestPageProperty: for any set of keys, either order and any page size,
// following the cursors from the first page gives every record once, in order,
// and each page holds at most the limit; a record written between two pages
// (a key not yet given, beyond the cursor) is given later, once.
func TestPageProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.SliceOfDistinct(rapid.StringMatching(`[a-z0-9]{1,6}`), func(s string) string { return s }).Draw(t, "keys")
		limit := rapid.IntRange(1, 7).Draw(t, "limit")
		o := order(rapid.IntRange(0, 1).Draw(t, "order"))
		late := rapid.StringMatching(`[a-z0-9]{1,6}`).Draw(t, "late")
		rows := slices.Clone(keys)
		id := func(s *string) string { return *s }
		var got []string
		after, added := "", false
		for range len(keys) + 3 {
			pg, next, err := page(slices.Clone(rows), id, o, PageQuery{After: after, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(pg) > limit {
				t.Fatalf("a page of %d, limit %d", len(pg), limit)
			}
			got = append(got, pg...)
			if next == "" {
				break
			}
			if next != pg[len(pg)-1] {
				t.Fatalf("next %q is not the page's last key %q", next, pg[len(pg)-1])
			}
			if !added && !slices.Contains(rows, late) && (o == ascending && late > next || o == descending && late < next) {
				rows, added = append(rows, late), true
			}
			after = next
		}
		want := slices.Clone(rows)
		slices.Sort(want)
		if o == descending {
			slices.Reverse(want)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pages gave %v, want %v", got, want)
		}
	})
}

// TestPageLimits: 0 is the default; below 0 or above MaxPageSize is refused.
func TestPageLimits(t *testing.T) {
	rows := make([]int, 150)
	key := func(*int) string { return "" }
	if pg, _, err := page(rows, key, ascending, PageQuery{}); err != nil || len(pg) != DefaultPageSize {
		t.Fatalf("default: %d %v", len(pg), err)
	}
	for _, l := range []int{-1, MaxPageSize + 1} {
		if _, _, err := page(rows, key, ascending, PageQuery{Limit: l}); err == nil {
			t.Errorf("limit %d accepted", l)
		}
	}
}
