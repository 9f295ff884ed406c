package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// itemRoutes are the collections whose creates answer a Location: each has a GET
// of its items at collection/{id}.
var itemRoutes = map[string]bool{
	"/api/v1/parties": true, "/api/v1/users": true, "/api/v1/tokens": true,
	"/api/v1/facilities": true, "/api/v1/persons": true, "/api/v1/keys": true, "/api/v1/campaigns": true,
	"/api/v1/transfers": true, "/api/v1/movements": true, "/api/v1/incidents": true,
}

type humaCtxKey struct{}

// A write that records events but makes no record with a URL of its own (an
// admission, a safeguard, a handover) answers the Location of the first event
// it recorded: /api/v1/events/{index}.

// locationKey marks, in an operation's metadata, what its Location names:
// "item" (collection/{id}) or "event".
const locationKey = "location"

// withLocation makes a create answer its Location: a POST to a collection with
// items, or a POST whose answer holds a receipt (hasReceipt).
func withLocation(op *huma.Operation, hasReceipt bool) {
	if op.Method != http.MethodPost || op.DefaultStatus != http.StatusCreated {
		return
	}
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	switch {
	case itemRoutes[op.Path]:
		op.Metadata[locationKey] = "item"
	case hasReceipt:
		op.Metadata[locationKey] = "event"
	default:
		return
	}
	op.Middlewares = append(huma.Middlewares{func(ctx huma.Context, next func(huma.Context)) {
		next(huma.WithValue(ctx, humaCtxKey{}, ctx))
	}}, op.Middlewares...)
}

// locate sets the Location of the resource a create made: for an item, the id
// of its answer (the body's id, or else the subject of the receipt's first
// event); for an event, its index.
func locate(ctx context.Context, path string, out any) {
	hctx, ok := ctx.Value(humaCtxKey{}).(huma.Context)
	if !ok || out == nil {
		return
	}
	body := reflect.ValueOf(out).Elem().FieldByName("Body")
	if !body.IsValid() {
		return
	}
	b, err := json.Marshal(body.Interface())
	if err != nil {
		return
	}
	type event struct {
		Index   *uint64
		Subject string
	}
	var got struct {
		ID      string  `json:"id"`
		Events  []event `json:"events"`
		Receipt *struct {
			Events []event `json:"events"`
		} `json:"receipt"`
	}
	if json.Unmarshal(b, &got) != nil {
		return
	}
	if !itemRoutes[path] {
		es := got.Events
		if got.Receipt != nil {
			es = got.Receipt.Events
		}
		if len(es) > 0 && es[0].Index != nil {
			hctx.SetHeader("Location", "/api/v1/events/"+strconv.FormatUint(*es[0].Index, 10))
		}
		return
	}
	id := got.ID
	switch {
	case id != "":
	case got.Receipt != nil && len(got.Receipt.Events) > 0:
		id = got.Receipt.Events[0].Subject
	case len(got.Events) > 0:
		id = got.Events[0].Subject
	}
	if id != "" && !strings.ContainsAny(id, "/?#") {
		hctx.SetHeader("Location", path+"/"+id)
	}
}

// hasReceipt reports whether an answer's body (the Body field of t) holds a
// receipt: is one, or has a receipt member.
func hasReceipt(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	f, ok := t.FieldByName("Body")
	if !ok {
		return false
	}
	b := f.Type
	if b == reflect.TypeFor[Receipt]() {
		return true
	}
	if b.Kind() != reflect.Struct {
		return false
	}
	r, ok := b.FieldByName("Receipt")
	return ok && (r.Type == reflect.TypeFor[Receipt]() || r.Type == reflect.TypeFor[*Receipt]())
}
