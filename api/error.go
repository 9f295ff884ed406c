package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"github.com/handover-project/handover/custody"
)

// statusOf is the one table from refusal code to HTTP status. (Malformed JSON is
// 400 and an oversized body 413; huma answers those before a handler runs.)
var statusOf = map[custody.Code]int{
	custody.Invalid:  http.StatusUnprocessableEntity,
	custody.NotFound: http.StatusNotFound,
	custody.Conflict: http.StatusConflict,
	custody.Refused:  http.StatusConflict,
	custody.Internal: http.StatusInternalServerError,
	custody.Stale:    http.StatusPreconditionFailed,
}

// problem is an RFC 9457 problem with the refusal code as an extension member.
// Every problem the server writes has a code and the type URI of that code (see
// problemtype.go).
type problemDetails struct {
	huma.ErrorModel
	Code custody.Code `json:"code,omitempty"`
	// huma marks huma's own refusals, whose details locateSchemaErrors locates.
	huma bool
}

// where maps the field of a custody.Error, a JSON path into the command, to a
// location in the request ("body.person.nationalities[1]", "path.id",
// "query.limit"). The longest key that is the field or a parent of it is replaced by
// its value; the key "" is the parent of every field.
type where map[string]string

var inBody = where{"": "body"}

func (w where) locate(field string) string {
	if field == "" {
		return ""
	}
	best, loc := -1, ""
	for k, v := range w {
		rest, ok := strings.CutPrefix(field, k)
		if !ok || len(k) <= best {
			continue
		}
		switch {
		case k == "":
			loc = v + "." + field
		case rest == "" || rest[0] == '[':
			loc = v + rest
		case rest[0] == '.':
			loc = v + rest
		default:
			continue
		}
		best = len(k)
	}
	if best < 0 {
		return field
	}
	return loc
}

// at turns a custody refusal into a problem whose location is found with w. Other
// errors pass unchanged.
func at(err error, w where) error {
	var ce *custody.Error
	if !errors.As(err, &ce) || ce.Code == custody.Internal {
		return err
	}
	status, ok := statusOf[ce.Code]
	if !ok {
		return err
	}
	loc := w.locate(ce.Field)
	detail := ce.Message
	if loc != "" {
		detail = loc + ": " + ce.Message
	}
	p := newProblem(status, ce.Code, detail)
	if loc != "" {
		p.Errors = []*huma.ErrorDetail{{Message: ce.Message, Location: loc}}
	}
	return p
}

// invalid is a 422 problem at a location of the request.
func invalid(loc, msg string) error {
	return at(custody.Errorf(custody.Invalid, "x", "%s", msg), where{"x": loc})
}

// notFound is a 404 problem at a location of the request.
func notFound(loc, msg string) error {
	return at(custody.Errorf(custody.NotFound, "x", "%s", msg), where{"x": loc})
}

// conflict is a 409 problem at a location of the request.
func conflict(loc, msg string) error {
	return at(custody.Errorf(custody.Conflict, "x", "%s", msg), where{"x": loc})
}

// problem is the last stop of every handler error: problems and huma's status
// errors pass, custody refusals are located in the body, and anything else is
// logged and answered with a bare 500.
func (s *server) problem(ctx context.Context, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	if p := at(err, inBody); p != err {
		return p
	}
	if ctx.Err() == nil {
		s.log.ErrorContext(ctx, "api: internal error", "err", err)
	}
	return newProblem(http.StatusInternalServerError, custody.Internal, "internal error; it has been logged")
}

// locateSchemaErrors is a huma transformer for the problems huma itself writes
// (malformed JSON, schema validation): a missing property is located at the
// property rather than at its parent, the locations are said in the detail, and
// the request is not echoed back (it may hold a person's record).
func locateSchemaErrors(_ huma.Context, _ string, v any) (any, error) {
	var em *huma.ErrorModel
	switch p := v.(type) {
	case *huma.ErrorModel:
		v = (&problemDetails{ErrorModel: *p, huma: true}).typed()
		em = &v.(*problemDetails).ErrorModel
	case *problemDetails:
		em = &p.typed().ErrorModel
	case *importProblem:
		p.typed()
		return v, nil
	default:
		return v, nil
	}
	if len(em.Errors) == 0 || !v.(*problemDetails).huma {
		return v, nil
	}
	var said []string
	for _, d := range em.Errors {
		if d == nil {
			continue
		}
		d.Value = nil
		if name, ok := requiredProperty(d.Message); ok {
			d.Location, d.Message = d.Location+"."+name, "is required"
		}
		said = append(said, d.Location+": "+d.Message)
	}
	em.Detail += ": " + strings.Join(said, "; ")
	return v, nil
}

var requiredPrefix, requiredSuffix, _ = strings.Cut(validation.MsgExpectedRequiredProperty, "%s")

// requiredProperty reads the property's name from huma's "expected required
// property X to be present".
func requiredProperty(msg string) (string, bool) {
	name, ok := strings.CutPrefix(msg, requiredPrefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(name, requiredSuffix)
}

// writeProblem writes a problem outside huma (unknown routes, panics, health),
// with the code of its status.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(newProblem(status, codeFor(status), detail))
}

// recoverer answers a panic with a 500 problem instead of dropping the connection.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "api: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeProblem(w, http.StatusInternalServerError, "internal error; it has been logged")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
