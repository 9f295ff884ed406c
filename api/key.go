package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// opsRoutes registers the routes of transfers and what they need: officer keys,
// campaigns, transfers, movements, handovers, incidents, alerts and notifications.
func (s *server) opsRoutes(api huma.API, v1 string) {
	route(api, s, http.MethodPost, v1+"/keys", "register-key", "Register an officer's Ed25519 public key to a party", s.registerKey)
	route(api, s, http.MethodGet, v1+"/keys", "list-keys", "List officer keys", s.listKeys)
	route(api, s, http.MethodGet, v1+"/keys/{id}", "get-key", "Get an officer key", s.getKey)
	route(api, s, http.MethodPost, v1+"/keys/{id}/revocations", "revoke-key", "Revoke an officer key", s.revokeKey)

	route(api, s, http.MethodPost, v1+"/campaigns", "create-campaign", "Create a campaign of transfers", s.createCampaign)
	route(api, s, http.MethodGet, v1+"/campaigns", "list-campaigns", "List campaigns with their progress", s.listCampaigns)
	route(api, s, http.MethodGet, v1+"/campaigns/{id}", "get-campaign", "Get a campaign with its progress", s.getCampaign)

	route(api, s, http.MethodPost, v1+"/transfers", "propose-transfer", "Propose a transfer of persons to another party", s.proposeTransfer)
	route(api, s, http.MethodGet, v1+"/transfers", "list-transfers", "List transfers", s.listTransfers)
	route(api, s, http.MethodGet, v1+"/transfers/{id}", "get-transfer", "Get a transfer with each person's safeguards", s.getTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/safeguards", "record-safeguard", "Record one safeguard for persons on a transfer", s.recordSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/overrides", "override-safeguard", "Let one person depart without a safeguard, for a reason", s.overrideSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/approvals", "approve-transfer", "One side's approval of a transfer", s.approveTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/cancellations", "cancel-transfer", "Cancel a transfer before anyone departs", s.cancelTransfer)

	route(api, s, http.MethodPost, v1+"/movements", "plan-movement", "Plan a movement with its vehicles and manifest", s.planMovement)
	route(api, s, http.MethodGet, v1+"/movements", "list-movements", "List movements", s.listMovements)
	route(api, s, http.MethodGet, v1+"/movements/{id}", "get-movement", "Get a movement", s.getMovement)
	route(api, s, http.MethodPut, v1+"/movements/{id}/manifest", "set-manifest", "Replace a planned movement's manifest", s.setManifest)
	route(api, s, http.MethodPost, v1+"/movements/{id}/cancellations", "cancel-movement", "Cancel a planned movement", s.cancelMovement)

	route(api, s, http.MethodPost, v1+"/handovers", "submit-handover", "Record a handover signed by both officers", s.submitHandover,
		func(op *huma.Operation) { op.MaxBodyBytes = MaxHandoverBodyBytes })

	route(api, s, http.MethodPost, v1+"/incidents", "open-incident", "Report an incident", s.openIncident)
	route(api, s, http.MethodGet, v1+"/incidents", "list-incidents", "List incidents", s.listIncidents)
	route(api, s, http.MethodGet, v1+"/incidents/{id}", "get-incident", "Get an incident", s.getIncident)
	route(api, s, http.MethodPost, v1+"/incidents/{id}/resolutions", "resolve-incident", "Account for a person of an incident, or close it", s.resolveIncident)
	route(api, s, http.MethodGet, v1+"/alerts", "list-alerts", "Open disappearance alerts: persons unaccounted for", s.listAlerts)

	route(api, s, http.MethodGet, v1+"/notifications", "list-notifications", "List duties to inform", s.listNotifications)
	route(api, s, http.MethodGet, v1+"/notifications/{id}", "get-notification", "Get a duty to inform", s.getNotification)
	route(api, s, http.MethodPost, v1+"/notifications/{id}/completions", "complete-notification", "Record that a duty to inform was carried out", s.completeNotification)
}

type registerKeyInput struct {
	Body struct {
		Stamp
		Party     string `json:"party" required:"true" doc:"The party the officer serves (id or code)"`
		Officer   string `json:"officer" required:"true" doc:"The officer's name and rank, as they sign"`
		PublicKey []byte `json:"public_key" required:"true" doc:"The Ed25519 public key, 32 bytes, base64"`
	}
}

// Stamp is Meta without the acting party, for writes whose party is a field of
// their own.
type Stamp struct {
	OccurredAt time.Time `json:"occurred_at" required:"true" doc:"When the fact happened in the field (RFC 3339)"`
	Actor      string    `json:"actor,omitempty" doc:"Who records it; default \"api\""`
}

type keyOutput struct{ Body custody.OfficerKey }

type keyCreated struct {
	Body struct {
		custody.OfficerKey
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) registerKey(ctx context.Context, in *registerKeyInput) (*keyCreated, error) {
	b := in.Body
	party, err := s.partyRef(ctx, "body.party", b.Party)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, Meta{OccurredAt: b.OccurredAt, Actor: b.Actor})
	if err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, custody.RegisterKey{Meta: m, Party: party, Officer: b.Officer, PublicKey: b.PublicKey}, inBody)
	if err != nil {
		return nil, err
	}
	k, err := readDoc[custody.OfficerKey](ctx, s, custody.KeyDoc, "body.public_key", custody.KeyID(b.PublicKey))
	if err != nil {
		return nil, err
	}
	out := &keyCreated{}
	out.Body.OfficerKey, out.Body.Receipt = *k, r.Body
	return out, nil
}

type listKeysInput struct {
	Party string `query:"party" doc:"Only the keys of this party (id or code)"`
}

type keysOutput struct {
	Body struct {
		Keys []custody.OfficerKey `json:"keys"`
	}
}

func (s *server) listKeys(ctx context.Context, in *listKeysInput) (*keysOutput, error) {
	var party uuid.UUID
	if in.Party != "" {
		var err error
		if party, err = s.partyRef(ctx, "query.party", in.Party); err != nil {
			return nil, err
		}
	}
	ks, err := readDocs(ctx, s, custody.KeyDoc, func(k *custody.OfficerKey) bool { return party == uuid.Nil || k.Party == party })
	if err != nil {
		return nil, err
	}
	out := &keysOutput{}
	out.Body.Keys = ks
	return out, nil
}

type idInput struct {
	ID string `path:"id" doc:"The record's id (a UUID)"`
}

func (s *server) getKey(ctx context.Context, in *idInput) (*keyOutput, error) {
	id, err := parseID("path.id", "key", in.ID)
	if err != nil {
		return nil, err
	}
	k, err := readDoc[custody.OfficerKey](ctx, s, custody.KeyDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &keyOutput{Body: *k}, nil
}

type revokeKeyInput struct {
	ID   string `path:"id" doc:"The key's id"`
	Body struct {
		Meta
		Reason string `json:"reason" required:"true" doc:"Why the key may sign no more (lost, compromised, officer left)"`
	}
}

func (s *server) revokeKey(ctx context.Context, in *revokeKeyInput) (*receiptOutput, error) {
	id, err := parseID("path.id", "key", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.RevokeKey{Meta: m, Key: id, Reason: in.Body.Reason}, where{"": "body", "key": "path.id"})
}
