package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/storetest"
)

// typedProblem is a problem's members that every refusal carries.
type typedProblem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// refusedWith checks that body is a problem of status whose code is code and
// whose type is that code's documented URI.
func refusedWith(t *testing.T, what string, status int, body []byte, wantStatus int, code string) typedProblem {
	t.Helper()
	var p typedProblem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: not a problem: %v: %s", what, err, body)
	}
	if status != wantStatus || p.Status != wantStatus || p.Code != code || p.Type != api.ProblemTypeBase+code {
		t.Fatalf("%s: %d %+v; want %d with code %s", what, status, p, wantStatus, code)
	}
	return p
}

// TestEveryRefusalTyped provokes each kind of refusal the server writes, inside
// huma and outside it, and checks each has its code and type.
func TestEveryRefusalTyped(t *testing.T) {
	c := newServer(t)
	c.world()
	cases := []struct {
		c            *client
		method, path string
		body         any
		status       int
		code         string
	}{
		{c.anonymous(), "GET", "/api/v1/persons", nil, 401, "unauthenticated"},
		{c, "GET", "/nowhere", nil, 404, "not_found"},
		{c, "GET", "/api/v1/persons/HSK-999999", nil, 404, "not_found"},
		{c, "DELETE", "/api/v1/persons", nil, 405, "method_not_allowed"},
		{c, "GET", "/api/v1/persons?colour=red", nil, 400, "malformed"},
		{c, "POST", "/api/v1/persons", "{", 400, "malformed"},
		{c, "POST", "/api/v1/persons", `{"person":{"sex":"x"}}`, 422, "invalid"},
		{c, "POST", "/api/v1/facilities", strings.Repeat(" ", api.MaxBodyBytes+1), 413, "too_large"},
	}
	for _, tc := range cases {
		status, _, body := tc.c.do(tc.method, tc.path, tc.body)
		refusedWith(t, tc.method+" "+tc.path, status, body, tc.status, tc.code)
	}
}

// TestMethodNotAllowed answers a wrong method on a known path with 405 and the
// methods the path has.
func TestMethodNotAllowed(t *testing.T) {
	c := newServer(t)
	for path, allow := range map[string]string{
		"/api/v1/persons":              "GET, HEAD, POST",
		"/api/v1/movements/x/manifest": "PUT",
		"/api/v1/tokens/x":             "GET, HEAD, DELETE",
	} {
		status, h, body := c.do("PATCH", path, nil)
		refusedWith(t, "PATCH "+path, status, body, http.StatusMethodNotAllowed, "method_not_allowed")
		if h.Get("Allow") != allow {
			t.Errorf("PATCH %s: Allow %q, want %q", path, h.Get("Allow"), allow)
		}
	}
}

// TestUnknownQueryParameter refuses a parameter the operation does not take,
// naming the ones it does.
func TestUnknownQueryParameter(t *testing.T) {
	c := newServer(t)
	status, _, body := c.do("GET", "/api/v1/transfers?limt=1", nil)
	p := refusedWith(t, "limt", status, body, 400, "malformed")
	if !strings.Contains(p.Detail, "query.limt") {
		t.Errorf("detail %q does not name the parameter", p.Detail)
	}
	status, _, body = c.do("GET", "/api/v1/persons?limit=1", nil)
	if status != 200 {
		t.Errorf("a known parameter: %d %s", status, body)
	}
}

// TestLogKey serves the log's origin and key to anyone, and the key opens the
// served checkpoint; the log's refusals are problems too.
func TestLogKey(t *testing.T) {
	c := newServer(t)
	c.world()
	var k api.LogKey
	c.anonymous().json("GET", "/api/v1/log-key", nil, 200, &k)
	v := storetest.Verifier(t)
	if k.Origin != storetest.Origin || k.KeyName != v.Name() || k.KeyHash != fmt.Sprintf("%08x", v.KeyHash()) {
		t.Fatalf("log key %+v", k)
	}
	status, _, cp := c.anonymous().do("GET", "/log/checkpoint", nil)
	if status != 200 {
		t.Fatalf("/log/checkpoint %d", status)
	}
	if _, err := note.Open(cp, note.VerifierList(v)); err != nil {
		t.Errorf("the checkpoint does not open with the served key: %v", err)
	}
	status, _, body := c.anonymous().do("GET", "/log/tile/0/999", nil)
	refusedWith(t, "tile beyond the tree", status, body, 404, "not_found")
	status, _, body = c.anonymous().do("GET", "/log/tile/0/xyz", nil)
	refusedWith(t, "malformed tile", status, body, 400, "malformed")
}

// TestCreateLocation answers a create with the Location of what it made, which a
// GET then reads.
func TestCreateLocation(t *testing.T) {
	c := newServer(t)
	c.world()
	status, h, body := c.do("POST", "/api/v1/facilities", map[string]any{"facility": map[string]any{
		"code": "QAM", "name": "Qamishli holding site", "kind": "prison", "country": "SYR", "series": "QAM",
		"capacities": map[string]int{"detainee": 50}, "controlling_party": storetest.ID("SDF")}, "occurred_at": "2026-01-20T09:00:00Z"})
	if status != 201 || !strings.HasPrefix(h.Get("Location"), "/api/v1/facilities/") {
		t.Fatalf("create: %d, Location %q: %s", status, h.Get("Location"), body)
	}
	var f struct{ Code string }
	c.json("GET", h.Get("Location"), nil, 200, &f)
	if f.Code != "QAM" {
		t.Errorf("Location %s reads %+v", h.Get("Location"), f)
	}
}
