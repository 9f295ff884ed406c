package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRebuild() *cobra.Command {
	return &cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the projections (persons, custody, facilities, parties) from the events",
		Long: `rebuild replays every event of the ledger and replaces the projections with what
the events give, in one transaction. The ledger itself is only read. Stop the server
first: it holds the projections in step with the ledger as it writes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := openDataDir(cmd.Context(), dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			st, err := d.db.Rebuild(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rebuilt from %d events: %d persons, %d facilities, %d parties\n",
				st.Size(), len(st.Persons()), len(st.Facilities()), len(st.Parties()))
			return nil
		},
	}
}
