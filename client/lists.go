package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// Every list of the server is paged: a page holds at most limit records
// (api.DefaultPageSize unless the query sets limit, at most api.MaxPageSize)
// and the cursor of the next page, next, which the client sends back as after.

// Pages reads every page of the list at path (under /api/v1) with query and
// returns the records of its array member, in order, as JSON. query's limit,
// if set, is the page size; its after, if set, where to start.
func (c *Client) Pages(ctx context.Context, path string, query url.Values, member string) ([]json.RawMessage, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	if q.Get("limit") == "" {
		q.Set("limit", fmt.Sprint(api.MaxPageSize))
	}
	var all []json.RawMessage
	for {
		var page map[string]json.RawMessage
		if _, err := c.get(ctx, path, q, &page); err != nil {
			return nil, err
		}
		var rows []json.RawMessage
		if raw, ok := page[member]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &rows); err != nil {
				return nil, fmt.Errorf("client: GET %s: %s: %w", path, member, err)
			}
		}
		all = append(all, rows...)
		var next any
		if raw, ok := page["next"]; ok {
			if err := json.Unmarshal(raw, &next); err != nil {
				return nil, fmt.Errorf("client: GET %s: next: %w", path, err)
			}
		}
		switch n := next.(type) {
		case string:
			if n == "" {
				return all, nil
			}
			q.Set("after", n)
		case float64:
			q.Set("after", fmt.Sprint(int64(n)))
		default:
			return all, nil
		}
	}
}

// List is Pages decoded: every record of a list, in order.
func List[T any](ctx context.Context, c *Client, path string, query url.Values, member string) ([]T, error) {
	raws, err := c.Pages(ctx, path, query, member)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("client: GET %s: %s[%d]: %w", path, member, i, err)
		}
	}
	return out, nil
}

// values is a query of the non-empty strings of m.
func values(m map[string]string) url.Values {
	v := url.Values{}
	for k, s := range m {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Campaigns lists the campaigns with their progress.
func (c *Client) Campaigns(ctx context.Context) ([]custody.CampaignView, error) {
	return List[custody.CampaignView](ctx, c, "/campaigns", nil, "campaigns")
}

// Campaign reads one campaign with its progress.
func (c *Client) Campaign(ctx context.Context, id string) (*custody.CampaignView, error) {
	var v custody.CampaignView
	if _, err := c.get(ctx, "/campaigns/"+url.PathEscape(id), nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// NewCampaign is a campaign to create: its receiving party by code or id.
type NewCampaign struct {
	Name       string   `json:"name"`
	Target     int      `json:"target"`
	Receiving  string   `json:"receiving"`
	Priorities []string `json:"priorities,omitempty"`
}

// CreateCampaign creates a campaign of transfers; at is when (zero: now).
func (c *Client) CreateCampaign(ctx context.Context, nc NewCampaign, at time.Time) (*custody.CampaignView, Receipt, error) {
	body := struct {
		api.Meta
		Campaign NewCampaign `json:"campaign"`
	}{meta(ctx, at), nc}
	return create[custody.CampaignView](ctx, c, "/campaigns", body)
}

// RecordSafeguard records one safeguard for persons (ids or registration
// numbers) on a transfer; at is when (zero: now).
func (c *Client) RecordSafeguard(ctx context.Context, transfer string, persons []string, sg custody.Safeguard, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		Persons   []string          `json:"persons"`
		Safeguard custody.Safeguard `json:"safeguard"`
	}{meta(ctx, at), persons, sg}
	return c.write(ctx, http.MethodPost, "/transfers/"+url.PathEscape(transfer)+"/safeguards", body)
}

// write sends a write whose answer is a bare receipt.
func (c *Client) write(ctx context.Context, method, path string, body any) (Receipt, error) {
	var out api.Receipt
	resp, err := c.send(ctx, method, path, body, &out)
	if err != nil {
		return Receipt{}, err
	}
	return receipt(out, resp), nil
}

// IncidentQuery filters Incidents; its zero value lists every incident one
// may see.
type IncidentQuery struct {
	Open     string // "true" or "false"; "" for both
	Type     string
	Movement string // a movement's id
}

// Incidents lists the incidents one may see that match q.
func (c *Client) Incidents(ctx context.Context, q IncidentQuery) ([]custody.IncidentState, error) {
	return List[custody.IncidentState](ctx, c, "/incidents", values(map[string]string{"open": q.Open, "type": q.Type, "movement": q.Movement}), "incidents")
}

// Incident reads one incident.
func (c *Client) Incident(ctx context.Context, id string) (*custody.IncidentState, error) {
	var in custody.IncidentState
	if _, err := c.get(ctx, "/incidents/"+url.PathEscape(id), nil, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// NewIncident is an incident to report: what it concerns by reference (a
// movement's id, a facility's code or id, persons' ids or registration numbers).
type NewIncident struct {
	Type        custody.IncidentType `json:"type"`
	Movement    string               `json:"movement,omitempty"`
	Facility    string               `json:"facility,omitempty"`
	Persons     []string             `json:"persons,omitempty"`
	Description string               `json:"description"`
}

// OpenIncident reports an incident; at is when it happened (zero: now).
func (c *Client) OpenIncident(ctx context.Context, in NewIncident, at time.Time) (*custody.IncidentState, Receipt, error) {
	body := struct {
		api.Meta
		Incident NewIncident `json:"incident"`
	}{meta(ctx, at), in}
	return create[custody.IncidentState](ctx, c, "/incidents", body)
}

// Resolution accounts for a person of an incident (Person set), or closes an
// incident that is not a discrepancy (Person empty).
type Resolution struct {
	Person     string             `json:"person,omitempty"`
	Resolution custody.Resolution `json:"resolution"`
	Facility   string             `json:"facility,omitempty"`
	Cause      string             `json:"cause,omitempty"`
	Note       string             `json:"note,omitempty"`
}

// ResolveIncident records a resolution of an incident; at is when (zero: now).
func (c *Client) ResolveIncident(ctx context.Context, incident string, r Resolution, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		Resolution
	}{meta(ctx, at), r}
	return c.write(ctx, http.MethodPost, "/incidents/"+url.PathEscape(incident)+"/resolutions", body)
}

// Alerts lists the open disappearance alerts one may see.
func (c *Client) Alerts(ctx context.Context) ([]api.Alert, error) {
	return List[api.Alert](ctx, c, "/alerts", nil, "alerts")
}

// NotificationQuery filters Notifications; its zero value lists every duty to
// inform one may see.
type NotificationQuery struct {
	Overdue, Done string // "true" or "false"; "" for both
	Person        string // an id or registration number
	Kind          string
}

// Notifications lists the duties to inform one may see that match q.
func (c *Client) Notifications(ctx context.Context, q NotificationQuery) ([]api.NotificationView, error) {
	return List[api.NotificationView](ctx, c, "/notifications",
		values(map[string]string{"overdue": q.Overdue, "done": q.Done, "person": q.Person, "kind": q.Kind}), "notifications")
}

// Notification reads one duty to inform.
func (c *Client) Notification(ctx context.Context, id string) (*api.NotificationView, error) {
	var n api.NotificationView
	if _, err := c.get(ctx, "/notifications/"+url.PathEscape(id), nil, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// CompleteNotification records that a duty to inform was carried out, with
// its outcome; at is when (zero: now).
func (c *Client) CompleteNotification(ctx context.Context, id, outcome string, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		Outcome string `json:"outcome"`
	}{meta(ctx, at), outcome}
	return c.write(ctx, http.MethodPost, "/notifications/"+url.PathEscape(id)+"/completions", body)
}

// Keys lists the officer keys, of one party (code or id) or of all ("").
func (c *Client) Keys(ctx context.Context, party string) ([]custody.OfficerKey, error) {
	return List[custody.OfficerKey](ctx, c, "/keys", values(map[string]string{"party": party}), "keys")
}

// OverrideSafeguard lets one person (id or registration number) depart on a
// transfer without a safeguard, for a reason that stays on their record.
func (c *Client) OverrideSafeguard(ctx context.Context, transfer, person string, kind custody.SafeguardKind, reason string, at time.Time) (Receipt, error) {
	body := struct {
		api.Meta
		Person string                `json:"person"`
		Kind   custody.SafeguardKind `json:"kind"`
		Reason string                `json:"reason"`
	}{meta(ctx, at), person, kind, reason}
	return c.write(ctx, http.MethodPost, "/transfers/"+url.PathEscape(transfer)+"/overrides", body)
}

// ApproveTransfer records the approval of one side of a transfer: the signed-in
// user's party, which party (a code or id; "" for the user's own) must name.
func (c *Client) ApproveTransfer(ctx context.Context, transfer, party string, at time.Time) (Receipt, error) {
	m := meta(ctx, at)
	m.Party = party
	return c.write(ctx, http.MethodPost, "/transfers/"+url.PathEscape(transfer)+"/approvals", m)
}

// CancelTransfer cancels a transfer before anyone departs on it.
func (c *Client) CancelTransfer(ctx context.Context, transfer, reason string, at time.Time) (Receipt, error) {
	return c.write(ctx, http.MethodPost, "/transfers/"+url.PathEscape(transfer)+"/cancellations", reasoned(ctx, at, reason))
}

// CancelMovement cancels a planned movement.
func (c *Client) CancelMovement(ctx context.Context, movement, reason string, at time.Time) (Receipt, error) {
	return c.write(ctx, http.MethodPost, "/movements/"+url.PathEscape(movement)+"/cancellations", reasoned(ctx, at, reason))
}

// RevokeKey revokes an officer's key: it may sign no more.
func (c *Client) RevokeKey(ctx context.Context, key, reason string, at time.Time) (Receipt, error) {
	return c.write(ctx, http.MethodPost, "/keys/"+url.PathEscape(key)+"/revocations", reasoned(ctx, at, reason))
}

// reasoned is the body of a write that gives only a reason.
func reasoned(ctx context.Context, at time.Time, reason string) any {
	return struct {
		api.Meta
		Reason string `json:"reason"`
	}{meta(ctx, at), reason}
}

// Seat is a place on a manifest: a person (id or registration number) on a
// vehicle of the movement.
type Seat struct {
	Person  string `json:"person"`
	Vehicle string `json:"vehicle"`
}

// MovementVersion reads a movement and its version, the ETag to give SetManifest.
func (c *Client) MovementVersion(ctx context.Context, id string) (*custody.MovementState, string, error) {
	var m custody.MovementState
	resp, err := c.get(ctx, "/movements/"+url.PathEscape(id), nil, &m)
	if err != nil {
		return nil, "", err
	}
	return &m, resp.Header.Get("ETag"), nil
}

// SetManifest replaces a planned movement's manifest, accepting the breaches of
// the rules overrides name. With ifMatch (an ETag from MovementVersion, or "*")
// it is replaced only if the movement is still that version — checked in the
// ledger's decision — and refused with a 412 *Problem otherwise. It answers the
// movement, its new version and the receipt.
func (c *Client) SetManifest(ctx context.Context, movement string, seats []Seat, overrides []custody.ManifestOverride, ifMatch string, at time.Time) (*custody.MovementState, string, Receipt, error) {
	path := "/movements/" + url.PathEscape(movement) + "/manifest"
	b, err := encode(http.MethodPut, path, struct {
		api.Meta
		Manifest  []Seat                     `json:"manifest"`
		Overrides []custody.ManifestOverride `json:"overrides,omitempty"`
	}{meta(ctx, at), seats, overrides})
	if err != nil {
		return nil, "", Receipt{}, err
	}
	var out struct {
		custody.MovementState
		Receipt api.Receipt `json:"receipt"`
	}
	resp, err := c.Do(ctx, Request{Method: http.MethodPut, Path: path, Body: b, IfMatch: ifMatch}, &out)
	if err != nil {
		return nil, "", Receipt{}, err
	}
	return &out.MovementState, resp.Header.Get("ETag"), receipt(out.Receipt, resp), nil
}

// NewTransfer is a transfer to propose: its facilities by code or id, its
// persons by id or registration number, its campaign by id (optional).
type NewTransfer struct {
	Campaign   string   `json:"campaign,omitempty"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	LegalBasis string   `json:"legal_basis"`
	OrderedBy  string   `json:"ordered_by"`
	Priority   string   `json:"priority,omitempty"`
	Persons    []string `json:"persons"`
}

// ProposeTransfer proposes a transfer of persons to another facility; at is
// when it was decided (zero: now). It answers the transfer with each person's
// safeguards, and the receipt.
func (c *Client) ProposeTransfer(ctx context.Context, t NewTransfer, at time.Time) (*custody.TransferState, Receipt, error) {
	body := struct {
		api.Meta
		Transfer NewTransfer `json:"transfer"`
	}{meta(ctx, at), t}
	return create[custody.TransferState](ctx, c, "/transfers", body)
}
