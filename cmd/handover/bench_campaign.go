package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/scenario"
	"github.com/handover-project/handover/verify"
)

// campaignResult is what `bench campaign` reports.
type campaignResult struct {
	Persons       int     `json:"persons"`
	Movements     int     `json:"movements"`
	Events        uint64  `json:"events"`
	BuildSeconds  float64 `json:"build_seconds"`
	LoadSeconds   float64 `json:"replay_seconds"`
	VerifySeconds float64 `json:"verify_seconds"`
	Verified      string  `json:"verified"`
	DataDirectory string  `json:"data_directory,omitempty"`
}

func newBenchCampaign() *cobra.Command {
	var (
		target, workers int
		asJSON, keep    bool
	)
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Build a 7,000-person campaign, then time replaying the whole ledger and verifying it",
		Long: `bench campaign builds, into a fresh data directory (a temporary one unless --data
is given), the demo world and a whole campaign of --target persons: movements of at
most 150 detainees, each with its transfer, every safeguard, both approvals, the
movement and its signed departure and arrival handovers. It closes the store, then
times two things on the ledger it left:

  replay  the store's Load, what start-up does: every event decoded, checked against
          its leaf hash and applied to a fresh state; the tree rebuilt and compared
          with the latest checkpoint
  verify  everything ` + "`handover verify`" + ` checks: commitments, tree, every checkpoint's
          signature, stored tree nodes, replayed projections, invariants (including
          both signatures of every handover)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target < 1 || target > scenario.CampaignTarget {
				return fmt.Errorf("--target must be between 1 and %d; got %d", scenario.CampaignTarget, target)
			}
			if workers < 1 {
				return fmt.Errorf("--workers must be at least 1")
			}
			ctx := cmd.Context()
			dir, cleanup, err := benchDataDir(cmd, keep)
			if err != nil {
				return err
			}
			defer cleanup()
			d, err := openWriter(ctx, dir)
			if err != nil {
				return err
			}
			began := time.Now()
			w := scenario.New(1)
			ops, err := w.CampaignPlan(target)
			if err == nil {
				_, err = benchCampaign(ctx, d, w, ops, workers, true)
			}
			if err != nil {
				d.Close()
				return err
			}
			res := campaignResult{Persons: target, Movements: len(ops.Moves), BuildSeconds: time.Since(began).Seconds()}
			if err := d.Close(); err != nil {
				return err
			}

			d, err = openDataDir(ctx, dir)
			if err != nil {
				return err
			}
			defer d.Close()
			t := time.Now()
			st, _, err := d.db.Load(ctx)
			if err != nil {
				return err
			}
			res.LoadSeconds, res.Events = time.Since(t).Seconds(), st.Size()
			if pr, ok := st.Progress(ops.Campaign.ID); !ok || pr.Arrived != target {
				return fmt.Errorf("the replayed campaign has %d of %d persons arrived", pr.Arrived, target)
			}
			v, err := d.verifier()
			if err != nil {
				return err
			}
			t = time.Now()
			rep, err := verify.Run(ctx, d.db, v, d.origin, nil)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			res.VerifySeconds, res.Verified = time.Since(t).Seconds(), rep.String()
			if keep || cmd.Flags().Changed("data") {
				res.DataDirectory = dir
			}
			return printBench(cmd.OutOrStdout(), asJSON, res, func(w io.Writer) {
				fmt.Fprintf(w, "campaign of %d persons on %d movements: %d events, built in %.1fs\nreplay (Load, as at start-up): %.2fs\nverify: %.2fs (%s)\n",
					res.Persons, res.Movements, res.Events, res.BuildSeconds, res.LoadSeconds, res.VerifySeconds, res.Verified)
				if res.DataDirectory != "" {
					fmt.Fprintf(w, "data directory: %s\n", res.DataDirectory)
				}
			})
		},
	}
	cmd.Flags().IntVar(&target, "target", scenario.CampaignTarget, "persons the campaign moves")
	cmd.Flags().IntVar(&workers, "workers", 8, "concurrent clients that build the movements")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary data directory (its path is printed)")
	return cmd
}

func printBench(w io.Writer, asJSON bool, res any, text func(io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	text(w)
	return nil
}
