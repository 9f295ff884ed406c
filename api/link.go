package api

import (
	"context"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// A registrar who has compared two registrations proposed as one person records
// the finding on the person in the path: linked (the same person), unlinked (a link
// withdrawn) or distinct (different persons, no longer proposed). Nothing is merged;
// see custody.LinkPersons. The other record must be one the caller may see.

type linkBody struct {
	Meta
	Other  string `json:"other" required:"true" doc:"The other record: id or registration number"`
	Reason string `json:"reason" required:"true" doc:"Why: what was compared"`
}

// onPair locates refusals of a link decision.
var onPair = where{"": "body", "person": "path.id", "other": "body.other"}

// pairOf resolves the two records of a link decision, refusing another record the
// caller may not see as if it did not exist.
func (s *server) pairOf(ctx context.Context, in *action[linkBody]) (custody.Meta, uuid.UUID, uuid.UUID, error) {
	id, err := s.personID(ctx, in.ID)
	if err != nil {
		return custody.Meta{}, uuid.Nil, uuid.Nil, err
	}
	other, err := s.personAt(ctx, "body.other", in.Body.Other)
	if err != nil {
		return custody.Meta{}, uuid.Nil, uuid.Nil, err
	}
	if other != id {
		seen, err := s.visibleByID(ctx, []uuid.UUID{other})
		if err != nil {
			return custody.Meta{}, uuid.Nil, uuid.Nil, err
		}
		if _, ok := seen[other]; !ok {
			return custody.Meta{}, uuid.Nil, uuid.Nil, notFound("body.other", "no person "+in.Body.Other)
		}
	}
	m, err := s.meta(ctx, in.Body.meta())
	return m, id, other, err
}

func (s *server) linkPersons(ctx context.Context, in *action[linkBody]) (*receiptOutput, error) {
	m, a, b, err := s.pairOf(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.LinkPersons{Meta: m, Person: a, Other: b, Reason: in.Body.Reason}, onPair)
}

func (s *server) unlinkPersons(ctx context.Context, in *action[linkBody]) (*receiptOutput, error) {
	m, a, b, err := s.pairOf(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.UnlinkPersons{Meta: m, Person: a, Other: b, Reason: in.Body.Reason}, onPair)
}

func (s *server) distinguishPersons(ctx context.Context, in *action[linkBody]) (*receiptOutput, error) {
	m, a, b, err := s.pairOf(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.DistinguishPersons{Meta: m, Person: a, Other: b, Reason: in.Body.Reason}, onPair)
}
