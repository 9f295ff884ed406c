package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// itemRoutes are the collections whose creates answer a Location: each has a GET
// of its items at collection/{id}.
var itemRoutes = map[string]bool{
	"/api/v1/facilities": true, "/api/v1/persons": true, "/api/v1/keys": true, "/api/v1/campaigns": true,
	"/api/v1/transfers": true, "/api/v1/movements": true, "/api/v1/incidents": true,
}

type humaCtxKey struct{}

// withLocation documents the Location header of a create.
func withLocation(op *huma.Operation) {
	if op.Method != http.MethodPost || !itemRoutes[op.Path] {
		return
	}
	op.Middlewares = append(huma.Middlewares{func(ctx huma.Context, next func(huma.Context)) {
		next(huma.WithValue(ctx, humaCtxKey{}, ctx))
	}}, op.Middlewares...)
}

// locate sets the Location of the resource a create made: the id of its answer
// (the body's id, or else the subject of the receipt's first event).
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
	var got struct {
		ID      string                     `json:"id"`
		Events  []struct{ Subject string } `json:"events"`
		Receipt *struct {
			Events []struct{ Subject string } `json:"events"`
		} `json:"receipt"`
	}
	if json.Unmarshal(b, &got) != nil {
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
