package web

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// utf8Only refuses a form or query whose names or values are not valid UTF-8,
// with a 422 naming the field, before any handler reads it: the pages pass form
// values on to the API as JSON, whose encoder would turn the bad bytes into
// U+FFFD without a word.
func (s *site) utf8Only(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			rq := s.request(w, r)
			s.fail(rq, &Problem{Status: http.StatusBadRequest, Detail: rq.loc.T("error.invalid")})
			return
		}
		for k, vs := range r.Form {
			bad := !utf8.ValidString(k)
			for _, v := range vs {
				bad = bad || !utf8.ValidString(v)
			}
			if bad {
				rq := s.request(w, r)
				s.fail(rq, &Problem{Status: http.StatusUnprocessableEntity, Detail: rq.loc.T("error.not_utf8", strings.ToValidUTF8(k, "\uFFFD"))})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
