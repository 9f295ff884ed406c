package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/verify"
)

func newVerify() *cobra.Command {
	var quiet bool
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the ledger: commitments, tree, checkpoints, projections, invariants",
		Long: `verify recomputes every event's commitment and the whole Merkle tree from the stored
events, checks every stored checkpoint's signature and that it matches the tree at its
size, compares the stored tree nodes, replays the events into fresh projections and
compares them with the stored ones, and checks the custody invariants.

It exits 0 with a one-line summary when all holds, and 1 naming the first wrong leaf
or broken invariant otherwise (2 if the ledger could not be read at all).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := openDataDir(cmd.Context(), dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			if err := checkLogKeyIfPresent(cmd.Context(), d); err != nil {
				return exitError{code: 1, err: fmt.Errorf("verify failed: %w", err)}
			}
			v, err := d.verifier()
			if err != nil {
				return err
			}
			var bar interface{ Set64(int64) error }
			progress := func(done, total uint64) {
				if quiet || total < 100000 {
					return
				}
				if bar == nil {
					bar = newProgress(cmd.ErrOrStderr(), int64(total), "verifying")
				}
				bar.Set64(int64(done))
			}
			rep, err := verify.Run(cmd.Context(), d.db, v, d.origin, progress)
			var p *verify.Problem
			if errors.As(err, &p) {
				return exitError{code: 1, err: fmt.Errorf("verify failed: %w", p)}
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), rep)
			return nil
		},
	}
}
