package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Long lists are shown a page at a time. The API answers these lists whole,
// filtered by its own query parameters; the pages pass the same parameters on and
// cut the answer into pages of pageSize, the page number in "page" (from 1).

// pageSize is how many rows a list page shows.
const pageSize = 50

// pager is where a page of a list stands: its number, how many there are, and
// the list's filters, for the links to the other pages.
type pager struct {
	Path   string
	Query  url.Values // the filters, without "page"
	Number int        // from 1
	Pages  int
	Total  int
	First  int // the position of the page's first row, from 1
	Last   int
}

// paginate returns the page of items that the request's "page" asks for (the
// first when it is missing or not a number; the last when it is past the end).
func paginate[T any](rq *req, path string, filters url.Values, items []T) ([]T, pager) {
	p := pager{Path: path, Query: filters, Total: len(items), Pages: max(1, (len(items)+pageSize-1)/pageSize)}
	p.Number, _ = strconv.Atoi(rq.r.URL.Query().Get("page"))
	p.Number = min(max(p.Number, 1), p.Pages)
	from := (p.Number - 1) * pageSize
	to := min(from+pageSize, len(items))
	p.First, p.Last = from+1, to
	return items[from:to], p
}

// Link is the address of page n of the list, with the same filters.
func (p pager) Link(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return p.Path
	}
	return p.Path + "?" + q.Encode()
}

// Prev and Next are the numbers of the pages around this one; 0 when there is none.
func (p pager) Prev() int {
	if p.Number > 1 {
		return p.Number - 1
	}
	return 0
}

func (p pager) Next() int {
	if p.Number < p.Pages {
		return p.Number + 1
	}
	return 0
}

// filtersOf reads a list page's filters from its query: each of the API's
// parameters in enums, kept when it is one of the values listed (any value when
// the list is nil). What it returns goes to the API and to the pager's links.
func filtersOf(rq *req, enums map[string][]string) url.Values {
	in, out := rq.r.URL.Query(), url.Values{}
	for k, allowed := range enums {
		v := strings.TrimSpace(in.Get(k))
		if v != "" && (allowed == nil || slices.Contains(allowed, v)) {
			out.Set(k, v)
		}
	}
	return out
}
