package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

type registerPersonInput struct {
	Body struct {
		Meta
		Person          custody.Person `json:"person" required:"true" doc:"The record; an absent id is assigned, an absent reg_no is the facility series' next"`
		Facility        string         `json:"facility" required:"true" doc:"The admitting facility (id or code)"`
		DuplicateReason string         `json:"duplicate_reason,omitempty" maxLength:"2000" example:"Registered again at Hasakah: the camp record HOL-004417 has another father's name and a different year of birth" doc:"Why the person is registered although registered persons the caller may see are likely the same person (the 409 likely_duplicate problem lists them): recorded in the person.registered event with the candidates found. Ignored when none is found."`
		LinkTo          string         `json:"link_to,omitempty" example:"HOL-004417" doc:"A registered person (id or registration number) that the new record is the same person as: it is linked to it in the same decision (person.linked, with duplicate_reason as its reason, then required). Needs the link-persons right."`
	}
}

type registeredOutput struct {
	Body struct {
		custody.PersonState
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) registerPerson(ctx context.Context, in *registerPersonInput) (*registeredOutput, error) {
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	fid, err := s.facilityRef(ctx, "body.facility", in.Body.Facility)
	if err != nil {
		return nil, err
	}
	p := in.Body.Person
	if p.ID == uuid.Nil {
		p.ID = uuid.Must(uuid.NewV7())
	}
	cmd := custody.RegisterPerson{Meta: m, Person: p, Facility: fid}
	if err := s.checkDuplicates(ctx, &cmd, in.Body.DuplicateReason, in.Body.LinkTo); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, cmd, inBody)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Person(ctx, created(r, p.ID))
	if err != nil {
		return nil, err
	}
	out := &registeredOutput{}
	out.Body.PersonState, out.Body.Receipt = *ps, r.Body
	return out, nil
}

type listPersonsInput struct {
	Facility    string   `query:"facility" doc:"Facility id or code"`
	Nationality string   `query:"nationality" doc:"ISO 3166-1 alpha-3; matches any of a person's nationalities"`
	Category    string   `query:"category"`
	Status      string   `query:"status"`
	Name        string   `query:"name" doc:"A name or part of one, in either script, any order, any spelling: the persons are ranked by how well their names match, with the score and its explanation in matches. A registration number or an identifier (ICRC number, passport…) finds the person it names."`
	Flag        string   `query:"flag" doc:"A flag that stands on the person (docs/standards.md §J), like safeguard_overridden or notification_overdue"`
	After       string   `query:"after" doc:"The next of the previous page (a search by name pages by rank: ~50, ~100…)"`
	Limit       int      `query:"limit" minimum:"0" maximum:"500" doc:"Page size; default 50, at most 500"`
	ID          []string `query:"id,explode" doc:"Only these persons (ids, at most 500): repeat the parameter (id=A&id=B) or separate them with commas (id=A,B); one read of the records a page names"`
}

// personsPage is a page of persons; a search by name adds, in the same order, why
// each was found.
type personsPage struct {
	custody.PersonPage
	Matches []NameMatch `json:"matches,omitempty"`
}

type personsOutput struct{ Body personsPage }

func (s *server) listPersons(ctx context.Context, in *listPersonsInput) (*personsOutput, error) {
	f := custody.PersonFilter{
		Nationality: in.Nationality, Category: custody.Category(in.Category), Status: custody.Status(in.Status),
		Name: in.Name, Flag: custody.Flag(in.Flag), Now: s.cfg.Now(), After: in.After, Limit: in.Limit,
	}
	fid, err := s.facilityRef(ctx, "query.facility", in.Facility)
	if err != nil {
		return nil, err
	}
	f.Facility = fid
	refs, err := IDsQuery{ID: in.ID}.refs()
	if err != nil {
		return nil, err
	}
	for i, ref := range refs {
		id, err := parseID(fmt.Sprintf("query.id[%d]", i), "person", ref)
		if err != nil {
			return nil, err
		}
		f.IDs = append(f.IDs, id)
	}
	if err := f.Validate(); err != nil {
		return nil, at(err, where{"": "query"})
	}
	var matches []NameMatch
	if strings.TrimSpace(f.Name) != "" {
		var err error
		if matches, err = s.nameSearch(ctx, &f); err != nil {
			return nil, err
		}
		if matches != nil {
			f.After, f.Limit = "", custody.MaxPageSize
		}
	}
	page, err := s.visiblePersons(ctx, f)
	if err != nil {
		return nil, err
	}
	if matches != nil {
		limit := in.Limit
		if limit <= 0 {
			limit = custody.DefaultPageSize
		}
		if matches, err = rank(page, matches, in.After, limit); err != nil {
			return nil, err
		}
	}
	for i := range page.Persons {
		s.flagsNow(&page.Persons[i])
	}
	return &personsOutput{Body: personsPage{*page, matches}}, nil
}

// visiblePersons is a page of the persons the caller may see: the store filters
// them by the caller's grant (personVisibility) in the same query as f, so a page
// holds f.Limit persons whenever that many more are visible.
func (s *server) visiblePersons(ctx context.Context, f custody.PersonFilter) (*custody.PersonPage, error) {
	vis, err := s.personVisibility(ctx, authzOf(ctx))
	if err != nil {
		return nil, err
	}
	f.Visible = vis
	page, err := s.store.Persons(ctx, f)
	if err != nil {
		return nil, at(err, where{"": "query"})
	}
	return page, nil
}

// flagsNow shows a person's flags as they stand now, with notification_overdue
// when a deadline has passed.
func (s *server) flagsNow(p *custody.PersonState) {
	p.Custody.Flags = p.Custody.FlagsAt(s.cfg.Now())
}

type personRefInput struct {
	ID string `path:"id" doc:"The person's id or registration number (like HSK-000150)"`
}

type personOutput struct{ Body custody.PersonState }

func (s *server) getPerson(ctx context.Context, in *personRefInput) (*personOutput, error) {
	p, err := s.person(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	s.flagsNow(p)
	return &personOutput{Body: *p}, nil
}
