package api

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// A monitor's mandate — every person, or those at a list of facilities and the
// transfers and movements to and from them — is set in the ledger, where every
// party can see what each monitor was allowed and since when.

type setMandateInput struct {
	ID   string `path:"id" doc:"The monitor party (id or code)"`
	Body struct {
		Stamp
		All        bool     `json:"all,omitempty" doc:"The mandate covers every person"`
		Facilities []string `json:"facilities,omitempty" doc:"Or the facilities it covers (ids or codes)"`
	}
}

func (s *server) setMandate(ctx context.Context, in *setMandateInput) (*receiptOutput, error) {
	party, err := s.partyRef(ctx, "path.id", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, Meta{OccurredAt: in.Body.OccurredAt})
	if err != nil {
		return nil, err
	}
	cmd := custody.SetMandate{Meta: m, Party: party, All: in.Body.All}
	for i, ref := range in.Body.Facilities {
		f, err := s.facilityRef(ctx, fmt.Sprintf("body.facilities[%d]", i), ref)
		if err != nil {
			return nil, err
		}
		if f == uuid.Nil {
			return nil, invalid(fmt.Sprintf("body.facilities[%d]", i), "is empty")
		}
		cmd.Facilities = append(cmd.Facilities, f)
	}
	return s.submit(ctx, cmd, where{"": "body", "party": "path.id"})
}
