package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// The dashboard: what needs attention first, then where everybody is.

type dashboardData struct {
	N             *names
	Alerts        []api.Alert
	Incidents     []custody.IncidentState // open, other than the alerts
	Overdue       []api.NotificationView
	Campaigns     []campaignChart
	Facilities    []api.FacilityView
	InTransit     int
	Now           time.Time
	AlertPersons  int
	OverdueCount  int
	IncidentCount int
	// WitnessAlerts are the log's witnesses that are silent or refused it.
	WitnessAlerts []string
}

// campaignChart is a campaign's progress as bars of a chart.
type campaignChart struct {
	Campaign custody.CampaignView
	Bars     []bar
	Blocked  []blockedBy
}

type bar struct {
	Key   string // message id of the label
	N     int
	Of    int
	Class string
}

type blockedBy struct {
	Safeguard custody.SafeguardKind
	N         int
}

func (s *site) dashboard(rq *req) error {
	if !rq.can("list-alerts") && rq.can("audit-log") { // an auditor's work is the audit log
		http.Redirect(rq.w, rq.r, "/audit", http.StatusSeeOther)
		return nil
	}
	n, err := rq.names()
	if err != nil {
		return err
	}
	d := dashboardData{N: n, Now: s.cfg.Now()}
	var alerts struct {
		Alerts []api.Alert `json:"alerts"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/alerts", nil, "alerts", &alerts); err != nil {
		return err
	}
	d.Alerts = alerts.Alerts
	wv, err := s.witnessing(rq)
	if err != nil {
		return err
	}
	d.WitnessAlerts = wv.Alerts
	for _, a := range d.Alerts {
		d.AlertPersons += a.Missing // a person whose linked record is at a facility is likely there
	}
	var incs struct {
		Incidents []custody.IncidentState `json:"incidents"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/incidents", url.Values{"open": {"true"}}, "incidents", &incs); err != nil {
		return err
	}
	for _, in := range incs.Incidents {
		if !in.Alert() {
			d.Incidents = append(d.Incidents, in)
		}
	}
	d.IncidentCount = len(d.Incidents)
	var nots struct {
		Notifications []api.NotificationView `json:"notifications"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/notifications", url.Values{"overdue": {"true"}}, "notifications", &nots); err != nil {
		return err
	}
	d.OverdueCount = len(nots.Notifications)
	slices.SortFunc(nots.Notifications, func(a, b api.NotificationView) int { return a.Due.Compare(b.Due) })
	d.Overdue = nots.Notifications[:min(len(nots.Notifications), 10)]
	var cs struct {
		Campaigns []custody.CampaignView `json:"campaigns"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/campaigns", nil, "campaigns", &cs); err != nil {
		return err
	}
	for _, c := range cs.Campaigns {
		p := c.Progress
		of := max(p.Target, 1)
		ch := campaignChart{Campaign: c, Bars: []bar{
			{"progress.arrived", p.Arrived, of, "arrived"},
			{"progress.in_transit", p.InTransit, of, "transit"},
			{"progress.planned", p.Planned - p.Blocked, of, "planned"},
			{"progress.blocked", p.Blocked, of, "blocked"},
			{"progress.missing", p.Missing, of, "missing"},
		}}
		for _, k := range custody.SafeguardKinds {
			if p.BlockedBy[k] > 0 {
				ch.Blocked = append(ch.Blocked, blockedBy{k, p.BlockedBy[k]})
			}
		}
		d.Campaigns = append(d.Campaigns, ch)
	}
	d.Facilities = n.Facilities()
	s.render(rq, http.StatusOK, "dashboard", rq.loc.T("dashboard.title"), d)
	return nil
}

// Persons: search and a person's page.

type personsData struct {
	N       *names
	Q       personQuery
	Rows    []personRow
	Next    string
	Flags   []custody.Flag
	Cats    []custody.Category
	Stats   []custody.Status
	Message string // why there are no rows
}

type personQuery struct {
	Q, Facility, Nationality, Category, Status, Flag string
}

func (q personQuery) Empty() bool { return q == personQuery{} }

type personRow struct {
	P    custody.PersonState
	Name personName
	Why  string // for a search by name: the score and why the names match
	// Linked are the other records of the same person the user may see.
	Linked []personRow
}

// linkedRows reads the linked records of persons that the user may see, by
// person, in one read.
func (rq *req) linkedRows(ps []custody.PersonState) (map[uuid.UUID][]personRow, error) {
	var ids []uuid.UUID
	for _, p := range ps {
		ids = append(ids, p.Custody.Linked...)
	}
	out := map[uuid.UUID][]personRow{}
	if len(ids) == 0 {
		return out, nil
	}
	seen, err := rq.persons(ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		for _, id := range p.Custody.Linked {
			if q, ok := seen[id]; ok {
				out[p.Record.ID] = append(out[p.Record.ID], personRow{P: q, Name: nameOf(&q.Record)})
			}
		}
	}
	return out, nil
}

// together orders rows so that the records linked to one another among them
// (directly, or through another listed record) stand together, in the order of
// the first of them; within a group, in their order.
func together(rows []personRow) []personRow {
	at := map[uuid.UUID]int{}
	for i, r := range rows {
		at[r.P.Record.ID] = i
	}
	done := make([]bool, len(rows))
	out := make([]personRow, 0, len(rows))
	for i := range rows {
		if done[i] {
			continue
		}
		group, queue := []int{i}, []int{i}
		done[i] = true
		for len(queue) > 0 {
			r := rows[queue[0]]
			queue = queue[1:]
			for _, l := range r.P.Custody.Linked {
				if j, ok := at[l]; ok && !done[j] {
					done[j] = true
					group, queue = append(group, j), append(queue, j)
				}
			}
		}
		slices.Sort(group)
		for _, j := range group {
			out = append(out, rows[j])
		}
	}
	return out
}

func (s *site) persons(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	qs := rq.r.URL.Query()
	q := personQuery{Q: strings.TrimSpace(qs.Get("q")), Facility: qs.Get("facility"), Nationality: strings.ToUpper(strings.TrimSpace(qs.Get("nationality"))),
		Category: qs.Get("category"), Status: qs.Get("status"), Flag: qs.Get("flag")}
	d := personsData{N: n, Q: q, Flags: custody.ComputedFlags, Cats: custody.Categories(), Stats: custody.Statuses}
	// A registration number goes straight to the person's page.
	if regNo := strings.ToUpper(q.Q); custody.IsRegNo(regNo) {
		var p custody.PersonState
		err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons/"+url.PathEscape(regNo), nil, nil, &p, "")
		if err == nil && !rq.htmx {
			http.Redirect(rq.w, rq.r, "/persons/"+p.Record.ID.String(), http.StatusSeeOther)
			return nil
		}
		if err == nil {
			d.Rows = []personRow{{P: p, Name: nameOf(&p.Record)}}
			s.personsOut(rq, d)
			return nil
		}
		if pr, ok := err.(*Problem); !ok || pr.Status != http.StatusNotFound {
			return err
		}
	}
	v := url.Values{}
	for k, x := range map[string]string{"name": q.Q, "facility": q.Facility, "nationality": q.Nationality, "category": q.Category, "status": q.Status, "flag": q.Flag, "after": qs.Get("after")} {
		if x != "" {
			v.Set(k, x)
		}
	}
	v.Set("limit", "50")
	var page struct {
		custody.PersonPage
		Matches []struct {
			ID      uuid.UUID `json:"id"`
			English string    `json:"english"`
			Arabic  string    `json:"arabic"`
		} `json:"matches"`
	}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons", v, nil, &page, ""); err != nil {
		if p, ok := err.(*Problem); ok && p.Status < 500 && p.Status != http.StatusUnauthorized && p.Status != http.StatusForbidden {
			d.Message = strings.Join(p.Messages(), "; ")
			s.personsOut(rq, d)
			return nil
		}
		return err
	}
	why := map[uuid.UUID]string{}
	for _, m := range page.Matches {
		why[m.ID] = m.English
		if rq.loc.Lang() == "ar" {
			why[m.ID] = m.Arabic
		}
	}
	linked, err := rq.linkedRows(page.Persons)
	if err != nil {
		return err
	}
	for _, p := range page.Persons {
		d.Rows = append(d.Rows, personRow{P: p, Name: nameOf(&p.Record), Why: why[p.Record.ID], Linked: linked[p.Record.ID]})
	}
	d.Rows = together(d.Rows)
	d.Next = page.Next
	s.personsOut(rq, d)
	return nil
}

func (s *site) personsOut(rq *req, d personsData) {
	if rq.htmx {
		s.fragment(rq, http.StatusOK, "persons", "persons", d)
		return
	}
	s.render(rq, http.StatusOK, "persons", rq.loc.T("persons.title"), d)
}

// NextQuery is the query string of the next page of results.
func (d personsData) NextQuery() string {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Q.Q, "facility": d.Q.Facility, "nationality": d.Q.Nationality, "category": d.Q.Category, "status": d.Q.Status, "flag": d.Q.Flag, "after": d.Next} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

type personData struct {
	N          *names
	P          custody.PersonState
	Name       personName
	Others     []custody.Name // every other name: spellings, kunyas, aliases
	Flags      []custody.Flag
	Transfer   *custody.TransferState
	OnTransfer *custody.TransferPerson
	Safeguards []safeguardCell // of OnTransfer: each required safeguard and where it stands
	Alerts     []api.Alert     // open disappearance alerts that name the person unaccounted for
	Linked     []personRow     // the other records of the same person the user may see
	Events     []timelineEntry
	Checkpoint api.Checkpoint
	VKey       string // the log's public key, for checking in the browser
}

// safeguardCell is one required safeguard of a person on a transfer and where it
// stands (see safeguardState).
type safeguardCell struct {
	Kind  custody.SafeguardKind
	State string
}

// alertsNaming lists the open disappearance alerts in which the person is still
// unaccounted for.
func alertsNaming(rq *req, person uuid.UUID) ([]api.Alert, error) {
	if !rq.can("list-alerts") {
		return nil, nil
	}
	var out struct {
		Alerts []api.Alert `json:"alerts"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/alerts", nil, "alerts", &out); err != nil {
		return nil, err
	}
	var mine []api.Alert
	for _, a := range out.Alerts {
		if slices.ContainsFunc(a.Persons, func(ap api.AlertPerson) bool { return ap.Person == person }) {
			mine = append(mine, a)
		}
	}
	return mine, nil
}

// timelineEntry is one event of a person's custody timeline.
type timelineEntry struct {
	Index      uint64
	Type       string
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      string
	Party      uuid.UUID
	Summary    string
}

func (s *site) person(rq *req) error {
	id := rq.r.PathValue("id")
	n, err := rq.names()
	if err != nil {
		return err
	}
	var p custody.PersonState
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons/"+url.PathEscape(id), nil, nil, &p, ""); err != nil {
		return err
	}
	d := personData{N: n, P: p, Name: nameOf(&p.Record), Flags: p.Custody.Flags, VKey: s.cfg.VerifierKey}
	for _, nm := range p.Record.Names {
		if nm.Text != d.Name.Arabic && nm.Text != d.Name.Latin {
			d.Others = append(d.Others, nm)
		}
	}
	for _, f := range p.Record.Flags {
		if !slices.Contains(d.Flags, f) {
			d.Flags = append(d.Flags, f)
		}
	}
	if p.Custody.Transfer != uuid.Nil {
		var t custody.TransferState
		if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/transfers/"+p.Custody.Transfer.String(), nil, nil, &t, ""); err == nil {
			d.Transfer = &t
			for _, tp := range t.People {
				if tp.Person == p.Record.ID {
					d.OnTransfer = tp
					for _, k := range tp.Required {
						d.Safeguards = append(d.Safeguards, safeguardCell{Kind: k, State: safeguardState(tp, k)})
					}
				}
			}
		}
	}
	linked, err := rq.linkedRows([]custody.PersonState{p})
	if err != nil {
		return err
	}
	d.Linked = linked[p.Record.ID]
	if d.Alerts, err = alertsNaming(rq, p.Record.ID); err != nil {
		return err
	}
	var h struct {
		Checkpoint api.Checkpoint     `json:"checkpoint"`
		Events     []api.HistoryEntry `json:"events"`
	}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons/"+p.Record.ID.String()+"/history", nil, nil, &h, ""); err != nil {
		return err
	}
	d.Checkpoint = h.Checkpoint
	for i := len(h.Events) - 1; i >= 0; i-- { // newest first
		e, err := custody.DecodeEvent(h.Events[i].Event)
		if err != nil {
			return fmt.Errorf("web: event %d: %w", h.Events[i].Index, err)
		}
		te := timelineEntry{Index: h.Events[i].Index, Type: string(e.Type), OccurredAt: e.OccurredAt,
			RecordedAt: e.RecordedAt, Actor: e.Actor, Party: e.Party}
		if r, ok := e.Data.(*custody.PersonRegistered); ok && r.Duplicates != nil { // the warning passed, and why
			te.Summary = rq.loc.T("person.passed_duplicates", len(r.Duplicates.Candidates), r.Duplicates.Reason)
		}
		d.Events = append(d.Events, te)
	}
	s.render(rq, http.StatusOK, "person", d.Name.Latin, d)
	return nil
}
