package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

func newKey() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Officers' signing keys: register",
	}
	cmd.AddCommand(newKeyRegister())
	return cmd
}

func newKeyRegister() *cobra.Command {
	var party, officer, pubFile, actor, user, replaces string
	cmd := &cobra.Command{
		Use:   "register --party CODE --officer NAME --pub FILE.pub",
		Short: "Register an officer's public key to a party, in the local data directory",
		Long: `key register records in the ledger that the public key in FILE.pub (made by
` + "`handover keygen`" + `) belongs to officer NAME of the party with code CODE. A handover
is accepted only with the signatures of both officers' keys, registered to their
parties before the handover (invariant 6).

It writes to the data directory (--data) as the server would: stop a server running
on the same directory first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"--party": party, "--officer": officer, "--pub": pubFile} {
				if strings.TrimSpace(v) == "" {
					return fmt.Errorf("%s is required", flag)
				}
			}
			pub, err := readOfficerPub("--pub", pubFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			d, err := openWriter(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			p, err := partyByCode(ctx, d, party)
			if err != nil {
				return err
			}
			reg := custody.RegisterKey{Meta: custody.Meta{Actor: actor, Party: p.ID, OccurredAt: time.Now().UTC()},
				Party: p.ID, Officer: officer, PublicKey: pub}
			if user != "" {
				u, err := userByName(ctx, d, user)
				if err != nil {
					return fmt.Errorf("--user: %w", err)
				}
				if u.Party != p.ID {
					return fmt.Errorf("--user: %s is not a user of %s", u.Name, p.Code)
				}
				reg.User = u.ID
			}
			if replaces != "" {
				if reg.Replaces, err = uuid.Parse(replaces); err != nil {
					return fmt.Errorf("--replaces: %q is not a key id", replaces)
				}
			}
			r, err := d.db.Submit(ctx, reg)
			if err != nil {
				return refused("key register", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "registered key %s to %s (%s) for officer %s: event %d, checkpoint size %d\n",
				custody.KeyID(pub), p.Code, p.Name, officer, r.Events[0].Index, r.Checkpoint.Size)
			if reg.Replaces != uuid.Nil {
				fmt.Fprintf(cmd.OutOrStdout(), "revoked key %s, which it replaces: event %d\n", reg.Replaces, r.Events[1].Index)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "code of the officer's party, e.g. SDF")
	cmd.Flags().StringVar(&officer, "officer", "", "the officer's name and rank, as handover documents name them")
	cmd.Flags().StringVar(&pubFile, "pub", "", "the officer's public key file (FILE.pub from keygen)")
	cmd.Flags().StringVar(&actor, "actor", "handover-cli", "who records this, for the ledger")
	cmd.Flags().StringVar(&user, "user", "", "the officer's account (login name), to which the key is registered")
	cmd.Flags().StringVar(&replaces, "replaces", "", "id of the officer's current key, revoked in the same act (rotation)")
	return cmd
}

// partyByCode finds a party by its code.
func partyByCode(ctx context.Context, d *dataDirectory, code string) (*custody.Party, error) {
	ps, err := d.db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	var codes []string
	for i := range ps {
		if ps[i].Code == code {
			return &ps[i], nil
		}
		codes = append(codes, ps[i].Code)
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("--party: no party %s: the ledger in %s has no parties yet", code, d.dir)
	}
	return nil, fmt.Errorf("--party: no party %s (parties: %s)", code, strings.Join(codes, ", "))
}

// refused words an error of Submit: a refusal names its code, field and reason,
// and exits 1 as a server's refusal does (2 is for bad usage and faults).
func refused(what string, err error) error {
	var e *custody.Error
	if errors.As(err, &e) && e.Code != custody.Internal {
		return exitError{code: 1, err: fmt.Errorf("%s refused (%s): %w", what, e.Code, err)}
	}
	return fmt.Errorf("%s: %w", what, err)
}
