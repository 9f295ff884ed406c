package api

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/handover-project/handover/access"
)

// Login limits that cannot be used to lock people out.
//
// A lock of an account after some failures, from wherever they come, lets anyone
// who knows a login name keep its owner out: 35 requests from one address once
// locked 3 of 7 accounts for 15 minutes. Instead (Limits):
//
//   - Per account and address: after MaxFailedLogins failures of an account from
//     one address within FailedLoginWindow, that address waits BackoffBase before
//     it may try the account again, twice as long after each further failure, at
//     most LockFor. Its attempts meanwhile are refused with the answer of every
//     failure, whatever the password. The account's owner, from another address,
//     signs in as before; a success from an address clears that address's count.
//   - Per address: AddressFailures failures from one address within AddressWindow
//     over all accounts get 429 (addrLimiter), so one address cannot work
//     through many accounts.
//   - Per account, over addresses: AccountLockFailures failures within the window
//     from at least AccountLockAddresses addresses (a guess spread over many)
//     lock the account for every address for LockFor. One address alone can
//     never cause it.
//
// The counts are read from the audit log, which every replica shares, so the
// limits hold across replicas and restarts; each hold-back and lock is written to
// it (action lock-account), and an administrator's unlock (action
// unlock-account: PATCH /api/v1/users/{id} with unlock, or `handover user
// unlock`) clears every count of the account.

// loginHistory is what the audit log says of an account's recent logins.
type loginHistory struct {
	fails    map[string]int       // failures per address since its last success or the unlock
	last     map[string]time.Time // the latest of those failures per address
	total    int                  // failures since the last success anywhere or the unlock
	addrs    map[string]bool      // the addresses of those
	unlocked bool
}

// loginHistory reads the account's logins and unlocks within the window.
func (s *server) loginHistory(ctx context.Context, u *access.User, now time.Time) (*loginHistory, error) {
	since := now.Add(-s.cfg.Limits.FailedLoginWindow)
	logins, err := s.acc.AuditLog(ctx, access.AuditFilter{User: u.ID, Action: "login", Since: since, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("api: login history of %s: %w", u.Name, err)
	}
	unlocks, err := s.acc.AuditLog(ctx, access.AuditFilter{User: u.ID, Action: "unlock-account", Since: since, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("api: unlocks of %s: %w", u.Name, err)
	}
	es := append(logins, unlocks...)
	slices.SortFunc(es, func(a, b access.AuditEntry) int { return int(a.Seq - b.Seq) })
	h := &loginHistory{fails: map[string]int{}, last: map[string]time.Time{}, addrs: map[string]bool{}}
	for _, e := range es {
		switch {
		case e.Action == "unlock-account":
			h.fails, h.last, h.total, h.addrs, h.unlocked = map[string]int{}, map[string]time.Time{}, 0, map[string]bool{}, true
		case e.Outcome == access.Allowed:
			delete(h.fails, e.Address)
			h.total, h.addrs = 0, map[string]bool{}
		case e.Outcome == access.Failed:
			h.fails[e.Address]++
			h.last[e.Address] = e.At
			h.total++
			h.addrs[e.Address] = true
		}
	}
	return h, nil
}

// backoff is how long an address that has failed n times waits (0: it may try).
func backoff(n int, lim Limits) time.Duration {
	if n < lim.MaxFailedLogins {
		return 0
	}
	d := lim.BackoffBase
	for i := lim.MaxFailedLogins; i < n && d < lim.LockFor; i++ {
		d *= 2
	}
	return min(d, lim.LockFor)
}

// waitUntil is when addr may next try the account.
func (h *loginHistory) waitUntil(addr string, lim Limits) time.Time {
	n := h.fails[addr]
	if n < lim.MaxFailedLogins {
		return time.Time{}
	}
	return h.last[addr].Add(backoff(n, lim))
}

// limitAfterFailure, after a failure of an existing account was recorded, holds
// back the address or locks the account, and says so in the audit log.
func (s *server) limitAfterFailure(ctx context.Context, u *access.User, now time.Time) error {
	rq := requestOf(ctx)
	lim := s.cfg.Limits
	h, err := s.loginHistory(ctx, u, now)
	if err != nil {
		return err
	}
	lock := h.total >= lim.AccountLockFailures && len(h.addrs) >= lim.AccountLockAddresses && !now.Before(u.LockedUntil)
	if h.total != u.FailedLogins || lock {
		err := s.changeUser(ctx, u.ID, func(u *access.User) {
			u.FailedLogins = h.total
			if lock {
				u.LockedUntil = now.Add(lim.LockFor)
			}
		})
		if err != nil {
			return err
		}
	}
	lockEntry := access.AuditEntry{User: u.ID, Name: u.Name, Party: u.Party, Action: "lock-account", Target: "user/" + u.ID.String(), Outcome: access.Allowed}
	if lock {
		lockEntry.Detail = fmt.Sprintf("%d failed logins from %d addresses within %s: the account is locked for every address for %s",
			h.total, len(h.addrs), lim.FailedLoginWindow, lim.LockFor)
		if err := s.record(ctx, lockEntry); err != nil {
			return err
		}
	}
	if n := h.fails[rq.addr]; n >= lim.MaxFailedLogins {
		lockEntry.Detail = fmt.Sprintf("%d failed logins from %s within %s: this address waits %s before it tries the account again; other addresses are not held back",
			n, rq.addr, lim.FailedLoginWindow, backoff(n, lim))
		return s.record(ctx, lockEntry)
	}
	return nil
}

// recordUnlock writes an administrator's unlock of an account to the audit log:
// every count of failed logins of the account starts again.
func (s *server) recordUnlock(ctx context.Context, u *access.User) error {
	return s.record(ctx, access.AuditEntry{User: u.ID, Name: u.Name, Party: u.Party, Action: "unlock-account", Target: "user/" + u.ID.String(),
		Outcome: access.Allowed, Detail: "unlocked by " + requestOf(ctx).who.user.Name})
}
