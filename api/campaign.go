package api

import (
	"context"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

type createCampaignInput struct {
	Body struct {
		Meta
		Campaign struct {
			ID         uuid.UUID `json:"id,omitzero" doc:"Absent: assigned"`
			Name       string    `json:"name" required:"true" doc:"Like \"north-east Syria to Iraq\""`
			Target     int       `json:"target" required:"true" doc:"How many persons the campaign means to move"`
			Receiving  string    `json:"receiving" required:"true" doc:"The party the campaign moves persons to (id or code)"`
			Priorities []string  `json:"priorities,omitempty" doc:"Priority groups, first first"`
		} `json:"campaign" required:"true"`
	}
}

type campaignOutput struct{ Body custody.CampaignView }

type campaignCreated struct {
	Body struct {
		custody.CampaignView
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) createCampaign(ctx context.Context, in *createCampaignInput) (*campaignCreated, error) {
	b := in.Body.Campaign
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	recv, err := s.partyRef(ctx, "body.campaign.receiving", b.Receiving)
	if err != nil {
		return nil, err
	}
	cp := custody.Campaign{ID: newID(b.ID), Name: b.Name, Target: b.Target, Receiving: recv, Priorities: b.Priorities}
	r, err := s.submit(ctx, custody.CreateCampaign{Meta: m, Campaign: cp}, inBody)
	if err != nil {
		return nil, err
	}
	v, err := readDoc[custody.CampaignView](ctx, s, custody.CampaignDoc, "body.campaign.id", created(r, cp.ID))
	if err != nil {
		return nil, err
	}
	out := &campaignCreated{}
	out.Body.CampaignView, out.Body.Receipt = *v, r.Body
	return out, nil
}

type campaignsOutput struct {
	Body struct {
		Campaigns []custody.CampaignView `json:"campaigns" doc:"By id"`
		Paging
	}
}

func (s *server) listCampaigns(ctx context.Context, in *ListQuery) (*campaignsOutput, error) {
	ids, err := in.uuids("campaign")
	if err != nil {
		return nil, err
	}
	cs, err := readDocs(ctx, s, custody.CampaignDoc, func(c *custody.CampaignView) bool { return ids == nil || ids[c.ID] })
	if err != nil {
		return nil, err
	}
	out := &campaignsOutput{}
	if out.Body.Campaigns, out.Body.Next, err = pageByID(cs, func(c *custody.CampaignView) uuid.UUID { return c.ID }, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *server) getCampaign(ctx context.Context, in *idInput) (*campaignOutput, error) {
	id, err := parseID("path.id", "campaign", in.ID)
	if err != nil {
		return nil, err
	}
	v, err := readDoc[custody.CampaignView](ctx, s, custody.CampaignDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &campaignOutput{Body: *v}, nil
}
