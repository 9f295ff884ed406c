package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

// Authorisation is decided in two steps, both from the one table (access.Table):
//
//  1. Before the request is read (gate): the user must be signed in (401), and
//     one of their roles must grant the route's action (403).
//  2. After it is parsed, for routes about a resource (a guard made with byPath
//     or by): the resource's concerns — the parties it concerns and the facilities
//     it touches — are resolved, and the grant must permit them (403): the user's
//     party is concerned (own_party), or the monitor's mandate covers one of the
//     facilities (mandate). Lists (filtered) show only the rows the grant permits.
//
// Writes never take the mandate scope: monitors read, they never write, whatever
// a table says.

// guardKind says what a route's authorisation is decided on.
type guardKind int

const (
	publicKind   guardKind = iota // nobody needs to be signed in (login)
	signedInKind                  // the grant alone: scopes everyone, any_administrator, self
	listedKind                    // the grant, then the handler shows only what it permits
	resourceKind                  // the grant over the concerns of the resource the request names
)

// guard is how a route is authorised.
type guard struct {
	kind guardKind
	// input is the request type resolve takes (nil: any type with a path id).
	input   reflect.Type
	resolve func(ctx context.Context, in any) (resource, error)
}

// resource is what a request acts on, as the authorisation sees it.
type resource struct {
	access.Concerns
	target string // for the audit log: kind/id
	// hidden says how a record the caller may not see is refused: exactly as if
	// it did not exist (missing, the resolver's own 404), so that no answer tells
	// "no such record" from "not yours". A caller who may see the record (the
	// grant of readAction permits readConcerns) but not act on it gets a 403.
	// Reference data (parties, facilities, keys, campaigns) has no hidden.
	hidden *hidden
}

// hidden is how a record is refused to a caller who may not see it.
type hidden struct {
	missing      error // the 404 of a reference to no record
	readAction   string
	readConcerns access.Concerns // "" readAction: no other action shows the record
}

// The guards of the route table, besides byPath and by.
var (
	public   = guard{kind: publicKind}   // login only
	signedIn = guard{kind: signedInKind} // reference data, the ledger's commitments, one's own account
	filtered = guard{kind: listedKind}   // lists: the handler keeps the rows the grant permits
)

// pathRef is an input naming its resource by the path's {id} (or {index}).
type pathRef interface{ pathID() string }

// byPath authorises a request over the resource its path names.
func byPath(f func(ctx context.Context, ref string) (resource, error)) guard {
	return guard{kind: resourceKind, resolve: func(ctx context.Context, in any) (resource, error) {
		return f(ctx, in.(pathRef).pathID())
	}}
}

// by authorises a request over the resource its input names (a write that
// creates one: the concerns are those of the body's facility, party, transfer…).
func by[I any](f func(ctx context.Context, in *I) (resource, error)) guard {
	return guard{kind: resourceKind, input: reflect.TypeFor[I](), resolve: func(ctx context.Context, in any) (resource, error) {
		return f(ctx, in.(*I))
	}}
}

// check reports whether the guard can resolve requests of type in; it runs when
// the route is registered, so that a mismatch stops New rather than a request.
func (g guard) check(in reflect.Type) error {
	switch {
	case g.kind != resourceKind:
		return nil
	case g.input == nil && !reflect.PointerTo(in).Implements(reflect.TypeFor[pathRef]()):
		return fmt.Errorf("its guard reads the path's id, but %s has none", in)
	case g.input != nil && g.input != in:
		return fmt.Errorf("its guard reads a %s, not a %s", g.input, in)
	}
	return nil
}

func (in personRefInput) pathID() string            { return in.ID }
func (in idInput) pathID() string                   { return in.ID }
func (in action[B]) pathID() string                 { return in.ID }
func (in transferAction[B]) pathID() string         { return in.ID }
func (in movementAction[B]) pathID() string         { return in.ID }
func (in facilityRefInput) pathID() string          { return in.ID }
func (in controlChangeInput) pathID() string        { return in.ID }
func (in revokeKeyInput) pathID() string            { return in.ID }
func (in resolveIncidentInput) pathID() string      { return in.ID }
func (in completeNotificationInput) pathID() string { return in.ID }
func (in eventInput) pathID() string                { return strconv.FormatUint(in.Index, 10) }
func (in updateUserInput) pathID() string           { return in.ID }
func (in setMandateInput) pathID() string           { return in.ID }
func (in tokenRefInput) pathID() string             { return in.ID }

// authz is what step 1 decided for a request, kept in its context.
type authz struct {
	who     *principal
	user    *access.User
	action  string
	write   bool
	grant   access.Grant
	target  string
	mandate *access.MandateSpec // loaded on first need
}

type authzKey struct{}

func authzOf(ctx context.Context) *authz {
	az, _ := ctx.Value(authzKey{}).(*authz)
	return az
}

// gate is step 1, a huma middleware of every route but the public ones.
func (s *server) gate(api huma.API, action string, write bool) func(huma.Context, func(huma.Context)) {
	return func(hc huma.Context, next func(huma.Context)) {
		ctx := hc.Context()
		rq := requestOf(ctx)
		switch {
		case rq.failure != nil:
			s.log.ErrorContext(ctx, "api: authentication", "err", rq.failure)
			huma.WriteErr(api, hc, http.StatusInternalServerError, "internal error; it has been logged")
			return
		case rq.who == nil:
			detail := "sign in (POST /api/v1/login) or send an API token (Authorization: Bearer hot_…)"
			if rq.refused != "" {
				s.record(ctx, access.AuditEntry{Action: action, Target: rq.uri, Outcome: access.Failed, Detail: rq.refused})
				detail = rq.refused + "; " + detail
			}
			hc.SetHeader("WWW-Authenticate", `Bearer realm="handover"`)
			huma.WriteErr(api, hc, http.StatusUnauthorized, detail)
			return
		}
		u := rq.who.user
		g := s.policy.Grant(u, action)
		if write { // monitors never write
			g.Scopes = slices.DeleteFunc(slices.Clone(g.Scopes), func(x access.Scope) bool { return x == access.Mandate })
		}
		az := &authz{who: rq.who, user: u, action: action, write: write, grant: g, target: rq.uri}
		if !g.Allowed() {
			s.recordAct(ctx, az, errDenied)
			huma.WriteErr(api, hc, http.StatusForbidden, forbiddenDetail(az))
			return
		}
		next(huma.WithValue(hc, authzKey{}, az))
	}
}

// errDenied marks a denial in recordAct.
var errDenied = errors.New("denied")

func forbiddenDetail(az *authz) string {
	roles := make([]string, len(az.user.Roles))
	for i, r := range az.user.Roles {
		roles[i] = string(r)
	}
	if !az.grant.Allowed() {
		return fmt.Sprintf("%s may not %s: none of the roles %s grants it", az.user.Name, az.action, strings.Join(roles, ", "))
	}
	return fmt.Sprintf("%s may not %s here: the resource is not one of its party's records, nor within a mandate", az.user.Name, az.action)
}

// authorize is step 2: it resolves the request's resource and checks the grant
// permits it.
func (s *server) authorize(ctx context.Context, az *authz, g guard, in any) error {
	res, err := g.resolve(ctx, in)
	if err != nil {
		if az.write {
			s.recordAct(ctx, az, err)
		}
		return err
	}
	az.target = res.target
	ok, err := s.permits(ctx, az, res.Concerns)
	if err != nil {
		return err
	}
	if !ok {
		s.recordAct(ctx, az, errDenied)
		if h := res.hidden; h != nil {
			seen, err := s.sees(ctx, az, h)
			if err != nil {
				return err
			}
			if !seen {
				return h.missing
			}
		}
		return newProblem(http.StatusForbidden, Forbidden, forbiddenDetail(az))
	}
	return nil
}

// sees reports whether a caller whose action over a record was denied may still
// see it: never for a read (the denial was the read's), and for a write when the
// grant of the record's read action permits its read concerns.
func (s *server) sees(ctx context.Context, az *authz, h *hidden) (bool, error) {
	if !az.write || h.readAction == "" {
		return false, nil
	}
	read := &authz{who: az.who, user: az.user, action: h.readAction, grant: s.policy.Grant(az.user, h.readAction), mandate: az.mandate}
	ok, err := s.permits(ctx, read, h.readConcerns)
	az.mandate = read.mandate
	return ok, err
}

// missing is the 404 a path's reference to no record of a kind gets: the words
// of the store's own refusal (internal/sqlstore), so that the two cannot be told
// apart.
func missing(kind, ref string) error { return missingAt("path.id", kind, ref) }

// missingAt is missing for a reference found at loc.
func missingAt(loc, kind, ref string) error {
	return at(custody.Errorf(custody.NotFound, "id", "no %s %s", kind, ref), where{"": loc, "id": loc})
}

// permits decides the grant over a resource's concerns.
func (s *server) permits(ctx context.Context, az *authz, c access.Concerns) (bool, error) {
	var m access.MandateSpec
	if az.grant.Has(access.Mandate) {
		var err error
		if m, err = s.mandateOf(ctx, az); err != nil {
			return false, err
		}
	}
	return az.grant.Permits(az.user, c, m), nil
}

// mandateOf reads the mandate of the user's party from the ledger (none: nothing).
func (s *server) mandateOf(ctx context.Context, az *authz) (access.MandateSpec, error) {
	if az.mandate != nil {
		return *az.mandate, nil
	}
	var spec access.MandateSpec
	b, err := s.store.Doc(ctx, custody.MandateDoc, az.user.Party)
	var ce *custody.Error
	switch {
	case errors.As(err, &ce) && ce.Code == custody.NotFound:
	case err != nil:
		return spec, err
	default:
		var m custody.Mandate
		if err := json.Unmarshal(b, &m); err != nil {
			return spec, fmt.Errorf("api: mandate of %s: %w", az.user.Party, err)
		}
		spec = access.MandateSpec{All: m.All, Facilities: m.Facilities}
	}
	az.mandate = &spec
	return spec, nil
}

// viewer filters the rows of a list to those the caller may see.
type viewer struct {
	s  *server
	az *authz
	*lookup
}

func (s *server) viewer(ctx context.Context) *viewer {
	return &viewer{s: s, az: authzOf(ctx), lookup: s.lookup()}
}

// sees reports whether the caller may see a record of these concerns.
func (v *viewer) sees(ctx context.Context, c access.Concerns) (bool, error) {
	if v.az == nil {
		return false, nil
	}
	return v.s.permits(ctx, v.az, c)
}

// filter keeps the rows the caller may see.
func filter[T any](ctx context.Context, v *viewer, rows []T, concerns func(*T) (access.Concerns, error)) ([]T, error) {
	out := rows[:0]
	for i := range rows {
		c, err := concerns(&rows[i])
		if err != nil {
			return nil, err
		}
		ok, err := v.sees(ctx, c)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rows[i])
		}
	}
	return out, nil
}

// lookup reads the records that concerns are made of, each once per request.
type lookup struct {
	s          *server
	transfers  map[uuid.UUID]*custody.TransferState
	movements  map[uuid.UUID]*custody.MovementState
	persons    map[uuid.UUID]*custody.PersonState
	facilities map[uuid.UUID]*custody.FacilityState
}

func (s *server) lookup() *lookup {
	return &lookup{s: s, transfers: map[uuid.UUID]*custody.TransferState{}, movements: map[uuid.UUID]*custody.MovementState{},
		persons: map[uuid.UUID]*custody.PersonState{}}
}

func (l *lookup) transfer(ctx context.Context, id uuid.UUID) (*custody.TransferState, error) {
	if t, ok := l.transfers[id]; ok {
		return t, nil
	}
	t, err := readDoc[custody.TransferState](ctx, l.s, custody.TransferDoc, "transfer", id)
	if err != nil {
		return nil, fmt.Errorf("api: transfer %s: %w", id, err)
	}
	l.transfers[id] = t
	return t, nil
}

func (l *lookup) movement(ctx context.Context, id uuid.UUID) (*custody.MovementState, error) {
	if m, ok := l.movements[id]; ok {
		return m, nil
	}
	m, err := readDoc[custody.MovementState](ctx, l.s, custody.MovementDoc, "movement", id)
	if err != nil {
		return nil, fmt.Errorf("api: movement %s: %w", id, err)
	}
	l.movements[id] = m
	return m, nil
}

func (l *lookup) person(ctx context.Context, id uuid.UUID) (*custody.PersonState, error) {
	if p, ok := l.persons[id]; ok {
		return p, nil
	}
	p, err := l.s.store.Person(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("api: person %s: %w", id, err)
	}
	l.persons[id] = p
	return p, nil
}

func (l *lookup) facility(ctx context.Context, id uuid.UUID) (*custody.FacilityState, error) {
	if l.facilities == nil {
		fs, err := l.s.store.Facilities(ctx)
		if err != nil {
			return nil, err
		}
		l.facilities = make(map[uuid.UUID]*custody.FacilityState, len(fs))
		for i := range fs {
			l.facilities[fs[i].ID] = &fs[i]
		}
	}
	f, ok := l.facilities[id]
	if !ok {
		return nil, fmt.Errorf("api: no facility %s", id)
	}
	return f, nil
}

// concerns accumulates parties and facilities, without duplicates or nil ids.
type concerns struct{ access.Concerns }

func (c *concerns) party(ids ...uuid.UUID) {
	for _, id := range ids {
		if id != uuid.Nil && !slices.Contains(c.Parties, id) {
			c.Parties = append(c.Parties, id)
		}
	}
}

func (c *concerns) facility(ids ...uuid.UUID) {
	for _, id := range ids {
		if id != uuid.Nil && !slices.Contains(c.Facilities, id) {
			c.Facilities = append(c.Facilities, id)
		}
	}
}

// The concerns of each kind of record. read widens them for reads: those who
// take part in a person's open transfer, or escort a transfer's movements, see
// them; only the custodian, or the sending and receiving parties, act on them.

// personConcerns: the custodian (for reads also the parties of the open transfer
// the person is on and of the movement carrying them); the facility the person is
// at or returns to, and the ends of their movement and transfer.
func (l *lookup) personConcerns(ctx context.Context, p *custody.PersonState, read bool) (access.Concerns, error) {
	var c concerns
	c.party(p.Custody.Custodian)
	c.facility(p.Custody.Facility, p.Custody.Return)
	if p.Custody.Movement != uuid.Nil {
		m, err := l.movement(ctx, p.Custody.Movement)
		if err != nil {
			return c.Concerns, err
		}
		c.facility(m.From, m.To)
		if read {
			c.party(m.Escort)
		}
	}
	if p.Custody.Transfer != uuid.Nil && read {
		// A person on an open transfer concerns who sends and receives it, and
		// the escorts of its movements: an escort reads the persons it is to
		// carry before they depart.
		t, err := l.transfer(ctx, p.Custody.Transfer)
		if err != nil {
			return c.Concerns, err
		}
		tc, err := l.transferConcerns(ctx, t, true)
		if err != nil {
			return c.Concerns, err
		}
		c.party(tc.Parties...)
		c.facility(tc.Facilities...)
	}
	return c.Concerns, nil
}

// personVisibility is the condition the store filters a listing of persons by: it
// admits exactly the persons whose concerns as a read (personConcerns with read)
// the caller's grant permits (access.Grant.Permits), scope by scope:
//
//   - everyone, any_administrator, self: every person (nil; a person's concerns
//     name no user);
//   - own_party: the persons the party holds, those on an open transfer it sends
//     or receives, and those carried by a movement it escorts;
//   - mandate: the persons at a facility of the mandate or to return to one from
//     hospital, and those on an open transfer or carried by a movement from or to
//     one; every person (nil) when the mandate is over all.
//
// No scope, or no caller: nobody. The parties and facilities of transfers and
// movements come from s.ends.
func (s *server) personVisibility(ctx context.Context, az *authz) (*custody.Visibility, error) {
	vis := &custody.Visibility{}
	if az == nil {
		return vis, nil
	}
	var ends *recordEnds
	load := func() (err error) {
		if ends == nil {
			ends, err = s.ends.load(ctx, s.store)
		}
		return err
	}
	for _, scope := range az.grant.Scopes {
		switch scope {
		case access.Everyone, access.AnyAdministrator, access.Self:
			return nil, nil
		case access.OwnParty:
			p := az.user.Party
			if p == uuid.Nil {
				continue
			}
			if err := load(); err != nil {
				return nil, err
			}
			vis.Custodians = append(vis.Custodians, p)
			for id, t := range ends.transfers {
				if t.Sending == p || t.Receiving == p {
					vis.Transfers = append(vis.Transfers, id)
				}
			}
			for id, m := range ends.movements {
				if m.Escort == p {
					vis.Movements = append(vis.Movements, id)
					if !slices.Contains(vis.Transfers, m.Transfer) {
						vis.Transfers = append(vis.Transfers, m.Transfer) // as personConcerns: escorts see the transfer's persons
					}
				}
			}
		case access.Mandate:
			m, err := s.mandateOf(ctx, az)
			if err != nil {
				return nil, err
			}
			if m.All {
				return nil, nil
			}
			fs := slices.DeleteFunc(slices.Clone(m.Facilities), func(id uuid.UUID) bool { return id == uuid.Nil })
			if len(fs) == 0 {
				continue
			}
			if err := load(); err != nil {
				return nil, err
			}
			vis.Facilities = append(vis.Facilities, fs...)
			for id, t := range ends.transfers {
				if m.Covers(t.From, t.To) {
					vis.Transfers = append(vis.Transfers, id)
				}
			}
			for id, mv := range ends.movements {
				if m.Covers(mv.From, mv.To) {
					vis.Movements = append(vis.Movements, id)
				}
			}
		}
	}
	for _, ids := range []*[]uuid.UUID{&vis.Custodians, &vis.Facilities, &vis.Transfers, &vis.Movements} {
		slices.SortFunc(*ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		*ids = slices.Compact(*ids)
	}
	return vis, nil
}

// transferConcerns: the sending and receiving parties (for reads also the escorts
// of its movements); its two facilities.
func (l *lookup) transferConcerns(ctx context.Context, t *custody.TransferState, read bool) (access.Concerns, error) {
	var c concerns
	c.party(t.Sending, t.Receiving)
	c.facility(t.From, t.To)
	if read {
		var seen []uuid.UUID
		for _, tp := range t.People {
			if tp.Movement == uuid.Nil || slices.Contains(seen, tp.Movement) {
				continue
			}
			seen = append(seen, tp.Movement)
			m, err := l.movement(ctx, tp.Movement)
			if err != nil {
				return c.Concerns, err
			}
			c.party(m.Escort)
		}
	}
	return c.Concerns, nil
}

// movementConcerns: the escort, the transfer's sending and receiving parties; the
// facilities it leaves and reaches.
func (l *lookup) movementConcerns(ctx context.Context, m *custody.MovementState) (access.Concerns, error) {
	var c concerns
	c.party(m.Escort)
	c.facility(m.From, m.To)
	t, err := l.transfer(ctx, m.Transfer)
	if err != nil {
		return c.Concerns, err
	}
	c.party(t.Sending, t.Receiving)
	return c.Concerns, nil
}

// incidentConcerns: the reporting party, the parties of its movement, the
// controller of its facility; those facilities.
func (l *lookup) incidentConcerns(ctx context.Context, in *custody.IncidentState) (access.Concerns, error) {
	var c concerns
	c.party(in.Party)
	if in.Movement != uuid.Nil {
		m, err := l.movement(ctx, in.Movement)
		if err != nil {
			return c.Concerns, err
		}
		mc, err := l.movementConcerns(ctx, m)
		if err != nil {
			return c.Concerns, err
		}
		c.party(mc.Parties...)
		c.facility(mc.Facilities...)
	}
	if in.Facility != uuid.Nil {
		f, err := l.facility(ctx, in.Facility)
		if err != nil {
			return c.Concerns, err
		}
		c.party(f.Controller)
		c.facility(f.ID)
	}
	return c.Concerns, nil
}

// notificationConcerns: the party that owes it; the facilities of its person.
func (l *lookup) notificationConcerns(ctx context.Context, n *custody.Notification) (access.Concerns, error) {
	var c concerns
	c.party(n.Party)
	p, err := l.person(ctx, n.Person)
	if err != nil {
		return c.Concerns, err
	}
	pc, err := l.personConcerns(ctx, p, true)
	if err != nil {
		return c.Concerns, err
	}
	c.facility(pc.Facilities...)
	return c.Concerns, nil
}

// The resolvers of the route table: a path's reference to concerns.

func (s *server) personRead(ctx context.Context, ref string) (resource, error) {
	return s.personResource(ctx, ref, true)
}

func (s *server) personWrite(ctx context.Context, ref string) (resource, error) {
	return s.personResource(ctx, ref, false)
}

// recaptureOf: a recapture is recorded by the party that holds the person again —
// the controller of the facility they are taken to — whoever held them before the
// escape; nobody records that another party now holds someone.
func (s *server) recaptureOf(ctx context.Context, in *action[recapture]) (resource, error) {
	p, err := s.person(ctx, in.ID)
	if err != nil {
		return resource{}, err
	}
	f, err := s.facility(ctx, "body.facility", in.Body.Facility)
	if err != nil {
		return resource{}, err
	}
	// Denied, the person is refused as the person's own routes refuse them.
	pr, err := s.personResource(ctx, in.ID, true)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, "person/" + p.Record.ID.String(), pr.hidden}, nil
}

func (s *server) personResource(ctx context.Context, ref string, read bool) (resource, error) {
	p, err := s.person(ctx, ref)
	if err != nil {
		return resource{}, err
	}
	l := s.lookup()
	c, err := l.personConcerns(ctx, p, read)
	if err != nil {
		return resource{}, err
	}
	rc, err := l.personConcerns(ctx, p, true)
	if err != nil {
		return resource{}, err
	}
	h := &hidden{missing: missing("person", p.Record.ID.String()), readAction: "get-person", readConcerns: rc}
	if _, regNo, _ := parsePersonRef(ref); regNo != "" {
		h.missing = at(custody.Errorf(custody.NotFound, "reg_no", "no person with registration number %s", regNo), where{"": "path.id", "reg_no": "path.id"})
	}
	return resource{c, "person/" + p.Record.ID.String(), h}, nil
}

func (s *server) transferRead(ctx context.Context, ref string) (resource, error) {
	return s.transferResource(ctx, ref, true)
}

func (s *server) transferWrite(ctx context.Context, ref string) (resource, error) {
	return s.transferResource(ctx, ref, false)
}

func (s *server) transferResource(ctx context.Context, ref string, read bool) (resource, error) {
	id, err := parseID("path.id", "transfer", ref)
	if err != nil {
		return resource{}, err
	}
	t, err := readDoc[custody.TransferState](ctx, s, custody.TransferDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	l := s.lookup()
	c, err := l.transferConcerns(ctx, t, read)
	if err != nil {
		return resource{}, err
	}
	rc, err := l.transferConcerns(ctx, t, true)
	return resource{c, "transfer/" + id.String(), &hidden{missing("transfer", id.String()), "get-transfer", rc}}, err
}

func (s *server) movementOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "movement", ref)
	if err != nil {
		return resource{}, err
	}
	m, err := readDoc[custody.MovementState](ctx, s, custody.MovementDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	c, err := s.lookup().movementConcerns(ctx, m)
	return resource{c, "movement/" + id.String(), &hidden{missing("movement", id.String()), "get-movement", c}}, err
}

func (s *server) incidentOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "incident", ref)
	if err != nil {
		return resource{}, err
	}
	in, err := readDoc[custody.IncidentState](ctx, s, custody.IncidentDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	c, err := s.lookup().incidentConcerns(ctx, in)
	return resource{c, "incident/" + id.String(), &hidden{missing("incident", id.String()), "get-incident", c}}, err
}

func (s *server) notificationOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "notification", ref)
	if err != nil {
		return resource{}, err
	}
	n, err := readDoc[custody.Notification](ctx, s, custody.NotificationDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	c, err := s.lookup().notificationConcerns(ctx, n)
	return resource{c, "notification/" + id.String(), &hidden{missing("notification", id.String()), "get-notification", c}}, err
}

func (s *server) keyOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "key", ref)
	if err != nil {
		return resource{}, err
	}
	k, err := readDoc[custody.OfficerKey](ctx, s, custody.KeyDoc, "path.id", id)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{k.Party}}, "key/" + id.String(), nil}, nil
}

func (s *server) facilityOf(ctx context.Context, ref string) (resource, error) {
	f, err := s.facility(ctx, "path.id", ref)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, "facility/" + f.ID.String(), nil}, nil
}

func (s *server) partyOf(ctx context.Context, ref string) (resource, error) {
	id, err := s.partyRef(ctx, "path.id", ref)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{id}}, "party/" + id.String(), nil}, nil
}

// eventOf: the event's acting party, and the concerns of its subject read as a
// record: a person, a facility, a transfer, a movement or an incident.
func (s *server) eventOf(ctx context.Context, ref string) (resource, error) {
	index, err := strconv.ParseUint(ref, 10, 64)
	if err != nil {
		return resource{}, invalid("path.index", "must be a ledger index")
	}
	le, err := s.store.Event(ctx, index)
	if err != nil {
		return resource{}, at(err, where{"index": "path.index", "": "path.index"})
	}
	c, err := s.eventConcerns(ctx, le)
	if err != nil {
		return resource{}, err
	}
	target := fmt.Sprintf("event/%d", index)
	miss := at(custody.Errorf(custody.NotFound, "index", "no event at index %d", index), where{"index": "path.index", "": "path.index"})
	return resource{c, target, &hidden{missing: miss}}, nil
}

// eventConcerns are an event's concerns as a read: its party's, and those of its
// subject as it stands now.
func (s *server) eventConcerns(ctx context.Context, le custody.LoggedEvent) (access.Concerns, error) {
	e, err := custody.DecodeEvent(le.Bytes)
	if err != nil {
		return access.Concerns{}, fmt.Errorf("api: event %d: %w", le.Index, err)
	}
	var c concerns
	c.party(e.Party)
	sub, err := s.subjectConcerns(ctx, e.Subject)
	if err != nil {
		return access.Concerns{}, err
	}
	c.party(sub.Parties...)
	c.facility(sub.Facilities...)
	return c.Concerns, nil
}

// subjectConcerns finds what an event's subject is and its concerns as a read.
func (s *server) subjectConcerns(ctx context.Context, id uuid.UUID) (access.Concerns, error) {
	l := s.lookup()
	notFound := func(err error) bool {
		var ce *custody.Error
		return errors.As(err, &ce) && ce.Code == custody.NotFound
	}
	if p, err := s.store.Person(ctx, id); err == nil {
		return l.personConcerns(ctx, p, true)
	} else if !notFound(err) {
		return access.Concerns{}, err
	}
	if f, err := l.facility(ctx, id); err == nil {
		return access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, nil
	}
	for _, kind := range []custody.DocKind{custody.TransferDoc, custody.MovementDoc, custody.IncidentDoc} {
		b, err := s.store.Doc(ctx, kind, id)
		if notFound(err) {
			continue
		}
		if err != nil {
			return access.Concerns{}, err
		}
		switch kind {
		case custody.TransferDoc:
			var t custody.TransferState
			if err := json.Unmarshal(b, &t); err != nil {
				return access.Concerns{}, err
			}
			return l.transferConcerns(ctx, &t, true)
		case custody.MovementDoc:
			var m custody.MovementState
			if err := json.Unmarshal(b, &m); err != nil {
				return access.Concerns{}, err
			}
			return l.movementConcerns(ctx, &m)
		default:
			var in custody.IncidentState
			if err := json.Unmarshal(b, &in); err != nil {
				return access.Concerns{}, err
			}
			return l.incidentConcerns(ctx, &in)
		}
	}
	return access.Concerns{}, nil
}

// The resolvers of writes that create a record: the concerns of what the body
// names.

func (s *server) newFacilityConcerns(ctx context.Context, in *registerFacilityInput) (resource, error) {
	if in.Body.Facility.ControllingParty == "" {
		return resource{}, invalid("body.facility.controlling_party", "is required: the party that controls the facility (code or id)")
	}
	return s.partyConcerns(ctx, "body.facility.controlling_party", in.Body.Facility.ControllingParty)
}

func (s *server) newPersonConcerns(ctx context.Context, in *registerPersonInput) (resource, error) {
	f, err := s.facility(ctx, "body.facility", in.Body.Facility)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, "facility/" + f.ID.String(), nil}, nil
}

func (s *server) newKeyConcerns(ctx context.Context, in *registerKeyInput) (resource, error) {
	return s.partyConcerns(ctx, "body.party", in.Body.Party)
}

func (s *server) newCampaignConcerns(ctx context.Context, in *createCampaignInput) (resource, error) {
	return s.partyConcerns(ctx, "body.campaign.receiving", in.Body.Campaign.Receiving)
}

func (s *server) partyConcerns(ctx context.Context, loc, ref string) (resource, error) {
	id, err := s.partyRef(ctx, loc, ref)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{id}}, "party/" + id.String(), nil}, nil
}

// newTransferConcerns: a transfer is proposed by the controller of the facility
// the persons leave.
func (s *server) newTransferConcerns(ctx context.Context, in *proposeTransferInput) (resource, error) {
	f, err := s.facility(ctx, "body.transfer.from", in.Body.Transfer.From)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, "facility/" + f.ID.String(), nil}, nil
}

// newMovementConcerns: the transfer's sending and receiving parties, and the
// escort the plan names.
func (s *server) newMovementConcerns(ctx context.Context, in *planMovementInput) (resource, error) {
	b := in.Body.Movement
	if b.Transfer == uuid.Nil {
		return resource{}, invalid("body.movement.transfer", "is required")
	}
	t, err := readDoc[custody.TransferState](ctx, s, custody.TransferDoc, "body.movement.transfer", b.Transfer)
	if err != nil {
		return resource{}, err
	}
	var c concerns
	c.party(t.Sending, t.Receiving)
	c.facility(t.From, t.To)
	if b.Escort != "" {
		escort, err := s.partyRef(ctx, "body.movement.escort", b.Escort)
		if err != nil {
			return resource{}, err
		}
		c.party(escort)
	}
	rc, err := s.lookup().transferConcerns(ctx, t, true)
	if err != nil {
		return resource{}, err
	}
	return resource{c.Concerns, "transfer/" + t.ID.String(), &hidden{missingAt("body.movement.transfer", "transfer", t.ID.String()), "get-transfer", rc}}, nil
}

// handoverConcerns: the parties of the document's two officers.
func (s *server) handoverConcerns(ctx context.Context, in *handoverInput) (resource, error) {
	if len(in.Body.Document) == 0 {
		return resource{}, invalid("body.document", "is required: the signed document's bytes, base64")
	}
	doc, err := custody.ParseHandover(in.Body.Document)
	if err != nil {
		return resource{}, at(err, inBody)
	}
	var c concerns
	c.party(doc.From.Party, doc.To.Party)
	return resource{c.Concerns, "movement/" + doc.Movement.String(), nil}, nil
}

// newIncidentConcerns: the parties of the movement, the controller of the
// facility and the custodians of the persons the report names.
func (s *server) newIncidentConcerns(ctx context.Context, in *openIncidentInput) (resource, error) {
	b := in.Body.Incident
	l := s.lookup()
	var c concerns
	if b.Movement != "" {
		id, err := parseID("body.incident.movement", "movement", b.Movement)
		if err != nil {
			return resource{}, err
		}
		m, err := readDoc[custody.MovementState](ctx, s, custody.MovementDoc, "body.incident.movement", id)
		if err != nil {
			return resource{}, err
		}
		mc, err := l.movementConcerns(ctx, m)
		if err != nil {
			return resource{}, err
		}
		c.party(mc.Parties...)
	}
	if b.Facility != "" {
		f, err := s.facility(ctx, "body.incident.facility", b.Facility)
		if err != nil {
			return resource{}, err
		}
		c.party(f.Controller)
	}
	for i, ref := range b.Persons {
		loc := fmt.Sprintf("body.incident.persons[%d]", i)
		id, regNo, err := parsePersonRefAt(loc, ref)
		if err != nil {
			return resource{}, err
		}
		var p *custody.PersonState
		if regNo != "" {
			p, err = s.store.PersonByRegNo(ctx, regNo)
		} else {
			p, err = s.store.Person(ctx, id)
		}
		if err != nil {
			return resource{}, at(err, where{"": loc, "id": loc, "reg_no": loc})
		}
		c.party(p.Custody.Custodian)
	}
	if len(c.Parties) == 0 {
		return resource{}, invalid("body.incident", "name the movement, the facility or the persons it concerns")
	}
	return resource{c.Concerns, "incident", nil}, nil
}
