package api

import (
	"context"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// action is the input of a custody action on a person: the person in the path, the
// fields B (which embed Meta) in the body.
type action[B interface{ meta() Meta }] struct {
	ID   string `path:"id" doc:"The person's id or registration number (like HSK-000150)"`
	Body B
}

// onPerson locates refusals of a command about the person in the path.
var onPerson = where{"": "body", "person": "path.id"}

// act resolves the person and the metadata, builds the command and submits it.
func act[B interface{ meta() Meta }](s *server, ctx context.Context, in *action[B], build func(custody.Meta, uuid.UUID) (custody.Command, error)) (*receiptOutput, error) {
	id, err := s.personID(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.meta())
	if err != nil {
		return nil, err
	}
	cmd, err := build(m, id)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, cmd, onPerson)
}

type admission struct {
	Meta
	Facility string `json:"facility" required:"true" doc:"Facility id or code"`
	Note     string `json:"note,omitempty"`
}

func (s *server) admit(ctx context.Context, in *action[admission]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		f, err := s.facilityRef(ctx, "body.facility", in.Body.Facility)
		return custody.AdmitPerson{Meta: m, Person: p, Facility: f, Note: in.Body.Note}, err
	})
}

type release struct {
	Meta
	Reason    string `json:"reason" required:"true"`
	Authority string `json:"authority" required:"true" doc:"Who ordered the release"`
}

func (s *server) release(ctx context.Context, in *action[release]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		return custody.ReleasePerson{Meta: m, Person: p, Reason: in.Body.Reason, Authority: in.Body.Authority}, nil
	})
}

type repatriation struct {
	Meta
	Country   string `json:"country" required:"true" doc:"ISO 3166-1 alpha-3"`
	Authority string `json:"authority" required:"true"`
}

func (s *server) repatriate(ctx context.Context, in *action[repatriation]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		return custody.RepatriatePerson{Meta: m, Person: p, Country: in.Body.Country, Authority: in.Body.Authority}, nil
	})
}

type death struct {
	Meta
	Cause         string `json:"cause" required:"true"`
	Circumstances string `json:"circumstances" required:"true"`
	Remains       string `json:"remains,omitempty" doc:"What became of the remains"`
}

func (s *server) death(ctx context.Context, in *action[death]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		return custody.RecordDeath{Meta: m, Person: p, Cause: in.Body.Cause, Circumstances: in.Body.Circumstances, Remains: in.Body.Remains}, nil
	})
}

type escape struct {
	Meta
	Circumstances string `json:"circumstances" required:"true"`
}

func (s *server) escape(ctx context.Context, in *action[escape]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		return custody.RecordEscape{Meta: m, Person: p, Circumstances: in.Body.Circumstances}, nil
	})
}

type recapture struct {
	Meta
	Facility      string `json:"facility" required:"true" doc:"Facility id or code"`
	Circumstances string `json:"circumstances,omitempty"`
}

func (s *server) recapture(ctx context.Context, in *action[recapture]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		f, err := s.facilityRef(ctx, "body.facility", in.Body.Facility)
		return custody.RecordRecapture{Meta: m, Person: p, Facility: f, Circumstances: in.Body.Circumstances}, err
	})
}

type hospitalAdmission struct {
	Meta
	Hospital string `json:"hospital" required:"true" doc:"Hospital facility id or code"`
	Reason   string `json:"reason" required:"true"`
}

func (s *server) hospitalAdmit(ctx context.Context, in *action[hospitalAdmission]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		h, err := s.facilityRef(ctx, "body.hospital", in.Body.Hospital)
		return custody.AdmitToHospital{Meta: m, Person: p, Hospital: h, Reason: in.Body.Reason}, err
	})
}

type hospitalReturn struct {
	Meta
	Facility string `json:"facility,omitempty" doc:"Facility id or code; default the one the person came from"`
}

func (s *server) hospitalReturn(ctx context.Context, in *action[hospitalReturn]) (*receiptOutput, error) {
	return act(s, ctx, in, func(m custody.Meta, p uuid.UUID) (custody.Command, error) {
		f, err := s.facilityRef(ctx, "body.facility", in.Body.Facility)
		return custody.ReturnFromHospital{Meta: m, Person: p, Facility: f}, err
	})
}
