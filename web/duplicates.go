package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/handover-project/handover/api"
)

// The review of duplicate registrations: the pairs the names index proposes, best
// first, each with why the two records look like one person, and the registrar's
// two answers — the same person (a link, never a merge) or different persons (the
// pair is no longer proposed). Each answer is one ledger event with its reason.

type duplicatesData struct {
	N     *names
	Pairs []duplicateRow
}

type duplicateRow struct {
	A, B   personRow
	Score  float64
	Why    string
	Key    string // the pair's ids, for test hooks and idempotency keys
	IDA    string
	IDB    string
	CanAct bool
}

// duplicates shows the candidate pairs the user may see.
func (s *site) duplicates(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	var out struct {
		Pairs []api.DuplicatePair `json:"pairs"`
	}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/duplicates", url.Values{"limit": {"200"}}, nil, &out, ""); err != nil {
		return err
	}
	d := duplicatesData{N: n}
	for _, p := range out.Pairs {
		why := p.English
		if rq.loc.Lang() == "ar" {
			why = p.Arabic
		}
		a, b := p.A.Record.ID.String(), p.B.Record.ID.String()
		d.Pairs = append(d.Pairs, duplicateRow{A: personRow{P: p.A, Name: nameOf(&p.A.Record)}, B: personRow{P: p.B, Name: nameOf(&p.B.Record)},
			Score: p.Score, Why: why, Key: a + "-" + b, IDA: a, IDB: b, CanAct: rq.can("link-persons")})
	}
	s.render(rq, http.StatusOK, "duplicates", rq.loc.T("duplicates.title"), d)
	return nil
}

// decidePair records a registrar's answer about a pair: kind is "links" (the same
// person) or "distinctions" (different persons).
func (s *site) decidePair(kind, action string) handler {
	return func(rq *req) error {
		f, at, err := s.writeForm(rq, action)
		if err != nil {
			return err
		}
		body := map[string]any{"other": f.Get("b"), "reason": strings.TrimSpace(f.Get("reason")), "occurred_at": at}
		if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/persons/"+url.PathEscape(f.Get("a"))+"/"+kind, nil, body, nil, f.Get("idem")); err != nil {
			return err
		}
		return back(rq, "/duplicates")
	}
}
