package web

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"pgregory.net/rapid"
)

// TestPaginate: walking a list page by page from the first, by each page's link
// to the next, shows every item once, in order, with the filters kept.
func TestPaginate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		items := make([]int, rapid.IntRange(0, 400).Draw(t, "n"))
		for i := range items {
			items[i] = i
		}
		filters := url.Values{"show": {"overdue"}, "kind": {rapid.SampledFrom([]string{"capture_card", "family_transfer"}).Draw(t, "kind")}}
		var seen []int
		link := "/notifications?" + filters.Encode()
		for pages := 0; link != ""; pages++ {
			if pages > len(items)/pageSize+1 {
				t.Fatalf("more pages than %d items need", len(items))
			}
			rq := &req{r: httptest.NewRequest("GET", link, nil)}
			got, p := paginate(rq, "/notifications", filters, items)
			if len(got) > pageSize {
				t.Fatalf("page %d has %d rows", p.Number, len(got))
			}
			if len(items) > 0 && (p.First != len(seen)+1 || p.Last != len(seen)+len(got)) {
				t.Fatalf("page %d says rows %d–%d after %d seen", p.Number, p.First, p.Last, len(seen))
			}
			seen = append(seen, got...)
			u, _ := url.Parse(p.Link(p.Number))
			if q := u.Query(); q.Get("show") != "overdue" || q.Get("kind") != filters.Get("kind") {
				t.Fatalf("page link %q loses the filters", p.Link(p.Number))
			}
			link = ""
			if p.Next() != 0 {
				link = p.Link(p.Next())
			}
		}
		if len(seen) != len(items) {
			t.Fatalf("saw %d of %d items", len(seen), len(items))
		}
		for i, v := range seen {
			if v != i {
				t.Fatalf("item %d is %d", i, v)
			}
		}
	})
}

// TestPaginateOutOfRange: a page number past the end shows the last page; one
// that is not a number, the first.
func TestPaginateOutOfRange(t *testing.T) {
	items := make([]int, 120)
	for _, c := range []struct {
		page string
		want int
	}{{"99", 3}, {"x", 1}, {"-4", 1}, {"2", 2}} {
		rq := &req{r: httptest.NewRequest("GET", "/incidents?page="+c.page, nil)}
		if _, p := paginate(rq, "/incidents", nil, items); p.Number != c.want {
			t.Errorf("page=%s: page %d, want %d", c.page, p.Number, c.want)
		}
	}
}
