package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/handover-project/handover/storetest"
)

// TestTextRefused: text that is not UTF-8 is refused with a 422 naming the field
// (never stored as U+FFFD); invisible format characters are refused in names and
// identifiers, directional overrides in free text; each refusal writes nothing.
// The joiners Arabic spelling uses, between letters, and directional marks in
// free text are accepted.
func TestTextRefused(t *testing.T) {
	c := newServer(t)
	c.world()
	sdf := c.as("SDF")
	person := func(edit func(p map[string]any)) string {
		p := personJSON(storetest.Person(7))
		edit(p)
		b, _ := json.Marshal(map[string]any{"person": p, "facility": "HSK", "occurred_at": at(5)})
		return string(b)
	}
	names := func(p map[string]any) []any { return p["names"].([]any) }
	setName := func(i int, text string) func(p map[string]any) {
		return func(p map[string]any) { names(p)[i].(map[string]any)["text"] = text }
	}
	size := c.size()
	for _, tc := range []struct {
		name, method, path, body string
		says, loc                string
	}{
		{"latin-1 name", "POST", "/api/v1/persons", strings.Replace(person(setName(1, "Ahmad KHALIL-MARK")), "KHALIL-MARK", "Kh\xe9lil", 1),
			"not valid UTF-8", "body.person.names[1].text"},
		{"truncated arabic", "POST", "/api/v1/persons", strings.Replace(person(setName(0, "TRUNCATED")), "TRUNCATED", "\xd8\xa3\xd8", 1),
			"not valid UTF-8", "body.person.names[0].text"},
		{"query", "GET", "/api/v1/persons?name=%FF%FE", "", "not valid UTF-8", "query.name"},
		{"override in a name", "POST", "/api/v1/persons", person(setName(1, "Ahmad \u202eLILAHK")), "U+202E (RIGHT-TO-LEFT OVERRIDE)", "body.person.names[1].text"},
		{"zero-width space in a name", "POST", "/api/v1/persons", person(setName(1, "Ahmad\u200b Khalil")), "U+200B (ZERO WIDTH SPACE)", "body.person.names[1].text"},
		{"joiner at the end of a name", "POST", "/api/v1/persons", person(setName(0, "أحمد خليل\u200c")), "U+200C", "body.person.names[0].text"},
		{"isolate in an identifier", "POST", "/api/v1/persons", person(func(p map[string]any) {
			p["identifiers"] = []any{map[string]any{"kind": "icrc", "value": "\u2066SY-12345\u2069"}}
		}), "U+2066", "body.person.identifiers[0].value"},
		{"override in free text", "POST", "/api/v1/persons", person(func(p map[string]any) { p["distinguishing_marks"] = "scar \u202eon the left" }), "U+202E", "body.person.distinguishing_marks"},
		{"format character in a father's name", "POST", "/api/v1/persons", person(func(p map[string]any) { p["father_name"] = "Khalil\u00ad" }), "U+00AD (SOFT HYPHEN)", "body.person.father_name"},
		{"override in a party's code", "POST", "/api/v1/parties", `{"party":{"code":"US\u202eF","name":"x","kind":"monitor"},"occurred_at":"` + at(3) + `"}`, "upper-case letters", "body.party.code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := sdf.do(tc.method, tc.path, tc.body)
			problemOf(t, status, b, 422, tc.says, tc.loc)
			if c.size() != size {
				t.Fatalf("a refused request changed the ledger: %d → %d", size, c.size())
			}
		})
	}
	// Accepted: a non-joiner inside an Arabic-script name, and marks in free text.
	var r registered
	sdf.json("POST", "/api/v1/persons", json.RawMessage(person(func(p map[string]any) {
		setName(0, "محمد\u200cرضا")(p)
		p["distinguishing_marks"] = "scar from \u200fالحسكة\u200e, left arm"
	})), 201, &r)
	if got := r.Record.Names[0].Text; got != "محمد\u200cرضا" {
		t.Errorf("the name was stored as %q", got)
	}
}
