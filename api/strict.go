package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// knownQuery refuses, with a 400 problem located at the parameter, a query
// parameter that the operation does not declare: a misspelt filter must not be
// silently ignored and answer with everything.
func knownQuery(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		u := ctx.URL()
		for name := range u.Query() {
			if !slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.In == "query" && p.Name == name }) {
				var known []string
				for _, p := range op.Parameters {
					if p.In == "query" {
						known = append(known, p.Name)
					}
				}
				said := "none"
				if len(known) > 0 {
					slices.Sort(known)
					said = strings.Join(known, ", ")
				}
				huma.WriteErr(api, ctx, http.StatusBadRequest, "query."+name+": unknown query parameter; this operation takes: "+said,
					&huma.ErrorDetail{Location: "query." + name, Message: "unknown query parameter"})
				return
			}
		}
		next(ctx)
	}
}

// methods are the methods a route of the API may have, in the order Allow lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// notFoundOrMethod is the mux's last resort: a path that a route serves with
// other methods gets 405 and Allow; any other, 404.
func notFoundOrMethod(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, http.StatusMethodNotAllowed, r.Method+" is not a method of "+r.URL.Path+"; it allows "+strings.Join(allow, ", "))
			return
		}
		writeProblem(w, http.StatusNotFound, "no such resource: "+r.URL.Path)
	}
}
