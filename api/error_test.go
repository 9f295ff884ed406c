package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/storetest"
)

type problemBody struct {
	Title  string
	Status int
	Detail string
	Code   string
	Errors []problemError
}

type problemError struct{ Message, Location string }

// TestRefusals checks that every refusal is a problem with the right status and
// location, and that it leaves the ledger as it was.
func TestRefusals(t *testing.T) {
	c := newServer(t)
	c.world()
	c.register(1, "HSK")
	c.register(2, "HSK")
	c.json("POST", "/api/v1/persons/HSK-000002/releases", map[string]any{"reason": "acquitted", "authority": "court", "occurred_at": at(30)}, 201, nil)

	bad := personJSON(storetest.Person(3))
	bad["nationalities"] = []string{"XYZ"}
	dup := personJSON(storetest.Person(4))
	dup["reg_no"] = "HSK-000001"
	big := `{"reason":"` + strings.Repeat("x", 2<<20) + `"}`
	release := map[string]any{"reason": "again", "authority": "court", "occurred_at": at(40)}

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		loc                string // "" when none is expected
	}{
		{"bad nationality", "POST", "/api/v1/persons", map[string]any{"person": bad, "facility": "HSK", "occurred_at": at(9)}, 422, "body.person.nationalities[0]"},
		{"unknown facility", "POST", "/api/v1/persons", map[string]any{"person": personJSON(storetest.Person(3)), "facility": "NOPE", "occurred_at": at(9)}, 404, "body.facility"},
		{"duplicate reg no", "POST", "/api/v1/persons", map[string]any{"person": dup, "facility": "HSK", "occurred_at": at(9)}, 409, "body.person.reg_no"},
		{"release of a released person", "POST", "/api/v1/persons/HSK-000002/releases", release, 409, "path.id"},
		{"malformed JSON", "POST", "/api/v1/persons", `{"person": {`, 400, "body"},
		{"missing occurred_at", "POST", "/api/v1/persons/HSK-000001/releases", map[string]any{"reason": "r", "authority": "a"}, 422, "body.occurred_at"},
		{"unknown field", "POST", "/api/v1/persons/HSK-000001/escapes", map[string]any{"circumstances": "x", "occured_at": at(9)}, 422, "body.occured_at"},
		{"bad uuid in body", "POST", "/api/v1/persons", map[string]any{"person": map[string]any{"household": "not-a-uuid"}, "facility": "HSK", "occurred_at": at(9)}, 422, "body.person.household"},
		{"missing reason", "POST", "/api/v1/persons/HSK-000001/releases", map[string]any{"reason": " ", "authority": "a", "occurred_at": at(9)}, 422, "body.reason"},
		{"future occurrence", "POST", "/api/v1/persons/HSK-000001/escapes", map[string]any{"circumstances": "x", "occurred_at": "2999-01-01T00:00:00Z"}, 422, "body.occurred_at"},
		{"unknown person", "POST", "/api/v1/persons/HSK-000099/escapes", map[string]any{"circumstances": "x", "occurred_at": at(9)}, 404, "path.id"},
		{"unknown person id", "POST", "/api/v1/persons/" + storetest.ID("nobody").String() + "/escapes", map[string]any{"circumstances": "x", "occurred_at": at(9)}, 404, "path.id"},
		{"bad person ref", "GET", "/api/v1/persons/hsk-1", nil, 422, "path.id"},
		{"unknown party", "POST", "/api/v1/facilities/HSK/control-changes", map[string]any{"to": "XX", "reason": "r", "occurred_at": at(9)}, 404, "body.to"},
		{"control to the controller", "POST", "/api/v1/facilities/HSK/control-changes", map[string]any{"to": "SDF", "reason": "r", "occurred_at": at(9)}, 409, "body.to"},
		{"admission to a hospital", "POST", "/api/v1/persons/HSK-000001/admissions", map[string]any{"facility": "HOS", "occurred_at": at(9)}, 422, "body.facility"},
		{"duplicate party code", "POST", "/api/v1/parties", map[string]any{"party": map[string]any{"code": "SDF", "name": "x", "kind": "monitor"}, "occurred_at": at(9)}, 409, "body.party.code"},
		{"bad facility kind", "POST", "/api/v1/facilities", map[string]any{"facility": map[string]any{"code": "ZZ", "name": "x", "kind": "zoo", "controlling_party": storetest.ID("SDF")}, "occurred_at": at(9)}, 422, "body.facility.kind"},
		{"correction changing the id", "POST", "/api/v1/persons/HSK-000001/corrections", map[string]any{"reason": "r", "patch": map[string]any{"id": storetest.ID("x")}, "occurred_at": at(9)}, 422, "body.patch.id"},
		{"correction with a bad nationality", "POST", "/api/v1/persons/HSK-000001/corrections", map[string]any{"reason": "r", "patch": map[string]any{"nationalities": []string{"IRQ", "ZZZ"}}, "occurred_at": at(9)}, 422, "body.patch.nationalities[1]"},
		{"correction with a wrong type", "POST", "/api/v1/persons/HSK-000001/corrections", map[string]any{"reason": "r", "patch": map[string]any{"sex": 5}, "occurred_at": at(9)}, 422, "body.patch.sex"},
		{"correction that is no patch", "POST", "/api/v1/persons/HSK-000001/corrections", map[string]any{"reason": "r", "patch": []int{1}, "occurred_at": at(9)}, 422, "body.patch"},
		{"correction to another's reg no", "POST", "/api/v1/persons/HSK-000001/corrections", map[string]any{"reason": "r", "patch": map[string]any{"reg_no": "HSK-000002"}, "occurred_at": at(9)}, 409, "body.patch.reg_no"},
		{"filter nationality", "GET", "/api/v1/persons?nationality=xx", nil, 422, "query.nationality"},
		{"filter status", "GET", "/api/v1/persons?status=gone", nil, 422, "query.status"},
		{"filter limit", "GET", "/api/v1/persons?limit=501", nil, 422, "query.limit"},
		{"filter facility", "GET", "/api/v1/persons?facility=NOPE", nil, 404, "query.facility"},
		{"inclusion beyond the checkpoint", "GET", "/api/v1/proofs/inclusion?index=1&size=9999", nil, 422, "query.size"},
		{"inclusion of a later index", "GET", "/api/v1/proofs/inclusion?index=9999", nil, 422, "query.index"},
		{"consistency beyond the checkpoint", "GET", "/api/v1/proofs/consistency?from=1&to=9999", nil, 422, "query.to"},
		{"consistency backwards", "GET", "/api/v1/proofs/consistency?from=5&to=3", nil, 422, "query.from"},
		{"event beyond the checkpoint", "GET", "/api/v1/events/9999", nil, 404, "path.index"},
		{"unknown facility ref", "GET", "/api/v1/facilities/NOPE", nil, 404, "path.id"},
		{"body too large", "POST", "/api/v1/persons/HSK-000001/escapes", big, 413, ""},
		{"unknown route", "GET", "/api/v2/persons", nil, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := c.size()
			status, hdr, b := c.do(tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Errorf("status %d, want %d: %s", status, tc.status, b)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			var p problemBody
			if err := json.Unmarshal(b, &p); err != nil || p.Status != status || p.Title == "" {
				t.Fatalf("not a problem (%v): %s", err, b)
			}
			if tc.loc != "" {
				if !slices.ContainsFunc(p.Errors, func(e problemError) bool { return e.Location == tc.loc }) {
					t.Errorf("location %+v, want %s: %s", p.Errors, tc.loc, b)
				}
				if !strings.Contains(p.Detail, tc.loc) {
					t.Errorf("detail %q does not name %s", p.Detail, tc.loc)
				}
			}
			if after := c.size(); after != before {
				t.Errorf("ledger grew from %d to %d on a refusal", before, after)
			}
		})
	}
}

// TestGarbage sends malformed requests to every route: none may fail with a 5xx,
// and every refusal is a problem.
func TestGarbage(t *testing.T) {
	c := newServer(t)
	c.world()
	c.register(1, "HSK")
	var doc struct{ Paths map[string]map[string]any }
	c.json("GET", "/openapi.json", nil, 200, &doc)
	bodies := []string{"", "null", "[]", "{}", `"x"`, "1e999", `{"person":null,"facility":7}`, "\xff\xfe",
		strings.Repeat("[", 10000), `{"occurred_at":"yesterday"}`, `{"patch":{"names":null},"reason":"r","occurred_at":"2026-01-20T09:00:00Z"}`,
		`{"person":{"id":"00000000-0000-0000-0000-000000000000","names":[{}]},"facility":"HSK","occurred_at":"2026-01-20T09:00:00Z"}`}
	ids := []string{"HSK-000001", "%00", "..", strings.Repeat("A", 5000), "-1", "18446744073709551616", "HSK"}
	for path, ops := range doc.Paths {
		for method := range ops {
			for _, id := range ids {
				p := strings.NewReplacer("{id}", id, "{index}", id).Replace(path)
				for _, q := range []string{"", "?index=-1&size=x&from=99&to=1&limit=-5&after=%ff"} {
					for _, b := range bodies {
						var body any
						if method == "post" {
							body = b
						}
						status, hdr, resp := c.do(strings.ToUpper(method), p+q, body)
						if status >= 500 {
							t.Fatalf("%s %s%s %q: %d %s", method, p, q, b, status, resp)
						}
						if status >= 400 && !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") {
							t.Fatalf("%s %s%s: %d as %s", method, p, q, status, hdr.Get("Content-Type"))
						}
						if method != "post" {
							break
						}
					}
				}
			}
		}
	}
}
