package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/handover-project/handover/custody"
)

// The codes of refusals that the API adds to the domain's (custody.Invalid,
// NotFound, Conflict, Refused, Internal). Every problem the server writes carries
// one in its "code" member, and a "type" URI naming it (ProblemTypeBase + code);
// docs/problems.md has a section per code, the anchor of that URI.
const (
	Malformed            custody.Code = "malformed"              // 400: the request cannot be read (bad JSON, a bad or unknown query parameter)
	Unauthenticated      custody.Code = "unauthenticated"        // 401: no session or token, or a bad one
	Forbidden            custody.Code = "forbidden"              // 403: the user's roles or party do not grant it
	MethodNotAllowed     custody.Code = "method_not_allowed"     // 405: the resource exists, the method does not (see Allow)
	NotAcceptable        custody.Code = "not_acceptable"         // 406: no representation matches Accept
	PreconditionFailed                = custody.Stale            // 412: If-Match names another version
	TooLarge             custody.Code = "too_large"              // 413: the body is larger than the route accepts
	UnsupportedMediaType custody.Code = "unsupported_media_type" // 415: the body's Content-Type is not accepted
	RateLimited          custody.Code = "rate_limited"           // 429: too many attempts; see Retry-After
	Unavailable          custody.Code = "unavailable"            // 503: the store is not answering
)

// ProblemTypeBase is the prefix of every problem's "type": the code follows it,
// and names a section of docs/problems.md.
const ProblemTypeBase = "https://github.com/handover-project/handover/blob/main/docs/problems.md#"

// ProblemCodes are every value "code" may take, in the order docs/problems.md
// documents them.
var ProblemCodes = []custody.Code{
	Malformed, custody.Invalid, Unauthenticated, Forbidden, custody.NotFound, MethodNotAllowed, NotAcceptable,
	custody.Conflict, custody.Refused, LikelyDuplicate, PreconditionFailed, TooLarge, UnsupportedMediaType,
	RateLimited, custody.Internal, Unavailable,
}

// codeOfStatus is the code of a problem that has none of its own, by status.
var codeOfStatus = map[int]custody.Code{
	http.StatusBadRequest:            Malformed,
	http.StatusUnauthorized:          Unauthenticated,
	http.StatusForbidden:             Forbidden,
	http.StatusNotFound:              custody.NotFound,
	http.StatusMethodNotAllowed:      MethodNotAllowed,
	http.StatusNotAcceptable:         NotAcceptable,
	http.StatusConflict:              custody.Conflict,
	http.StatusPreconditionFailed:    PreconditionFailed,
	http.StatusRequestEntityTooLarge: TooLarge,
	http.StatusUnsupportedMediaType:  UnsupportedMediaType,
	http.StatusUnprocessableEntity:   custody.Invalid,
	http.StatusTooManyRequests:       RateLimited,
	http.StatusInternalServerError:   custody.Internal,
	http.StatusServiceUnavailable:    Unavailable,
}

// codeFor is the code of a status the table lacks: malformed for a 4xx, internal
// otherwise.
func codeFor(status int) custody.Code {
	if c, ok := codeOfStatus[status]; ok {
		return c
	}
	if status >= 400 && status < 500 {
		return Malformed
	}
	return custody.Internal
}

// typed gives p its code, if it has none, and the type URI of its code.
func (p *problemDetails) typed() *problemDetails {
	if p.Code == "" {
		p.Code = codeFor(p.Status)
	}
	p.Type = ProblemTypeBase + string(p.Code)
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	return p
}

// newProblem is a problem of a status with its code and type.
func newProblem(status int, code custody.Code, detail string) *problemDetails {
	return (&problemDetails{Code: code, ErrorModel: huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: detail}}).typed()
}

func init() {
	// huma's own refusals (bad JSON, schema validation, 413, 415, 406) are problems
	// with a code, so that the one error schema describes them all.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		em := huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: msg}
		for _, e := range errs {
			if e == nil {
				continue
			}
			if d, ok := e.(huma.ErrorDetailer); ok {
				em.Errors = append(em.Errors, d.ErrorDetail())
			} else {
				em.Errors = append(em.Errors, &huma.ErrorDetail{Message: e.Error()})
			}
		}
		return (&problemDetails{ErrorModel: em, huma: true}).typed()
	}
}
