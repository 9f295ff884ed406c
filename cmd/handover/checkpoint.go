package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newCheckpoint() *cobra.Command {
	return &cobra.Command{
		Use:   "checkpoint",
		Short: "Print the latest signed checkpoint (C2SP signed note)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := openDataDir(cmd.Context(), dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			text, _, err := d.db.LatestCheckpoint(cmd.Context())
			if err != nil {
				return err
			}
			if len(text) == 0 {
				return errors.New("the ledger is empty: no checkpoint has been signed yet")
			}
			_, err = cmd.OutOrStdout().Write(text)
			return err
		},
	}
}
