package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/access"
)

// newUserUnlock is `handover user unlock NAME`: an operator lifts the login
// limits of an account (see api/loginlimit.go): its account-wide lock and every
// address's count of failed logins, which start again from nothing.
func newUserUnlock() *cobra.Command {
	return &cobra.Command{
		Use:   "unlock NAME",
		Short: "Lift an account's login lock and the waits of the addresses that failed it",
		Long: `user unlock clears an account's failed logins: the account-wide lock a guess from
many addresses set, and the wait of each address that failed it too often. The
unlock is written to the audit log (action unlock-account); the counts start again
from it. A running server sees it at the next login attempt.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUser(cmd, args[0], func(ctx context.Context, d *dataDirectory, u *access.User) error {
				wasLocked := time.Now().Before(u.LockedUntil)
				u.FailedLogins, u.LockedUntil = 0, time.Time{}
				if err := d.db.UpdateUser(ctx, *u); err != nil {
					return fmt.Errorf("unlock %s: %w", u.Name, err)
				}
				operator := "the operator"
				if name, err := os.Hostname(); err == nil {
					operator += " on " + name
				}
				if err := d.db.Audit(ctx, []access.AuditEntry{{At: time.Now().UTC(), User: u.ID, Name: u.Name, Party: u.Party, Action: "unlock-account",
					Target: "user/" + u.ID.String(), Address: "cli", Outcome: access.Allowed, Detail: "unlocked by " + operator + " (handover user unlock)"}}); err != nil {
					return fmt.Errorf("unlock %s: audit: %w", u.Name, err)
				}
				state := "had no account-wide lock"
				if wasLocked {
					state = "was locked"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "unlocked user %s (it %s); the failed logins of every address start again\n", u.Name, state)
				return nil
			})
		},
	}
}
