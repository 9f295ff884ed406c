package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// clock is a settable clock for the API (Config.Now). It starts at the real
// time: the store judges a session's absolute expiry by its own clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC()} }

func (k *clock) Now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

func (k *clock) add(d time.Duration) {
	k.mu.Lock()
	k.now = k.now.Add(d)
	k.mu.Unlock()
}

// login posts a login (with the client's cookie, if any) and returns the status,
// the body and the session cookie set.
func (c *client) login(name, password string) (int, []byte, *http.Cookie) {
	c.t.Helper()
	status, h, b := c.do("POST", "/api/v1/login", map[string]any{"name": name, "password": password})
	var ck *http.Cookie
	for _, line := range h.Values("Set-Cookie") {
		if got, err := http.ParseSetCookie(line); err == nil && got.Name == api.SessionCookie {
			ck = got
		}
	}
	return status, b, ck
}

// signIn logs a user in and returns their session cookie.
func (c *client) signIn(name string) *http.Cookie {
	c.t.Helper()
	status, b, ck := c.anonymous().login(name, testPassword)
	if status != 200 || ck == nil {
		c.t.Fatalf("login of %s: %d %s", name, status, b)
	}
	return &http.Cookie{Name: ck.Name, Value: ck.Value}
}

// auditOf returns the audit entries of a user, oldest first.
func (c *client) auditOf(user uuid.UUID) []access.AuditEntry {
	c.t.Helper()
	es, err := c.db.AuditLog(context.Background(), access.AuditFilter{User: user, Limit: 1000})
	if err != nil {
		c.t.Fatal(err)
	}
	return es
}

type me struct {
	User struct {
		ID    uuid.UUID
		Name  string
		Party uuid.UUID
	}
	PartyCode string `json:"party_code"`
	Via       string
	Actions   []string
}

// TestSessions signs in with a password and checks the cookie's flags, that a
// failed login says the same whether the name exists or not, that every login
// gets a new session (a cookie set before it, valid or planted, is not kept),
// logout, and the idle and absolute expiry.
func TestSessions(t *testing.T) {
	k := newClock()
	c := newServerWith(t, func(cfg *api.Config) { cfg.Now = k.Now })
	c.world()
	u := c.user("amira", "SDF", access.Registrar)
	anon := c.anonymous()

	// A failed login: the same answer for a wrong password and an unknown name.
	st1, wrong, ck := anon.login("amira", "not her password!")
	st2, unknown, ck2 := anon.login("nobody-at-all", "not her password!")
	if st1 != 401 || st2 != 401 || ck != nil || ck2 != nil || string(wrong) != string(unknown) {
		t.Fatalf("failed logins: %d %s / %d %s", st1, wrong, st2, unknown)
	}
	problemOf(t, st1, wrong, 401, "wrong name or password", "")

	status, b, set := anon.login("AMIRA ", testPassword) // names are matched in lower case
	if status != 200 || set == nil {
		t.Fatalf("login: %d %s", status, b)
	}
	if !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Path != "/" || set.Secure || !strings.HasPrefix(set.Value, "hos_") {
		t.Errorf("session cookie %+v", set)
	}
	if strings.Contains(string(b), "argon2") || strings.Contains(string(b), "password_hash") {
		t.Errorf("the login's answer shows the password hash: %s", b)
	}
	var m me
	if err := json.Unmarshal(b, &m); err != nil || m.User.ID != u.ID || m.Via != "session" || m.PartyCode != "SDF" || !slices.Contains(m.Actions, "register-person") || slices.Contains(m.Actions, "audit-log") {
		t.Errorf("login answer %s", b)
	}
	session := &http.Cookie{Name: set.Name, Value: set.Value}
	browser := c.withCookie(session)
	browser.json("GET", "/api/v1/me", nil, 200, &m)
	if m.Via != "session" || m.User.Name != "amira" {
		t.Errorf("me %+v", m)
	}
	browser.json("GET", "/api/v1/persons", nil, 200, nil)

	// Fixation: a login from a browser holding a session, or a planted id, gets
	// a new id; the old session ends.
	status, b, again := browser.login("amira", testPassword)
	if status != 200 || again == nil || again.Value == session.Value {
		t.Fatalf("second login: %d %s, cookie %+v", status, b, again)
	}
	if status, _, _ := browser.do("GET", "/api/v1/me", nil); status != 401 {
		t.Errorf("the session the login replaced still works: %d", status)
	}
	planted := &http.Cookie{Name: api.SessionCookie, Value: "hos_" + strings.Repeat("A", 43)}
	_, _, fresh := c.withCookie(planted).login("amira", testPassword)
	if fresh == nil || fresh.Value == planted.Value {
		t.Fatalf("a planted session id was kept: %+v", fresh)
	}
	if status, _, _ := c.withCookie(planted).do("GET", "/api/v1/me", nil); status != 401 {
		t.Errorf("the planted id signs in: %d", status)
	}
	for _, v := range []string{"garbage", "", "hos_" + strings.Repeat("!", 43)} {
		status, _, b := c.withCookie(&http.Cookie{Name: api.SessionCookie, Value: v}).do("GET", "/api/v1/me", nil)
		problemOf(t, status, b, 401, "sign in", "")
	}

	// Logout ends the session and clears the cookie.
	browser = c.withCookie(&http.Cookie{Name: fresh.Name, Value: fresh.Value})
	status, h, _ := browser.do("POST", "/api/v1/logout", nil)
	cleared, _ := http.ParseSetCookie(h.Get("Set-Cookie"))
	if status != 204 || cleared == nil || cleared.Name != api.SessionCookie || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("logout: %d %v", status, h)
	}
	status, _, b = browser.do("GET", "/api/v1/me", nil)
	problemOf(t, status, b, 401, "the session has ended", "")
	// A token is revoked, not logged out.
	status, _, b = c.withToken(c.tokenOf("amira")).do("POST", "/api/v1/logout", nil)
	problemOf(t, status, b, 422, "an API token is revoked", "header.Authorization")

	// Idle expiry: 30 minutes unused.
	browser = c.withCookie(c.signIn("amira"))
	k.add(29 * time.Minute)
	browser.json("GET", "/api/v1/me", nil, 200, nil)
	k.add(31 * time.Minute)
	status, _, b = browser.do("GET", "/api/v1/me", nil)
	problemOf(t, status, b, 401, "unused for too long", "")
	if status, _, _ := browser.do("GET", "/api/v1/me", nil); status != 401 {
		t.Errorf("an idle session came back: %d", status)
	}

	// Absolute expiry: 12 hours, however busy.
	browser = c.withCookie(c.signIn("amira"))
	for range 24 {
		k.add(29 * time.Minute)
		browser.json("GET", "/api/v1/me", nil, 200, nil)
	}
	k.add(25 * time.Minute) // 12 h 01 min after the login
	status, _, b = browser.do("GET", "/api/v1/me", nil)
	problemOf(t, status, b, 401, "the session has ended", "")

	// A disabled account's sessions are refused.
	browser = c.withCookie(c.signIn("amira"))
	disabled, _ := c.db.UserByID(context.Background(), u.ID)
	disabled.Disabled = true
	if err := c.db.UpdateUser(context.Background(), *disabled); err != nil {
		t.Fatal(err)
	}
	status, _, b = browser.do("GET", "/api/v1/me", nil)
	problemOf(t, status, b, 401, "disabled", "")
	if status, _, _ := anon.login("amira", testPassword); status != 401 {
		t.Errorf("a disabled account signs in: %d", status)
	}

	// The log has every login, failed or not.
	var ok, failed int
	for _, e := range c.auditOf(u.ID) {
		if e.Action == "login" {
			switch e.Outcome {
			case access.Allowed:
				ok++
			case access.Failed:
				failed++
			}
			if e.Address != "127.0.0.1" {
				t.Errorf("login entry from %q", e.Address)
			}
		}
	}
	if ok != 6 || failed != 2 {
		t.Errorf("audit: %d logins, %d failed; want 6 and 2", ok, failed)
	}
}

// TestPasswordChange checks that a password change needs the current password,
// ends every session of the user, and leaves the API tokens.
func TestPasswordChange(t *testing.T) {
	c := newServer(t)
	c.world()
	c.user("omar", "IRQ", access.TransferApprover)
	one, two := c.withCookie(c.signIn("omar")), c.withCookie(c.signIn("omar"))
	token := c.withToken(c.tokenOf("omar"))
	const newPassword = "a different passphrase"
	for _, tc := range []struct {
		body        map[string]any
		status      int
		says, where string
	}{
		{map[string]any{"current": "wrong password!", "new": newPassword}, 422, "is not your password", "body.current"},
		{map[string]any{"current": testPassword, "new": "short"}, 422, "at least 12 characters", "body.new"},
		{map[string]any{"current": testPassword, "new": testPassword}, 422, "is your current password", "body.new"},
	} {
		status, _, b := one.do("POST", "/api/v1/me/password", tc.body)
		problemOf(t, status, b, tc.status, tc.says, tc.where)
	}
	status, h, b := one.do("POST", "/api/v1/me/password", map[string]any{"current": testPassword, "new": newPassword})
	if status != 204 || !strings.Contains(h.Get("Set-Cookie"), api.SessionCookie+"=;") {
		t.Fatalf("password change: %d %v %s", status, h, b)
	}
	for _, s := range []*client{one, two} {
		if status, _, _ := s.do("GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("a session outlived the password change: %d", status)
		}
	}
	token.json("GET", "/api/v1/me", nil, 200, nil)
	if status, _, _ := c.anonymous().login("omar", testPassword); status != 401 {
		t.Errorf("the old password still signs in: %d", status)
	}
	if status, b, _ := c.anonymous().login("omar", newPassword); status != 200 {
		t.Errorf("the new password does not sign in: %d %s", status, b)
	}
}

// TestTokens makes, uses, lists and revokes API tokens: revoked and expired
// tokens are refused, a token is shown once and never kept for replay, and its
// use is recorded at most once a minute.
func TestTokens(t *testing.T) {
	k := newClock()
	c := newServerWith(t, func(cfg *api.Config) { cfg.Now = k.Now })
	c.world()
	u := c.user("karim", "IRQ", access.Registrar)
	browser := c.withCookie(c.signIn("karim")).withKey("the same key twice")
	var made [2]api.NewToken
	for i := range made {
		browser.json("POST", "/api/v1/tokens", map[string]any{"name": "nightly export", "expires_in_days": 30}, 201, &made[i])
	}
	if made[0].ID == made[1].ID || made[0].Secret == made[1].Secret || !strings.HasPrefix(made[0].Secret, access.TokenPrefix) {
		t.Fatalf("an account write was replayed: %+v", made)
	}
	if exp := made[0].Expires; exp == nil || exp.Sub(k.Now()) < 29*24*time.Hour || exp.Sub(k.Now()) > 30*24*time.Hour {
		t.Errorf("expires %v", exp)
	}
	machine := c.withToken(made[0].Secret)
	var m me
	machine.json("GET", "/api/v1/me", nil, 200, &m)
	if m.Via != "token" || m.User.ID != u.ID {
		t.Errorf("me by token %+v", m)
	}
	machine.json("GET", "/api/v1/me", nil, 200, nil)
	k.add(2 * time.Minute)
	machine.json("GET", "/api/v1/me", nil, 200, nil)

	var list struct{ Tokens []map[string]any }
	machine.json("GET", "/api/v1/tokens", nil, 200, &list)
	if len(list.Tokens) != 2 {
		t.Fatalf("tokens %+v", list.Tokens)
	}
	for _, tok := range list.Tokens {
		if _, ok := tok["token"]; ok {
			t.Errorf("a listed token shows its secret: %v", tok)
		}
		if _, ok := tok["hash"]; ok {
			t.Errorf("a listed token shows its hash: %v", tok)
		}
	}
	tokens, _ := c.db.Tokens(context.Background(), u.ID)
	for _, tok := range tokens {
		if tok.ID == made[0].ID && (tok.LastUsed == nil || !tok.LastUsed.Equal(k.Now())) {
			t.Errorf("last use %v, want %v", tok.LastUsed, k.Now())
		}
	}

	// Revocation: the token is refused from then on; another user cannot revoke
	// it, and is told no more than of a token that does not exist.
	c.user("other", "IRQ", access.Registrar)
	status, _, b := c.withToken(c.tokenOf("other")).do("DELETE", "/api/v1/tokens/"+made[0].ID.String(), nil)
	problemOf(t, status, b, 404, "no token "+made[0].ID.String(), "path.id")
	machine.json("GET", "/api/v1/me", nil, 200, nil)
	if status, _, b := browser.do("DELETE", "/api/v1/tokens/"+made[0].ID.String(), nil); status != 204 {
		t.Fatalf("revoke: %d %s", status, b)
	}
	status, h, b := machine.do("GET", "/api/v1/me", nil)
	problemOf(t, status, b, 401, "revoked or has expired", "")
	if h.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	// Expiry: the second token lives 30 days.
	second := c.withToken(made[1].Secret)
	second.json("GET", "/api/v1/persons", nil, 200, nil)
	k.add(30 * 24 * time.Hour)
	status, _, b = second.do("GET", "/api/v1/persons", nil)
	problemOf(t, status, b, 401, "revoked or has expired", "")

	for _, bad := range []string{"Bearer hot_short", "Bearer " + access.TokenPrefix + strings.Repeat("A", 43), "Basic a2FyaW06cGFzcw==", "Bearer"} {
		status, _, b := c.anonymous().withHeader("Authorization", bad).do("GET", "/api/v1/me", nil)
		problemOf(t, status, b, 401, "", "")
	}
	for _, body := range []map[string]any{{"name": ""}, {"name": "x", "expires_in_days": 400}, {"name": "x", "expires_in_days": -1}} {
		status, _, b := c.withCookie(c.signIn("karim")).do("POST", "/api/v1/tokens", body)
		if status != 422 {
			t.Errorf("token %v: %d %s", body, status, b)
		}
	}
}

// TestForwardedFor: behind a trusted proxy, each client's address is limited on
// its own and written to the log.
func TestForwardedFor(t *testing.T) {
	c := newServerWith(t, func(cfg *api.Config) {
		cfg.TrustForwardedFor = true
		cfg.Limits = api.Limits{AddressFailures: 2}
	})
	c.world()
	u := c.user("amira", "SDF", access.Registrar)
	a, b := c.anonymous().withHeader("X-Forwarded-For", "198.51.100.1, 203.0.113.7"), c.anonymous().withHeader("X-Forwarded-For", "203.0.113.8")
	for range 2 {
		a.login("amira", "wrong password 1")
	}
	if status, _, _ := a.login("amira", testPassword); status != 429 {
		t.Errorf("third attempt from 203.0.113.7: %d", status)
	}
	if status, _, _ := b.login("amira", testPassword); status != 200 {
		t.Errorf("first attempt from 203.0.113.8: %d", status)
	}
	var addrs []string
	for _, e := range c.auditOf(u.ID) {
		addrs = append(addrs, e.Address)
	}
	if !slices.Equal(addrs, []string{"203.0.113.7", "203.0.113.7", "203.0.113.8"}) {
		t.Errorf("addresses in the log: %v", addrs)
	}
}

// TestAudit checks what the log holds: reads of a person's record, writes,
// denials and exports, each with who, what, when and from where; and that
// auditors read their own party's log only.
func TestAudit(t *testing.T) {
	c := newServer(t)
	c.world()
	p := c.register(1, "HSK")
	reader := c.user("sdf-reader", "SDF", access.Registrar)
	stranger := c.user("irq-reader", "IRQ", access.Registrar)
	auditor := c.user("sdf-auditor", "SDF", access.Auditor)
	irqAuditor := c.user("irq-auditor", "IRQ", access.Auditor)
	c.withToken(c.tokenOf("sdf-reader")).json("GET", "/api/v1/persons/HSK-000001", nil, 200, nil)
	c.withToken(c.tokenOf("sdf-reader")).json("GET", "/api/v1/persons/HSK-000001/history", nil, 200, nil)
	c.withToken(c.tokenOf("sdf-reader")).json("GET", "/api/v1/persons", nil, 200, nil) // a list of records: audited too
	c.withToken(c.tokenOf("irq-reader")).do("GET", "/api/v1/persons/HSK-000001", nil)
	c.withToken(c.tokenOf("irq-reader")).do("GET", "/api/v1/audit", nil)
	c.withToken(c.tokenOf("sdf-reader")).json("POST", "/api/v1/persons/HSK-000001/escapes", map[string]any{"circumstances": "over the wall", "occurred_at": at(60)}, 201, nil)
	c.withToken(c.tokenOf("sdf-reader")).do("POST", "/api/v1/persons/HSK-000001/escapes", map[string]any{"circumstances": "again", "occurred_at": at(61)})

	type line struct {
		action, target string
		outcome        access.Outcome
	}
	lines := func(u access.User) []line {
		var out []line
		for _, e := range c.auditOf(u.ID) {
			if e.Address != "127.0.0.1" || e.Name != u.Name || e.Party != u.Party || e.At.IsZero() || e.Seq == 0 {
				t.Errorf("entry %+v", e)
			}
			out = append(out, line{e.Action, e.Target, e.Outcome})
		}
		return out
	}
	person := "person/" + p.Record.ID.String()
	if got, want := lines(reader), []line{{"get-person", person, access.Allowed}, {"person-history", person, access.Allowed},
		{"list-persons", "/api/v1/persons", access.Allowed}, {"record-escape", person, access.Allowed}, {"record-escape", person, access.Failed}}; !slices.Equal(got, want) {
		t.Errorf("the reader's log:\n%v\nwant\n%v", got, want)
	}
	if got, want := lines(stranger), []line{{"get-person", person, access.Denied}, {"audit-log", "/api/v1/audit", access.Denied}}; !slices.Equal(got, want) {
		t.Errorf("the stranger's log:\n%v\nwant\n%v", got, want)
	}

	// The auditor reads SDF's log, filtered; reading it is itself logged.
	var page struct {
		Entries []access.AuditEntry
		Next    int64
	}
	sdfAuditor := c.withToken(c.tokenOf("sdf-auditor"))
	sdfAuditor.json("GET", "/api/v1/audit?user=sdf-reader&limit=2", nil, 200, &page)
	if len(page.Entries) != 2 || page.Entries[0].Action != "get-person" || page.Next != page.Entries[1].Seq {
		t.Fatalf("first page %+v", page)
	}
	after := page.Next
	page.Next = 0
	sdfAuditor.json("GET", "/api/v1/audit?user=sdf-reader&after="+strconv.FormatInt(after, 10), nil, 200, &page)
	if len(page.Entries) != 3 || page.Next != 0 {
		t.Fatalf("second page %+v", page)
	}
	sdfAuditor.json("GET", "/api/v1/audit?outcome=denied", nil, 200, &page)
	if len(page.Entries) != 0 { // the denials were IRQ's user's
		t.Errorf("SDF's auditor sees %+v", page.Entries)
	}
	c.withToken(c.tokenOf("irq-auditor")).json("GET", "/api/v1/audit?outcome=denied", nil, 200, &page)
	if len(page.Entries) != 2 || page.Entries[0].User != stranger.ID {
		t.Errorf("IRQ's auditor sees %+v", page.Entries)
	}
	status, _, b := sdfAuditor.do("GET", "/api/v1/audit?user=nobody-known", nil)
	problemOf(t, status, b, 422, "no user", "query.user")

	// The export: CSV, every entry of SDF's, and the export itself in the log.
	status, h, b := sdfAuditor.do("GET", "/api/v1/audit/export", nil)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", status, h)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "seq,at,user,name,party,action,target,address,outcome,detail" {
		t.Fatalf("export %q: %v", b, err)
	}
	for _, r := range rows[1:] {
		if r[4] != storetest.ID("SDF").String() {
			t.Errorf("exported an entry of another party: %v", r)
		}
	}
	var exports int
	for _, e := range c.auditOf(auditor.ID) {
		if e.Action == "export-audit-log" && e.Outcome == access.Allowed {
			exports++
		}
	}
	if exports != 1 {
		t.Errorf("%d exports in the log", exports)
	}
	status, h, b = sdfAuditor.do("GET", "/api/v1/audit/export?format=jsonl&action=get-person", nil)
	if status != 200 || h.Get("Content-Type") != "application/jsonl" {
		t.Fatalf("jsonl export: %d %v", status, h)
	}
	lns := strings.Split(strings.TrimSpace(string(b)), "\n")
	var e access.AuditEntry
	if len(lns) != 1 || json.Unmarshal([]byte(lns[0]), &e) != nil || e.Target != person {
		t.Errorf("jsonl export %q", b)
	}
	_ = irqAuditor
}

// TestMonitorsNeverWrite: every write of the ledger is refused to monitors —
// even to one whose mandate covers everything, and even under a table that
// granted them one.
func TestMonitorsNeverWrite(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	if _, err := c.db.Submit(context.Background(), custodySetAll()); err != nil {
		t.Fatal(err)
	}
	table := slices.Clone(access.Table)
	for _, a := range []string{"release-person", "audit-log"} {
		table = append(table, access.Rule{Action: a, Roles: []access.Role{access.MonitorRole}, Scope: access.Mandate})
	}
	policy, err := access.NewPolicy(table)
	if err != nil {
		t.Fatal(err)
	}
	generous := c.restartedWith(func(cfg *api.Config) { cfg.Policy = policy })
	routes := routesOf(t, c)
	own := []string{"login", "change-password", "logout", "create-token", "revoke-token"} // one's own account
	tried := map[string]bool{}
	for _, tc := range f.cases() {
		r, ok := routes[tc.action]
		if !ok || r.method == "GET" || slices.Contains(own, tc.action) {
			continue
		}
		tried[tc.action] = true
		for _, srv := range []*client{c, generous} {
			for _, party := range matrixParties {
				m := srv.withToken(f.tokens[userName(party, access.MonitorRole)])
				path := strings.NewReplacer("{id}", tc.id, "{index}", tc.id).Replace(r.path)
				status, _, b := m.do(r.method, path, tc.body)
				if status != 403 {
					t.Errorf("%s %s by %s's monitor: %d %s", r.method, path, party, status, b)
				}
			}
		}
	}
	for action, r := range routes {
		if r.method != "GET" && !slices.Contains(own, action) && !tried[action] {
			t.Errorf("write %s (%s %s) not tried", action, r.method, r.path)
		}
	}
	// The generous table is the one used: it lets the monitor read the audit log.
	if status, _, _ := c.withToken(f.tokens["icrc-monitor"]).do("GET", "/api/v1/audit", nil); status != 403 {
		t.Errorf("the default table lets a monitor read the audit log: %d", status)
	}
	generous.withToken(f.tokens["icrc-monitor"]).json("GET", "/api/v1/audit", nil, 200, nil)
}

// custodySetAll widens ICRC's mandate to every person.
func custodySetAll() custody.SetMandate {
	return custody.SetMandate{Meta: custody.Meta{Actor: "icrc-administrator", Party: storetest.ID("ICRC"), OccurredAt: t0.Add(3 * time.Minute)},
		Party: storetest.ID("ICRC"), All: true}
}

// TestRouteOutsideTheTable: a server whose table lacks a route's action does not start.
func TestRouteOutsideTheTable(t *testing.T) {
	c := newServer(t)
	table := slices.DeleteFunc(slices.Clone(access.Table), func(r access.Rule) bool { return r.Action == "person-history" })
	policy, err := access.NewPolicy(table)
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t), Accounts: c.db, Policy: policy})
	if err == nil || !strings.Contains(err.Error(), `"person-history" is not in the authorisation table`) {
		t.Fatalf("New with a route outside the table: %v", err)
	}
	if _, err := api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t)}); err == nil {
		t.Fatal("New without an account store")
	}
}

// TestSecurityHeaders checks the headers of every kind of response, HSTS and
// Secure cookies over TLS, and the refusal of cross-origin writes.
func TestSecurityHeaders(t *testing.T) {
	c := newServer(t)
	c.world()
	c.user("amira", "SDF", access.Registrar)
	check := func(what string, h http.Header, tls bool) {
		t.Helper()
		for name, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
			"X-Frame-Options":         "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s: %q, want %q", what, name, got, want)
			}
		}
		if got := h.Get("Strict-Transport-Security"); (got != "") != tls {
			t.Errorf("%s: Strict-Transport-Security %q", what, got)
		}
	}
	for _, r := range []struct {
		client       *client
		method, path string
		status       int
	}{
		{c, "GET", "/api/v1/persons", 200}, {c.anonymous(), "GET", "/api/v1/persons", 401}, {c.anonymous(), "GET", "/healthz", 200},
		{c.anonymous(), "GET", "/log/checkpoint", 200}, {c.anonymous(), "GET", "/openapi.json", 200}, {c.anonymous(), "GET", "/nowhere", 404},
		{c.as("IRQ"), "GET", "/api/v1/persons/HSK-000001", 404},
	} {
		status, h, _ := r.client.do(r.method, r.path, nil)
		if status != r.status {
			t.Errorf("%s %s: %d, want %d", r.method, r.path, status, r.status)
		}
		if ct := h.Get("Content-Type"); status >= 400 && ct != "application/problem+json" {
			t.Errorf("%s %s: %d as %q", r.method, r.path, status, ct)
		}
		check(r.method+" "+r.path, h, false)
	}
	if _, h, _ := c.do("GET", "/api/v1/persons", nil); h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}

	// Cross-origin writes from a browser are refused; same-origin ones and those
	// of clients that send no browser headers pass.
	body := map[string]any{"party": map[string]any{"code": "MONX", "name": "Monitor X", "kind": "monitor"}, "occurred_at": at(3)}
	status, _, b := c.withHeader("Sec-Fetch-Site", "cross-site").do("POST", "/api/v1/parties", body)
	problemOf(t, status, b, 403, "cross-origin", "")
	status, _, b = c.withHeader("Origin", "https://evil.example").do("POST", "/api/v1/parties", body)
	problemOf(t, status, b, 403, "cross-origin", "")
	c.withHeader("Sec-Fetch-Site", "same-origin").json("POST", "/api/v1/parties", body, 201, nil)
	c.withHeader("Sec-Fetch-Site", "cross-site").json("GET", "/api/v1/parties", nil, 200, nil)
	if status, _, _ := c.anonymous().withHeader("Sec-Fetch-Site", "cross-site").login("amira", testPassword); status != 403 {
		t.Errorf("a cross-site login: %d", status)
	}

	// Over TLS: HSTS, and the session cookie is Secure.
	h, err := api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t), Accounts: c.db, PasswordParams: testParams, TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	defer h.Close()
	res, err := srv.Client().Post(srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"name":"amira","password":"`+testPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	check("login over TLS", res.Header, true)
	ck, err := http.ParseSetCookie(res.Header.Get("Set-Cookie"))
	if res.StatusCode != 200 || err != nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("login over TLS: %d, cookie %+v (%v)", res.StatusCode, ck, err)
	}
}

// TestUsers: administrators manage the accounts of their own party; nothing
// shows a password hash; a disabled user's sessions and tokens end.
func TestUsers(t *testing.T) {
	c := newServer(t)
	c.world()
	admin := c.user("sdf-admin", "SDF", access.Administrator)
	a := c.withToken(c.tokenOf("sdf-admin"))
	var made struct {
		api.UserView
		Password string
	}
	a.json("POST", "/api/v1/users", map[string]any{"name": "layla", "full_name": "Layla Nasser", "roles": []string{"registrar", "facility_commander"}}, 201, &made)
	if made.Party != storetest.ID("SDF") || len(made.Password) < 20 || !slices.Equal(made.Roles, []access.Role{access.Registrar, access.FacilityCommander}) {
		t.Fatalf("made %+v", made)
	}
	layla := c.withCookie(c.anonymous().signInWith("layla", made.Password))
	layla.json("GET", "/api/v1/me", nil, 200, nil)
	laylaToken := c.withToken(c.tokenOf("layla"))

	for _, tc := range []struct {
		body        map[string]any
		status      int
		says, where string
	}{
		{map[string]any{"name": "layla", "full_name": "Again", "roles": []string{"registrar"}}, 409, "is taken", "body.name"},
		{map[string]any{"name": "Bad Name", "full_name": "x", "roles": []string{"registrar"}}, 422, "lower-case", "body.name"},
		{map[string]any{"name": "zaid", "full_name": "Zaid", "roles": []string{"registrar", "king"}}, 422, "is not a role", "body.roles[1]"},
		{map[string]any{"name": "zaid", "full_name": "Zaid", "roles": []string{}}, 422, "at least one role", "body.roles"},
		{map[string]any{"name": "zaid", "full_name": "Zaid", "roles": []string{"registrar"}, "password": "short"}, 422, "at least 12", "body.password"},
	} {
		status, _, b := a.do("POST", "/api/v1/users", tc.body)
		problemOf(t, status, b, tc.status, tc.says, tc.where)
	}
	var list struct{ Users []map[string]any }
	a.json("GET", "/api/v1/users", nil, 200, &list)
	if len(list.Users) != 3 { // sdf-admin, layla, and the test's SDF officer
		t.Errorf("users %v", list.Users)
	}
	for _, u := range list.Users {
		if u["party"] != storetest.ID("SDF").String() {
			t.Errorf("listed a user of another party: %v", u)
		}
		for k, v := range u {
			if strings.Contains(k, "hash") || k == "password" || strings.Contains(fmt.Sprint(v), "argon2") {
				t.Errorf("listed %s: %v", k, v)
			}
		}
	}

	// Disabling ends the sessions and refuses the tokens; enabling restores the token.
	var v api.UserView
	a.json("PATCH", "/api/v1/users/layla", map[string]any{"disabled": true, "roles": []string{"registrar"}}, 200, &v)
	if !v.Disabled || !slices.Equal(v.Roles, []access.Role{access.Registrar}) {
		t.Errorf("updated %+v", v)
	}
	for _, cl := range []*client{layla, laylaToken} {
		if status, _, _ := cl.do("GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("a disabled user's credential works: %d", status)
		}
	}
	a.json("PATCH", "/api/v1/users/layla", map[string]any{"disabled": false, "password": "a password set by the admin"}, 200, &v)
	laylaToken.json("GET", "/api/v1/me", nil, 200, nil)
	c.anonymous().signInWith("layla", "a password set by the admin")

	for _, tc := range []struct {
		body  map[string]any
		where string
	}{
		{map[string]any{"disabled": true}, "body.disabled"},
		{map[string]any{"roles": []string{"registrar"}}, "body.roles"},
	} {
		status, _, b := a.do("PATCH", "/api/v1/users/"+admin.ID.String(), tc.body)
		problemOf(t, status, b, 422, "yourself", tc.where)
	}
	status, _, b := a.do("PATCH", "/api/v1/users/nobody-here", map[string]any{"disabled": true})
	problemOf(t, status, b, 404, "no user", "path.id")
	c.user("irq-admin", "IRQ", access.Administrator)
	status, _, b = c.withToken(c.tokenOf("irq-admin")).do("PATCH", "/api/v1/users/layla", map[string]any{"disabled": true})
	problemOf(t, status, b, 404, `no user "layla"`, "path.id") // another party's account: as if there were none
}

// signInWith logs a user in with a password and returns the session cookie.
func (c *client) signInWith(name, password string) *http.Cookie {
	c.t.Helper()
	status, b, ck := c.anonymous().login(name, password)
	if status != 200 || ck == nil {
		c.t.Fatalf("login of %s: %d %s", name, status, b)
	}
	return &http.Cookie{Name: ck.Name, Value: ck.Value}
}

// restartedWith is restarted with the configuration adjusted.
func (c *client) restartedWith(edit func(*api.Config)) *client {
	c.t.Helper()
	cfg := api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(c.t), Accounts: c.db, PasswordParams: testParams}
	edit(&cfg)
	h, err := api.New(c.db, cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	c.t.Cleanup(func() { srv.Close(); h.Close() })
	cc := *c
	cc.url = srv.URL
	return &cc
}

// TestSetMandate sets a monitor's mandate through the API under a table that
// names set-mandate (access.Table does not yet): only the monitor party's
// administrators may, and the monitor then sees what the mandate covers.
func TestSetMandate(t *testing.T) {
	f := newMatrixFixture(t)
	policy, err := access.NewPolicy(append(slices.Clone(access.Table),
		access.Rule{Action: "set-mandate", Roles: []access.Role{access.Administrator}, Scope: access.OwnParty}))
	if err != nil {
		t.Fatal(err)
	}
	c := f.c.restartedWith(func(cfg *api.Config) { cfg.Policy = policy })
	body := map[string]any{"all": false, "facilities": []string{"HSK", "IQ1"}, "occurred_at": at(100)}
	for _, who := range []string{"sdf-administrator", "icrc-monitor", "icrc-registrar"} {
		status, _, b := c.withToken(f.tokens[who]).do("PUT", "/api/v1/parties/ICRC/mandate", body)
		problemOf(t, status, b, 403, "may not set-mandate", "")
	}
	monitor := c.withToken(f.tokens["icrc-monitor"])
	if status, _, _ := monitor.do("GET", "/api/v1/persons/"+f.atIQ1, nil); status != 404 {
		t.Fatalf("the monitor reads IQ1 before its mandate covers it: %d", status)
	}
	var rc api.Receipt
	c.withToken(f.tokens["icrc-administrator"]).json("PUT", "/api/v1/parties/ICRC/mandate", body, 200, &rc)
	if len(rc.Events) != 1 || rc.Events[0].Type != custody.TypeMandateSet {
		t.Fatalf("receipt %+v", rc)
	}
	monitor.json("GET", "/api/v1/persons/"+f.atIQ1, nil, 200, nil)
	status, _, b := c.withToken(f.tokens["icrc-administrator"]).do("PUT", "/api/v1/parties/ICRC/mandate", map[string]any{"facilities": []string{"NOPE"}, "occurred_at": at(101)})
	problemOf(t, status, b, 404, "no facility", "body.facilities[0]")
	status, _, b = c.withToken(f.tokens["sdf-administrator"]).do("PUT", "/api/v1/parties/SDF/mandate", map[string]any{"all": true, "occurred_at": at(101)})
	problemOf(t, status, b, 409, "not a monitor", "path.id")
}

// TestAuditAfterClose: entries of requests served after Close are still stored.
func TestAuditAfterClose(t *testing.T) {
	c := newServer(t)
	c.world()
	h, err := api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t), Accounts: c.db})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c.register(1, "HSK")
	h.Close()
	cc := *c
	cc.url = srv.URL
	cc.json("GET", "/api/v1/persons/HSK-000001", nil, 200, nil)
	u, _ := c.db.UserByName(context.Background(), officerName("SDF"))
	es := c.auditOf(u.ID)
	if last := es[len(es)-1]; last.Action != "get-person" || last.Outcome != access.Allowed {
		t.Errorf("last entry %+v", last)
	}
}
