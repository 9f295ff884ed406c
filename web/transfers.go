package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Transfers: the list, and a transfer's per-person safeguard checklist with its
// approvals and overrides.

type transfersData struct {
	N         *names
	Transfers []custody.TransferState
	Status    string
	Statuses  []string
	P         pager
}

// transferStatuses are the API's transfer statuses, for the list's filter.
var transferStatuses = []string{"proposed", "approved", "in_progress", "completed", "cancelled"}

func (s *site) transfers(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	q := filtersOf(rq, map[string][]string{"status": transferStatuses, "campaign": nil})
	var out struct {
		Transfers []custody.TransferState `json:"transfers"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/transfers", q, "transfers", &out); err != nil {
		return err
	}
	slices.SortStableFunc(out.Transfers, func(a, b custody.TransferState) int { return int(b.Proposed) - int(a.Proposed) })
	d := transfersData{N: n, Status: q.Get("status"), Statuses: transferStatuses}
	d.Transfers, d.P = paginate(rq, "/transfers", q, out.Transfers)
	s.render(rq, http.StatusOK, "transfers", rq.loc.T("transfers.title"), d)
	return nil
}

type transferData struct {
	N        *names
	T        custody.TransferState
	Kinds    []custody.SafeguardKind
	Rows     []transferRow
	Blocked  int
	Idem     string
	Now      string // for the occurred-at fields
	Approved map[uuid.UUID]bool
	// OnlyBlocked lists only the persons who cannot depart (?blocked=1).
	OnlyBlocked bool
	Shown       []transferRow // the rows listed: every one, or the blocked
}

// Blocked reports whether the person cannot depart yet: still waiting, with a
// safeguard missing.
func (r transferRow) Blocked() bool {
	return len(r.TP.Missing) > 0 && r.TP.Stage == custody.StageWaiting
}

type transferRow struct {
	TP   *custody.TransferPerson
	Name personName
	// Cells is one cell per safeguard kind: "met", "missing", "overridden", "failed"
	// (recorded as not met), or "" when not required.
	Cells []string
}

func (s *site) transfer(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	var t custody.TransferState
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/transfers/"+url.PathEscape(rq.r.PathValue("id")), nil, nil, &t, ""); err != nil {
		return err
	}
	d := transferData{N: n, T: t, Kinds: custody.SafeguardKinds, Idem: uuid.NewString(), Now: formNow(s.cfg.Now()), Approved: map[uuid.UUID]bool{}}
	for _, a := range t.Approvals {
		d.Approved[a.Party] = true
	}
	names, err := personNames(rq, t.People)
	if err != nil {
		return err
	}
	for _, tp := range t.People {
		row := transferRow{TP: tp, Name: names[tp.Person]}
		for _, k := range custody.SafeguardKinds {
			cell := ""
			if slices.Contains(tp.Required, k) {
				cell = safeguardState(tp, k)
			}
			row.Cells = append(row.Cells, cell)
		}
		if row.Blocked() {
			d.Blocked++
		}
		d.Rows = append(d.Rows, row)
	}
	d.OnlyBlocked = rq.r.URL.Query().Get("blocked") == "1"
	for _, r := range d.Rows {
		if !d.OnlyBlocked || r.Blocked() {
			d.Shown = append(d.Shown, r)
		}
	}
	s.render(rq, http.StatusOK, "transfer", rq.loc.T("transfer.title", n.FacilityCode(t.From), n.FacilityCode(t.To)), d)
	return nil
}

// safeguardState is where a required safeguard of a person on a transfer stands:
// "overridden", "met", "failed" (recorded as not met) or "missing".
func safeguardState(tp *custody.TransferPerson, k custody.SafeguardKind) string {
	g, recorded := tp.Safeguards[k]
	if _, over := tp.Overrides[k]; over {
		return "overridden"
	}
	switch {
	case recorded && g.Met:
		return "met"
	case recorded:
		return "failed"
	}
	return "missing"
}

// personNames reads the names of a transfer's persons, in one listing.
func personNames(rq *req, people []*custody.TransferPerson) (map[uuid.UUID]personName, error) {
	ids := make([]uuid.UUID, len(people))
	for i, tp := range people {
		ids[i] = tp.Person
	}
	ps, err := rq.persons(ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]personName, len(people))
	for _, id := range ids {
		p := person(ps, id)
		out[id] = nameOf(&p.Record)
	}
	return out, nil
}

// formNow is the default of a form's occurred-at field: now, to the minute, in
// the form of <input type="datetime-local">, in UTC.
func formNow(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

// occurredAt reads a form's occurred-at field (UTC), or now when it is empty.
// writeForm is the start of every form that writes: the user may take action,
// the form parses, and its occurred_at (empty: now) is a time. It answers the
// posted form and that time.
func (s *site) writeForm(rq *req, action string) (url.Values, time.Time, error) {
	if !rq.can(action) {
		return nil, time.Time{}, forbidden(rq, action)
	}
	if err := rq.r.ParseForm(); err != nil {
		return nil, time.Time{}, badForm(rq, "form", err.Error())
	}
	at, err := s.occurredAt(rq)
	return rq.r.PostForm, at, err
}

func (s *site) occurredAt(rq *req) (time.Time, error) {
	v := rq.r.PostForm.Get("occurred_at")
	t, err := parseFormTime(v, s.cfg.Now().UTC().Truncate(time.Second))
	if err != nil {
		return time.Time{}, badForm(rq, "occurred_at", rq.loc.T("form.bad_time", v))
	}
	return t, nil
}

// parseFormTime reads a time from a form, in UTC; empty is def.
func parseFormTime(v string, def time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if def.IsZero() {
			return def, errors.New("no time given")
		}
		return def, nil
	}
	var err error
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

func (s *site) recordSafeguard(rq *req) error {
	f, at, err := s.writeForm(rq, "record-safeguard")
	if err != nil {
		return err
	}
	kind := custody.SafeguardKind(f.Get("kind"))
	g := custody.Safeguard{Kind: kind, Met: f.Get("met") == "on", Finding: strings.TrimSpace(f.Get("finding")),
		Evidence: strings.TrimSpace(f.Get("evidence")), Assessor: strings.TrimSpace(f.Get("assessor"))}
	switch kind {
	case custody.RiskAssessment:
		g.Risk = &custody.Risk{Torture: custody.RiskFinding(f.Get("torture")), Persecution: custody.RiskFinding(f.Get("persecution")),
			DeathPenalty: custody.RiskFinding(f.Get("death_penalty")), Assurances: strings.TrimSpace(f.Get("assurances")),
			Monitoring: strings.TrimSpace(f.Get("monitoring"))}
	case custody.ICRCNotified:
		g.Interview = custody.Interview(f.Get("interview"))
	case custody.Informed:
		g.Objection = strings.TrimSpace(f.Get("objection"))
		g.Objected = g.Objection != ""
	}
	persons := f["person"]
	if len(persons) == 0 {
		return badForm(rq, "person", rq.loc.T("transfer.pick_persons"))
	}
	id := rq.r.PathValue("id")
	body := map[string]any{"occurred_at": at, "persons": persons, "safeguard": g}
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/transfers/"+url.PathEscape(id)+"/safeguards", nil, body, nil, f.Get("idem")); err != nil {
		return err
	}
	return back(rq, "/transfers/"+url.PathEscape(id))
}

func (s *site) overrideSafeguard(rq *req) error {
	f, at, err := s.writeForm(rq, "override-safeguard")
	if err != nil {
		return err
	}
	id := rq.r.PathValue("id")
	// The form offers "person kind" pairs, only those missing; "person" and "kind"
	// may also come apart.
	person, kind := f.Get("person"), f.Get("kind")
	if target := f.Get("target"); target != "" {
		person, kind, _ = strings.Cut(target, " ")
	}
	body := map[string]any{"occurred_at": at, "person": person, "kind": kind, "reason": strings.TrimSpace(f.Get("reason"))}
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/transfers/"+url.PathEscape(id)+"/overrides", nil, body, nil, f.Get("idem")); err != nil {
		return err
	}
	return back(rq, "/transfers/"+url.PathEscape(id))
}

func (s *site) approveTransfer(rq *req) error {
	_, at, err := s.writeForm(rq, "approve-transfer")
	if err != nil {
		return err
	}
	id := rq.r.PathValue("id")
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/transfers/"+url.PathEscape(id)+"/approvals", nil, map[string]any{"occurred_at": at}, nil, rq.r.PostForm.Get("idem")); err != nil {
		return err
	}
	return back(rq, "/transfers/"+url.PathEscape(id))
}
