package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/storetest"
)

func openStore(t *testing.T, dbURL string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The events, the checkpoints and the audit log cannot be altered, even through a
// connection of one's own.
func TestAppendOnly(t *testing.T) {
	ctx := context.Background()
	dbURL := freshDatabase(t)
	db := openStore(t, dbURL)
	if err := db.Start(ctx, storetest.Config(t)); err != nil {
		t.Fatal(err)
	}
	storetest.World(t, db)
	u := storetest.Account("kay.registrar", storetest.ID("SDF"), access.Registrar)
	if err := db.Audit(ctx, []access.AuditEntry{{User: u.ID, Name: u.Name, Action: "login", Target: "-", Address: "127.0.0.1", Outcome: access.Allowed}}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"UPDATE events SET bytes = '\\x00'", "DELETE FROM events", "TRUNCATE events",
		"UPDATE checkpoints SET note = '\\x00'", "DELETE FROM checkpoints", "TRUNCATE checkpoints",
		"UPDATE audit SET detail = 'x'", "DELETE FROM audit", "TRUNCATE audit",
	} {
		_, err := raw.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want an append-only refusal", q, err)
		}
	}
	storetest.MustVerify(t, db)
}

// A second store on the same database (a replica) catches up with what the first
// appended before it writes: its command is decided against the whole ledger, and
// lands after the first store's events. A batch written outside a turn of the lock
// on top of a ledger its writer has not read is still refused, and the ledger
// verifies.
func TestSecondWriterCatchesUp(t *testing.T) {
	ctx := context.Background()
	dbURL := freshDatabase(t)
	a, b := openStore(t, dbURL), openStore(t, dbURL)
	if err := a.Start(ctx, storetest.Config(t)); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx, storetest.Config(t)); err != nil {
		t.Fatal(err)
	}
	storetest.World(t, a)
	// The party SDF exists only in a's writes: b must have caught up to refuse it.
	dup := custody.Party{ID: storetest.ID("SDF2"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}
	if _, err := b.Submit(ctx, custody.RegisterParty{Meta: storetest.Meta(0), Party: dup}); custody.ErrorCode(err) != custody.Refused && custody.ErrorCode(err) != custody.Conflict {
		t.Fatalf("a party code registered through the other replica: %v, want a refusal", err)
	}
	party := custody.Party{ID: storetest.ID("USF"), Code: "USF", Name: "United States forces", Kind: custody.DetainingAuthority}
	r := storetest.MustSubmit(t, b, custody.RegisterParty{Meta: storetest.Meta(0), Party: party})
	if r.Events[0].Index != 5 || r.Checkpoint.Size != 6 {
		t.Fatalf("b's event at %d, checkpoint size %d; want 5 and 6", r.Events[0].Index, r.Checkpoint.Size)
	}
	storetest.MustVerify(t, a)

	// Outside a turn, a stale batch is refused and writes nothing.
	stale := &sequencer.Batch{Events: []sequencer.Sealed{{Index: 3}}}
	if err := b.WriteBatch(ctx, stale); err == nil || !strings.Contains(err.Error(), "must start at index 6") {
		t.Fatalf("a stale batch: %v, want a refusal", err)
	}
	if n, err := a.EventCount(ctx); err != nil || n != 6 {
		t.Fatalf("%d events (%v), want 6", n, err)
	}
	storetest.MustVerify(t, b)
}

func TestIdempotency(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, freshDatabase(t))
	if _, _, _, found, err := db.StoredResponse(ctx, "k1"); err != nil || found {
		t.Fatalf("found %v, err %v", found, err)
	}
	now := time.Now()
	if err := db.StoreResponse(ctx, "k1", []byte{1, 2}, 201, []byte(`{"a":1}`), now); err != nil {
		t.Fatal(err)
	}
	if err := db.StoreResponse(ctx, "k1", []byte{3}, 500, []byte(`{}`), now); err != nil {
		t.Fatal(err)
	}
	fp, status, body, found, err := db.StoredResponse(ctx, "k1")
	if err != nil || !found || string(fp) != "\x01\x02" || status != 201 || string(body) != `{"a":1}` {
		t.Fatalf("got %x %d %s %v %v, want the first response", fp, status, body, found, err)
	}
}
