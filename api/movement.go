package api

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

// seatRef is a place on a manifest as the API takes it: the person by reference.
type seatRef struct {
	Person  string `json:"person" required:"true" doc:"The person (id or registration number)"`
	Vehicle string `json:"vehicle" required:"true" doc:"The vehicle's id on this movement"`
}

// manifest resolves the persons of a manifest found at loc.
func (s *server) manifest(ctx context.Context, loc string, seats []seatRef) ([]custody.Seat, error) {
	out := make([]custody.Seat, len(seats))
	for i, st := range seats {
		p, err := s.personAt(ctx, fmt.Sprintf("%s[%d].person", loc, i), st.Person)
		if err != nil {
			return nil, err
		}
		out[i] = custody.Seat{Person: p, Vehicle: st.Vehicle}
	}
	return out, nil
}

type planMovementInput struct {
	Body struct {
		Meta
		Movement struct {
			ID               uuid.UUID         `json:"id,omitzero" doc:"Absent: assigned"`
			Transfer         uuid.UUID         `json:"transfer" required:"true"`
			Escort           string            `json:"escort" required:"true" doc:"The escort party (id or code)"`
			Mode             custody.Mode      `json:"mode" required:"true" doc:"convoy or flight"`
			Vehicles         []custody.Vehicle `json:"vehicles" required:"true"`
			PlannedDeparture time.Time         `json:"planned_departure" required:"true"`
			Conditions       string            `json:"conditions,omitempty" doc:"Food, water, medical care, ventilation and light"`
			Manifest         []seatRef         `json:"manifest" required:"true"`
		} `json:"movement" required:"true"`
		Overrides []custody.ManifestOverride `json:"overrides,omitempty" doc:"Accept the breaches of a rule (separation, capacity) for a reason; they stay visible on the movement"`
	}
}

type movementOutput struct {
	ETag string `header:"ETag" doc:"The movement's version: send it as If-Match with PUT …/manifest"`
	Body custody.MovementState
}

// movementWritten is a movement after a write, with the write's receipt.
type movementWritten struct {
	ETag string `header:"ETag" doc:"The movement's version after the write"`
	Body struct {
		custody.MovementState
		Receipt Receipt `json:"receipt"`
	}
}

// onPlan locates refusals of a movement plan: breaches are the manifest's.
var onPlan = where{"": "body", "manifest": "body.movement.manifest"}

func (s *server) planMovement(ctx context.Context, in *planMovementInput) (*movementWritten, error) {
	b := in.Body.Movement
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	mv := custody.Movement{ID: newID(b.ID), Transfer: b.Transfer, Mode: b.Mode, Vehicles: b.Vehicles,
		PlannedDeparture: b.PlannedDeparture, Conditions: b.Conditions}
	if mv.Escort, err = s.partyRef(ctx, "body.movement.escort", b.Escort); err != nil {
		return nil, err
	}
	if mv.Manifest, err = s.manifest(ctx, "body.movement.manifest", b.Manifest); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, custody.PlanMovement{Meta: m, Movement: mv, Overrides: in.Body.Overrides}, onPlan)
	if err != nil {
		return nil, err
	}
	return s.renderMovement(ctx, "body.movement.id", created(r, mv.ID), r)
}

type listMovementsInput struct {
	Status   string `query:"status" enum:"planned,departed,arrived,reconciled,cancelled" doc:"Only movements with this status"`
	Transfer string `query:"transfer" doc:"Only the movements of this transfer (id)"`
	ListQuery
}

type movementsOutput struct {
	Body struct {
		Movements []custody.MovementState `json:"movements" doc:"By id"`
		Paging
	}
}

func (s *server) listMovements(ctx context.Context, in *listMovementsInput) (*movementsOutput, error) {
	transfer, err := optionalID("query.transfer", "transfer", in.Transfer)
	if err != nil {
		return nil, err
	}
	ids, err := in.uuids("movement")
	if err != nil {
		return nil, err
	}
	ms, err := readDocs(ctx, s, custody.MovementDoc, func(m *custody.MovementState) bool {
		return (in.Status == "" || m.Status == custody.MovementStatus(in.Status)) && (transfer == uuid.Nil || m.Transfer == transfer) &&
			(ids == nil || ids[m.ID])
	})
	if err != nil {
		return nil, err
	}
	v := s.viewer(ctx)
	if ms, err = filter(ctx, v, ms, func(m *custody.MovementState) (access.Concerns, error) { return v.movementConcerns(ctx, m) }); err != nil {
		return nil, err
	}
	out := &movementsOutput{}
	if out.Body.Movements, out.Body.Next, err = pageByID(ms, func(m *custody.MovementState) uuid.UUID { return m.ID }, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *server) getMovement(ctx context.Context, in *idInput) (*movementOutput, error) {
	id, err := parseID("path.id", "movement", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := readDoc[custody.MovementState](ctx, s, custody.MovementDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &movementOutput{ETag: etagOf(m), Body: *m}, nil
}

// onMovement locates refusals of a command about the movement in the path.
var onMovement = where{"": "body", "movement": "path.id"}

type movementAction[B any] struct {
	ID   string `path:"id" doc:"The movement's id"`
	Body B
}

type manifestBody struct {
	Meta
	Manifest  []seatRef                  `json:"manifest" required:"true"`
	Overrides []custody.ManifestOverride `json:"overrides,omitempty" doc:"Accept the breaches of a rule for a reason"`
}

// manifestInput is a manifest's replacement, conditional on the movement's
// version when If-Match is given.
type manifestInput struct {
	ID      string `path:"id" doc:"The movement's id"`
	IfMatch string `header:"If-Match" doc:"The ETag of the movement as last read (GET /api/v1/movements/{id}): the manifest is replaced only if the movement is still that version, else 412. Optional; * matches any version" example:"\"9f86d081884c7d659a2feaa0c55ad015\""`
	Body    manifestBody
}

func (s *server) setManifest(ctx context.Context, in *manifestInput) (*movementWritten, error) {
	id, err := parseID("path.id", "movement", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	seats, err := s.manifest(ctx, "body.manifest", in.Body.Manifest)
	if err != nil {
		return nil, err
	}
	// The version is checked in the ledger's decision, so that two writers
	// holding one ETag cannot both replace the manifest.
	r, err := s.submit(ctx, custody.SetManifest{Meta: m, Movement: id, Manifest: seats, Overrides: in.Body.Overrides, IfMatch: in.IfMatch},
		where{"": "body", "movement": "path.id", "if_match": "header.If-Match"})
	if err != nil {
		return nil, err
	}
	return s.renderMovement(ctx, "path.id", id, r)
}

// renderMovement renders a movement after a write, with the write's receipt.
func (s *server) renderMovement(ctx context.Context, loc string, id uuid.UUID, r *receiptOutput) (*movementWritten, error) {
	ms, err := readDoc[custody.MovementState](ctx, s, custody.MovementDoc, loc, id)
	if err != nil {
		return nil, err
	}
	out := &movementWritten{}
	out.Body.MovementState, out.Body.Receipt, out.ETag = *ms, r.Body, etagOf(ms)
	return out, nil
}

func (s *server) cancelMovement(ctx context.Context, in *movementAction[cancellationBody]) (*receiptOutput, error) {
	id, err := parseID("path.id", "movement", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.CancelMovement{Meta: m, Movement: id, Reason: in.Body.Reason}, onMovement)
}
