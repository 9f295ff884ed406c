package api

import (
	"context"
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
		n.idx, n.ids, n.size = idx, ids, size
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

// rank orders a page as its matches, best first, and keeps the first limit.
func rank(page *custody.PersonPage, ms []NameMatch, limit int) []NameMatch {
	var out []custody.PersonState
	var kept []NameMatch
	byID := map[uuid.UUID]custody.PersonState{}
	for _, p := range page.Persons {
		byID[p.Record.ID] = p
	}
	for _, m := range ms {
		if p, ok := byID[m.ID]; ok && len(out) < limit {
			out = append(out, p)
			kept = append(kept, m)
		}
	}
	page.Persons, page.Next = out, ""
	return kept
}
