package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/witness"
)

func newWitnessInit() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "init --state DIR --name NAME",
		Short: "Make a witness's Ed25519 key and state directory",
		Long: `init makes the state directory, a new Ed25519 cosignature key named NAME (a
schema-less URL that identifies the witness, e.g. witness.icrc.example/ne-syria),
kept in DIR/witness.key with mode 0600, and prints the public key (also in
DIR/witness.pub) to give to the logs and to put in their policies. It refuses a
directory that already holds a witness.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("--name is required: the witness's key name, e.g. witness.icrc.example/ne-syria")
			}
			st, err := witness.InitState(witnessDir(cmd), name)
			if err != nil {
				return err
			}
			s, err := st.Signer()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "made witness %s in %s\n", name, st.Dir())
			fmt.Fprintf(w, "public key (for policies): %s\n", s.VKey())
			fmt.Fprintf(w, "next: handover witness add-log --state %s --origin LOG --key LOG-VKEY\n", st.Dir())
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the witness's key name")
	return cmd
}
