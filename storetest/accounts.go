package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// RunAccounts is the conformance suite of access.Store: accounts, sessions, API
// tokens and the audit log. open must return a store on a fresh, empty database and
// close it when the test ends (t.Cleanup). Times are given to the microsecond, the
// precision PostgreSQL keeps.
func RunAccounts(t *testing.T, open func(t *testing.T) access.Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("UpdateUser", func(t *testing.T) { testUpdateUser(t, open(t)) })
	t.Run("UpdateUserIf", func(t *testing.T) { testUpdateUserIf(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("AuditFilters", func(t *testing.T) { testAuditFilters(t, open(t)) })
	t.Run("AuditPaging", func(t *testing.T) { testAuditPaging(t, open(t)) })
	t.Run("AuditConcurrent", func(t *testing.T) { testAuditConcurrent(t, open(t)) })
}

// accT0 is the suite's reference time, at microsecond precision.
var accT0 = time.Date(2026, 2, 3, 9, 30, 15, 123456000, time.UTC)

// Account returns a valid synthetic user of a party, holding roles.
func Account(name string, party uuid.UUID, roles ...access.Role) access.User {
	return access.User{
		ID:              ID("user " + name),
		Name:            name,
		FullName:        "Test user " + name,
		Party:           party,
		Roles:           roles,
		PasswordHash:    "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$" + base64.RawStdEncoding.EncodeToString([]byte(name)),
		Created:         accT0,
		PasswordChanged: accT0,
	}
}

// utc returns t in UTC without its monotonic reading, so that equal instants
// compare equal with reflect.DeepEqual.
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func normUser(u access.User) access.User {
	u.Created, u.PasswordChanged, u.LockedUntil = utc(u.Created), utc(u.PasswordChanged), utc(u.LockedUntil)
	return u
}

func normToken(t access.Token) access.Token {
	t.Created = utc(t.Created)
	t.Expires, t.Revoked, t.LastUsed = utcPtr(t.Expires), utcPtr(t.Revoked), utcPtr(t.LastUsed)
	return t
}

func normSession(s access.Session) access.Session {
	s.Created, s.Expires = utc(s.Created), utc(s.Expires)
	return s
}

func normEntry(e access.AuditEntry) access.AuditEntry {
	e.At = utc(e.At)
	return e
}

func sameUser(t *testing.T, what string, got *access.User, want access.User) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no user", what)
		return
	}
	if g, w := normUser(*got), normUser(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func userNames(us []access.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func mustErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

func testUsers(t *testing.T, s access.Store) {
	ctx := context.Background()
	sdf, irq := ID("SDF"), ID("IRQ")
	zed := Account("zed.registrar", sdf, access.Registrar, access.FacilityCommander)
	amy := Account("amy.monitor", irq, access.MonitorRole)
	bob := Account("bob.admin", sdf, access.Administrator)
	bob.Disabled, bob.FailedLogins, bob.LockedUntil = true, 4, accT0.Add(15*time.Minute)
	bob.PasswordChanged = accT0.Add(time.Hour)
	for _, u := range []access.User{zed, amy, bob} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatalf("create %s: %v", u.Name, err)
		}
	}

	for _, want := range []access.User{zed, amy, bob} {
		got, err := s.UserByID(ctx, want.ID)
		if err != nil {
			t.Fatalf("by id %s: %v", want.Name, err)
		}
		sameUser(t, "by id "+want.Name, got, want)
		got, err = s.UserByName(ctx, want.Name)
		if err != nil {
			t.Fatalf("by name %s: %v", want.Name, err)
		}
		sameUser(t, "by name "+want.Name, got, want)
	}

	_, err := s.UserByID(ctx, ID("nobody"))
	mustErrIs(t, "unknown id", err, access.ErrNotFound)
	_, err = s.UserByName(ctx, "nobody")
	mustErrIs(t, "unknown name", err, access.ErrNotFound)

	// A name or an id already taken.
	dup := Account("zed.registrar", irq, access.Auditor)
	dup.ID = ID("another id")
	mustErrIs(t, "duplicate name", s.CreateUser(ctx, dup), access.ErrExists)
	dup = Account("someone.else", irq, access.Auditor)
	dup.ID = zed.ID
	mustErrIs(t, "duplicate id", s.CreateUser(ctx, dup), access.ErrExists)
	if got, err := s.UserByID(ctx, zed.ID); err != nil || got.Name != zed.Name || got.Party != sdf {
		t.Errorf("a refused duplicate changed the account: %v %+v", err, got)
	}

	// What access.ValidateUser refuses is not stored.
	bad := Account("Not A Login Name", sdf, access.Registrar)
	if err := s.CreateUser(ctx, bad); err == nil {
		t.Error("an invalid login name was accepted")
	}
	bad = Account("no.roles", sdf)
	if err := s.CreateUser(ctx, bad); err == nil {
		t.Error("a user without roles was accepted")
	}
	bad = Account("bad.role", sdf, access.Role("superuser"))
	if err := s.CreateUser(ctx, bad); err == nil {
		t.Error("an unknown role was accepted")
	}
	if _, err := s.UserByName(ctx, "no.roles"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("a refused user was stored: %v", err)
	}

	// Lists: by name, of one party or of all.
	all, err := s.Users(ctx, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := userNames(all), []string{"amy.monitor", "bob.admin", "zed.registrar"}; !slices.Equal(got, want) {
		t.Errorf("every user: %v, want %v", got, want)
	}
	for _, u := range all {
		if u.Name == "bob.admin" {
			sameUser(t, "listed bob.admin", &u, bob)
		}
	}
	of, err := s.Users(ctx, sdf)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := userNames(of), []string{"bob.admin", "zed.registrar"}; !slices.Equal(got, want) {
		t.Errorf("users of SDF: %v, want %v", got, want)
	}
	if none, err := s.Users(ctx, ID("nobody's party")); err != nil || len(none) != 0 {
		t.Errorf("users of a party without any: %v %v", err, none)
	}
}

func testUpdateUser(t *testing.T, s access.Store) {
	ctx := context.Background()
	sdf, irq := ID("SDF"), ID("IRQ")
	u := Account("kim.officer", sdf, access.Registrar)
	other := Account("lee.officer", sdf, access.Registrar)
	for _, x := range []access.User{u, other} {
		if err := s.CreateUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}

	// Every field changes but ID and Created.
	v := u
	v.Name = "kim.legal"
	v.FullName = "Kim, legal officer"
	v.Party = irq
	v.Roles = []access.Role{access.LegalOfficer, access.TransferApprover}
	v.PasswordHash = "$argon2id$v=19$m=8,t=1,p=1$bmV3c2FsdHM$BBBBBBBBBBBBBBBBBBBBBB"
	v.Disabled = true
	v.PasswordChanged = accT0.Add(48 * time.Hour)
	v.FailedLogins = 7
	v.LockedUntil = accT0.Add(49 * time.Hour)
	v.Created = accT0.Add(1000 * time.Hour) // ignored
	if err := s.UpdateUser(ctx, v); err != nil {
		t.Fatal(err)
	}
	want := v
	want.Created = u.Created
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameUser(t, "updated", got, want)
	if _, err := s.UserByName(ctx, "kim.officer"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("the old name still finds the user: %v", err)
	}
	if got, err := s.UserByName(ctx, "kim.legal"); err != nil || got.ID != u.ID {
		t.Errorf("the new name: %v %+v", err, got)
	}

	// A lock is lifted and the count reset.
	w := want
	w.LockedUntil, w.FailedLogins, w.Disabled = time.Time{}, 0, false
	if err := s.UpdateUser(ctx, w); err != nil {
		t.Fatal(err)
	}
	got, err = s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameUser(t, "unlocked", got, w)
	if !got.LockedUntil.IsZero() {
		t.Errorf("locked until %v after the lock was lifted", got.LockedUntil)
	}

	// Taking another's name; updating no one.
	x := w
	x.Name = other.Name
	mustErrIs(t, "update to a taken name", s.UpdateUser(ctx, x), access.ErrExists)
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.Name != "kim.legal" {
		t.Errorf("a refused update changed the account: %v %+v", err, got)
	}
	ghost := Account("ghost.user", sdf, access.Registrar)
	mustErrIs(t, "update of an unknown user", s.UpdateUser(ctx, ghost), access.ErrNotFound)
	if _, err := s.UserByName(ctx, "ghost.user"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("an update created a user: %v", err)
	}
}

func testSessions(t *testing.T, s access.Store) {
	ctx := context.Background()
	sdf := ID("SDF")
	ann, ben := Account("ann.registrar", sdf, access.Registrar), Account("ben.registrar", sdf, access.Registrar)
	for _, u := range []access.User{ann, ben} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	session := func(name string, user uuid.UUID, expires time.Time) access.Session {
		return access.Session{Hash: access.HashSecret("session " + name), User: user, Created: now.Add(-time.Minute), Expires: expires, Address: "192.0.2.7"}
	}
	a1 := session("a1", ann.ID, now.Add(time.Hour))
	a2 := session("a2", ann.ID, now.Add(2*time.Hour))
	b1 := session("b1", ben.ID, now.Add(time.Hour))
	expired := session("expired", ann.ID, now.Add(-time.Second))
	for _, x := range []access.Session{a1, a2, b1, expired} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Session(ctx, a1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := normSession(*got), normSession(a1); !reflect.DeepEqual(g, w) {
		t.Errorf("session:\n got %+v\nwant %+v", g, w)
	}
	_, err = s.Session(ctx, expired.Hash)
	mustErrIs(t, "expired session", err, access.ErrNotFound)
	_, err = s.Session(ctx, access.HashSecret("never given"))
	mustErrIs(t, "unknown session", err, access.ErrNotFound)
	mustErrIs(t, "a session's hash again", s.CreateSession(ctx, session("a1", ben.ID, now.Add(time.Hour))), access.ErrExists)
	if got, err := s.Session(ctx, a1.Hash); err != nil || got.User != ann.ID {
		t.Errorf("a refused session replaced another: %v %+v", err, got)
	}

	// Logout.
	if err := s.DeleteSession(ctx, a1.Hash); err != nil {
		t.Fatal(err)
	}
	_, err = s.Session(ctx, a1.Hash)
	mustErrIs(t, "deleted session", err, access.ErrNotFound)
	if err := s.DeleteSession(ctx, a1.Hash); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
	if _, err := s.Session(ctx, a2.Hash); err != nil {
		t.Errorf("logout of one session ended another: %v", err)
	}

	// Every session of one user, and only theirs.
	a3 := session("a3", ann.ID, now.Add(3*time.Hour))
	if err := s.CreateSession(ctx, a3); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSessions(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	for _, x := range []access.Session{a2, a3} {
		if _, err := s.Session(ctx, x.Hash); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("session of a user whose sessions were deleted: %v", err)
		}
	}
	if got, err := s.Session(ctx, b1.Hash); err != nil || got.User != ben.ID {
		t.Errorf("another user's session after DeleteSessions: %v %+v", err, got)
	}
	if err := s.DeleteSessions(ctx, ID("nobody")); err != nil {
		t.Errorf("deleting the sessions of a user with none: %v", err)
	}
}

func testTokens(t *testing.T, s access.Store) {
	ctx := context.Background()
	sdf := ID("SDF")
	cat, dan := Account("cat.approver", sdf, access.TransferApprover), Account("dan.escort", sdf, access.EscortCommander)
	for _, u := range []access.User{cat, dan} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	expires := accT0.Add(90 * 24 * time.Hour)
	token := func(name string, user uuid.UUID, created time.Time) access.Token {
		return access.Token{ID: ID("token " + name), User: user, Name: name, Hash: access.HashSecret("hot_" + name), Created: created}
	}
	t1 := token("sync", cat.ID, accT0)
	t1.Expires = &expires
	t2 := token("export", cat.ID, accT0.Add(time.Hour))
	t3 := token("gate", dan.ID, accT0.Add(30*time.Minute))
	for _, x := range []access.Token{t1, t2, t3} {
		if err := s.CreateToken(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	sameToken := func(what string, got *access.Token, want access.Token) {
		t.Helper()
		if got == nil {
			t.Errorf("%s: no token", what)
			return
		}
		if g, w := normToken(*got), normToken(want); !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
		}
	}
	got, err := s.TokenByHash(ctx, t1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	sameToken("by hash", got, t1)
	_, err = s.TokenByHash(ctx, access.HashSecret("hot_unknown"))
	mustErrIs(t, "unknown token", err, access.ErrNotFound)
	dup := token("again", cat.ID, accT0)
	dup.Hash = t1.Hash
	mustErrIs(t, "a token's hash again", s.CreateToken(ctx, dup), access.ErrExists)
	dup = token("again", cat.ID, accT0)
	dup.ID = t2.ID
	mustErrIs(t, "a token's id again", s.CreateToken(ctx, dup), access.ErrExists)

	ids := func(ts []access.Token) []uuid.UUID {
		var out []uuid.UUID
		for _, x := range ts {
			out = append(out, x.ID)
		}
		return out
	}
	list, err := s.Tokens(ctx, cat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(list), []uuid.UUID{t2.ID, t1.ID}; !slices.Equal(got, want) {
		t.Errorf("cat's tokens %v, want newest first %v", got, want)
	}
	list, err = s.Tokens(ctx, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(list), []uuid.UUID{t2.ID, t3.ID, t1.ID}; !slices.Equal(got, want) {
		t.Errorf("every token %v, want newest first %v", got, want)
	}

	// Use.
	used := accT0.Add(2 * time.Hour)
	if err := s.TouchToken(ctx, t2.ID, used); err != nil {
		t.Fatal(err)
	}
	got, err = s.TokenByHash(ctx, t2.Hash)
	if err != nil {
		t.Fatal(err)
	}
	want2 := t2
	want2.LastUsed = &used
	sameToken("used", got, want2)
	later := used.Add(time.Minute)
	if err := s.TouchToken(ctx, t2.ID, later); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByHash(ctx, t2.Hash); err != nil || got.LastUsed == nil || !got.LastUsed.Equal(later) {
		t.Errorf("used again: %v %+v", err, got)
	}
	mustErrIs(t, "touch an unknown token", s.TouchToken(ctx, ID("token none"), used), access.ErrNotFound)

	// Revocation: the token stays listed, with its time, and is no longer active.
	revoked := accT0.Add(3 * time.Hour)
	if err := s.RevokeToken(ctx, t1.ID, revoked); err != nil {
		t.Fatal(err)
	}
	got, err = s.TokenByHash(ctx, t1.Hash)
	if err != nil {
		t.Fatalf("a revoked token by its hash: %v", err)
	}
	want1 := t1
	want1.Revoked = &revoked
	sameToken("revoked", got, want1)
	if got.Active(accT0) {
		t.Error("a revoked token is active")
	}
	list, err = s.Tokens(ctx, cat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1].ID != t1.ID || list[1].Revoked == nil || !list[1].Revoked.Equal(revoked) {
		t.Errorf("revoked token not listed with its revocation time: %+v", list)
	}
	if list[0].Revoked != nil {
		t.Errorf("revoking one token revoked another: %+v", list[0])
	}
	if err := s.RevokeToken(ctx, t1.ID, revoked.Add(time.Hour)); err != nil {
		t.Errorf("revoking a revoked token: %v", err)
	}
	if got, err := s.TokenByHash(ctx, t1.Hash); err != nil || got.Revoked == nil || !got.Revoked.Equal(revoked) {
		t.Errorf("revoking again changed the revocation time: %v %+v", err, got)
	}
	mustErrIs(t, "revoke an unknown token", s.RevokeToken(ctx, ID("token none"), revoked), access.ErrNotFound)
}

// entry returns an audit entry at accT0 plus n minutes.
func entry(n int, user access.User, action string, outcome access.Outcome) access.AuditEntry {
	return access.AuditEntry{
		At: accT0.Add(time.Duration(n) * time.Minute), User: user.ID, Name: user.Name, Party: user.Party,
		Action: action, Target: fmt.Sprintf("person/%d", n), Address: "198.51.100.4", Outcome: outcome, Detail: "",
	}
}

func auditAll(t *testing.T, s access.Store, f access.AuditFilter) []access.AuditEntry {
	t.Helper()
	es, err := s.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func seqs(es []access.AuditEntry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func testAudit(t *testing.T, s access.Store) {
	ctx := context.Background()
	eve := Account("eve.registrar", ID("SDF"), access.Registrar)
	first := []access.AuditEntry{
		entry(0, eve, "login", access.Allowed),
		entry(1, eve, "get-person", access.Allowed),
	}
	// A failed login naming no account: no user, no party.
	first = append(first, access.AuditEntry{At: accT0.Add(2 * time.Minute), Name: "mallory", Action: "login",
		Address: "203.0.113.9", Outcome: access.Failed, Detail: "no such user"})
	if err := s.Audit(ctx, first); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(first); i++ {
		if first[i].Seq <= first[i-1].Seq {
			t.Fatalf("seqs not increasing within a batch: %v", seqs(first))
		}
	}
	if first[0].Seq <= 0 {
		t.Errorf("first seq %d", first[0].Seq)
	}
	second := []access.AuditEntry{entry(3, eve, "get-person", access.Denied)}
	if err := s.Audit(ctx, second); err != nil {
		t.Fatal(err)
	}
	if second[0].Seq <= first[2].Seq {
		t.Errorf("seq %d of a later batch not after %d", second[0].Seq, first[2].Seq)
	}
	if err := s.Audit(ctx, nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}

	got := auditAll(t, s, access.AuditFilter{})
	want := append(slices.Clone(first), second...)
	if len(got) != len(want) {
		t.Fatalf("audit log has %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := normEntry(got[i]), normEntry(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if got[2].User != uuid.Nil || got[2].Party != uuid.Nil {
		t.Errorf("an entry without a user came back with one: %+v", got[2])
	}
}

func testAuditFilters(t *testing.T, s access.Store) {
	ctx := context.Background()
	sdf, irq := ID("SDF"), ID("IRQ")
	fay := Account("fay.registrar", sdf, access.Registrar)
	gus := Account("gus.monitor", irq, access.MonitorRole)
	hal := Account("hal.auditor", sdf, access.Auditor)
	var es []access.AuditEntry
	for i := range 30 {
		u := []access.User{fay, gus, hal}[i%3]
		action := []string{"get-person", "list-persons", "login", "export-audit-log", "person-history"}[i%5]
		outcome := access.Allowed
		switch {
		case i%7 == 3:
			outcome = access.Denied
		case i%11 == 5:
			outcome = access.Failed
		}
		es = append(es, entry(i, u, action, outcome))
	}
	// In three batches, so that filters cross them.
	for _, b := range [][]access.AuditEntry{es[:10], es[10:11], es[11:]} {
		if err := s.Audit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, f access.AuditFilter, keep func(i int, e access.AuditEntry) bool) {
		t.Helper()
		var want []int64
		for i, e := range es {
			if keep(i, e) {
				want = append(want, e.Seq)
			}
		}
		if len(want) == 0 || len(want) == len(es) {
			t.Fatalf("%s: the filter selects %d of %d entries: a useless test", what, len(want), len(es))
		}
		if got := seqs(auditAll(t, s, f)); !slices.Equal(got, want) {
			t.Errorf("%s: seqs %v, want %v", what, got, want)
		}
	}
	since, until := accT0.Add(7*time.Minute), accT0.Add(19*time.Minute)
	check("since (inclusive)", access.AuditFilter{Since: since}, func(_ int, e access.AuditEntry) bool { return !e.At.Before(since) })
	check("until (exclusive)", access.AuditFilter{Until: until}, func(_ int, e access.AuditEntry) bool { return e.At.Before(until) })
	check("since and until", access.AuditFilter{Since: since, Until: until}, func(_ int, e access.AuditEntry) bool {
		return !e.At.Before(since) && e.At.Before(until)
	})
	check("user", access.AuditFilter{User: gus.ID}, func(_ int, e access.AuditEntry) bool { return e.User == gus.ID })
	check("party", access.AuditFilter{Party: sdf}, func(_ int, e access.AuditEntry) bool { return e.Party == sdf })
	check("action", access.AuditFilter{Action: "get-person"}, func(_ int, e access.AuditEntry) bool { return e.Action == "get-person" })
	check("outcome denied", access.AuditFilter{Outcome: access.Denied}, func(_ int, e access.AuditEntry) bool { return e.Outcome == access.Denied })
	check("outcome failed", access.AuditFilter{Outcome: access.Failed}, func(_ int, e access.AuditEntry) bool { return e.Outcome == access.Failed })
	check("after", access.AuditFilter{After: es[12].Seq}, func(i int, _ access.AuditEntry) bool { return i > 12 })
	check("limit", access.AuditFilter{Limit: 4}, func(i int, _ access.AuditEntry) bool { return i < 4 })
	check("party, action and after", access.AuditFilter{Party: sdf, Action: "login", After: es[2].Seq}, func(i int, e access.AuditEntry) bool {
		return i > 2 && e.Party == sdf && e.Action == "login"
	})
	check("user, outcome and until", access.AuditFilter{User: fay.ID, Outcome: access.Allowed, Until: until}, func(_ int, e access.AuditEntry) bool {
		return e.User == fay.ID && e.Outcome == access.Allowed && e.At.Before(until)
	})
	if got := auditAll(t, s, access.AuditFilter{Action: "no-such-action"}); len(got) != 0 {
		t.Errorf("an action never taken: %d entries", len(got))
	}
}

func testAuditPaging(t *testing.T, s access.Store) {
	ctx := context.Background()
	ivy := Account("ivy.auditor", ID("SDF"), access.Auditor)
	const n = 1105
	es := make([]access.AuditEntry, n)
	for i := range es {
		es[i] = entry(i%60, ivy, "get-person", access.Allowed)
	}
	if err := s.Audit(ctx, es); err != nil {
		t.Fatal(err)
	}
	if got := auditAll(t, s, access.AuditFilter{}); len(got) != 100 || got[0].Seq != es[0].Seq || got[99].Seq != es[99].Seq {
		t.Errorf("default page: %d entries", len(got))
	}
	if got := auditAll(t, s, access.AuditFilter{Limit: 5000}); len(got) != 1000 || got[999].Seq != es[999].Seq {
		t.Errorf("a limit above 1000: %d entries", len(got))
	}
	// Page through all of it, 97 at a time.
	var all []int64
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		page := auditAll(t, s, access.AuditFilter{After: after, Limit: 97})
		if len(page) == 0 {
			break
		}
		if len(page) > 97 {
			t.Fatalf("a page of %d entries", len(page))
		}
		all = append(all, seqs(page)...)
		after = page[len(page)-1].Seq
	}
	if want := seqs(es); !slices.Equal(all, want) {
		t.Errorf("paging gave %d entries, want %d in seq order", len(all), len(want))
	}
}

func testAuditConcurrent(t *testing.T, s access.Store) {
	ctx := context.Background()
	jon := Account("jon.registrar", ID("SDF"), access.Registrar)
	const writers, each = 8, 20
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		got  []int64
		errs []error
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				b := []access.AuditEntry{entry(w*each+i, jon, "get-person", access.Allowed)}
				err := s.Audit(ctx, b)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					got = append(got, b[0].Seq)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d concurrent appends failed, first: %v", len(errs), errs[0])
	}
	slices.Sort(got)
	if len(slices.Compact(slices.Clone(got))) != writers*each {
		t.Fatalf("concurrent appends share seqs: %d distinct of %d", len(slices.Compact(slices.Clone(got))), writers*each)
	}
	stored := seqs(auditAll(t, s, access.AuditFilter{Limit: 1000}))
	if !slices.Equal(stored, got) {
		t.Errorf("stored seqs %v\nwant %v", stored, got)
	}
}

// testUpdateUserIf: a conditional update writes only over the user as read, a
// locked one included, and refuses with ErrChanged once any column has changed.
func testUpdateUserIf(t *testing.T, s access.Store) {
	ctx := context.Background()
	u := Account("kim.officer", ID("SDF"), access.Registrar)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	read, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := *read
	v.FullName = "Kim, first writer"
	if err := s.UpdateUserIf(ctx, v, *read); err != nil {
		t.Fatalf("update over the user as read: %v", err)
	}
	w := *read
	w.FullName = "Kim, second writer"
	mustErrIs(t, "update over a stale read", s.UpdateUserIf(ctx, w, *read), access.ErrChanged)
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.FullName != "Kim, first writer" {
		t.Errorf("a refused conditional update changed the account: %v %+v", err, got)
	}

	// Every column takes part: a failed login (count and lock) alone makes a read stale.
	read, err = s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	locked := *read
	locked.FailedLogins, locked.LockedUntil = 5, accT0.Add(time.Hour)
	if err := s.UpdateUser(ctx, locked); err != nil {
		t.Fatal(err)
	}
	w = *read
	w.Roles = []access.Role{access.Administrator}
	mustErrIs(t, "update over a read before a lock", s.UpdateUserIf(ctx, w, *read), access.ErrChanged)
	now, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	w = *now
	w.LockedUntil, w.FailedLogins = time.Time{}, 0
	if err := s.UpdateUserIf(ctx, w, *now); err != nil {
		t.Fatalf("update over a locked user as read: %v", err)
	}
	ghost := Account("ghost.user", ID("SDF"), access.Registrar)
	mustErrIs(t, "conditional update of an unknown user", s.UpdateUserIf(ctx, ghost, ghost), access.ErrNotFound)
}
