package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/storetest"
)

// The ledger lock is PostgreSQL's: a second store waits while the first holds it,
// gets it when the first gives it up, and gets it too when the holder's connection
// dies (PostgreSQL rolls the turn back and releases the lock).
func TestLockTurns(t *testing.T) {
	ctx := context.Background()
	dbURL := freshDatabase(t)
	a, b := openStore(t, dbURL), openStore(t, dbURL)
	if _, err := a.Lock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := b.Lock(ctx, 0)
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("b took the lock while a held it (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("b did not get the lock a gave up")
	}

	// b holds it now; its connection is killed from outside.
	go func() {
		_, err := a.Lock(ctx, 0)
		got <- err
	}()
	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var killed bool
	if err := raw.QueryRowContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate the lock holder: %v %v", killed, err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lock of a dead session was not released")
	}
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	// b's next turn reconnects.
	if _, err := b.Lock(ctx, 0); err != nil {
		t.Fatalf("after its connection died: %v", err)
	}
	b.Unlock(ctx)
}

// Two started stores on one database append concurrently: one gap-free ledger
// that verifies, with every registration number given once. (Run with -race.)
func TestTwoSequencers(t *testing.T) {
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
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if w%2 == 1 {
				s = b
			}
			for i := range 20 {
				p := storetest.Person(1000 + w*20 + i)
				storetest.MustSubmit(t, s, custody.RegisterPerson{Meta: storetest.Meta(5), Person: p, Facility: storetest.ID("HSK")})
			}
		}()
	}
	wg.Wait()
	if n, err := b.EventCount(ctx); err != nil || n != 5+160 {
		t.Fatalf("%d events (%v), want 165", n, err)
	}
	storetest.MustVerify(t, a)
	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var persons, regNos int
	if err := raw.QueryRowContext(ctx, "SELECT count(*), count(DISTINCT reg_no) FROM persons").Scan(&persons, &regNos); err != nil || persons != 160 || regNos != 160 {
		t.Errorf("%d persons with %d registration numbers (%v), want 160 of each", persons, regNos, err)
	}
}

// An idempotency key's lock is held across stores (servers) on one database: a
// second request with the key waits until the first is answered; other keys do not.
func TestLockKey(t *testing.T) {
	ctx := context.Background()
	dbURL := freshDatabase(t)
	a, b := openStore(t, dbURL), openStore(t, dbURL)
	unlock, err := a.LockKey(ctx, "user/k1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.LockKey(ctx, "user/k2")
	if err != nil {
		t.Fatal(err)
	}
	other()
	got := make(chan func(), 1)
	go func() {
		u, err := b.LockKey(ctx, "user/k1")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("a second server took a key's lock while the first held it")
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	select {
	case u := <-got:
		u()
	case <-time.After(10 * time.Second):
		t.Fatal("the key's lock was not passed on")
	}
	// A request that gives up waiting takes nothing.
	unlock, err = a.LockKey(ctx, "user/k1")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := b.LockKey(short, "user/k1"); err == nil {
		t.Fatal("LockKey returned after its context ended, with the lock held elsewhere")
	}
	unlock()
	u, err := b.LockKey(ctx, "user/k1")
	if err != nil {
		t.Fatal(err)
	}
	u()
}

// A replica that freezes in its turn (holding the lock, doing nothing) is
// disconnected by PostgreSQL after IdleLockTimeout; the others go on, and the frozen
// one's write of that turn fails (it will reload) while its next turn reconnects.
func TestFrozenHolderLosesTheLock(t *testing.T) {
	defer postgres.SetIdleLockTimeout(500 * time.Millisecond)()
	ctx := context.Background()
	dbURL := freshDatabase(t)
	a, b := openStore(t, dbURL), openStore(t, dbURL)
	if _, err := a.Lock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := make(chan error, 1)
	go func() {
		_, err := b.Lock(ctx, 0)
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 400*time.Millisecond {
			t.Errorf("b took the lock after %v, before a's idle timeout", waited)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a frozen holder kept the lock")
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteBatch(ctx, &sequencer.Batch{Events: []sequencer.Sealed{{Index: 0}}}); err == nil {
		t.Fatal("the frozen holder's write of its lost turn succeeded")
	}
	if _, err := a.Lock(ctx, 0); err != nil {
		t.Fatalf("the frozen holder's next turn: %v", err)
	}
	a.Unlock(ctx)
}
