package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

type partyCtx struct{}

// WithActingParty returns a context whose writes name party (a code or id) as
// their acting party. The acting party is always the signed-in user's: naming
// it only makes the server refuse the write if it is another (a check, say,
// that a token is the one meant). Writes whose party is a field of their own
// (RegisterKey, ApproveTransfer, AcceptPlan) ignore it.
func WithActingParty(ctx context.Context, party string) context.Context {
	return context.WithValue(ctx, partyCtx{}, party)
}

// NewMovement is a movement to plan: a convoy or flight of a transfer (by id),
// escorted by a party (code or id), with its vehicles and manifest. A nil ID is
// assigned by the server.
type NewMovement struct {
	ID               uuid.UUID         `json:"id,omitzero"`
	Transfer         uuid.UUID         `json:"transfer"`
	Escort           string            `json:"escort"`
	Mode             custody.Mode      `json:"mode"`
	Vehicles         []custody.Vehicle `json:"vehicles"`
	PlannedDeparture time.Time         `json:"planned_departure"`
	Conditions       string            `json:"conditions,omitempty"`
	Manifest         []Seat            `json:"manifest"`
}

// PlanMovement plans a movement, accepting the breaches of the rules overrides
// name; at is when it was decided (zero: now). It answers the movement as
// planned (with the breaches accepted) and the receipt.
func (c *Client) PlanMovement(ctx context.Context, m NewMovement, overrides []custody.ManifestOverride, at time.Time) (*custody.MovementState, Receipt, error) {
	body := struct {
		api.Meta
		Movement  NewMovement                `json:"movement"`
		Overrides []custody.ManifestOverride `json:"overrides,omitempty"`
	}{meta(ctx, at), m, overrides}
	return create[custody.MovementState](ctx, c, "/movements", body)
}

// FacilityRisk is what threatens a facility by a date: control expected to
// change by By (custody.ControlChangeExpected), or a breakout from By. Clear
// lifts the facility's risk instead, and takes no Kind or By.
type FacilityRisk struct {
	Kind  custody.RiskKind `json:"kind,omitempty"`
	By    time.Time        `json:"by,omitzero"`
	Note  string           `json:"note,omitempty"`
	Clear bool             `json:"clear,omitempty"`
}

// SetFacilityRisk sets (or, with Clear, lifts) the risk of a facility (code or
// id); at is when it became known (zero: now).
func (c *Client) SetFacilityRisk(ctx context.Context, facility string, risk FacilityRisk, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		FacilityRisk
	}{meta(ctx, at), risk}
	return c.write(ctx, http.MethodPost, "/facilities/"+url.PathEscape(facility)+"/risks", body)
}

// ControlChange passes control of a facility to the party To (code or id).
// Document and Signatures, if given, are a control-change document (its exact
// bytes) and the signatures of an officer of each party over it; without them
// the change is recorded unsigned, or Unilateral when control was taken without
// the outgoing party's agreement.
type ControlChange struct {
	To         string              `json:"to"`
	Reason     string              `json:"reason"`
	Unilateral bool                `json:"unilateral,omitempty"`
	Document   []byte              `json:"document,omitempty"`
	Signatures []custody.Signature `json:"signatures,omitempty"`
}

// ChangeControl records that control of a facility (code or id) passed to
// another party; at is when (zero: now).
func (c *Client) ChangeControl(ctx context.Context, facility string, cc ControlChange, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		ControlChange
	}{meta(ctx, at), cc}
	return c.write(ctx, http.MethodPost, "/facilities/"+url.PathEscape(facility)+"/control-changes", body)
}

// NewKey is an officer's Ed25519 public key to register to a party (code or
// id). User, if set, is the officer's account (login name or id); Replaces, if
// set, the id of the officer's key it rotates out, revoked by the same write.
type NewKey struct {
	Party     string `json:"party"`
	Officer   string `json:"officer"`
	PublicKey []byte `json:"public_key"`
	User      string `json:"user,omitempty"`
	Replaces  string `json:"replaces,omitempty"`
}

// RegisterKey registers an officer's key; at is when (zero: now). It answers
// the key as registered and the receipt.
func (c *Client) RegisterKey(ctx context.Context, k NewKey, at time.Time) (*custody.OfficerKey, Receipt, error) {
	body := struct {
		api.Stamp
		NewKey
	}{api.Stamp{OccurredAt: stamp(at)}, k}
	return create[custody.OfficerKey](ctx, c, "/keys", body)
}

// PlanOptions are the assumptions of a campaign's plan; a zero field takes
// the server's default.
type PlanOptions struct {
	From            string // first day, YYYY-MM-DD; default the day after the ledger's last event
	MovementsPerDay int
	MovementSize    int // most persons a movement carries
	Vehicles        int // of each convoy
	Seats           int // of each vehicle
	Escort          string
	Horizon         int // days planned
	SafeguardDays   int // days the safeguards of persons on no transfer yet are expected to take
}

// Values is the query the plan's routes take.
func (o PlanOptions) Values() url.Values {
	v := values(map[string]string{"from": o.From, "escort": o.Escort})
	for k, n := range map[string]int{"movements_per_day": o.MovementsPerDay, "movement_size": o.MovementSize,
		"vehicles": o.Vehicles, "seats": o.Seats, "horizon": o.Horizon, "safeguard_days": o.SafeguardDays} {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	return v
}

// PlanAcceptance accepts planned movements of a campaign by key (P001…), with
// the legal basis and ordering authority of the transfers proposed for the
// persons on none yet.
type PlanAcceptance struct {
	Movements  []string `json:"movements"`
	LegalBasis string   `json:"legal_basis"`
	OrderedBy  string   `json:"ordered_by"`
}

// AcceptedPlan is what accepting planned movements made: the movement planned
// for each key, the transfers proposed, and a receipt per write.
type AcceptedPlan struct {
	Movements map[string]uuid.UUID `json:"movements"`
	Transfers []uuid.UUID          `json:"transfers"`
	Receipts  []api.Receipt        `json:"receipts"`
	// Replayed says an earlier attempt with the same IdempotencyKey made them
	// and nothing new was.
	Replayed       bool   `json:"-"`
	IdempotencyKey string `json:"-"`
}

// AcceptPlan makes planned movements of a campaign's plan (made again with
// opts, which must be those of the plan the keys come from) real: each becomes
// a planned movement, with a transfer proposed for persons on none. at is when
// it was decided (zero: now).
func (c *Client) AcceptPlan(ctx context.Context, campaign string, opts PlanOptions, a PlanAcceptance, at time.Time) (*AcceptedPlan, error) {
	body := struct {
		api.Stamp
		PlanAcceptance
	}{api.Stamp{OccurredAt: stamp(at)}, a}
	path := "/campaigns/" + url.PathEscape(campaign) + "/plan/acceptances"
	b, err := encode(http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	var out AcceptedPlan
	resp, err := c.Do(ctx, Request{Method: http.MethodPost, Path: path, Query: opts.Values(), Body: b}, &out)
	if err != nil {
		return nil, err
	}
	out.Replayed, out.IdempotencyKey = resp.Replayed, resp.Key
	return &out, nil
}
