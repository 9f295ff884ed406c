package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/witness"
)

func newWitnessAddLog() *cobra.Command {
	var origin, key string
	cmd := &cobra.Command{
		Use:   "add-log --state DIR --origin ORIGIN --key VKEY",
		Short: "Make the witness follow a log",
		Long: `add-log makes the witness cosign the checkpoints of the log ORIGIN that are
signed by VKEY, the log's signed-note verifier key (the contents of a data
directory's log.pub; @FILE reads it from a file). A running witness picks the
log up at its first request. Adding a second key to a log keeps the first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if origin == "" || key == "" {
				return errors.New("--origin and --key are required")
			}
			if path, ok := strings.CutPrefix(key, "@"); ok {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("--key: %w", err)
				}
				key = strings.TrimSpace(string(b))
			}
			st, err := witness.OpenState(witnessDir(cmd))
			if err != nil {
				return err
			}
			if err := st.AddLog(origin, key); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "the witness in %s follows %s\n", st.Dir(), origin)
			return nil
		},
	}
	cmd.Flags().StringVar(&origin, "origin", "", "the log's origin (its name, first line of its checkpoints)")
	cmd.Flags().StringVar(&key, "key", "", "the log's verifier key, or @FILE")
	return cmd
}
