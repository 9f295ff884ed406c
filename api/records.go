package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The operational records (officer keys, campaigns, transfers, movements,
// incidents, notifications) are kept by the store as JSON documents; these read
// them back into the domain's types.

// idInput names a record by its id in the path.
type idInput struct {
	ID string `path:"id" doc:"The record's id (a UUID)"`
}

// readDoc reads one record; a missing one is a 404 located at loc.
func readDoc[T any](ctx context.Context, s *server, kind custody.DocKind, loc string, id uuid.UUID) (*T, error) {
	b, err := s.store.Doc(ctx, kind, id)
	if err != nil {
		return nil, at(err, where{"": loc, "id": loc})
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("api: stored %s %s: %w", kind, id, err)
	}
	return v, nil
}

// readDocs reads every record of a kind that keep accepts (nil accepts all).
func readDocs[T any](ctx context.Context, s *server, kind custody.DocKind, keep func(*T) bool) ([]T, error) {
	bs, err := s.store.DocList(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(bs))
	for _, b := range bs {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("api: stored %s: %w", kind, err)
		}
		if keep == nil || keep(&v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// parseID reads the id of a record (what names it, like "transfer") at loc.
func parseID(loc, what, ref string) (uuid.UUID, error) {
	if len(ref) == 36 {
		if id, err := uuid.Parse(ref); err == nil && id != uuid.Nil {
			return id, nil
		}
	}
	return uuid.Nil, invalid(loc, fmt.Sprintf("must be a %s id (a UUID); got %q", what, clip(ref)))
}

// optionalID reads an optional record id; "" is uuid.Nil.
func optionalID(loc, what, ref string) (uuid.UUID, error) {
	if ref == "" {
		return uuid.Nil, nil
	}
	return parseID(loc, what, ref)
}

// clip shortens a value echoed in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// newID returns id, or a new UUIDv7 when id is nil.
func newID(id uuid.UUID) uuid.UUID {
	if id == uuid.Nil {
		return uuid.Must(uuid.NewV7())
	}
	return id
}
