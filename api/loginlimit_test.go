package api_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
)

// TestLoginLimitsCannotLockOut: failures from one address hold back that address
// only, with a growing wait; the owner signs in from elsewhere; one address never
// locks an account, however long it keeps trying; a guess spread over several
// addresses locks it for all; an administrator's unlock clears every count; each
// hold-back, lock and unlock is in the audit log.
func TestLoginLimitsCannotLockOut(t *testing.T) {
	k := newClock()
	c := newServerWith(t, func(cfg *api.Config) {
		cfg.Now = k.Now
		cfg.TrustForwardedFor = true
		cfg.Limits = api.Limits{MaxFailedLogins: 3, FailedLoginWindow: 2 * time.Hour, BackoffBase: time.Minute, LockFor: 15 * time.Minute,
			AccountLockFailures: 6, AccountLockAddresses: 3, AddressFailures: 100, AddressWindow: 30 * time.Minute}
	})
	c.world()
	u := c.user("amira", "SDF", access.Registrar)
	admin := c.user("sdf-admin", "SDF", access.Administrator)
	from := func(addr string) *client { return c.anonymous().withHeader("X-Forwarded-For", addr) }
	attacker, owner := from("203.0.113.66"), from("198.51.100.7")
	_, wrong, _ := attacker.login("nobody-here", "guess")

	for i := range 3 {
		if status, _, _ := attacker.login("amira", fmt.Sprintf("guess %d", i)); status != 401 {
			t.Fatalf("failure %d: %d", i, status)
		}
	}
	// The attacker's address now waits a minute, even with the right password,
	// and is told nothing more than of any failure …
	if status, b, _ := attacker.login("amira", testPassword); status != 401 || string(b) != string(wrong) {
		t.Fatalf("held-back address, right password: %d %s", status, b)
	}
	// … while the owner signs in from her own.
	if status, b, _ := owner.login("amira", testPassword); status != 200 {
		t.Fatalf("the owner, from another address: %d %s", status, b)
	}
	// The wait doubles with each failure after it: one address can go on for
	// as long as it likes and never lock the account.
	wait := time.Minute
	for i := range 5 {
		k.add(wait)
		if status, _, _ := attacker.login("amira", "guess again"); status != 401 {
			t.Fatalf("round %d: %d", i, status)
		}
		wait = min(2*wait, 15*time.Minute)
		k.add(wait - time.Second)
		if status, _, _ := attacker.login("amira", testPassword); status != 401 {
			t.Fatalf("round %d: the right password before the wait is over: %d", i, status)
		}
		if status, b, _ := owner.login("amira", testPassword); status != 200 {
			t.Fatalf("round %d: the owner is locked out: %d %s", i, status, b)
		}
		k.add(time.Second)
	}
	if got, _ := c.db.UserByID(context.Background(), u.ID); !got.LockedUntil.IsZero() {
		t.Fatalf("one address locked the account until %v", got.LockedUntil)
	}

	// An administrator's unlock lets the held-back address in at once.
	attacker.login("amira", "one more guess")
	if status, _, _ := attacker.login("amira", testPassword); status != 401 {
		t.Fatalf("before the unlock: %d", status)
	}
	c.withToken(c.tokenOf(admin.Name)).json("PATCH", "/api/v1/users/amira", map[string]any{"unlock": true}, 200, nil)
	if status, b, _ := attacker.login("amira", testPassword); status != 200 {
		t.Fatalf("after the unlock: %d %s", status, b)
	}

	// Two failures from each of three addresses: the account locks for every
	// address, the owner's too, for LockFor.
	for _, addr := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		for range 2 {
			from(addr).login("amira", "spread guess")
		}
	}
	if status, _, _ := owner.login("amira", testPassword); status != 401 {
		t.Fatalf("a guess spread over three addresses did not lock the account: %d", status)
	}
	k.add(15 * time.Minute)
	if status, b, _ := owner.login("amira", testPassword); status != 200 {
		t.Fatalf("after the lock: %d %s", status, b)
	}

	var held, locked, unlocked int
	for _, e := range c.auditOf(u.ID) {
		switch {
		case e.Action == "lock-account" && strings.Contains(e.Detail, "other addresses are not held back"):
			held++
			if !strings.Contains(e.Detail, "203.0.113.66") {
				t.Errorf("a hold-back does not name the address: %s", e.Detail)
			}
		case e.Action == "lock-account" && strings.Contains(e.Detail, "locked for every address"):
			locked++
		case e.Action == "unlock-account" && e.Outcome == access.Allowed && e.Detail == "unlocked by sdf-admin":
			unlocked++
		}
	}
	if held < 6 || locked != 1 || unlocked != 1 {
		t.Errorf("audit: %d hold-backs, %d locks, %d unlocks; want ≥ 6, 1, 1", held, locked, unlocked)
	}
}

// TestOneAddressManyAccounts: the attack — one address failing over
// every account — ends in 429 for that address, and locks nobody out.
func TestOneAddressManyAccounts(t *testing.T) {
	c := newServerWith(t, func(cfg *api.Config) {
		cfg.TrustForwardedFor = true
		cfg.Limits = api.Limits{AddressFailures: 35}
	})
	c.world()
	var names []string
	for i := range 7 {
		names = append(names, c.user(fmt.Sprintf("irq-user-%d", i), "IRQ", access.Registrar).Name)
	}
	attacker := c.anonymous().withHeader("X-Forwarded-For", "203.0.113.66")
	limited := 0
	for i := range 45 {
		status, h, _ := attacker.do("POST", "/api/v1/login", map[string]any{"name": names[i%len(names)], "password": "wrong password guess"})
		switch status {
		case 401:
		case 429:
			limited++
			if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs <= 0 {
				t.Errorf("Retry-After %q", h.Get("Retry-After"))
			}
		default:
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	if limited == 0 {
		t.Error("the address was never limited")
	}
	for _, n := range names {
		if status, b, _ := c.anonymous().withHeader("X-Forwarded-For", "198.51.100.20").login(n, testPassword); status != 200 {
			t.Errorf("%s from its own address after the attack: %d %s", n, status, b)
		}
		u, _ := c.db.UserByName(context.Background(), n)
		if !u.LockedUntil.IsZero() {
			t.Errorf("%s is locked until %v", n, u.LockedUntil)
		}
	}
}
