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
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// client talks to a test server over HTTP only; db is there for verify and to
// make accounts. Its requests are sent as the officer of party as: a user of that
// party holding every role a party acts with (access.Table's own-party roles),
// signed in with an API token. The authorisation of each role on its own is the
// matrix test's (matrix_test.go); these tests are about what the API does.
type client struct {
	t      *testing.T
	url    string
	db     *sqlite.DB
	key    string       // the Idempotency-Key of the next request, if any
	party  string       // the code of the party whose officer sends the requests; "" sends none
	token  string       // a token to send instead of the officer's
	cookie *http.Cookie // a session cookie to send instead
	header http.Header  // more headers to send
	users  *users
}

// users are the accounts a test made, and their tokens.
type users struct {
	mu     sync.Mutex
	tokens map[string]string // login name → token
}

// testParams makes cheap password hashes: the tests sign in many users.
var testParams = access.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// partyRoles are the roles a party acts with (all but monitor and auditor).
var partyRoles = []access.Role{access.Administrator, access.Registrar, access.FacilityCommander, access.EscortCommander, access.LegalOfficer, access.TransferApprover}

// The SQLite store keeps idempotency keys and accounts in its database.
var (
	_ api.Idempotency = (*sqlite.DB)(nil)
	_ access.Store    = (*sqlite.DB)(nil)
)

// newServer starts a real SQLite store in a temporary directory behind a real
// listener; its client acts as the SDF officer.
func newServer(t *testing.T) *client {
	t.Helper()
	return newServerWith(t, nil)
}

// newServerWith is newServer with the API's configuration adjusted by edit.
func newServerWith(t *testing.T, edit func(*api.Config)) *client {
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
	cfg := api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t), Logger: log, Accounts: db, PasswordParams: testParams}
	if edit != nil {
		edit(&cfg)
	}
	h, err := api.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newContract(t, h).handler(h))
	t.Cleanup(func() { srv.Close(); h.Close(); db.Close() })
	return &client{t: t, url: srv.URL, db: db, party: "SDF", users: &users{tokens: map[string]string{}}}
}

// restarted returns a client of a second API handler over c's store, as a
// restarted server would be.
func (c *client) restarted() *client {
	c.t.Helper()
	h, err := api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(c.t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: c.db, PasswordParams: testParams})
	if err != nil {
		c.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	c.t.Cleanup(func() { srv.Close(); h.Close() })
	cc := *c
	cc.url = srv.URL
	return &cc
}

// as returns a client whose requests are sent as the officer of a party.
func (c *client) as(party string) *client {
	cc := *c
	cc.party, cc.token = party, ""
	return &cc
}

// anonymous returns a client that sends no credentials.
func (c *client) anonymous() *client {
	cc := *c
	cc.party, cc.token = "", ""
	return &cc
}

// withToken returns a client that sends a token.
func (c *client) withToken(token string) *client {
	cc := *c
	cc.party, cc.token = "", token
	return &cc
}

// withCookie returns a client that sends a session cookie.
func (c *client) withCookie(ck *http.Cookie) *client {
	cc := *c
	cc.party, cc.token, cc.cookie = "", "", ck
	return &cc
}

// withHeader returns a client that sends one more header.
func (c *client) withHeader(name, value string) *client {
	cc := *c
	cc.header = c.header.Clone()
	if cc.header == nil {
		cc.header = http.Header{}
	}
	cc.header.Set(name, value)
	return &cc
}

// officer is the login name of a party's officer.
func officerName(party string) string { return strings.ToLower(party) + "-officer" }

// user makes an account of a party with roles and the password "correct horse battery" (once).
func (c *client) user(name, party string, roles ...access.Role) access.User {
	c.t.Helper()
	ctx := context.Background()
	if u, err := c.db.UserByName(ctx, name); err == nil {
		return *u
	}
	hash, err := access.HashPassword(testPassword, testParams)
	if err != nil {
		c.t.Fatal(err)
	}
	now := time.Now().UTC().Add(-time.Minute) // before any test clock starts
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: name, FullName: "Test user " + name, Party: storetest.ID(party),
		Roles: roles, PasswordHash: hash, Created: now, PasswordChanged: now}
	if err := c.db.CreateUser(ctx, u); err != nil {
		c.t.Fatal(err)
	}
	return u
}

const testPassword = "correct horse battery"

// tokenOf returns a token of a user, made directly in the store.
func (c *client) tokenOf(name string) string {
	c.t.Helper()
	c.users.mu.Lock()
	defer c.users.mu.Unlock()
	if tok, ok := c.users.tokens[name]; ok {
		return tok
	}
	ctx := context.Background()
	u, err := c.db.UserByName(ctx, name)
	if err != nil {
		c.t.Fatal(err)
	}
	tok, hash, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.db.CreateToken(ctx, access.Token{ID: uuid.Must(uuid.NewV7()), User: u.ID, Name: "test", Hash: hash, Created: time.Now().UTC()}); err != nil {
		c.t.Fatal(err)
	}
	c.users.tokens[name] = tok
	return tok
}

// credentials returns the token the client's requests carry, if any.
func (c *client) credentials() string {
	switch {
	case c.token != "":
		return c.token
	case c.party != "":
		c.user(officerName(c.party), c.party, partyRoles...)
		return c.tokenOf(officerName(c.party))
	}
	return ""
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
	if tok := c.credentials(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	for k, v := range c.header {
		req.Header[k] = v
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
// SDF, IQ1 by IRQ, and the hospital HOS held by SDF. Each facility is registered by
// an administrator of the party that controls it.
func (c *client) world() {
	c.t.Helper()
	for _, p := range []custody.Party{
		{ID: storetest.ID("SDF"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority},
		{ID: storetest.ID("IRQ"), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState},
	} {
		c.as("SDF").json("POST", "/api/v1/parties", map[string]any{"party": p, "occurred_at": at(0)}, 201, nil)
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
		c.as(controller[f["code"].(string)]).json("POST", "/api/v1/facilities", map[string]any{"facility": f, "occurred_at": at(1)}, 201, nil)
	}
}

// controller is the party that controls each test facility when it is registered.
var controller = map[string]string{"HSK": "SDF", "HOL": "SDF", "HOS": "SDF", "IQ1": "IRQ", "IQ2": "IRQ"}

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
	c.as(controller[facility]).json("POST", "/api/v1/persons", body, 201, &r)
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
	// Registration by facility id, with the client's own id, by IRQ's officer: the
	// actor and acting party are the signed-in user's, not the body's.
	p := storetest.Person(2)
	body := map[string]any{"person": p, "facility": storetest.ID("IQ1").String(), "occurred_at": at(9), "actor": "registrar-7"}
	var r2 registered
	irq := c.as("IRQ")
	irq.json("POST", "/api/v1/persons", body, 201, &r2)
	if r2.Record.ID != p.ID || r2.Record.RegNo != "IQA-000001" || r2.Custody.Custodian != storetest.ID("IRQ") {
		t.Errorf("registered %+v", r2.PersonState)
	}
	var ev map[string]any
	irq.json("GET", fmt.Sprintf("/api/v1/events/%d", r2.Receipt.Events[0].Index), nil, 200, &ev)
	if ev["actor"] != "irq-officer" || ev["party"] != storetest.ID("IRQ").String() {
		t.Errorf("event %v", ev)
	}
	body["person"] = storetest.Person(3)
	body["party"] = "SDF"
	status, _, b := irq.do("POST", "/api/v1/persons", body)
	problemOf(t, status, b, 422, "you act for your own party", "body.party")
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
