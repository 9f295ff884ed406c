package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

func newMandate() *cobra.Command {
	var all bool
	var facilities []string
	var actor string
	cmd := &cobra.Command{
		Use:   "mandate PARTY (--all | --facility CODE…)",
		Short: "Set a monitor party's mandate in the ledger: all persons, or those at some facilities",
		Long: `mandate records in the ledger what a monitor party (such as the ICRC) may see: every
person (--all), or the persons at the listed facilities and the transfers and
movements to and from them. Its users with the monitor role read what it covers and
write nothing. The mandate is an event: every party sees what each monitor was
allowed, and since when. It replaces the party's earlier mandate.

It writes to the data directory (--data) as the server would, as its operator: stop
a server running on the same directory first.`,
		Example: `  handover mandate ICRC --all
  handover mandate ICRC --facility HSK --facility HOL`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(facilities) > 0) {
				return errors.New("give either --all or at least one --facility")
			}
			ctx := cmd.Context()
			d, err := openWriter(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			p, err := partyByCode(ctx, d, args[0])
			if err != nil {
				return err
			}
			fs, err := d.db.Facilities(ctx)
			if err != nil {
				return err
			}
			var ids []uuid.UUID
			for _, code := range facilities {
				found := false
				for _, f := range fs {
					if strings.EqualFold(f.Code, code) {
						ids, found = append(ids, f.ID), true
					}
				}
				if !found {
					return fmt.Errorf("--facility: no facility with code %s", code)
				}
			}
			r, err := d.db.Submit(ctx, custody.SetMandate{Meta: custody.Meta{Actor: actor, Party: p.ID, OccurredAt: time.Now().UTC()},
				Party: p.ID, All: all, Facilities: ids})
			if err != nil {
				return refused("mandate", err)
			}
			what := "all persons"
			if !all {
				what = "the persons at " + strings.ToUpper(strings.Join(facilities, ", "))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s's mandate now covers %s: event %d, checkpoint size %d\n", p.Code, what, r.Events[0].Index, r.Checkpoint.Size)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "the mandate covers every person")
	cmd.Flags().StringArrayVar(&facilities, "facility", nil, "a facility the mandate covers (code); repeat for several")
	cmd.Flags().StringVar(&actor, "actor", "handover-cli", "who records this, for the ledger")
	return cmd
}
