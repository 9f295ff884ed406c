package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Facilities, incidents, notifications, the ledger and the audit log.

type facilitiesData struct {
	N          *names
	Facilities []api.FacilityView
}

func (s *site) facilities(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	s.render(rq, http.StatusOK, "facilities", rq.loc.T("facilities.title"), facilitiesData{N: n, Facilities: n.Facilities()})
	return nil
}

type facilityData struct {
	N      *names
	F      api.FacilityView
	Cats   []custody.Category
	Roster []personRow
	Next   string
}

func (s *site) facility(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	var f api.FacilityView
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/facilities/"+url.PathEscape(rq.r.PathValue("id")), nil, nil, &f, ""); err != nil {
		return err
	}
	d := facilityData{N: n, F: f, Cats: custody.Categories()}
	v := url.Values{"facility": {f.ID.String()}, "limit": {"100"}}
	if a := rq.r.URL.Query().Get("after"); a != "" {
		v.Set("after", a)
	}
	var page custody.PersonPage
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons", v, nil, &page, ""); err != nil {
		return err
	}
	for _, p := range page.Persons {
		d.Roster = append(d.Roster, personRow{P: p, Name: nameOf(&p.Record)})
	}
	d.Next = page.Next
	s.render(rq, http.StatusOK, "facility", f.Name, d)
	return nil
}

// verifyEvent checks, on the server, that an event is in the ledger: it reads the
// event's exact bytes, recomputes its leaf, and checks the inclusion proof against
// the latest checkpoint, whose signature it opens with the log's key.
type verifyData struct {
	OK     bool
	Index  uint64
	Size   uint64
	Root   string
	Origin string
	Reason string
}

func (s *site) verifyEvent(rq *req) error {
	index, err := strconv.ParseUint(rq.r.PathValue("index"), 10, 64)
	if err != nil {
		return badForm(rq, "index", rq.loc.T("verify.bad_index"))
	}
	d := verifyData{Index: index, Origin: s.cfg.Origin}
	d.OK, d.Size, d.Root, d.Reason = s.checkInclusion(rq, index)
	if rq.htmx {
		s.fragment(rq, http.StatusOK, "verify", "frag-verify", d)
	} else {
		s.render(rq, http.StatusOK, "verify", rq.loc.T("verify.title", index), d)
	}
	return nil
}

func (s *site) checkInclusion(rq *req, index uint64) (ok bool, size uint64, root, reason string) {
	raw, _, err := rq.api.send(rq.ctx, http.MethodGet, "/api/v1/events/"+strconv.FormatUint(index, 10), nil, nil, "")
	if err != nil {
		return false, 0, "", err.Error()
	}
	e, err := custody.DecodeEvent(raw)
	if err != nil {
		return false, 0, "", err.Error()
	}
	var cp api.Checkpoint
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/checkpoint", nil, nil, &cp, ""); err != nil {
		return false, 0, "", err.Error()
	}
	if s.cfg.Verifier == nil {
		return false, 0, "", rq.loc.T("verify.no_key")
	}
	c, err := ledger.OpenCheckpoint([]byte(cp.Note), s.cfg.Verifier, s.cfg.Origin)
	if err != nil {
		return false, 0, "", err.Error()
	}
	var pr struct {
		Proof [][]byte `json:"proof"`
	}
	q := url.Values{"index": {strconv.FormatUint(index, 10)}, "size": {strconv.FormatUint(c.Size, 10)}}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/proofs/inclusion", q, nil, &pr, ""); err != nil {
		return false, c.Size, "", err.Error()
	}
	proof := make([][ledger.HashSize]byte, len(pr.Proof))
	for i, h := range pr.Proof {
		if len(h) != ledger.HashSize {
			return false, c.Size, "", rq.loc.T("verify.bad_proof")
		}
		copy(proof[i][:], h)
	}
	leaf := ledger.LeafHash(ledger.Entry(e.ID, raw))
	rootText := base64.StdEncoding.EncodeToString(c.Root[:])
	if err := ledger.VerifyInclusion(index, c.Size, leaf, proof, c.Root); err != nil {
		return false, c.Size, rootText, err.Error()
	}
	return true, c.Size, rootText, ""
}

type incidentsData struct {
	N          *names
	Incidents  []custody.IncidentState
	Open, Type string
	Types      []string
	P          pager
}

// incidentTypes are the API's incident types, for the list's filter.
var incidentTypes = []string{"discrepancy", "escape", "death", "serious_injury", "medical_emergency", "use_of_force", "breakout_attempt", "vehicle_failure"}

func (s *site) incidents(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	q := filtersOf(rq, map[string][]string{"open": {"true", "false"}, "type": incidentTypes, "movement": nil})
	open := q.Get("open")
	var out struct {
		Incidents []custody.IncidentState `json:"incidents"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/incidents", q, "incidents", &out); err != nil {
		return err
	}
	// Alerts first, then open incidents, newest first within each.
	slices.SortStableFunc(out.Incidents, func(a, b custody.IncidentState) int {
		ra, rb := incidentRank(&a), incidentRank(&b)
		if ra != rb {
			return ra - rb
		}
		return int(b.Opened) - int(a.Opened)
	})
	d := incidentsData{N: n, Open: open, Type: q.Get("type"), Types: incidentTypes}
	d.Incidents, d.P = paginate(rq, "/incidents", q, out.Incidents)
	s.render(rq, http.StatusOK, "incidents", rq.loc.T("incidents.title"), d)
	return nil
}

func incidentRank(in *custody.IncidentState) int {
	switch {
	case in.Alert():
		return 0
	case in.Open:
		return 1
	}
	return 2
}

type incidentData struct {
	N       *names
	I       *custody.IncidentState
	Persons []incidentPerson
	Idem    string
	Now     string // for the occurred-at field
}

type incidentPerson struct {
	P        custody.PersonState
	Name     personName
	Resolved *custody.PersonResolution
}

func (s *site) incident(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	var in custody.IncidentState
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/incidents/"+url.PathEscape(rq.r.PathValue("id")), nil, nil, &in, ""); err != nil {
		return err
	}
	d := incidentData{N: n, I: &in, Idem: uuid.NewString(), Now: formNow(s.cfg.Now())}
	ps, err := rq.persons(in.Persons)
	if err != nil {
		return err
	}
	for _, id := range in.Persons {
		p := person(ps, id)
		ip := incidentPerson{P: p, Name: nameOf(&p.Record)}
		if r, ok := in.Resolved[id.String()]; ok {
			ip.Resolved = &r
		}
		d.Persons = append(d.Persons, ip)
	}
	s.render(rq, http.StatusOK, "incident", rq.loc.T("incident.title", rq.loc.T("incident.type."+string(in.Type))), d)
	return nil
}

// resolveIncident accounts for one person of an incident, or closes it.
func (s *site) resolveIncident(rq *req) error {
	if !rq.can("resolve-incident") {
		return forbidden(rq, "resolve-incident")
	}
	if err := rq.r.ParseForm(); err != nil {
		return badForm(rq, "form", err.Error())
	}
	id := rq.r.PathValue("id")
	f := rq.r.PostForm
	body := map[string]any{"resolution": f.Get("resolution"), "note": strings.TrimSpace(f.Get("note"))}
	if p := f.Get("person"); p != "" {
		body["person"] = p
	}
	if fac := f.Get("facility"); fac != "" {
		body["facility"] = fac
	}
	at, err := s.occurredAt(rq)
	if err != nil {
		return err
	}
	body["occurred_at"] = at
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/incidents/"+url.PathEscape(id)+"/resolutions", nil, body, nil, f.Get("idem")); err != nil {
		return err
	}
	return back(rq, "/incidents/"+url.PathEscape(id))
}

type notificationsData struct {
	N             *names
	Notifications []api.NotificationView
	Filter        string
	Person, Kind  string
	Kinds         []string
	P             pager
}

// notificationKinds are the API's kinds of notification, for the filter.
var notificationKinds = []string{"family_transfer", "capture_card", "parents_juvenile", "next_of_kin_death", "family_illness"}

func (s *site) notifications(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	in := rq.r.URL.Query()
	filter := in.Get("show")
	q, keep := url.Values{}, url.Values{}
	switch filter {
	case "overdue":
		q.Set("overdue", "true")
	case "done":
		q.Set("done", "true")
	case "all":
	default:
		filter = "open"
		q.Set("done", "false")
	}
	keep.Set("show", filter)
	d := notificationsData{N: n, Filter: filter, Kinds: notificationKinds,
		Person: strings.TrimSpace(in.Get("person")), Kind: in.Get("kind")}
	if d.Person != "" {
		q.Set("person", d.Person)
		keep.Set("person", d.Person)
	}
	if slices.Contains(notificationKinds, d.Kind) {
		q.Set("kind", d.Kind)
		keep.Set("kind", d.Kind)
	} else {
		d.Kind = ""
	}
	var out struct {
		Notifications []api.NotificationView `json:"notifications"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/notifications", q, "notifications", &out); err != nil {
		return err
	}
	slices.SortStableFunc(out.Notifications, func(a, b api.NotificationView) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return a.Due.Compare(b.Due)
	})
	d.Notifications, d.P = paginate(rq, "/notifications", keep, out.Notifications)
	s.render(rq, http.StatusOK, "notifications", rq.loc.T("notifications.title"), d)
	return nil
}

func (s *site) completeNotification(rq *req) error {
	_, at, err := s.writeForm(rq, "complete-notification")
	if err != nil {
		return err
	}
	id := rq.r.PathValue("id")
	body := map[string]any{"outcome": strings.TrimSpace(rq.r.PostForm.Get("outcome")), "occurred_at": at}
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/notifications/"+url.PathEscape(id)+"/completions", nil, body, nil, rq.r.PostForm.Get("idem")); err != nil {
		return err
	}
	return back(rq, safeNext(rq.r.PostForm.Get("next")))
}

type ledgerData struct {
	Checkpoint api.Checkpoint
	Root       string
	Origin     string
	Signatures []string // the lines of the note's signatures: the log's, then any witness's
	VKey       string   // the log's public key
	Witnesses  witnessView
}

func (s *site) ledger(rq *req) error {
	var cp api.Checkpoint
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/checkpoint", nil, nil, &cp, ""); err != nil {
		return err
	}
	d := ledgerData{Checkpoint: cp, Root: base64.StdEncoding.EncodeToString(cp.Root), Origin: s.cfg.Origin, VKey: s.cfg.VerifierKey}
	if _, sigs, ok := strings.Cut(cp.Note, "\n\n"); ok {
		for _, line := range strings.Split(strings.TrimSpace(sigs), "\n") {
			if name, _, ok := strings.Cut(strings.TrimPrefix(line, "— "), " "); ok {
				d.Signatures = append(d.Signatures, name)
			}
		}
	}
	var err error
	if d.Witnesses, err = s.witnessing(rq); err != nil {
		return err
	}
	s.render(rq, http.StatusOK, "ledger", rq.loc.T("ledger.title"), d)
	return nil
}

type auditData struct {
	Entries []access.AuditEntry
	Next    int64
	Q       url.Values
}

func (s *site) audit(rq *req) error {
	if !rq.can("audit-log") {
		return forbidden(rq, "audit-log")
	}
	in := rq.r.URL.Query()
	q := url.Values{"limit": {"100"}}
	for _, k := range []string{"user", "action", "outcome", "after"} {
		if v := strings.TrimSpace(in.Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	var out struct {
		Entries []access.AuditEntry `json:"entries"`
		Next    int64               `json:"next"`
	}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/audit", q, nil, &out, ""); err != nil {
		return err
	}
	s.render(rq, http.StatusOK, "audit", rq.loc.T("audit.title"), auditData{Entries: out.Entries, Next: out.Next, Q: in})
	return nil
}
