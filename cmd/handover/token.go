package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/access"
)

func newToken() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "API tokens for machines: create, list, revoke",
		Long: `token manages API tokens. A token acts as its user (same party, same roles); it is
shown once when created and stored only as a hash. Send it as
"Authorization: Bearer hot_…".`,
	}
	cmd.AddCommand(newTokenCreate(), newTokenList(), newTokenRevoke())
	return cmd
}

func newTokenCreate() *cobra.Command {
	var user, name string
	var expires time.Duration
	cmd := &cobra.Command{
		Use:     "create --user NAME --name PURPOSE [--expires 720h]",
		Short:   "Create an API token for a user; prints it once",
		Example: `  handover token create --user sync-bot --name "nightly export to the monitor" --expires 2160h`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user == "" || strings.TrimSpace(name) == "" {
				return errors.New("--user and --name are required")
			}
			if expires < 0 {
				return fmt.Errorf("--expires: %s is negative", expires)
			}
			ctx := cmd.Context()
			d, err := openDataDir(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			u, err := userByName(ctx, d, user)
			if err != nil {
				return err
			}
			if u.Disabled {
				return fmt.Errorf("user %s is disabled", u.Name)
			}
			secret, hash, err := access.NewSecret(access.TokenPrefix)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			t := access.Token{ID: uuid.Must(uuid.NewV7()), User: u.ID, Name: strings.TrimSpace(name), Hash: hash, Created: now}
			if expires > 0 {
				at := now.Add(expires)
				t.Expires = &at
			}
			if err := d.db.CreateToken(ctx, t); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "created token %s for %s (%q)", t.ID, u.Name, t.Name)
			if t.Expires != nil {
				fmt.Fprintf(out, ", expires %s", t.Expires.Format(time.RFC3339))
			}
			fmt.Fprintf(out, "\ntoken (shown once; keep it secret): %s\n", secret)
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user the token acts as")
	cmd.Flags().StringVar(&name, "name", "", "what the token is for")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h; 0 for none")
	return cmd
}

func newTokenList() *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "list [--user NAME]",
		Short: "List API tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			d, err := openDataDir(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			filter := uuid.Nil
			if user != "" {
				u, err := userByName(ctx, d, user)
				if err != nil {
					return err
				}
				filter = u.ID
			}
			ts, err := d.db.Tokens(ctx, filter)
			if err != nil {
				return err
			}
			names := map[uuid.UUID]string{}
			us, err := d.db.Users(ctx, uuid.Nil)
			if err != nil {
				return err
			}
			for _, u := range us {
				names[u.ID] = u.Name
			}
			now := time.Now()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tUSER\tNAME\tCREATED\tSTATE")
			for _, t := range ts {
				state := "active"
				switch {
				case t.Revoked != nil:
					state = "revoked " + t.Revoked.UTC().Format(time.RFC3339)
				case !t.Active(now):
					state = "expired"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, names[t.User], t.Name, t.Created.UTC().Format(time.RFC3339), state)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "only this user's tokens")
	return cmd
}

func newTokenRevoke() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token: it is refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := uuid.Parse(args[0])
			if err != nil {
				return fmt.Errorf("%q is not a token id (see `handover token list`)", args[0])
			}
			ctx := cmd.Context()
			d, err := openDataDir(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			if err := d.db.RevokeToken(ctx, id, time.Now().UTC()); err != nil {
				if errors.Is(err, access.ErrNotFound) {
					return fmt.Errorf("no token %s", id)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", id)
			return nil
		},
	}
}
