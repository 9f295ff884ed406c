package client

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzProblemOf: any answer other than 2xx becomes a Problem with the answer's
// status, whose message is never empty, and at most 200 characters of a body
// that is not a problem are quoted.
func FuzzProblemOf(f *testing.F) {
	f.Add(422, []byte(`{"title":"Unprocessable Entity","status":422,"detail":"validation failed","code":"invalid","errors":[{"message":"is not an ISO 3166-1 alpha-3 code","location":"body.person.nationalities[0]","value":"IRAQ"}]}`))
	f.Add(500, []byte("panic\nstack"))
	f.Add(404, []byte(`{"status":"x"}`))
	f.Add(429, []byte(`{"status":429,"errors":[{},{}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Retry-After": {"3"}}}
		p := problemOf("http://127.0.0.1:8080", resp, body)
		if p.Status != status || p.Error() == "" || p.Message() == "" {
			t.Fatalf("problem %+v of %d %q: status %d, message %q", p, status, body, p.Status, p.Error())
		}
		if p.Field() != "" && !strings.Contains(p.Error(), p.Field()) {
			t.Fatalf("Error %q does not name the field %q", p.Error(), p.Field())
		}
		if len(p.Detail) > 400+len("the server at http://127.0.0.1:8080 answered  Network Authentication Required: ")+len("…") && !strings.HasPrefix(string(body), "{") {
			t.Fatalf("detail of %d bytes", len(p.Detail))
		}
		if p.RetryAfter.Seconds() != 3 {
			t.Fatalf("retry after %s", p.RetryAfter)
		}
	})
}
