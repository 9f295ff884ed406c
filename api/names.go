package api

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/names"
)

// nameIndex keeps the names package's index of every person's names, identifiers and
// the fields a person comparison weighs, in memory. It follows the ledger: each
// search first files the persons registered or corrected by the events appended
// since the last one (a few reads), or, the first time and after a large import,
// reads every person again.
type nameIndex struct {
	mu   sync.Mutex
	idx  *names.Index
	ids  map[string][]uuid.UUID // identifier value, upper case, no spaces → persons
	size uint64                 // ledger size indexed
	// pairs caches the last Duplicates answer until a record is filed again:
	// link decisions and custody events leave it valid.
	pairs   []names.Duplicate
	pairsTh float64
	pairsOK bool
}

// duplicates returns the index's candidate pairs at threshold th, from the cache
// when no record was filed since.
func (n *nameIndex) duplicates(th float64) []names.Duplicate {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.pairsOK || n.pairsTh != th {
		n.pairs, n.pairsTh, n.pairsOK = n.idx.Duplicates(th), th, true
	}
	return n.pairs
}

// reloadAfter is the number of new events past which the index is read again
// whole rather than event by event.
const reloadAfter = 2000

// index returns the name index, brought up to the ledger's latest checkpoint.
func (s *server) index(ctx context.Context) (*nameIndex, error) {
	n := s.names
	n.mu.Lock()
	defer n.mu.Unlock()
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if n.idx != nil && size == n.size {
		return n, nil
	}
	if n.idx == nil || size-n.size > reloadAfter || size < n.size {
		idx, ids := names.NewIndex(), map[string][]uuid.UUID{}
		f := custody.PersonFilter{Limit: custody.MaxPageSize}
		for {
			page, err := s.store.Persons(ctx, f)
			if err != nil {
				return nil, err
			}
			for i := range page.Persons {
				fileName(idx, ids, &page.Persons[i].Record)
			}
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
		n.idx, n.ids, n.size, n.pairsOK = idx, ids, size, false
		return n, nil
	}
	for i := n.size; i < size; i++ {
		le, err := s.store.Event(ctx, i)
		if err != nil {
			return nil, err
		}
		e, err := custody.DecodeEvent(le.Bytes)
		if err != nil {
			return nil, err
		}
		if e.Type != custody.TypePersonRegistered && e.Type != custody.TypeRecordCorrected {
			continue
		}
		p, err := s.store.Person(ctx, e.Subject)
		if err != nil {
			return nil, err
		}
		fileName(n.idx, n.ids, &p.Record)
		n.pairsOK = false
	}
	n.size = size
	return n, nil
}

// fileName files a person's record in the index.
func fileName(idx *names.Index, ids map[string][]uuid.UUID, p *custody.Person) {
	idx.Put(p.ID.String(), namesPerson(p))
	for _, id := range p.Identifiers {
		k := identifierKey(id.Value)
		if !containsID(ids[k], p.ID) {
			ids[k] = append(ids[k], p.ID)
		}
	}
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// identifierKey is how an identifier is looked up: upper case, without spaces,
// hyphens or slashes.
func identifierKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '/', '.':
			return -1
		}
		return r
	}, strings.ToUpper(s))
}

// namesPerson is what the names package compares of a record.
func namesPerson(p *custody.Person) names.Person {
	np := names.Person{
		Birth: p.Birth.Date, BirthPrecision: string(p.Birth.Precision), Sex: string(p.Sex),
		Nationalities: p.Nationalities, Father: p.FatherName, Mother: p.MotherMaidenName, Origin: p.BirthPlace,
	}
	for _, n := range p.Names {
		np.Names = append(np.Names, n.Text)
	}
	return np
}

// NameMatch is why a person was found by name: the score (0 to 1) and its
// explanation, part by part and as sentences in English and Arabic.
type NameMatch struct {
	ID          uuid.UUID         `json:"id"`
	Score       float64           `json:"score"`
	Explanation names.Explanation `json:"explanation"`
	English     string            `json:"english"`
	Arabic      string            `json:"arabic"`
}

func nameMatch(id uuid.UUID, ex names.Explanation) NameMatch {
	return NameMatch{ID: id, Score: ex.Score, Explanation: ex, English: ex.Text("en"), Arabic: ex.Text("ar")}
}

// minSearchScore is the least score a name search shows.
const minSearchScore = 0.5

// nameSearch narrows a filter whose Name is set: a registration number or an
// identifier keeps the persons it names; any other text keeps the persons whose
// names score at least minSearchScore against it, in rank order, with the score
// and explanation of each.
func (s *server) nameSearch(ctx context.Context, f *custody.PersonFilter) ([]NameMatch, error) {
	q := strings.TrimSpace(f.Name)
	f.Name = ""
	if custody.IsRegNo(strings.ToUpper(q)) {
		p, err := s.store.PersonByRegNo(ctx, strings.ToUpper(q))
		if err != nil {
			if custody.ErrorCode(err) == custody.NotFound {
				f.IDs = []uuid.UUID{uuid.Nil}
				return nil, nil
			}
			return nil, err
		}
		f.IDs = []uuid.UUID{p.Record.ID}
		return nil, nil
	}
	n, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	if ids := n.ids[identifierKey(q)]; len(ids) > 0 {
		f.IDs = ids
		return nil, nil
	}
	hits := n.idx.Search(q, custody.MaxPageSize, minSearchScore)
	var ms []NameMatch
	keep := map[uuid.UUID]bool{}
	for _, id := range f.IDs {
		keep[id] = true
	}
	ids := []uuid.UUID{}
	for _, h := range hits {
		id, err := uuid.Parse(h.ID)
		if err != nil || len(keep) > 0 && !keep[id] {
			continue
		}
		ids = append(ids, id)
		ms = append(ms, nameMatch(id, h.Explanation))
	}
	if len(ids) == 0 {
		ids = []uuid.UUID{uuid.Nil} // nobody
	}
	f.IDs = ids
	return ms, nil
}

// rank orders a page as its matches, best first, and keeps limit of them from the
// rank after names (a "~N" token: the page after the first N; "" the first page).
func rank(page *custody.PersonPage, ms []NameMatch, after string, limit int) ([]NameMatch, error) {
	from := 0
	if after != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(after, "~"))
		if err != nil || !strings.HasPrefix(after, "~") || n < 0 {
			return nil, invalid("query.after", fmt.Sprintf("a search by name pages by rank (~50); got %q", after))
		}
		from = n
	}
	byID := map[uuid.UUID]custody.PersonState{}
	for _, p := range page.Persons {
		byID[p.Record.ID] = p
	}
	var out []custody.PersonState
	var kept []NameMatch
	for _, m := range ms {
		if p, ok := byID[m.ID]; ok {
			out = append(out, p)
			kept = append(kept, m)
		}
	}
	from = min(from, len(out))
	to := min(from+limit, len(out))
	page.Persons, page.Next = out[from:to], ""
	if page.Persons == nil {
		page.Persons = []custody.PersonState{}
	}
	if to < len(out) {
		page.Next = "~" + strconv.Itoa(to)
	}
	return kept[from:to], nil
}

type duplicatesInput struct {
	Threshold float64  `query:"threshold" doc:"Least score of a pair, 0 to 1; default the names package's threshold (0.80)"`
	Limit     int      `query:"limit" minimum:"0" maximum:"1000" doc:"At most this many pairs (or persons), best first; default 100, at most 1000"`
	After     string   `query:"after" pattern:"^[0-9]{1,9}$" doc:"The cursor: the next of the previous page (how many were given before it). Absent: the first page" example:"100"`
	Name      []string `query:"name" doc:"The names of a person not yet registered: list the registered persons likely to be them, instead of all pairs"`
	Birth     string   `query:"birth" doc:"Their date of birth (YYYY, YYYY-MM or YYYY-MM-DD)"`
	Precision string   `query:"precision" doc:"Its precision: day, month, year or estimated"`
	Sex       string   `query:"sex"`
	Nation    []string `query:"nationality" doc:"ISO 3166-1 alpha-3"`
	Father    string   `query:"father" doc:"Their father's name"`
}

// DuplicatePair is two registrations likely to be one person.
type DuplicatePair struct {
	A           custody.PersonState `json:"a"`
	B           custody.PersonState `json:"b"`
	Score       float64             `json:"score"`
	Explanation names.Explanation   `json:"explanation"`
	English     string              `json:"english"`
	Arabic      string              `json:"arabic"`
}

type duplicatesOutput struct {
	Body struct {
		Threshold float64               `json:"threshold"`
		Pairs     []DuplicatePair       `json:"pairs,omitempty"`
		Matches   []NameMatch           `json:"matches,omitempty"`
		Persons   []custody.PersonState `json:"persons,omitempty"`
		Paging
	}
}

// listDuplicates lists the pairs of persons the caller may see that are likely one
// person, best first; or, given the fields of a person not yet registered, the
// registered persons likely to be them (the warning shown before a registration).
func (s *server) listDuplicates(ctx context.Context, in *duplicatesInput) (*duplicatesOutput, error) {
	th := in.Threshold
	if th == 0 {
		th = names.Threshold
	}
	if th < 0 || th > 1 {
		return nil, invalid("query.threshold", "must be between 0 and 1")
	}
	limit := in.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 0 || limit > 1000 {
		return nil, invalid("query.limit", "must be between 1 and 1000")
	}
	skip, _ := strconv.Atoi(in.After) // the pattern admits digits only
	n, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	out := &duplicatesOutput{}
	out.Body.Threshold = th
	if len(in.Name) > 0 {
		p := names.Person{Names: in.Name, Birth: in.Birth, BirthPrecision: in.Precision, Sex: in.Sex, Nationalities: in.Nation, Father: in.Father}
		hits := n.idx.Candidates(p, th, skip+limit+1)
		var ids []uuid.UUID
		var ms []NameMatch
		for _, h := range hits {
			id, err := uuid.Parse(h.ID)
			if err != nil {
				continue
			}
			ids = append(ids, id)
			ms = append(ms, nameMatch(id, h.Explanation))
		}
		seen, err := s.visibleByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		given := 0
		for _, m := range ms {
			if p, ok := seen[m.ID]; ok {
				if given++; given <= skip {
					continue
				}
				if len(out.Body.Persons) == limit {
					out.Body.Next = strconv.Itoa(skip + limit)
					break
				}
				out.Body.Matches = append(out.Body.Matches, m)
				out.Body.Persons = append(out.Body.Persons, p)
			}
		}
		return out, nil
	}
	ds := n.duplicates(th)
	var ids []uuid.UUID
	for _, d := range ds {
		a, errA := uuid.Parse(d.A)
		b, errB := uuid.Parse(d.B)
		if errA == nil && errB == nil {
			ids = append(ids, a, b)
		}
	}
	seen, err := s.visibleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	given := 0
	for _, d := range ds {
		a, okA := seen[uuid.MustParse(d.A)]
		b, okB := seen[uuid.MustParse(d.B)]
		if !okA || !okB || slices.Contains(a.Custody.Linked, b.Record.ID) || slices.Contains(a.Custody.Distinct, b.Record.ID) {
			continue // not visible, or already decided by a registrar
		}
		if given++; given <= skip {
			continue
		}
		if len(out.Body.Pairs) == limit {
			out.Body.Next = strconv.Itoa(skip + limit)
			break
		}
		out.Body.Pairs = append(out.Body.Pairs, DuplicatePair{A: a, B: b, Score: d.Explanation.Score, Explanation: d.Explanation,
			English: d.Explanation.Text("en"), Arabic: d.Explanation.Text("ar")})
	}
	return out, nil
}

// visibleByID reads the persons of ids the caller may see, MaxPageSize at a time.
func (s *server) visibleByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]custody.PersonState, error) {
	out := map[uuid.UUID]custody.PersonState{}
	uniq := map[uuid.UUID]bool{}
	var all []uuid.UUID
	for _, id := range ids {
		if !uniq[id] {
			uniq[id] = true
			all = append(all, id)
		}
	}
	for len(all) > 0 {
		chunk := all[:min(len(all), custody.MaxPageSize)]
		all = all[len(chunk):]
		page, err := s.visiblePersons(ctx, custody.PersonFilter{IDs: chunk, Limit: custody.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for i := range page.Persons {
			s.flagsNow(&page.Persons[i])
			out[page.Persons[i].Record.ID] = page.Persons[i]
		}
	}
	return out, nil
}
