package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/handover-project/handover/storetest"
)

// listCase is how TestEveryListPages reads one list: as whom, its array, what
// names its records for ?id=, and whether records may join it while it is read.
type listCase struct {
	action string
	query  string // a filter the list is read with, if any
	as     *client
	array  string
	idKey  string // the member of a record that ?id= takes; "" if the list takes no ids
	grows  bool   // the list grows as it is read (the audit log records the reads)
}

// TestEveryListPages reads every list of the API (every GET that takes limit,
// and every list-* operation) a record at a time: a limit above the documented
// maximum is refused, limit=1 gives one record and a cursor, and following the
// cursors gives the whole list in order, each record once. Lists that select by
// id answer ?id=A&id=B and ?id=A,B with those two records exactly; an unknown
// parameter is refused. The fixture has at least two records in every list.
func TestEveryListPages(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	sdf, irq := c.as("SDF"), c.as("IRQ")
	// Second records where the fixture has one: a campaign, a movement, two
	// open discrepancies (alerts), an API token, and three registrations of one
	// person (duplicates).
	irq.json("POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "a second campaign", "target": 10, "receiving": "IRQ"},
		"occurred_at": at(9)}, 201, nil)
	c.safeguardAll(f.transfer2, nil)
	c.approveBoth(f.transfer2, "SDF", "IRQ")
	c.plan(f.transfer2, []string{f.onT2}, buses(1, 5))
	for range 2 {
		irq.json("POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "discrepancy", "facility": "IQ1",
			"persons": []string{f.atIQ1}, "description": "not at the roll call"}, "occurred_at": at(71)}, 201, nil)
	}
	sdf.json("POST", "/api/v1/tokens", map[string]any{"name": "second"}, 201, nil)
	for range 3 { // passing the likely-duplicate warning on purpose
		same := personJSON(storetest.Person(40))
		delete(same, "identifiers")
		c.as(controller["HSK"]).json("POST", "/api/v1/persons", map[string]any{"person": same, "facility": "HSK", "occurred_at": at(5),
			"duplicate_reason": "registered three times on purpose (test)"}, 201, nil)
	}
	sdf.json("POST", "/api/v1/persons/"+f.atHSK+"/hospital-admissions", map[string]any{"hospital": "HOS", "reason": "a broken arm", "occurred_at": at(72)}, 201, nil)
	auditor := c.withToken(f.tokens["sdf-auditor"])

	cases := []listCase{
		{action: "list-tokens", as: sdf, array: "tokens", idKey: "id"},
		{action: "list-users", as: sdf, array: "users", idKey: "name"},
		{action: "audit-log", as: auditor, array: "entries", grows: true},
		{action: "list-parties", as: sdf, array: "parties", idKey: "code"},
		{action: "list-facilities", as: sdf, array: "facilities", idKey: "code"},
		{action: "list-persons", as: sdf, array: "persons", idKey: "id"},
		{action: "list-duplicates", as: sdf, array: "pairs"},
		{action: "list-duplicates", as: sdf, query: "name=" + url.QueryEscape(storetest.Person(40).Names[0].Text), array: "persons"},
		{action: "read-feed", as: sdf, array: "events"},
		{action: "list-keys", as: sdf, array: "keys", idKey: "id"},
		{action: "list-campaigns", as: sdf, array: "campaigns", idKey: "id"},
		{action: "list-transfers", as: sdf, array: "transfers", idKey: "id"},
		{action: "list-movements", as: sdf, array: "movements", idKey: "id"},
		{action: "list-incidents", as: irq, array: "incidents", idKey: "id"},
		{action: "list-alerts", as: irq, array: "alerts", idKey: "incident"},
		{action: "list-notifications", as: sdf, array: "notifications", idKey: "id"},
	}

	// Every list is in the table, with its documented maximum.
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Maximum *int `json:"maximum"`
				} `json:"schema"`
			} `json:"parameters"`
		}
	}
	c.anonymous().json("GET", "/openapi.json", nil, 200, &doc)
	paths, maxima := map[string]string{}, map[string]int{}
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok {
			continue
		}
		limited := false
		for _, p := range op.Parameters {
			if p.In == "query" && p.Name == "limit" {
				if p.Schema.Maximum == nil {
					t.Errorf("%s: limit has no documented maximum", op.OperationID)
				} else {
					maxima[op.OperationID] = *p.Schema.Maximum
				}
				limited = true
			}
		}
		if !limited && !strings.HasPrefix(op.OperationID, "list-") {
			continue
		}
		if !limited {
			t.Errorf("list %s (%s) takes no limit", op.OperationID, path)
		}
		paths[op.OperationID] = path
		if !slices.ContainsFunc(cases, func(lc listCase) bool { return lc.action == op.OperationID }) {
			t.Errorf("list %s (%s) is not in the table of this test", op.OperationID, path)
		}
	}

	for _, lc := range cases {
		name := lc.action
		if lc.query != "" {
			name += "?" + lc.query
		}
		t.Run(name, func(t *testing.T) {
			path, ok := paths[lc.action]
			if !ok {
				t.Fatalf("no list %s in the document", lc.action)
			}
			get := func(q string) (int, []json.RawMessage, string, []byte) {
				t.Helper()
				if lc.query != "" {
					q = lc.query + "&" + q
				}
				status, _, b := lc.as.do("GET", path+"?"+strings.TrimPrefix(q, "&"), nil)
				if status != 200 {
					return status, nil, "", b
				}
				var page map[string]json.RawMessage
				if err := json.Unmarshal(b, &page); err != nil {
					t.Fatalf("%s: %v: %s", q, err, b)
				}
				var rows []json.RawMessage
				if raw, ok := page[lc.array]; ok {
					if err := json.Unmarshal(raw, &rows); err != nil {
						t.Fatalf("%s: %s: %v", q, lc.array, err)
					}
				}
				return status, rows, cursor(t, page["next"]), b
			}

			// The documented maximum is obeyed, and one more is refused.
			max := maxima[lc.action]
			if status, rows, _, b := get("limit=" + strconv.Itoa(max)); status != 200 {
				t.Fatalf("limit=%d (the maximum): %d %s", max, status, b)
			} else if len(rows) > max {
				t.Fatalf("limit=%d gave %d records", max, len(rows))
			}
			status, _, _, b := get("limit=" + strconv.Itoa(max+1))
			refusedWith(t, "limit above the maximum", status, b, 422, "invalid")
			status, _, _, b = get("colour=red")
			refusedWith(t, "an unknown parameter", status, b, 400, "malformed")

			// One record at a time, following the cursor, gives the whole list.
			_, all, _, _ := get("limit=" + strconv.Itoa(max))
			if len(all) < 2 {
				t.Fatalf("the fixture has %d records in %s; the test needs two", len(all), lc.action)
			}
			var paged []json.RawMessage
			after := ""
			for range len(all) + 5 {
				q := "limit=1"
				if after != "" {
					q += "&after=" + url.QueryEscape(after)
				}
				status, rows, next, b := get(q)
				if status != 200 || len(rows) > 1 {
					t.Fatalf("%s: %d, %d records: %s", q, status, len(rows), b)
				}
				paged = append(paged, rows...)
				if next == "" || (lc.grows && len(paged) >= len(all)) {
					break
				}
				after = next
			}
			if lc.grows && len(paged) > len(all) {
				paged = paged[:len(all)]
			}
			if !slices.EqualFunc(paged, all, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
				t.Fatalf("page by page: %d records; at once: %d; or not the same", len(paged), len(all))
			}

			if lc.idKey == "" {
				return
			}
			// Two records by id, the parameter repeated or with a comma.
			a, b2 := member(t, all[0], lc.idKey), member(t, all[len(all)-1], lc.idKey)
			for _, q := range []string{"id=" + url.QueryEscape(a) + "&id=" + url.QueryEscape(b2), "id=" + url.QueryEscape(a+","+b2)} {
				status, rows, _, body := get(q)
				if status != 200 || len(rows) != 2 {
					t.Fatalf("%s: %d, %d records: %s", q, status, len(rows), body)
				}
				got := []string{member(t, rows[0], lc.idKey), member(t, rows[1], lc.idKey)}
				slices.Sort(got)
				want := []string{a, b2}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %v", q, got)
				}
			}
			status, rows, _, body := get("id=" + url.QueryEscape(a))
			if status != 200 || len(rows) != 1 {
				t.Errorf("id=%s: %d, %d records: %s", a, status, len(rows), body)
			}
			status, _, _, body = get("id=" + url.QueryEscape(a) + ",")
			refusedWith(t, "an empty id", status, body, 422, "invalid")
		})
	}
}

// cursor reads a page's next, a string or a number; "" if absent.
func cursor(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatalf("next %s: %v", raw, err)
	}
	return n.String()
}

// member reads a string member of a record (a person's, of its record).
func member(t *testing.T, row json.RawMessage, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		t.Fatal(err)
	}
	raw, ok := m[key]
	if !ok {
		if rec, ok := m["person"]; ok {
			return member(t, rec, key)
		}
		t.Fatalf("no %s in %s", key, row)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s %s: %v", key, raw, err)
	}
	return s
}
