package api

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Every list is read a page at a time. A page holds at most limit records
// (default DefaultPageSize, at most MaxPageSize: a larger limit is refused) and,
// unless it is the last, a cursor, next, to send as after for the page that
// follows. The cursor is the sort key of the page's last record (an id, a code,
// a login name), so a record written between two pages is neither given twice
// nor makes another be skipped.
const (
	DefaultPageSize = 100
	MaxPageSize     = custody.MaxPageSize
)

// PageQuery is the paging of a list: where to start and how many.
type PageQuery struct {
	After string `query:"after" maxLength:"100" doc:"The cursor: the next of the previous page. Absent: the first page" example:"0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60"`
	Limit int    `query:"limit" minimum:"0" maximum:"500" doc:"Page size: default 100, at most 500" example:"100"`
}

// IDsQuery keeps only the records a list names.
type IDsQuery struct {
	ID []string `query:"id,explode" doc:"Only these records: repeat the parameter (id=A&id=B) or separate them with commas (id=A,B); at most 500" example:"0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60"`
}

// ListQuery is what every list of records with ids takes.
type ListQuery struct {
	IDsQuery
	PageQuery
}

// Paging ends a page: the cursor of the next one, absent on the last page.
type Paging struct {
	Next string `json:"next,omitempty" doc:"The cursor of the next page: send it as after; absent on the last page" example:"0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60"`
}

// refs returns the references a list was asked for, split at commas, each once;
// nil when it was asked for none.
func (q IDsQuery) refs() ([]string, error) {
	var out []string
	for _, v := range q.ID {
		for r := range strings.SplitSeq(v, ",") {
			r = strings.TrimSpace(r)
			if r == "" {
				return nil, invalid(fmt.Sprintf("query.id[%d]", len(out)), "is empty: give ids separated by commas, or repeat id")
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	if len(out) > MaxPageSize {
		return nil, invalid("query.id", fmt.Sprintf("names %d records; at most %d", len(out), MaxPageSize))
	}
	return out, nil
}

// uuids is refs for records named by a UUID only (what: "transfer").
func (q IDsQuery) uuids(what string) (map[uuid.UUID]bool, error) {
	refs, err := q.refs()
	if err != nil || refs == nil {
		return nil, err
	}
	out := make(map[uuid.UUID]bool, len(refs))
	for i, r := range refs {
		id, err := parseID(fmt.Sprintf("query.id[%d]", i), what, r)
		if err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, nil
}

// keepIDs keeps the rows whose id is in ids (all when ids is nil).
func keepIDs[T any](rows []T, ids map[uuid.UUID]bool, id func(*T) uuid.UUID) []T {
	if ids == nil {
		return rows
	}
	return slices.DeleteFunc(rows, func(r T) bool { return !ids[id(&r)] })
}

// keepRefs keeps the rows one of whose names (an id, a code) refs holds (all
// when refs is nil).
func keepRefs[T any](rows []T, refs []string, names func(*T) []string) []T {
	if refs == nil {
		return rows
	}
	return slices.DeleteFunc(rows, func(r T) bool {
		return !slices.ContainsFunc(names(&r), func(n string) bool { return slices.Contains(refs, n) })
	})
}

// order is the order of a list's sort key.
type order int

const (
	ascending order = iota
	descending
)

// page sorts rows by key in the order o and returns the page that q asks for,
// with the cursor of the next page ("" on the last).
func page[T any](rows []T, key func(*T) string, o order, q PageQuery) ([]T, string, error) {
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 0 || limit > MaxPageSize { // the schema says so; direct callers too
		return nil, "", invalid("query.limit", fmt.Sprintf("must be 1 to %d; got %d", MaxPageSize, q.Limit))
	}
	cmpRows := func(a, b T) int {
		if o == descending {
			return cmp.Compare(key(&b), key(&a))
		}
		return cmp.Compare(key(&a), key(&b))
	}
	slices.SortStableFunc(rows, cmpRows)
	start := 0
	if q.After != "" {
		start = len(rows)
		for i := range rows {
			k := key(&rows[i])
			if o == ascending && k > q.After || o == descending && k < q.After {
				start = i
				break
			}
		}
	}
	rows = rows[start:]
	if len(rows) <= limit {
		return rows, "", nil
	}
	return rows[:limit], key(&rows[limit-1]), nil
}

// pageByID is page for records in the order of their ids (UUIDv7: in the order
// they were made).
func pageByID[T any](rows []T, id func(*T) uuid.UUID, q PageQuery) ([]T, string, error) {
	return page(rows, func(r *T) string { return id(r).String() }, ascending, q)
}
