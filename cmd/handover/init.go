package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newInit() *cobra.Command {
	var origin string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new data directory: database, log signing key and log name",
		Long: `init creates a new data directory holding the SQLite database, the log's Ed25519
signing key (log.key, mode 0600: keep it secret), its public key (log.pub: give it to
monitors) and the log's name (--origin), which heads every signed checkpoint.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := dataDir(cmd)
			if err := initDataDir(cmd.Context(), dir, origin); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "initialised %s (log %s)\nmonitors verify checkpoints with the public key in %s\n",
				dir, origin, filepath.Join(dir, pubFile))
			return nil
		},
	}
	cmd.Flags().StringVar(&origin, "origin", DefaultOrigin, "the log's name, e.g. handover.example/ne-syria")
	return cmd
}
