package web

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The handover screen, for a tablet at the vehicle door: one large row per person
// to mark present, absent or disputed, a running head count, then both officers
// sign. Their private keys never leave the tablet: each officer opens their key
// file in the page, which derives the public key; the server drafts the document
// for those two registered keys; the page signs the document's exact bytes with
// both keys (WebCrypto Ed25519) and sends the signatures with the bytes to the API.

type handoverData struct {
	N       *names
	M       custody.MovementState
	T       custody.TransferState
	Stage   custody.Stage
	Giver   uuid.UUID
	Taker   uuid.UUID
	Place   string
	Rows    []handoverRow
	Idem    string
	Choices []custody.Outcome
}

type handoverRow struct {
	Person  uuid.UUID
	RegNo   string
	Name    personName
	Vehicle string
	// Blocked are the safeguards still missing of a person who cannot depart:
	// at the departure such a person is held back (outcome "refused").
	Blocked []custody.SafeguardKind
}

// blockedAtDeparture maps each person of the transfer who cannot depart yet to
// the safeguards missing.
func blockedAtDeparture(h *handoverPlan) map[uuid.UUID][]custody.SafeguardKind {
	out := map[uuid.UUID][]custody.SafeguardKind{}
	if h.stage != custody.Departure {
		return out
	}
	for _, tp := range h.t.People {
		if len(tp.Missing) > 0 && tp.Stage == custody.StageWaiting {
			out[tp.Person] = tp.Missing
		}
	}
	return out
}

// Blocked lists the rows of persons who cannot depart.
func (d handoverData) Blocked() []handoverRow {
	var out []handoverRow
	for _, r := range d.Rows {
		if len(r.Blocked) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// handoverPlan is what a movement's next handover must account for.
type handoverPlan struct {
	m            custody.MovementState
	t            custody.TransferState
	stage        custody.Stage
	giver, taker uuid.UUID
	place        string
	persons      []uuid.UUID
	records      map[uuid.UUID]custody.PersonState // of persons, as the user may see them
}

func (s *site) planHandover(rq *req, n *names, id string) (*handoverPlan, error) {
	m, t, err := readMovement(rq, id)
	if err != nil {
		return nil, err
	}
	h := &handoverPlan{m: m, t: t}
	switch m.Status {
	case custody.PlannedMovement:
		h.stage, h.giver, h.taker = custody.Departure, t.Sending, m.Escort
		h.place = rq.loc.T("handover.place_departure", n.Facility(m.From))
		h.persons = manifestIDs(m.Manifest)
		if h.records, err = rq.persons(h.persons); err != nil {
			return nil, err
		}
	case custody.DepartedMovement:
		h.stage, h.giver = custody.Arrival, m.Escort
		h.taker = n.facilities[m.To].Controller
		h.place = rq.loc.T("handover.place_arrival", n.Facility(m.To))
		// Those who left transit on the road are accounted for by their own events.
		if h.records, err = rq.persons(m.Departure.Present); err != nil {
			return nil, err
		}
		for _, pid := range m.Departure.Present {
			if p := person(h.records, pid); p.Custody.Status == custody.InTransit && p.Custody.Movement == m.ID {
				h.persons = append(h.persons, pid)
			}
		}
	default:
		return nil, &Problem{Status: http.StatusConflict, Detail: rq.loc.T("handover.none_due", rq.loc.T("movement.status."+string(m.Status)))}
	}
	return h, nil
}

func (s *site) handoverPage(rq *req) error {
	if !rq.can("submit-handover") {
		return forbidden(rq, "submit-handover")
	}
	n, err := rq.names()
	if err != nil {
		return err
	}
	h, err := s.planHandover(rq, n, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := handoverData{N: n, M: h.m, T: h.t, Stage: h.stage, Giver: h.giver, Taker: h.taker, Place: h.place, Idem: uuid.NewString(),
		Choices: []custody.Outcome{custody.OutcomePresent, custody.OutcomeAbsent, custody.OutcomeDisputed}}
	if h.stage == custody.Arrival {
		d.Choices = append(d.Choices, custody.OutcomeMedical)
	}
	vehicle := map[uuid.UUID]string{}
	for _, st := range h.m.Manifest {
		vehicle[st.Person] = st.Vehicle
	}
	blocked := blockedAtDeparture(h)
	for _, pid := range h.persons {
		p := person(h.records, pid)
		d.Rows = append(d.Rows, handoverRow{Person: pid, RegNo: p.Record.RegNo, Name: nameOf(&p.Record), Vehicle: vehicle[pid], Blocked: blocked[pid]})
	}
	s.render(rq, http.StatusOK, "handover", rq.loc.T("handover.title."+string(h.stage)), d)
	return nil
}

// draftReply is the drafted document the page shows for confirmation and signs.
type draftReply struct {
	Document  string   `json:"document"` // base64 of the exact bytes to sign
	HeadCount int      `json:"head_count"`
	Total     int      `json:"total"`
	NotHanded []string `json:"not_handed"` // "REG-NO: outcome" of those not handed over
	From      string   `json:"from"`
	To        string   `json:"to"`
	Summary   string   `json:"summary"`
}

// draftHandover builds the document both officers are to sign from the marks
// made on the screen and the two officers' public keys.
func (s *site) draftHandover(rq *req) error {
	if err := rq.r.ParseForm(); err != nil {
		return jsonProblem(rq, badForm(rq, "form", err.Error()))
	}
	if !rq.can("submit-handover") {
		return jsonProblem(rq, forbidden(rq, "submit-handover"))
	}
	n, err := rq.names()
	if err != nil {
		return jsonProblem(rq, err)
	}
	h, err := s.planHandover(rq, n, rq.r.PathValue("id"))
	if err != nil {
		return jsonProblem(rq, err)
	}
	f := rq.r.PostForm
	if st := custody.Stage(f.Get("stage")); st != h.stage {
		return jsonProblem(rq, &Problem{Status: http.StatusConflict, Detail: rq.loc.T("handover.stage_moved", rq.loc.T("handover.stage."+string(h.stage)))})
	}
	var sides [2]custody.Officer
	for i, side := range []struct {
		field string
		party uuid.UUID
	}{{"from_pub", h.giver}, {"to_pub", h.taker}} {
		o, err := s.officer(rq, n, side.field, f.Get(side.field), side.party)
		if err != nil {
			return jsonProblem(rq, err)
		}
		sides[i] = o
	}
	if sides[0].Key == sides[1].Key {
		return jsonProblem(rq, badForm(rq, "to_pub", rq.loc.T("handover.same_key")))
	}
	place := strings.TrimSpace(f.Get("place"))
	if place == "" {
		place = h.place
	}
	doc := custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: newDocID(), Movement: h.m.ID, Stage: h.stage,
		From: sides[0], To: sides[1], At: s.cfg.Now().UTC().Truncate(time.Second), Place: place}
	reply := draftReply{Total: len(h.persons), From: sides[0].Name + " (" + n.Party(sides[0].Party) + ")", To: sides[1].Name + " (" + n.Party(sides[1].Party) + ")"}
	var unmarked int
	var cannot []string // those marked present who cannot depart, in plain words
	blocked := blockedAtDeparture(h)
	for _, pid := range h.persons {
		o := custody.Outcome(f.Get("outcome-" + pid.String()))
		if missing := blocked[pid]; len(missing) > 0 {
			if o == custody.OutcomePresent || o == "" {
				cannot = append(cannot, rq.loc.T("handover.cannot_depart", person(h.records, pid).Record.RegNo, safeguardList(rq.loc, missing)))
				continue
			}
		}
		if o == "" {
			unmarked++
			continue
		}
		if !slices.Contains([]custody.Outcome{custody.OutcomePresent, custody.OutcomeAbsent, custody.OutcomeDisputed, custody.OutcomeMedical, custody.OutcomeRefused}, o) {
			return jsonProblem(rq, badForm(rq, "outcome-"+pid.String(), rq.loc.T("handover.bad_outcome", string(o))))
		}
		p, seen := h.records[pid]
		row := custody.HandoverPerson{Person: pid, RegNo: p.Record.RegNo, Outcome: o} // no reg. no. for a record one may not see
		if !seen {
			p = person(h.records, pid)
		}
		if note := strings.TrimSpace(f.Get("note-" + pid.String())); note != "" {
			row.Note = note
		}
		if o == custody.OutcomePresent || h.stage == custody.Arrival && o == custody.OutcomeMedical {
			doc.HeadCount++
		} else {
			what := rq.loc.T("outcome." + string(o))
			if o == custody.OutcomeRefused && h.stage == custody.Departure {
				what = rq.loc.T("handover.held_back")
			}
			reply.NotHanded = append(reply.NotHanded, p.Record.RegNo+": "+what)
		}
		doc.Persons = append(doc.Persons, row)
	}
	if len(cannot) > 0 {
		return jsonProblem(rq, &Problem{Status: http.StatusBadRequest, Detail: rq.loc.T("handover.held_back_needed"), Errors: lines(cannot)})
	}
	if unmarked > 0 {
		return jsonProblem(rq, &Problem{Status: http.StatusBadRequest, Detail: rq.loc.T("handover.unmarked", unmarked)})
	}
	b, err := custody.EncodeHandover(&doc)
	if err != nil {
		return jsonProblem(rq, err)
	}
	reply.Document, reply.HeadCount = base64.StdEncoding.EncodeToString(b), doc.HeadCount
	reply.Summary = rq.loc.T("handover.summary", doc.HeadCount, reply.Total)
	return writeJSON(rq, http.StatusOK, reply)
}

// safeguardList names safeguards in the user's words: "medical examination, risk assessment".
func safeguardList(l *Loc, ks []custody.SafeguardKind) string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = l.T("safeguard." + string(k))
	}
	return strings.Join(names, l.T("list.separator"))
}

// lines makes problem items of messages that need no location.
func lines(msgs []string) []ProblemItem {
	out := make([]ProblemItem, len(msgs))
	for i, m := range msgs {
		out[i] = ProblemItem{Message: m}
	}
	return out
}

// newDocID is a new time-ordered id for a document.
func newDocID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// officer finds the registered key of a public key sent by the page, and checks
// it belongs to the party that must sign on that side.
func (s *site) officer(rq *req, n *names, field, pub string, party uuid.UUID) (custody.Officer, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pub))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return custody.Officer{}, badForm(rq, field, rq.loc.T("handover.no_key", n.Party(party)))
	}
	id := custody.KeyID(ed25519.PublicKey(raw))
	var k custody.OfficerKey
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/keys/"+id.String(), nil, nil, &k, ""); err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status == http.StatusNotFound {
			return custody.Officer{}, badForm(rq, field, rq.loc.T("handover.key_unknown", id.String()))
		}
		return custody.Officer{}, err
	}
	if k.Revoked {
		return custody.Officer{}, badForm(rq, field, rq.loc.T("handover.key_revoked", k.Officer))
	}
	if k.Party != party {
		return custody.Officer{}, badForm(rq, field, rq.loc.T("handover.key_party", k.Officer, n.Party(k.Party), n.Party(party)))
	}
	return custody.Officer{Party: k.Party, Name: k.Officer, Key: k.ID}, nil
}

// submitHandover sends the signed document to the API.
func (s *site) submitHandover(rq *req) error {
	if !rq.can("submit-handover") {
		return jsonProblem(rq, forbidden(rq, "submit-handover"))
	}
	// The page sends each signature with the public key that made it; the API
	// takes the key's id.
	var in struct {
		Document   []byte `json:"document"`
		Signatures []struct {
			Pub []byte `json:"pub"`
			Sig []byte `json:"sig"`
		} `json:"signatures"`
		Idem string `json:"idem"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(rq.w, rq.r.Body, 8<<20))
	if err := dec.Decode(&in); err != nil {
		return jsonProblem(rq, badForm(rq, "body", err.Error()))
	}
	sigs := make([]custody.Signature, len(in.Signatures))
	for i, g := range in.Signatures {
		if len(g.Pub) != ed25519.PublicKeySize {
			return jsonProblem(rq, badForm(rq, fmt.Sprintf("signatures[%d].pub", i), rq.loc.T("handover.key_needed")))
		}
		sigs[i] = custody.Signature{Key: custody.KeyID(ed25519.PublicKey(g.Pub)), Sig: g.Sig}
	}
	id := rq.r.PathValue("id")
	body := map[string]any{"document": in.Document, "signatures": sigs}
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/handovers", nil, body, nil, in.Idem); err != nil {
		return jsonProblem(rq, err)
	}
	return writeJSON(rq, http.StatusOK, map[string]string{"location": "/movements/" + url.PathEscape(id)})
}

// jsonProblem answers the page's script with a problem it shows in place.
func jsonProblem(rq *req, err error) error {
	var p *Problem
	if !errors.As(err, &p) {
		return err
	}
	rq.w.Header().Set("Content-Type", "application/problem+json")
	return writeJSON(rq, p.Status, struct {
		*Problem
		Messages []string `json:"messages"`
	}{p, p.Messages()})
}

func writeJSON(rq *req, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	if rq.w.Header().Get("Content-Type") == "" {
		rq.w.Header().Set("Content-Type", "application/json")
	}
	rq.w.WriteHeader(status)
	_, err = rq.w.Write(b)
	return err
}
