package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// names resolves the ids pages show into what people read: party codes and
// names, facility names. It reads each list once per request.
type names struct {
	rq         *req
	parties    map[uuid.UUID]custody.Party
	facilities map[uuid.UUID]api.FacilityView
	facList    []api.FacilityView
}

func (rq *req) names() (*names, error) {
	n := &names{rq: rq, parties: map[uuid.UUID]custody.Party{}, facilities: map[uuid.UUID]api.FacilityView{}}
	var ps struct {
		Parties []custody.Party `json:"parties"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/parties", nil, "parties", &ps); err != nil {
		return nil, err
	}
	for _, p := range ps.Parties {
		n.parties[p.ID] = p
	}
	var fs struct {
		Facilities []api.FacilityView `json:"facilities"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/facilities", nil, "facilities", &fs); err != nil {
		return nil, err
	}
	n.facList = fs.Facilities
	for _, f := range fs.Facilities {
		n.facilities[f.ID] = f
	}
	return n, nil
}

// Party is a party's code, or "—" for none.
func (n *names) Party(id uuid.UUID) string {
	if p, ok := n.parties[id]; ok {
		return p.Code
	}
	if id == uuid.Nil {
		return "—"
	}
	return id.String()[:8]
}

// PartyName is a party's full name.
func (n *names) PartyName(id uuid.UUID) string {
	if p, ok := n.parties[id]; ok {
		return p.Name
	}
	return n.Party(id)
}

// Facility is a facility's name.
func (n *names) Facility(id uuid.UUID) string {
	if f, ok := n.facilities[id]; ok {
		return f.Name
	}
	if id == uuid.Nil {
		return "—"
	}
	return id.String()[:8]
}

// FacilityCode is a facility's code.
func (n *names) FacilityCode(id uuid.UUID) string {
	if f, ok := n.facilities[id]; ok {
		return f.Code
	}
	return ""
}

// Facilities lists the facilities by name.
func (n *names) Facilities() []api.FacilityView {
	out := slices.Clone(n.facList)
	slices.SortFunc(out, func(a, b api.FacilityView) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// personName is how a person is shown: the primary Arabic-script and Latin names.
type personName struct {
	Arabic, Latin string
}

func nameOf(p *custody.Person) personName {
	return personName{Arabic: p.PrimaryName(custody.Arabic), Latin: p.PrimaryName(custody.Latin)}
}

// persons reads the records of ids the user may see, in one API call per 500:
// the pages that list a transfer's or a movement's persons read them so. A
// person the user may not see is absent from the map.
func (rq *req) persons(ids []uuid.UUID) (map[uuid.UUID]custody.PersonState, error) {
	out := make(map[uuid.UUID]custody.PersonState, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), custody.MaxPageSize)]
		ids = ids[len(chunk):]
		list := make([]string, len(chunk))
		for i, id := range chunk {
			list[i] = id.String()
		}
		q := url.Values{"limit": {strconv.Itoa(len(chunk))}, "id": {strings.Join(list, ",")}}
		var page custody.PersonPage
		if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/persons", q, nil, &page, ""); err != nil {
			return nil, err
		}
		for _, p := range page.Persons {
			out[p.Record.ID] = p
		}
	}
	return out, nil
}

// person is one of the records persons read, or a record holding only the id
// when the user may not see it.
func person(ps map[uuid.UUID]custody.PersonState, id uuid.UUID) custody.PersonState {
	if p, ok := ps[id]; ok {
		return p
	}
	return custody.PersonState{Record: custody.Person{ID: id, RegNo: "—"}}
}
