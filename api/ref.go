package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Meta is what every write carries besides its own fields.
type Meta struct {
	OccurredAt time.Time `json:"occurred_at" required:"true" doc:"When the fact happened in the field (RFC 3339)"`
	Actor      string    `json:"actor,omitempty" doc:"Ignored: the actor recorded is the signed-in user's login name"`
	Party      string    `json:"party,omitempty" doc:"The acting party is the signed-in user's; if given, it must name that party (id or code)"`
}

func (m Meta) meta() Meta { return m }

// Stamp is Meta without the acting party, for writes whose party is a field of
// their own.
type Stamp struct {
	OccurredAt time.Time `json:"occurred_at" required:"true" doc:"When the fact happened in the field (RFC 3339)"`
	Actor      string    `json:"actor,omitempty" doc:"Ignored: the actor recorded is the signed-in user's login name"`
}

// meta resolves m into custody.Meta: the actor is the signed-in user's login name
// and the acting party their party, never what the body says. A body that names
// another party is refused.
func (s *server) meta(ctx context.Context, m Meta) (custody.Meta, error) {
	az := authzOf(ctx)
	if az == nil {
		return custody.Meta{}, errors.New("api: a write without a signed-in user")
	}
	cm := custody.Meta{Actor: az.user.Name, Party: az.user.Party, OccurredAt: m.OccurredAt}
	if m.Party != "" {
		id, err := s.partyRef(ctx, "body.party", m.Party)
		if err != nil {
			return cm, err
		}
		if id != az.user.Party {
			return cm, invalid("body.party", fmt.Sprintf("you act for your own party (%s); leave party out", az.user.Party))
		}
	}
	return cm, nil
}

// parsePersonRef reads a person reference from a path: a UUID or a registration
// number. Exactly one of id and regNo is set when err is nil.
func parsePersonRef(ref string) (id uuid.UUID, regNo string, err error) {
	return parsePersonRefAt("path.id", ref)
}

// parsePersonRefAt is parsePersonRef for a reference found at loc.
func parsePersonRefAt(loc, ref string) (id uuid.UUID, regNo string, err error) {
	if custody.IsRegNo(ref) {
		return uuid.Nil, ref, nil
	}
	if len(ref) == 36 {
		if id, err := uuid.Parse(ref); err == nil && id != uuid.Nil {
			return id, "", nil
		}
	}
	return uuid.Nil, "", invalid(loc, "must be a person's UUID or registration number (like HSK-000150)")
}

// person resolves a person reference and returns the person.
func (s *server) person(ctx context.Context, ref string) (*custody.PersonState, error) {
	id, regNo, err := parsePersonRef(ref)
	if err != nil {
		return nil, err
	}
	if regNo == "" {
		p, err := s.store.Person(ctx, id)
		return p, at(err, where{"": "path.id", "id": "path.id"})
	}
	p, err := s.store.PersonByRegNo(ctx, regNo)
	return p, at(err, where{"": "path.id", "reg_no": "path.id"})
}

// personID resolves a person reference to an id.
func (s *server) personID(ctx context.Context, ref string) (uuid.UUID, error) {
	if id, _, err := parsePersonRef(ref); err == nil && id != uuid.Nil {
		return id, nil // the command's decision says whether the person exists
	}
	p, err := s.person(ctx, ref)
	if err != nil {
		return uuid.Nil, err
	}
	return p.Record.ID, nil
}

// personAt resolves a person reference found at loc (a body or query field) to an
// id. A UUID is taken as it is: the command's decision says whether the person
// exists.
func (s *server) personAt(ctx context.Context, loc, ref string) (uuid.UUID, error) {
	id, regNo, err := parsePersonRefAt(loc, ref)
	if err != nil || regNo == "" {
		return id, err
	}
	p, err := s.store.PersonByRegNo(ctx, regNo)
	if err != nil {
		return uuid.Nil, at(err, where{"": loc, "reg_no": loc})
	}
	return p.Record.ID, nil
}

// personsAt resolves a list of person references found at loc.
func (s *server) personsAt(ctx context.Context, loc string, refs []string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, len(refs))
	for i, ref := range refs {
		id, err := s.personAt(ctx, fmt.Sprintf("%s[%d]", loc, i), ref)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// optionalPersonAt is personAt for an optional reference; "" is uuid.Nil.
func (s *server) optionalPersonAt(ctx context.Context, loc, ref string) (uuid.UUID, error) {
	if ref == "" {
		return uuid.Nil, nil
	}
	return s.personAt(ctx, loc, ref)
}

// facility resolves a facility reference, a UUID or a code, at location loc.
func (s *server) facility(ctx context.Context, loc, ref string) (*custody.FacilityState, error) {
	fs, err := s.store.Facilities(ctx)
	if err != nil {
		return nil, err
	}
	id, _ := uuid.Parse(ref)
	for i := range fs {
		if fs[i].Code == ref || id != uuid.Nil && fs[i].ID == id {
			return &fs[i], nil
		}
	}
	return nil, at(custody.Errorf(custody.NotFound, "x", "no facility %q", ref), where{"x": loc})
}

// facilityRef resolves an optional facility reference to an id; "" is uuid.Nil.
func (s *server) facilityRef(ctx context.Context, loc, ref string) (uuid.UUID, error) {
	if ref == "" {
		return uuid.Nil, nil
	}
	f, err := s.facility(ctx, loc, ref)
	if err != nil {
		return uuid.Nil, err
	}
	return f.ID, nil
}

// partyRef resolves a party reference, a UUID or a code, at location loc.
func (s *server) partyRef(ctx context.Context, loc, ref string) (uuid.UUID, error) {
	p, err := s.party(ctx, loc, ref)
	if err != nil {
		return uuid.Nil, err
	}
	return p.ID, nil
}

// party finds a party by UUID or code; a missing one is a 404 at loc.
func (s *server) party(ctx context.Context, loc, ref string) (*custody.Party, error) {
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return nil, err
	}
	id, _ := uuid.Parse(ref)
	for i, p := range ps {
		if p.Code == ref || id != uuid.Nil && p.ID == id {
			return &ps[i], nil
		}
	}
	return nil, at(custody.Errorf(custody.NotFound, "x", "no party %q", ref), where{"x": loc})
}
