package main

import (
	"github.com/spf13/cobra"
)

func newWitness() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Run a witness: an independent party that cosigns a log's checkpoints only if they extend what it saw",
		Long: `A witness is what a monitoring party (the ICRC, a UN body, each party for the others)
runs on its own machine with its own key. It follows one or more logs and answers the
C2SP tlog-witness add-checkpoint protocol: it checks each new checkpoint's signature
and its consistency proof from the last size it cosigned, records it durably, and
cosigns it (C2SP tlog-cosignature, Ed25519). It refuses a log that shrinks or forks,
keeps both signed checkpoints as evidence anyone can check, and prints an alert.

  handover witness init --state DIR --name NAME       make the witness's key and state
  handover witness add-log --state DIR --origin O --key VKEY
  handover witness serve --state DIR --listen ADDR`,
	}
	cmd.PersistentFlags().String("state", "./witness-state", "the witness's state directory (its key, the logs it follows, evidence)")
	cmd.AddCommand(newWitnessInit(), newWitnessAddLog(), newWitnessServe())
	return cmd
}

func witnessDir(cmd *cobra.Command) string {
	d, _ := cmd.Flags().GetString("state")
	return d
}
