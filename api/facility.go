package api

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
)

// Receipt acknowledges an accepted write: its events, the checkpoint covering
// them, and where to fetch each event's proof file.
type Receipt struct {
	Events     []sequencer.Recorded `json:"events"`
	Checkpoint Checkpoint           `json:"checkpoint"`
	Proofs     []string             `json:"proofs" doc:"Path of each event's proof file (C2SP tlog-proof), in the order of events; verify it offline with handover proof verify"`
	Witnessed  *Witnessing          `json:"witnessed,omitempty" doc:"Whether a checkpoint covering the events meets the witnesses' quorum, by whom and since when: pending when the write is answered, unless it asked to wait (Prefer: wait=N); an idempotent replay repeats the first answer. Absent if the receipt has no events"`
}

// receiptOf renders a receipt, saying whether its events are witnessed: a
// receipt the sequencer replays is of events recorded earlier, which the
// witnesses may have cosigned since.
func (s *server) receiptOf(ctx context.Context, r sequencer.Receipt) (Receipt, error) {
	proofs := make([]string, len(r.Events))
	for i, e := range r.Events {
		proofs[i] = proofPath(e.Index)
	}
	out := Receipt{Events: r.Events, Checkpoint: Checkpoint{
		Size: r.Checkpoint.Size, Root: r.Checkpoint.Root[:], Note: string(r.Checkpoint.Note),
	}, Proofs: proofs}
	if len(r.Events) > 0 {
		last := r.Events[0].Index
		for _, e := range r.Events {
			last = max(last, e.Index)
		}
		var err error
		if out.Witnessed, err = s.witnessing(ctx, last, r.Replayed, requestOf(ctx).wait); err != nil {
			return Receipt{}, err
		}
	}
	return out, nil
}

type receiptOutput struct {
	Body     Receipt
	replayed bool // the command was recorded earlier: this is its first receipt
}

// submit submits cmd and renders its receipt; refusals are located with w. A
// receipt the sequencer replays (the command was recorded earlier under the
// request's idempotency key, or a handover's bytes) marks the response replayed.
func (s *server) submit(ctx context.Context, cmd custody.Command, w where) (*receiptOutput, error) {
	r, err := s.store.Submit(ctx, cmd)
	if err != nil {
		var ce *custody.Error
		if errors.As(err, &ce) && ce.Field == "idempotency_key" {
			w = where{"idempotency_key": "header." + IdempotencyKeyHeader}
		}
		return nil, at(err, w)
	}
	if r.Replayed {
		markReplayed(ctx)
	}
	rc, err := s.receiptOf(ctx, r)
	if err != nil {
		return nil, err
	}
	return &receiptOutput{Body: rc, replayed: r.Replayed}, nil
}

// created is the id of the record a create command made: id, unless the receipt
// is replayed, whose first event names the record the first request created
// (its id may have been assigned then, and differ from id).
func created(r *receiptOutput, id uuid.UUID) uuid.UUID {
	if r.replayed && len(r.Body.Events) > 0 {
		return r.Body.Events[0].Subject
	}
	return id
}

type registerPartyInput struct {
	Body struct {
		Meta
		Party custody.Party `json:"party" required:"true" doc:"The party; an absent id is assigned"`
	}
}

type partyCreated struct {
	Body struct {
		custody.Party
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) registerParty(ctx context.Context, in *registerPartyInput) (*partyCreated, error) {
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	// The first administrator's party is not in the ledger before it registers
	// it: the event then acts for the party it registers.
	if ok, err := s.registeredParty(ctx, m.Party); err != nil {
		return nil, err
	} else if !ok {
		m.Party = uuid.Nil
	}
	in.Body.Party.ID = newID(in.Body.Party.ID)
	r, err := s.submit(ctx, custody.RegisterParty{Meta: m, Party: in.Body.Party}, inBody)
	if err != nil {
		return nil, err
	}
	p, err := s.party(ctx, "body.party.id", created(r, in.Body.Party.ID).String())
	if err != nil {
		return nil, err
	}
	out := &partyCreated{}
	out.Body.Party, out.Body.Receipt = *p, r.Body
	return out, nil
}

type partyOutput struct{ Body custody.Party }

func (s *server) getParty(ctx context.Context, in *partyRefInput) (*partyOutput, error) {
	p, err := s.party(ctx, "path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return &partyOutput{Body: *p}, nil
}

type partyRefInput struct {
	ID string `path:"id" doc:"The party's id or code"`
}

type partiesOutput struct {
	Body struct {
		Parties []custody.Party `json:"parties" doc:"By code"`
		Paging
	}
}

func (s *server) listParties(ctx context.Context, in *listByCodeInput) (*partiesOutput, error) {
	refs, err := IDsQuery{ID: in.ID}.refs()
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return nil, err
	}
	ps = keepRefs(ps, refs, func(p *custody.Party) []string { return []string{p.ID.String(), p.Code} })
	out := &partiesOutput{}
	if out.Body.Parties, out.Body.Next, err = page(ps, func(p *custody.Party) string { return p.Code }, ascending, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
}

// listByCodeInput is the query of a list of records named by an id or a code
// (parties, facilities), paged by code.
type listByCodeInput struct {
	ID []string `query:"id,explode" doc:"Only these (ids or codes): repeat the parameter (id=A&id=B) or separate them with commas (id=A,B); at most 500" example:"HSK,HOL"`
	PageQuery
}

// FacilityIn is a facility as it is registered: its controlling party is named
// by code or id, like every party a request names.
type FacilityIn struct {
	ID               uuid.UUID                `json:"id,omitzero" doc:"Absent: assigned"`
	Code             string                   `json:"code" required:"true" doc:"2 to 16 upper-case letters, digits, '-' or '_', starting with a letter" example:"HSK"`
	Name             string                   `json:"name" required:"true" example:"Hasakah detention facility"`
	Kind             custody.FacilityKind     `json:"kind" required:"true"`
	Country          string                   `json:"country" required:"true" doc:"ISO 3166-1 alpha-3" example:"SYR"`
	Series           string                   `json:"series,omitempty" doc:"The prefix of the registration numbers it gives out (2 to 6 upper-case letters); facilities that register nobody may leave it out" example:"HSK"`
	Capacities       map[custody.Category]int `json:"capacities,omitempty" doc:"Places by category of person; a category absent has none"`
	ControllingParty string                   `json:"controlling_party" required:"true" doc:"The party in control (code or id)" example:"SDF"`
}

type registerFacilityInput struct {
	Body struct {
		Meta
		Facility FacilityIn `json:"facility" required:"true" doc:"The facility; an absent id is assigned"`
	}
}

type facilityCreated struct {
	Body struct {
		FacilityView
		Receipt Receipt `json:"receipt"`
	}
}

func (s *server) registerFacility(ctx context.Context, in *registerFacilityInput) (*facilityCreated, error) {
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	b := in.Body.Facility
	f := custody.Facility{ID: newID(b.ID), Code: b.Code, Name: b.Name, Kind: b.Kind, Country: b.Country, Series: b.Series, Capacities: b.Capacities}
	if f.ControllingParty, err = s.partyRef(ctx, "body.facility.controlling_party", b.ControllingParty); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, custody.RegisterFacility{Meta: m, Facility: f}, inBody)
	if err != nil {
		return nil, err
	}
	st, err := s.facility(ctx, "body.facility.id", created(r, f.ID).String())
	if err != nil {
		return nil, err
	}
	out := &facilityCreated{}
	out.Body.FacilityView, out.Body.Receipt = facilityOf(st), r.Body
	return out, nil
}

// FacilityView is a facility as the API shows it: its record, controlling party,
// control history and population, with totals.
type FacilityView struct {
	custody.FacilityState
	Total    int `json:"total" doc:"Persons at the facility now"`
	Capacity int `json:"capacity" doc:"Places over all categories"`
}

func facilityOf(f *custody.FacilityState) FacilityView {
	if f.Population == nil {
		f.Population = map[custody.Category]int{}
	}
	v := FacilityView{FacilityState: *f, Total: f.Total(), Capacity: f.Capacity()}
	if v.Capacities == nil { // a facility without places of its own (a hospital): {} as documented
		v.Capacities = map[custody.Category]int{}
	}
	return v
}

type facilitiesOutput struct {
	Body struct {
		Facilities []FacilityView `json:"facilities" doc:"By code"`
		Paging
	}
}

func (s *server) listFacilities(ctx context.Context, in *listByCodeInput) (*facilitiesOutput, error) {
	refs, err := IDsQuery{ID: in.ID}.refs()
	if err != nil {
		return nil, err
	}
	fs, err := s.store.Facilities(ctx)
	if err != nil {
		return nil, err
	}
	fs = keepRefs(fs, refs, func(f *custody.FacilityState) []string { return []string{f.ID.String(), f.Code} })
	out := &facilitiesOutput{}
	if fs, out.Body.Next, err = page(fs, func(f *custody.FacilityState) string { return f.Code }, ascending, in.PageQuery); err != nil {
		return nil, err
	}
	out.Body.Facilities = make([]FacilityView, len(fs))
	for i := range fs {
		out.Body.Facilities[i] = facilityOf(&fs[i])
	}
	return out, nil
}

type facilityRefInput struct {
	ID string `path:"id" doc:"The facility's id or code"`
}

type facilityOutput struct{ Body FacilityView }

func (s *server) getFacility(ctx context.Context, in *facilityRefInput) (*facilityOutput, error) {
	f, err := s.facility(ctx, "path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return &facilityOutput{Body: facilityOf(f)}, nil
}

type controlChangeInput struct {
	ID   string `path:"id" doc:"The facility's id or code"`
	Body struct {
		Meta
		To         string `json:"to" required:"true" doc:"The party taking control (id or code)"`
		Reason     string `json:"reason" required:"true"`
		Unilateral bool   `json:"unilateral,omitempty" doc:"Control was taken without the outgoing party's agreement"`
		// Document and Signatures: a control-change document signed by an officer of
		// each party, when both are present.
		Document   []byte              `json:"document,omitempty" doc:"The exact bytes (base64) of a control_change document both parties' officers signed; without it the change is recorded unilateral or unsigned"`
		Signatures []custody.Signature `json:"signatures,omitempty" doc:"The two officers' Ed25519 signatures over the document's bytes"`
	}
}

func (s *server) changeControl(ctx context.Context, in *controlChangeInput) (*receiptOutput, error) {
	f, err := s.facility(ctx, "path.id", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	to, err := s.partyRef(ctx, "body.to", in.Body.To)
	if err != nil {
		return nil, err
	}
	cmd := custody.ChangeFacilityControl{Meta: m, Facility: f.ID, To: to, Reason: in.Body.Reason, Unilateral: in.Body.Unilateral,
		Document: in.Body.Document, Signatures: in.Body.Signatures}
	return s.submit(ctx, cmd, where{"": "body", "facility": "path.id"})
}
