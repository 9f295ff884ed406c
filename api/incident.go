package api

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

type openIncidentInput struct {
	Body struct {
		Meta
		Incident struct {
			ID          uuid.UUID            `json:"id,omitzero" doc:"Absent: assigned"`
			Type        custody.IncidentType `json:"type" required:"true"`
			Movement    string               `json:"movement,omitempty" doc:"The movement it happened on (id)"`
			Facility    string               `json:"facility,omitempty" doc:"The facility it happened at (id or code)"`
			Persons     []string             `json:"persons,omitempty" doc:"The persons it concerns (ids or registration numbers)"`
			Description string               `json:"description" required:"true"`
		} `json:"incident" required:"true"`
	}
}

type incidentOutput struct{ Body custody.IncidentState }

type incidentCreated struct {
	Body struct {
		custody.IncidentState
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) openIncident(ctx context.Context, in *openIncidentInput) (*incidentCreated, error) {
	b := in.Body.Incident
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	inc := custody.Incident{ID: newID(b.ID), Type: b.Type, Description: b.Description}
	if inc.Movement, err = optionalID("body.incident.movement", "movement", b.Movement); err != nil {
		return nil, err
	}
	if inc.Facility, err = s.facilityRef(ctx, "body.incident.facility", b.Facility); err != nil {
		return nil, err
	}
	if inc.Persons, err = s.personsAt(ctx, "body.incident.persons", b.Persons); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, custody.OpenIncident{Meta: m, Incident: inc}, inBody)
	if err != nil {
		return nil, err
	}
	st, err := readDoc[custody.IncidentState](ctx, s, custody.IncidentDoc, "body.incident.id", created(r, inc.ID))
	if err != nil {
		return nil, err
	}
	out := &incidentCreated{}
	out.Body.IncidentState, out.Body.Receipt = *st, r.Body
	return out, nil
}

type listIncidentsInput struct {
	Open     string `query:"open" enum:"true,false" doc:"Only open (true) or resolved (false) incidents"`
	Type     string `query:"type" enum:"discrepancy,escape,death,serious_injury,medical_emergency,use_of_force,breakout_attempt,vehicle_failure" doc:"Only incidents of this type"`
	Movement string `query:"movement" doc:"Only the incidents of this movement (id)"`
	ListQuery
}

type incidentsOutput struct {
	Body struct {
		Incidents []custody.IncidentState `json:"incidents" doc:"By id"`
		Paging
	}
}

func (s *server) listIncidents(ctx context.Context, in *listIncidentsInput) (*incidentsOutput, error) {
	movement, err := optionalID("query.movement", "movement", in.Movement)
	if err != nil {
		return nil, err
	}
	ids, err := in.uuids("incident")
	if err != nil {
		return nil, err
	}
	is, err := readDocs(ctx, s, custody.IncidentDoc, func(i *custody.IncidentState) bool {
		return (in.Open == "" || (in.Open == "true") == i.Open) && (in.Type == "" || i.Type == custody.IncidentType(in.Type)) &&
			(movement == uuid.Nil || i.Movement == movement) && (ids == nil || ids[i.ID])
	})
	if err != nil {
		return nil, err
	}
	v := s.viewer(ctx)
	if is, err = filter(ctx, v, is, func(i *custody.IncidentState) (access.Concerns, error) { return v.incidentConcerns(ctx, i) }); err != nil {
		return nil, err
	}
	out := &incidentsOutput{}
	if out.Body.Incidents, out.Body.Next, err = pageByID(is, incidentID, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
}

func incidentID(i *custody.IncidentState) uuid.UUID {
	return i.ID
}

func (s *server) getIncident(ctx context.Context, in *idInput) (*incidentOutput, error) {
	id, err := parseID("path.id", "incident", in.ID)
	if err != nil {
		return nil, err
	}
	st, err := readDoc[custody.IncidentState](ctx, s, custody.IncidentDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &incidentOutput{Body: *st}, nil
}

type resolveIncidentInput struct {
	ID   string `path:"id" doc:"The incident's id"`
	Body struct {
		Meta
		Person     string             `json:"person,omitempty" doc:"The person accounted for (id or registration number); absent to close an incident that is not a discrepancy"`
		Resolution custody.Resolution `json:"resolution" required:"true" doc:"found, escaped, died, or closed (never for a discrepancy)"`
		Facility   string             `json:"facility,omitempty" doc:"Where the person was found (id or code)"`
		Cause      string             `json:"cause,omitempty" doc:"Of a death"`
		Note       string             `json:"note,omitempty" doc:"Circumstances"`
	}
}

func (s *server) resolveIncident(ctx context.Context, in *resolveIncidentInput) (*receiptOutput, error) {
	id, err := parseID("path.id", "incident", in.ID)
	if err != nil {
		return nil, err
	}
	b := in.Body
	m, err := s.meta(ctx, b.Meta)
	if err != nil {
		return nil, err
	}
	cmd := custody.ResolveIncident{Meta: m, Incident: id, Resolution: b.Resolution, Cause: b.Cause, Note: b.Note}
	if cmd.Person, err = s.optionalPersonAt(ctx, "body.person", b.Person); err != nil {
		return nil, err
	}
	if cmd.Facility, err = s.facilityRef(ctx, "body.facility", b.Facility); err != nil {
		return nil, err
	}
	return s.submit(ctx, cmd, where{"": "body", "incident": "path.id"})
}

// Alert is an open disappearance alert: a discrepancy incident with persons still
// unaccounted for.
type Alert struct {
	Incident    uuid.UUID     `json:"incident"`
	Movement    uuid.UUID     `json:"movement,omitzero"`
	Facility    uuid.UUID     `json:"facility,omitzero"`
	Opened      uint64        `json:"opened" doc:"Ledger index of the incident's opening"`
	Description string        `json:"description"`
	Persons     []AlertPerson `json:"persons" doc:"The persons unaccounted for"`
	Missing     int           `json:"missing" doc:"How many of persons are missing: those not accounted for by a linked record at a facility"`
}

// AlertPerson is one person unaccounted for, and where the record last had them.
type AlertPerson struct {
	Person uuid.UUID      `json:"person"`
	RegNo  string         `json:"reg_no"`
	Status custody.Status `json:"status"`
	Since  time.Time      `json:"since"`
	// Linked are the other records of the same person the caller may see, and
	// where each stands: the person may be found under one of them.
	Linked []AlertPerson `json:"linked,omitempty"`
	// Accounted is set when a linked record is at a facility (held or in
	// hospital): the person is likely there under that record, a duplicate
	// registration rather than a disappearance, and is not counted missing. The
	// incident is still open until someone resolves it.
	Accounted bool `json:"accounted,omitempty" doc:"A linked record of the person is at a facility: likely there under that record; not counted missing"`
}

type alertsOutput struct {
	Body struct {
		Alerts []Alert `json:"alerts" doc:"By incident id"`
		Paging
	}
}

// listAlertsInput: alerts are named, and paged, by their incident's id.
type listAlertsInput struct {
	ID []string `query:"id,explode" doc:"Only the alerts of these incidents: repeat the parameter (id=A&id=B) or separate them with commas (id=A,B); at most 500" example:"0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60"`
	PageQuery
}

func (s *server) listAlerts(ctx context.Context, in *listAlertsInput) (*alertsOutput, error) {
	ids, err := IDsQuery{ID: in.ID}.uuids("incident")
	if err != nil {
		return nil, err
	}
	is, err := readDocs(ctx, s, custody.IncidentDoc, func(i *custody.IncidentState) bool { return i.Alert() && (ids == nil || ids[i.ID]) })
	if err != nil {
		return nil, err
	}
	v := s.viewer(ctx)
	if is, err = filter(ctx, v, is, func(i *custody.IncidentState) (access.Concerns, error) { return v.incidentConcerns(ctx, i) }); err != nil {
		return nil, err
	}
	out := &alertsOutput{}
	if is, out.Body.Next, err = pageByID(is, incidentID, in.PageQuery); err != nil {
		return nil, err
	}
	out.Body.Alerts = make([]Alert, 0, len(is))
	for _, i := range is {
		a := Alert{Incident: i.ID, Movement: i.Movement, Facility: i.Facility, Opened: i.Opened, Description: i.Description}
		for _, id := range i.Unresolved() {
			p, err := s.store.Person(ctx, id)
			if err != nil { // not the client's fault: the incident names a person the store lacks
				return nil, fmt.Errorf("api: alert %s, person %s: %v", i.ID, id, err)
			}
			ap := AlertPerson{Person: id, RegNo: p.Record.RegNo, Status: p.Custody.Status, Since: p.Custody.Since}
			if len(p.Custody.Linked) > 0 {
				seen, err := s.visibleByID(ctx, p.Custody.Linked)
				if err != nil {
					return nil, err
				}
				for _, l := range p.Custody.Linked {
					if q, ok := seen[l]; ok {
						ap.Linked = append(ap.Linked, AlertPerson{Person: l, RegNo: q.Record.RegNo, Status: q.Custody.Status, Since: q.Custody.Since})
						ap.Accounted = ap.Accounted || q.Custody.Status.AtFacility()
					}
				}
			}
			if !ap.Accounted {
				a.Missing++
			}
			a.Persons = append(a.Persons, ap)
		}
		out.Body.Alerts = append(out.Body.Alerts, a)
	}
	return out, nil
}
