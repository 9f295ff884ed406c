package api

import (
	"context"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

type proposeTransferInput struct {
	Body struct {
		Meta
		Transfer struct {
			ID         uuid.UUID `json:"id,omitzero" doc:"Absent: assigned"`
			Campaign   string    `json:"campaign,omitempty" doc:"The campaign it belongs to (id)"`
			From       string    `json:"from" required:"true" doc:"The sending facility (id or code)"`
			To         string    `json:"to" required:"true" doc:"The receiving facility (id or code)"`
			LegalBasis string    `json:"legal_basis" required:"true"`
			OrderedBy  string    `json:"ordered_by" required:"true" doc:"The authority that ordered the transfer"`
			Priority   string    `json:"priority,omitempty" doc:"The campaign's priority group it serves"`
			Persons    []string  `json:"persons" required:"true" doc:"The persons (ids or registration numbers)"`
		} `json:"transfer" required:"true"`
	}
}

type transferOutput struct{ Body custody.TransferState }

type transferCreated struct {
	Body struct {
		custody.TransferState
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) proposeTransfer(ctx context.Context, in *proposeTransferInput) (*transferCreated, error) {
	b := in.Body.Transfer
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	t := custody.Transfer{ID: newID(b.ID), LegalBasis: b.LegalBasis, OrderedBy: b.OrderedBy, Priority: b.Priority}
	if t.Campaign, err = optionalID("body.transfer.campaign", "campaign", b.Campaign); err != nil {
		return nil, err
	}
	if t.From, err = s.facilityRef(ctx, "body.transfer.from", b.From); err != nil {
		return nil, err
	}
	if t.To, err = s.facilityRef(ctx, "body.transfer.to", b.To); err != nil {
		return nil, err
	}
	if t.Persons, err = s.personsAt(ctx, "body.transfer.persons", b.Persons); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, custody.ProposeTransfer{Meta: m, Transfer: t}, inBody)
	if err != nil {
		return nil, err
	}
	ts, err := readDoc[custody.TransferState](ctx, s, custody.TransferDoc, "body.transfer.id", created(r, t.ID))
	if err != nil {
		return nil, err
	}
	out := &transferCreated{}
	out.Body.TransferState, out.Body.Receipt = *ts, r.Body
	return out, nil
}

type listTransfersInput struct {
	Status   string `query:"status" enum:"proposed,approved,in_progress,completed,cancelled" doc:"Only transfers with this status"`
	Campaign string `query:"campaign" doc:"Only the transfers of this campaign (id)"`
	ListQuery
}

type transfersOutput struct {
	Body struct {
		Transfers []custody.TransferState `json:"transfers" doc:"By id"`
		Paging
	}
}

func (s *server) listTransfers(ctx context.Context, in *listTransfersInput) (*transfersOutput, error) {
	campaign, err := optionalID("query.campaign", "campaign", in.Campaign)
	if err != nil {
		return nil, err
	}
	ids, err := in.uuids("transfer")
	if err != nil {
		return nil, err
	}
	ts, err := readDocs(ctx, s, custody.TransferDoc, func(t *custody.TransferState) bool {
		return (in.Status == "" || t.Status == custody.TransferStatus(in.Status)) && (campaign == uuid.Nil || t.Campaign == campaign) &&
			(ids == nil || ids[t.ID])
	})
	if err != nil {
		return nil, err
	}
	v := s.viewer(ctx)
	if ts, err = filter(ctx, v, ts, func(t *custody.TransferState) (access.Concerns, error) { return v.transferConcerns(ctx, t, true) }); err != nil {
		return nil, err
	}
	out := &transfersOutput{}
	if out.Body.Transfers, out.Body.Next, err = pageByID(ts, func(t *custody.TransferState) uuid.UUID { return t.ID }, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *server) getTransfer(ctx context.Context, in *idInput) (*transferOutput, error) {
	id, err := parseID("path.id", "transfer", in.ID)
	if err != nil {
		return nil, err
	}
	t, err := readDoc[custody.TransferState](ctx, s, custody.TransferDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &transferOutput{Body: *t}, nil
}

// onTransfer locates refusals of a command about the transfer in the path.
var onTransfer = where{"": "body", "transfer": "path.id"}

// transferAction is the input of a write about the transfer in the path.
type transferAction[B any] struct {
	ID   string `path:"id" doc:"The transfer's id"`
	Body B
}

type safeguardBody struct {
	Meta
	Persons   []string          `json:"persons" required:"true" doc:"The persons it was recorded for (ids or registration numbers)"`
	Safeguard custody.Safeguard `json:"safeguard" required:"true"`
}

func (s *server) recordSafeguard(ctx context.Context, in *transferAction[safeguardBody]) (*receiptOutput, error) {
	id, err := parseID("path.id", "transfer", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	persons, err := s.personsAt(ctx, "body.persons", in.Body.Persons)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.RecordSafeguard{Meta: m, Transfer: id, Persons: persons, Safeguard: in.Body.Safeguard}, onTransfer)
}

type overrideBody struct {
	Meta
	Person string                `json:"person" required:"true" doc:"The person (id or registration number)"`
	Kind   custody.SafeguardKind `json:"kind" required:"true" doc:"The safeguard the person may depart without"`
	Reason string                `json:"reason" required:"true" doc:"Why; the override stays visible on the person forever"`
}

func (s *server) overrideSafeguard(ctx context.Context, in *transferAction[overrideBody]) (*receiptOutput, error) {
	id, err := parseID("path.id", "transfer", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	p, err := s.personAt(ctx, "body.person", in.Body.Person)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.OverrideSafeguard{Meta: m, Transfer: id, Person: p, Kind: in.Body.Kind, Reason: in.Body.Reason}, onTransfer)
}

type approvalBody struct {
	Stamp
	Party string `json:"party,omitempty" doc:"The approving side is the signed-in user's party, which must send or receive the transfer; if given, it must name that party (id or code)"`
}

func (s *server) approveTransfer(ctx context.Context, in *transferAction[approvalBody]) (*receiptOutput, error) {
	id, err := parseID("path.id", "transfer", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, Meta{OccurredAt: in.Body.OccurredAt, Actor: in.Body.Actor, Party: in.Body.Party})
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.ApproveTransfer{Meta: m, Transfer: id}, onTransfer)
}

type cancellationBody struct {
	Meta
	Reason string `json:"reason" required:"true"`
}

func (s *server) cancelTransfer(ctx context.Context, in *transferAction[cancellationBody]) (*receiptOutput, error) {
	id, err := parseID("path.id", "transfer", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.CancelTransfer{Meta: m, Transfer: id, Reason: in.Body.Reason}, onTransfer)
}
