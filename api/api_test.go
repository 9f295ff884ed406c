package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// client talks to a test server over HTTP only; db is there for verify.
type client struct {
	t   *testing.T
	url string
	db  *sqlite.DB
	key string // the Idempotency-Key of the next request, if any
}

// The SQLite store keeps idempotency keys in its database.
var _ api.Idempotency = (*sqlite.DB)(nil)

// newServer starts a real SQLite store in a temporary directory behind a real listener.
func newServer(t *testing.T) *client {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Start(ctx, storetest.Config(t)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(api.New(db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t), Logger: log}))
	t.Cleanup(func() { srv.Close(); db.Close() })
	return &client{t: t, url: srv.URL, db: db}
}

// do sends a request with a JSON body (a string is sent as is) and returns the
// status, the content type and the body.
func (c *client) do(method, path string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set(api.IdempotencyKeyHeader, c.key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// json sends a request, checks the status and decodes the answer into out.
func (c *client) json(method, path string, body any, want int, out any) {
	c.t.Helper()
	status, _, b := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

var t0 = time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC)

func at(min int) string { return t0.Add(time.Duration(min) * time.Minute).Format(time.RFC3339) }

// world registers, over HTTP, two parties and four facilities: HSK and HOL held by
// SDF, IQ1 by IRQ, and the hospital HOS held by SDF.
func (c *client) world() {
	c.t.Helper()
	for _, p := range []custody.Party{
		{ID: storetest.ID("SDF"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority},
		{ID: storetest.ID("IRQ"), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState},
	} {
		c.json("POST", "/api/v1/parties", map[string]any{"party": p, "occurred_at": at(0)}, 201, nil)
	}
	for _, f := range []map[string]any{
		{"id": storetest.ID("HSK"), "code": "HSK", "name": "Hasakah detention facility", "kind": "prison", "country": "SYR", "series": "HSK",
			"capacities": map[string]int{"detainee": 4000}, "controlling_party": storetest.ID("SDF")},
		{"id": storetest.ID("HOL"), "code": "HOL", "name": "al-Hol camp", "kind": "camp", "country": "SYR", "series": "HOL",
			"capacities": map[string]int{"family_member": 3000, "minor": 3000}, "controlling_party": storetest.ID("SDF")},
		{"id": storetest.ID("IQ1"), "code": "IQ1", "name": "Correctional institution one", "kind": "correctional_institution", "country": "IRQ", "series": "IQA",
			"capacities": map[string]int{"detainee": 3000}, "controlling_party": storetest.ID("IRQ")},
		{"id": storetest.ID("HOS"), "code": "HOS", "name": "Hasakah hospital", "kind": "hospital", "country": "SYR", "controlling_party": storetest.ID("SDF")},
	} {
		c.json("POST", "/api/v1/facilities", map[string]any{"facility": f, "occurred_at": at(1)}, 201, nil)
	}
}

// registered is the answer to a registration.
type registered struct {
	custody.PersonState
	Receipt api.Receipt `json:"receipt"`
}

// register registers storetest.Person(n) at a facility, without id or reg_no.
func (c *client) register(n int, facility string) registered {
	c.t.Helper()
	p := storetest.Person(n)
	body := map[string]any{"person": personJSON(p), "facility": facility, "occurred_at": at(5 + n)}
	var r registered
	c.json("POST", "/api/v1/persons", body, 201, &r)
	return r
}

// personJSON is a person's record as a JSON object, without id and reg_no.
func personJSON(p custody.Person) map[string]any {
	b, _ := json.Marshal(p)
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "id")
	delete(m, "reg_no")
	return m
}

func (c *client) size() uint64 {
	c.t.Helper()
	var cp api.Checkpoint
	c.json("GET", "/api/v1/checkpoint", nil, 200, &cp)
	return cp.Size
}

func TestRegisterAndGet(t *testing.T) {
	c := newServer(t)
	c.world()
	r := c.register(1, "HSK")
	if r.Record.RegNo != "HSK-000001" || r.Custody.Status != custody.Held || r.Custody.Facility != storetest.ID("HSK") {
		t.Fatalf("registered %+v", r.PersonState)
	}
	if r.Record.ID.Version() != 7 {
		t.Errorf("assigned id %s is not a UUIDv7", r.Record.ID)
	}
	if len(r.Receipt.Events) != 1 || r.Receipt.Events[0].Index != 6 || r.Receipt.Events[0].Type != custody.TypePersonRegistered ||
		r.Receipt.Checkpoint.Size != 7 || !strings.HasPrefix(r.Receipt.Checkpoint.Note, storetest.Origin+"\n7\n") {
		t.Errorf("receipt %+v", r.Receipt)
	}
	for _, ref := range []string{r.Record.ID.String(), "HSK-000001"} {
		var p custody.PersonState
		c.json("GET", "/api/v1/persons/"+ref, nil, 200, &p)
		if p.Record.ID != r.Record.ID || p.Custody.Event != 6 {
			t.Errorf("GET %s: %+v", ref, p)
		}
	}
	// Registration by facility id, with the client's own id.
	p := storetest.Person(2)
	body := map[string]any{"person": p, "facility": storetest.ID("IQ1").String(), "occurred_at": at(9), "actor": "registrar-7"}
	var r2 registered
	c.json("POST", "/api/v1/persons", body, 201, &r2)
	if r2.Record.ID != p.ID || r2.Record.RegNo != "IQA-000001" || r2.Custody.Custodian != storetest.ID("IRQ") {
		t.Errorf("registered %+v", r2.PersonState)
	}
	var ev map[string]any
	c.json("GET", fmt.Sprintf("/api/v1/events/%d", r2.Receipt.Events[0].Index), nil, 200, &ev)
	if ev["actor"] != "registrar-7" {
		t.Errorf("event %v", ev)
	}
}

func TestOpenAPI(t *testing.T) {
	c := newServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	c.json("GET", "/openapi.json", nil, 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var routes []string
	for p, ops := range doc.Paths {
		for m := range ops {
			routes = append(routes, strings.ToUpper(m)+" "+p)
		}
	}
	slices.Sort(routes)
	got := strings.Join(routes, "\n") + "\n"
	golden := filepath.Join("testdata", "openapi-routes.txt")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("routes in /openapi.json:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

func TestLogCheckpointAndHealth(t *testing.T) {
	c := newServer(t)
	c.world()
	var cp api.Checkpoint
	c.json("GET", "/api/v1/checkpoint", nil, 200, &cp)
	status, _, note := c.do("GET", "/log/checkpoint", nil)
	if status != 200 || string(note) != cp.Note || cp.Size != 6 {
		t.Errorf("/log/checkpoint %d %q; api checkpoint %+v", status, note, cp)
	}
	var h map[string]any
	c.json("GET", "/healthz", nil, 200, &h)
	if h["status"] != "ok" || h["size"] != float64(6) {
		t.Errorf("healthz %v", h)
	}
}
