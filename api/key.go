package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

type registerKeyInput struct {
	Body struct {
		Stamp
		Party     string `json:"party" required:"true" doc:"The party the officer serves (id or code)"`
		Officer   string `json:"officer" required:"true" doc:"The officer's name and rank, as they sign"`
		PublicKey []byte `json:"public_key" required:"true" doc:"The Ed25519 public key, 32 bytes, base64"`
		User      string `json:"user,omitempty" doc:"The officer's account (login name or id), an account of the key's party"`
		Replaces  string `json:"replaces,omitempty" doc:"The officer's key this one rotates out (id): it is revoked by the same write"`
	}
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
	m, err := s.meta(ctx, Meta{OccurredAt: b.OccurredAt})
	if err != nil {
		return nil, err
	}
	cmd := custody.RegisterKey{Meta: m, Party: party, Officer: b.Officer, PublicKey: b.PublicKey}
	if b.User != "" {
		u, err := s.userByRef(ctx, b.User)
		if errors.Is(err, access.ErrNotFound) {
			return nil, notFound("body.user", fmt.Sprintf("no user %q", clip(b.User)))
		}
		if err != nil {
			return nil, err
		}
		if u.Party != party {
			return nil, invalid("body.user", fmt.Sprintf("%s is an account of another party than the key's", u.Name))
		}
		cmd.User = u.ID
	}
	if cmd.Replaces, err = optionalID("body.replaces", "key", b.Replaces); err != nil {
		return nil, err
	}
	r, err := s.submit(ctx, cmd, inBody)
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
	ListQuery
}

type keysOutput struct {
	Body struct {
		Keys []custody.OfficerKey `json:"keys" doc:"By id"`
		Paging
	}
}

func (s *server) listKeys(ctx context.Context, in *listKeysInput) (*keysOutput, error) {
	ids, err := in.uuids("key")
	if err != nil {
		return nil, err
	}
	var party uuid.UUID
	if in.Party != "" {
		var err error
		if party, err = s.partyRef(ctx, "query.party", in.Party); err != nil {
			return nil, err
		}
	}
	ks, err := readDocs(ctx, s, custody.KeyDoc, func(k *custody.OfficerKey) bool {
		return (party == uuid.Nil || k.Party == party) && (ids == nil || ids[k.ID])
	})
	if err != nil {
		return nil, err
	}
	out := &keysOutput{}
	if out.Body.Keys, out.Body.Next, err = pageByID(ks, func(k *custody.OfficerKey) uuid.UUID { return k.ID }, in.PageQuery); err != nil {
		return nil, err
	}
	return out, nil
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
