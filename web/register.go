package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// The registration of a person. Before anything is saved, the API compares the
// new record with the registered persons the registrar may see (names index,
// duplicates threshold): if some are likely the same person, the form comes back
// with them — each with its score and why, in the page's language, and a link
// to open it — and the registrar either registers all the same with a reason
// (recorded in person.registered), or registers and links the new record to one
// of them (person.linked), or leaves to open the candidate. With htmx the form is
// swapped in place; without it the page is rendered again.

type registerForm struct {
	Facility, Latin, Arabic, Sex, Birth, Precision string
	Nationality, Category, Father, Reasons, Order  string
	Reason                                         string // why a likely duplicate is registered all the same
}

type registerData struct {
	N          *names
	Form       registerForm
	Facilities []api.FacilityView
	Sexes      []custody.Sex
	Precisions []custody.DatePrecision
	Cats       []custody.Category
	Idem       string
	Problem    *Problem
	Candidates []candidateRow
}

type candidateRow struct {
	C   api.DuplicateCandidate
	Why string
}

func (s *site) newPerson(rq *req) error {
	if !rq.can("register-person") {
		return forbidden(rq, "register-person")
	}
	return s.registerPage(rq, registerForm{Sex: string(custody.Male), Precision: string(custody.Year), Category: string(custody.Detainee)}, nil, nil, http.StatusOK)
}

func (s *site) registerPage(rq *req, form registerForm, p *Problem, cands []api.DuplicateCandidate, status int) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	d := registerData{N: n, Form: form, Idem: uuid.NewString(), Problem: p,
		Sexes:      []custody.Sex{custody.Male, custody.Female, custody.Unknown},
		Precisions: []custody.DatePrecision{custody.Day, custody.Month, custody.Year, custody.Estimated},
		Cats:       []custody.Category{custody.Detainee, custody.FamilyMember, custody.Minor, custody.UnaccompaniedMinor}}
	for _, f := range n.Facilities() {
		if f.Kind != custody.Hospital && f.Controller == rq.me.User.Party {
			d.Facilities = append(d.Facilities, f)
		}
	}
	for _, c := range cands {
		why := c.English
		if rq.loc.Lang() == "ar" {
			why = c.Arabic
		}
		d.Candidates = append(d.Candidates, candidateRow{C: c, Why: why})
	}
	if rq.htmx {
		// htmx swaps only 2xx answers: the form, with what the answer says, replaces itself
		s.fragment(rq, http.StatusOK, "person_new", "register-form", d)
		return nil
	}
	s.render(rq, status, "person_new", rq.loc.T("register.title"), d)
	return nil
}

func (s *site) registerPerson(rq *req) error {
	f, at, err := s.writeForm(rq, "register-person")
	if err != nil {
		return err
	}
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	form := registerForm{Facility: get("facility"), Latin: get("name_latn"), Arabic: get("name_arab"), Sex: get("sex"), Birth: get("birth"),
		Precision: get("precision"), Nationality: strings.ToUpper(get("nationality")), Category: get("category"), Father: get("father"),
		Reasons: get("reasons"), Order: get("ordering_authority"), Reason: get("duplicate_reason")}
	p := custody.Person{Sex: custody.Sex(form.Sex), Birth: custody.BirthDate{Date: form.Birth, Precision: custody.DatePrecision(form.Precision)},
		Category: custody.Category(form.Category), FatherName: form.Father,
		Detention: custody.Detention{Reasons: form.Reasons, OrderingAuthority: form.Order}}
	if form.Latin != "" {
		p.Names = append(p.Names, custody.Name{Text: form.Latin, Script: custody.Latin, Kind: custody.PrimaryName})
	}
	if form.Arabic != "" {
		p.Names = append(p.Names, custody.Name{Text: form.Arabic, Script: custody.Arabic, Kind: custody.PrimaryName})
	}
	for _, c := range strings.FieldsFunc(form.Nationality, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		p.Nationalities = append(p.Nationalities, c)
	}
	body := map[string]any{"person": p, "facility": form.Facility, "occurred_at": at}
	// The reason is sent once the registrar has seen the candidates and chosen:
	// "register all the same" or "the same person as" one of them.
	linkTo := f.Get("link_to")
	if f.Get("pass") != "" || linkTo != "" {
		body["duplicate_reason"] = form.Reason
	}
	if linkTo != "" {
		body["link_to"] = linkTo
	}
	var out struct {
		custody.PersonState
	}
	err = rq.api.call(rq.ctx, http.MethodPost, "/api/v1/persons", nil, body, &out, f.Get("idem"))
	if pr, ok := err.(*Problem); ok && pr.Status != http.StatusUnauthorized && pr.Status != http.StatusForbidden && pr.Status < 500 {
		if pr.Code == string(api.LikelyDuplicate) {
			return s.registerPage(rq, form, nil, pr.Candidates, pr.Status)
		}
		return s.registerPage(rq, form, pr, nil, pr.Status)
	}
	if err != nil {
		return err
	}
	return back(rq, "/persons/"+url.PathEscape(out.Record.ID.String()))
}
