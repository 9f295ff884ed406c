package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

// openAccounts opens a fresh database in a temporary directory, closed when the test
// ends.
func openAccounts(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db, path
}

func TestAccounts(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) access.Store {
		db, _ := openAccounts(t)
		return db
	})
}

// rawOpen opens the database file directly, as someone with the file would,
// bypassing the store.
func rawOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// The audit log cannot be altered, even through a connection of one's own.
func TestAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	db, path := openAccounts(t)
	u := storetest.Account("kay.registrar", storetest.ID("SDF"), access.Registrar)
	es := []access.AuditEntry{
		{At: time.Now(), User: u.ID, Name: u.Name, Party: u.Party, Action: "get-person", Target: "person/1", Address: "192.0.2.1", Outcome: access.Allowed},
		{At: time.Now(), User: u.ID, Name: u.Name, Party: u.Party, Action: "export", Address: "192.0.2.1", Outcome: access.Denied},
	}
	if err := db.Audit(ctx, es); err != nil {
		t.Fatal(err)
	}
	raw := rawOpen(t, path)
	for _, q := range []string{
		"UPDATE audit SET outcome = 'allowed' WHERE outcome = 'denied'",
		"UPDATE audit SET name = 'someone else'",
		"DELETE FROM audit WHERE action = 'get-person'",
		"DELETE FROM audit",
	} {
		_, err := raw.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	got, err := db.AuditLog(ctx, access.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "get-person" || got[1].Outcome != access.Denied || got[1].Name != u.Name {
		t.Errorf("the audit log changed: %+v", got)
	}
	// An entry with an outcome that is not one is refused, and its batch with it.
	bad := []access.AuditEntry{
		{At: time.Now(), Name: u.Name, Action: "login", Outcome: access.Allowed},
		{At: time.Now(), Name: u.Name, Action: "login", Outcome: "maybe"},
	}
	if err := db.Audit(ctx, bad); err == nil {
		t.Error("an unknown outcome was recorded")
	}
	if got, err := db.AuditLog(ctx, access.AuditFilter{}); err != nil || len(got) != 2 {
		t.Errorf("a refused batch left entries: %v, %d entries", err, len(got))
	}
}

// An entry without a time is given the present.
func TestAuditTime(t *testing.T) {
	ctx := context.Background()
	db, _ := openAccounts(t)
	before := time.Now()
	es := []access.AuditEntry{{Name: "nobody", Action: "login", Address: "192.0.2.9", Outcome: access.Failed}}
	if err := db.Audit(ctx, es); err != nil {
		t.Fatal(err)
	}
	got, err := db.AuditLog(ctx, access.AuditFilter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
	if got[0].At.Before(before.Add(-time.Second)) || got[0].At.After(time.Now()) || !got[0].At.Equal(es[0].At) {
		t.Errorf("entry at %v, given %v, appended at about %v", got[0].At, es[0].At, before)
	}
}

// Sessions and tokens belong to an existing user; times are stored as fixed-width
// UTC text; expired sessions are forgotten when the next one is created.
func TestAccountRows(t *testing.T) {
	ctx := context.Background()
	db, path := openAccounts(t)
	u := storetest.Account("lou.escort", storetest.ID("USF"), access.EscortCommander)
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ghost := uuid.New()
	err := db.CreateSession(ctx, access.Session{Hash: access.HashSecret("s0"), User: ghost, Created: now, Expires: now.Add(time.Hour)})
	if !errors.Is(err, access.ErrNotFound) {
		t.Errorf("session of an unknown user: %v", err)
	}
	err = db.CreateToken(ctx, access.Token{ID: uuid.New(), User: ghost, Name: "x", Hash: access.HashSecret("t0"), Created: now})
	if !errors.Is(err, access.ErrNotFound) {
		t.Errorf("token of an unknown user: %v", err)
	}

	berlin := time.FixedZone("UTC+1", 3600)
	old := access.Session{Hash: access.HashSecret("old"), User: u.ID, Created: now.Add(-2 * time.Hour).In(berlin), Expires: now.Add(-time.Hour).In(berlin), Address: "192.0.2.3"}
	if err := db.CreateSession(ctx, old); err != nil {
		t.Fatal(err)
	}
	raw := rawOpen(t, path)
	var expires string
	if err := raw.QueryRowContext(ctx, "SELECT expires FROM sessions WHERE hash = ?", old.Hash).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if want := old.Expires.UTC().Format(sqlite.TimeColumn); expires != want {
		t.Errorf("expires stored as %q, want %q", expires, want)
	}
	fresh := access.Session{Hash: access.HashSecret("fresh"), User: u.ID, Created: now, Expires: now.Add(time.Hour), Address: "192.0.2.3"}
	if err := db.CreateSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d sessions kept, want the fresh one only", n)
	}
}

// Token authentication costs a lookup by hash on every request.
func BenchmarkTokenByHash(b *testing.B) {
	ctx := context.Background()
	db, _ := openAccounts(b)
	u := storetest.Account("max.approver", storetest.ID("IRQ"), access.TransferApprover)
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	var hash []byte
	for i := range 1000 {
		_, h, err := access.NewSecret(access.TokenPrefix)
		if err != nil {
			b.Fatal(err)
		}
		tok := access.Token{ID: uuid.New(), User: u.ID, Name: "bench", Hash: h, Created: time.Now()}
		if err := db.CreateToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
		if i == 500 {
			hash = h
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.TokenByHash(ctx, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// TouchToken is a write: through the one writer, with a durable commit.
func BenchmarkTouchToken(b *testing.B) {
	ctx := context.Background()
	db, _ := openAccounts(b)
	u := storetest.Account("ned.approver", storetest.ID("IRQ"), access.TransferApprover)
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	tok := access.Token{ID: uuid.New(), User: u.ID, Name: "bench", Hash: access.HashSecret("hot_bench"), Created: time.Now()}
	if err := db.CreateToken(ctx, tok); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := db.TouchToken(ctx, tok.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// One audited read appends one entry.
func BenchmarkAudit(b *testing.B) {
	ctx := context.Background()
	db, _ := openAccounts(b)
	u := storetest.Account("ola.monitor", storetest.ID("ICRC"), access.MonitorRole)
	for b.Loop() {
		es := []access.AuditEntry{{At: time.Now(), User: u.ID, Name: u.Name, Party: u.Party, Action: "get-person", Target: "person/1", Address: "192.0.2.1", Outcome: access.Allowed}}
		if err := db.Audit(ctx, es); err != nil {
			b.Fatal(err)
		}
	}
}
