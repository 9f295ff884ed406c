package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/verify"
)

func newVerify() *cobra.Command {
	var quiet bool
	var against string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the ledger: commitments, tree, checkpoints, projections, invariants",
		Long: `verify recomputes every event's commitment and the whole Merkle tree from the stored
events, checks every stored checkpoint's signature and that it matches the tree at its
size, compares the stored tree nodes, replays the events into fresh projections and
compares them with the stored ones, and checks the custody invariants.

It exits 0 with a one-line summary when all holds, and 1 naming the first wrong leaf
or broken invariant otherwise (2 if the ledger could not be read at all).

With --against DIR|URL it first compares the store with a monitor's copy of the log
(a ` + "`handover monitor`" + ` directory, or the address of a server of one): each event's
leaf entry is recomputed from its stored bytes and compared with the copy's, which
names the first leaf that differs even when the store's own leaf hashes, tree nodes
and checkpoints were recomputed to match, and a log key that was changed.`,
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
			if against != "" {
				rep, err := verifyAgainst(cmd.Context(), d, against)
				var p *verify.Problem
				if errors.As(err, &p) {
					return exitError{code: 1, err: fmt.Errorf("verify failed against %s: %w", against, p)}
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "against "+against+": "+rep.String())
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
	cmd.Flags().StringVar(&against, "against", "", "also compare the store with a monitor's copy of the log: its directory or URL")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}
