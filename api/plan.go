package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/plan"
	"github.com/handover-project/handover/sequencer"
)

// PlanParams say how a campaign's plan is made. GET …/plan and POST
// …/plan/acceptances (which makes the plan again) share them, so that a key the
// user accepts names what they were shown. (Exported: huma reads the parameters
// of an embedded struct only when its type is.)
type PlanParams struct {
	ID       string `path:"id" doc:"The campaign's id"`
	From     string `query:"from" doc:"First day of the plan (YYYY-MM-DD); default: the day after the ledger's last event"`
	PerDay   int    `query:"movements_per_day" default:"2" minimum:"1" maximum:"20" doc:"Movements (convoys) a day"`
	Size     int    `query:"movement_size" default:"150" minimum:"1" maximum:"1000" doc:"Most persons a movement carries"`
	Vehicles int    `query:"vehicles" default:"3" minimum:"1" maximum:"50" doc:"Vehicles of each convoy"`
	Seats    int    `query:"seats" default:"50" minimum:"1" maximum:"1000" doc:"Seats of each vehicle"`
	Escort   string `query:"escort" doc:"The escort party (id or code); default: the only escort force"`
	Horizon  int    `query:"horizon" default:"120" minimum:"1" maximum:"366" doc:"Days planned"`
	LeadDays int    `query:"safeguard_days" default:"0" minimum:"0" maximum:"60" doc:"Days the safeguards of a person on no transfer yet are expected to take"`
}

func (q *PlanParams) pathID() string { return q.ID }

// planQuery is how a campaign's plan is asked for.
type planQuery struct {
	PlanParams
	Lang   string `query:"lang" default:"en" enum:"en,ar" doc:"Language of the explanations"`
	Change string `query:"change" doc:"Re-plan after a change and show the difference: safeguard_cleared:REGNO, movement_cancelled:KEY, vehicle_lost:VEHICLE or capacity_reduced:FACILITY:CATEGORY:N"`
}

type planOutput struct {
	Body struct {
		Campaign uuid.UUID  `json:"campaign"`
		Plan     *plan.Plan `json:"plan"`
		// Before and Diff, with a change: the plan before it, and what changed.
		Before *plan.Plan `json:"before,omitempty"`
		Diff   *plan.Diff `json:"diff,omitempty"`
	}
}

// campaignPlan makes the plan of a campaign from the stored projections.
// The transfers and movements named in own are left out, as if not recorded: the
// plan is made as it was before the request that creates them (see acceptPlan).
func (s *server) campaignPlan(ctx context.Context, q *PlanParams, lang string, own map[uuid.UUID]bool) (*plan.Plan, *plan.Input, error) {
	id, err := parseID("path.id", "campaign", q.ID)
	if err != nil {
		return nil, nil, err
	}
	cv, err := readDoc[custody.CampaignView](ctx, s, custody.CampaignDoc, "path.id", id)
	if err != nil {
		return nil, nil, err
	}
	src := plan.Source{Campaign: cv.Campaign}
	if src.Facilities, err = s.store.Facilities(ctx); err != nil {
		return nil, nil, err
	}
	for _, f := range src.Facilities {
		if f.Controller == cv.Receiving || (f.Kind != custody.Prison && f.Kind != custody.Camp) {
			continue
		}
		for _, st := range []custody.Status{custody.Held} {
			after := ""
			for {
				page, err := s.store.Persons(ctx, custody.PersonFilter{Facility: f.ID, Status: st, After: after, Limit: custody.MaxPageSize})
				if err != nil {
					return nil, nil, err
				}
				src.Persons = append(src.Persons, page.Persons...)
				if page.Next == "" {
					break
				}
				after = page.Next
			}
		}
	}
	if src.Transfers, err = docsOf[custody.TransferState](ctx, s, custody.TransferDoc); err != nil {
		return nil, nil, err
	}
	if src.Movements, err = docsOf[custody.MovementState](ctx, s, custody.MovementDoc); err != nil {
		return nil, nil, err
	}
	src.Transfers = slices.DeleteFunc(src.Transfers, func(t *custody.TransferState) bool { return own[t.ID] })
	src.Movements = slices.DeleteFunc(src.Movements, func(m *custody.MovementState) bool { return own[m.ID] })
	from, err := s.planFrom(ctx, q.From, own)
	if err != nil {
		return nil, nil, err
	}
	escort, err := s.escortOf(ctx, q.Escort)
	if err != nil {
		return nil, nil, err
	}
	in := plan.InputOf(src, from, time.Duration(q.LeadDays)*24*time.Hour)
	req := plan.Request{From: from, Convoys: plan.Convoys(q.PerDay, q.Vehicles, q.Seats), MovementSize: q.Size, Escort: escort, Horizon: q.Horizon}
	pl, err := plan.Make(in, req)
	if err != nil {
		return nil, nil, invalid("query", err.Error())
	}
	pl.Render(lang)
	return pl, in, nil
}

// replan applies a change written as in planQuery.Change and re-plans.
func replan(pl *plan.Plan, in *plan.Input, change, lang string) (*plan.Plan, *plan.Diff, error) {
	e, err := parseChange(in, change)
	if err != nil {
		return nil, nil, invalid("query.change", err.Error())
	}
	in2, req2, prev2, err := e.Apply(in, pl.Request, pl)
	if err != nil {
		return nil, nil, invalid("query.change", err.Error())
	}
	next, err := plan.Replan(prev2, in2, req2)
	if err != nil {
		return nil, nil, invalid("query.change", err.Error())
	}
	next.Render(lang)
	d := plan.Compare(pl, next)
	return next, &d, nil
}

func parseChange(in *plan.Input, s string) (plan.Event, error) {
	kind, arg, _ := strings.Cut(s, ":")
	e := plan.Event{Kind: plan.EventKind(kind)}
	switch e.Kind {
	case plan.SafeguardCleared:
		i := slices.IndexFunc(in.Persons, func(p plan.Person) bool { return p.RegNo == arg })
		if i < 0 {
			return e, fmt.Errorf("no person %q among those the campaign may move", arg)
		}
		e.Person = in.Persons[i].ID
	case plan.MovementCancelled:
		e.Movement = arg
	case plan.VehicleLost:
		e.Vehicle = arg
	case plan.CapacityReduced:
		parts := strings.Split(arg, ":")
		if len(parts) != 3 {
			return e, fmt.Errorf("capacity_reduced takes FACILITY:CATEGORY:N; got %q", arg)
		}
		i := slices.IndexFunc(in.Receivers, func(r plan.Receiver) bool { return r.Code == parts[0] })
		if i < 0 {
			return e, fmt.Errorf("no receiving institution %q", parts[0])
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return e, fmt.Errorf("capacity_reduced: %q is not a number", parts[2])
		}
		e.Receiver, e.Category, e.By = in.Receivers[i].ID, custody.Category(parts[1]), n
	default:
		return e, fmt.Errorf("unknown change %q: safeguard_cleared, movement_cancelled, vehicle_lost or capacity_reduced", kind)
	}
	return e, nil
}

func docsOf[T any](ctx context.Context, s *server, kind custody.DocKind) ([]*T, error) {
	bs, err := s.store.DocList(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(bs))
	for _, b := range bs {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("api: decode %s: %w", kind, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// planFrom reads the first day, or takes the day after the ledger's last event,
// passing over the events of the records in own (see campaignPlan).
func (s *server) planFrom(ctx context.Context, from string, own map[uuid.UUID]bool) (time.Time, error) {
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return t, invalid("query.from", fmt.Sprintf("must be a date YYYY-MM-DD; got %q", from))
		}
		return t, nil
	}
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return time.Time{}, err
	}
	for i := size; i > 0; i-- {
		le, err := s.store.Event(ctx, i-1)
		if err != nil {
			return time.Time{}, err
		}
		e, err := custody.DecodeEvent(le.Bytes)
		if err != nil {
			return time.Time{}, err
		}
		if !own[e.Subject] {
			return e.OccurredAt.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1), nil
		}
	}
	return s.cfg.Now().UTC().Truncate(24 * time.Hour), nil
}

// escortOf resolves the escort party, or finds the only escort force.
func (s *server) escortOf(ctx context.Context, ref string) (uuid.UUID, error) {
	if ref != "" {
		return s.partyRef(ctx, "query.escort", ref)
	}
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	var found []uuid.UUID
	for _, p := range ps {
		if p.Kind == custody.EscortForce {
			found = append(found, p.ID)
		}
	}
	if len(found) != 1 {
		return uuid.Nil, invalid("query.escort", fmt.Sprintf("%d escort forces are registered: name one", len(found)))
	}
	return found[0], nil
}

func (s *server) getPlan(ctx context.Context, q *planQuery) (*planOutput, error) {
	pl, in, err := s.campaignPlan(ctx, &q.PlanParams, q.Lang, nil)
	if err != nil {
		return nil, err
	}
	out := &planOutput{}
	out.Body.Campaign, out.Body.Plan = in.Campaign, pl
	if q.Change != "" {
		next, d, err := replan(pl, in, q.Change, q.Lang)
		if err != nil {
			return nil, err
		}
		out.Body.Before, out.Body.Plan, out.Body.Diff = pl, next, d
	}
	return out, nil
}

type acceptPlanInput struct {
	PlanParams
	Body struct {
		Stamp
		Movements  []string `json:"movements" required:"true" minItems:"1" doc:"Keys of the planned movements to accept (P001…)"`
		LegalBasis string   `json:"legal_basis" required:"true" doc:"Legal basis of the transfers proposed for persons on none yet"`
		OrderedBy  string   `json:"ordered_by" required:"true" doc:"The authority that ordered them"`
	}
}

type acceptPlanOutput struct {
	Body struct {
		// Movements maps each accepted key to the movement planned for it.
		Movements map[string]uuid.UUID `json:"movements"`
		// Transfers lists the transfers proposed for persons on none yet.
		Transfers []uuid.UUID `json:"transfers"`
		Receipts  []Receipt   `json:"receipts"`
	}
}

// acceptPlan turns planned movements into movements of the ledger, through the
// same commands as by hand: a transfer proposed for the persons on none yet, then
// the movement with its vehicles and manifest. Safeguards, approvals and handovers
// still stand between them and departure. The plan is made again from the ledger
// as it stands, with the same query, so a key names what the user saw unless the
// ledger changed in between.
//
// One request, several commands: with an Idempotency-Key, each command gets a key
// of its own derived from it, and the records their ids, so that a retry after a
// lost answer replays every command's receipt and names the same records, never
// writing twice. Such a retry makes the plan again without the records this
// request creates (those it recorded before the answer was lost), so that the
// keys name the same movements as the first time, and the commands not recorded
// yet are the same as they would have been.
func (s *server) acceptPlan(ctx context.Context, in *acceptPlanInput) (*acceptPlanOutput, error) {
	base, keyed := sequencer.KeyOf(ctx)
	newID := func(what string) uuid.UUID {
		if !keyed {
			return uuid.Must(uuid.NewV7())
		}
		return uuid.NewSHA1(uuid.NameSpaceOID, []byte(base.ID+"/accept-plan/"+what))
	}
	own := map[uuid.UUID]bool{}
	if keyed {
		for _, k := range in.Body.Movements {
			own[newID("transfer/"+k)], own[newID("movement/"+k)] = true, true
		}
	}
	pl, pin, err := s.campaignPlan(ctx, &in.PlanParams, "en", own)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, Meta{OccurredAt: in.Body.OccurredAt})
	if err != nil {
		return nil, err
	}
	var chosen []plan.Movement
	for i, k := range in.Body.Movements {
		j := slices.IndexFunc(pl.Movements, func(m plan.Movement) bool { return m.Key == k })
		if j < 0 {
			return nil, invalid(fmt.Sprintf("body.movements[%d]", i), fmt.Sprintf("the plan has no movement %q (has the ledger changed? ask for the plan again)", k))
		}
		chosen = append(chosen, pl.Movements[j])
	}
	priority := map[uuid.UUID]string{}
	for _, p := range pin.Persons {
		if p.Priority >= 0 && p.Priority < len(pin.Priorities) {
			priority[p.ID] = pin.Priorities[p.Priority]
		}
	}
	n := 0
	next := func() context.Context {
		n++
		if !keyed {
			return ctx
		}
		k := base
		k.ID, k.Checked = fmt.Sprintf("%s/accept-plan/%d", base.ID, n), false
		return sequencer.WithKey(ctx, k)
	}
	out := &acceptPlanOutput{}
	out.Body.Movements = map[string]uuid.UUID{}
	out.Body.Transfers = []uuid.UUID{}
	for _, pm := range chosen {
		tid := pm.Transfer
		if tid == uuid.Nil {
			tid = newID("transfer/" + pm.Key)
			t := custody.Transfer{ID: tid, Campaign: pin.Campaign, From: pm.From, To: pm.To, LegalBasis: in.Body.LegalBasis, OrderedBy: in.Body.OrderedBy}
			for _, st := range pm.Manifest {
				t.Persons = append(t.Persons, st.Person)
				if g := priority[st.Person]; g != "" && t.Priority == "" {
					t.Priority = g
				}
			}
			r, err := s.submit(next(), custody.ProposeTransfer{Meta: m, Transfer: t}, inBody)
			if err != nil {
				return nil, err
			}
			out.Body.Transfers = append(out.Body.Transfers, tid)
			out.Body.Receipts = append(out.Body.Receipts, r.Body)
		}
		mv := custody.Movement{ID: newID("movement/" + pm.Key), Transfer: tid, Escort: pm.Escort, Mode: custody.Convoy, Vehicles: pm.Vehicles,
			PlannedDeparture: pm.Date, Manifest: pm.Manifest}
		r, err := s.submit(next(), custody.PlanMovement{Meta: m, Movement: mv}, inBody)
		if err != nil {
			return nil, err
		}
		out.Body.Movements[pm.Key] = mv.ID
		out.Body.Receipts = append(out.Body.Receipts, r.Body)
	}
	return out, nil
}

type facilityRiskInput struct {
	ID   string `path:"id" doc:"The facility (id or code)"`
	Body struct {
		Meta
		Kind  custody.RiskKind `json:"kind,omitempty" enum:"control_change,breakout" doc:"control_change: control expected to change by the date; breakout: at risk of breakout from the date"`
		By    time.Time        `json:"by,omitzero" doc:"The deadline (RFC 3339)"`
		Note  string           `json:"note,omitempty"`
		Clear bool             `json:"clear,omitempty" doc:"Lift the facility's risk instead"`
	}
}

func (in *facilityRiskInput) pathID() string { return in.ID }

func (s *server) setFacilityRisk(ctx context.Context, in *facilityRiskInput) (*receiptOutput, error) {
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	f, err := s.facility(ctx, "path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.SetFacilityRisk{Meta: m, Facility: f.ID, Kind: in.Body.Kind, By: in.Body.By, Note: in.Body.Note, Clear: in.Body.Clear}, inBody)
}

// campaignOf: a campaign concerns its receiving party, which runs it.
func (s *server) campaignOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "campaign", ref)
	if err != nil {
		return resource{}, err
	}
	cv, err := readDoc[custody.CampaignView](ctx, s, custody.CampaignDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{cv.Receiving}}, "campaign/" + id.String(), nil}, nil
}
