package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/proof"
	"github.com/handover-project/handover/witness"
)

func newProof() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proof",
		Short: "Proofs that an event is in the log: fetch one, verify one offline",
		Long: `A proof file (C2SP tlog-proof, extension .tlog-proof) shows that one event is in the
log: the checkpoint with its witnesses' cosignatures, the event's index, its inclusion
proof and its leaf entry (the event's id and commitment). Every receipt names where to
fetch the proofs of its events (/api/v1/events/INDEX/proof). Anyone holding the log's
witness policy checks a proof with no network and no data directory.`,
	}
	cmd.AddCommand(newProofGet(), newProofVerify(), newProofWitnessed())
	return cmd
}

func newProofWitnessed() *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "witnessed INDEX [--wait 30s]",
		Short: "Say whether the event at a ledger index is witnessed: the checkpoint, who cosigned it and when",
		Long: `witnessed asks the server for the smallest checkpoint covering the event that meets its
witnesses' quorum, and prints its size, each witness that cosigned it with the time of
its cosignature, and since when the log holds the quorum (--json: the server's answer).
With --wait it waits up to that long (at most 30s) for the witnesses. It exits 0 when
the event is witnessed, 1 when it is not (yet) or the log has no witnesses.`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		i, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("INDEX: %q is not a ledger index", args[0])
		}
		ctx := cmd.Context()
		if wait > 0 {
			ctx = client.WithWitnessWait(ctx, wait)
		}
		var w api.Witnessing
		raw, err := r.get(ctx, fmt.Sprintf("/witnessed/%d", i), nil, &w)
		if err != nil {
			return err
		}
		if r.json {
			if err := r.printJSON(raw); err != nil {
				return err
			}
		}
		switch {
		case w.State == api.WitnessingNone:
			return exitError{code: exitRefused, err: fmt.Errorf("event %d is not witnessed: the log has no witnesses", i)}
		case w.State != api.WitnessingWitnessed:
			return exitError{code: exitRefused, err: fmt.Errorf("event %d is not witnessed yet: no checkpoint covering it meets the witnesses' quorum", i)}
		case !r.json:
			r.printf("%s\n", witnessingLine(&w))
		}
		return nil
	}
	cmd.Flags().DurationVar(&wait, "wait", 0, "wait up to this long (at most 30s, within --timeout) for the witnesses to cosign")
	return cmd
}

func newProofGet() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "get INDEX [-o FILE]",
		Short: "Fetch the proof file of the event at a ledger index from the server",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		i, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("INDEX: %q is not a ledger index", args[0])
		}
		raw, err := r.get(cmd.Context(), fmt.Sprintf("/events/%d/proof", i), nil, nil)
		if err != nil {
			return err
		}
		if _, err := proof.Parse(raw); err != nil {
			return fmt.Errorf("the server's proof of event %d: %w", i, err)
		}
		if out == "" {
			_, err = cmd.OutOrStdout().Write(raw)
			return err
		}
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote the proof of event %d to %s; check it with: handover proof verify %s --policy POLICY\n", i, out, out)
		return nil
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the proof to this file (default: standard output)")
	return cmd
}

func newProofVerify() *cobra.Command {
	var policyFile, eventFile string
	cmd := &cobra.Command{
		Use:   "verify FILE --policy POLICY [--event EVENT.json]",
		Short: "Check a proof file offline against a witness policy (and the event's exact bytes)",
		Long: `verify checks, with no network and no data directory, that the proof's checkpoint is
signed by a log the policy names and cosigned by enough of its witnesses to meet its
quorum, and that the inclusion proof puts the event's entry at its index in that tree.
With --event, the file must hold the event's exact bytes (GET /api/v1/events/INDEX),
whose commitment and id must be the proof's. It exits 0 when the proof holds, 1 when
it does not, 2 when a file cannot be read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if policyFile == "" {
				return errors.New("--policy is required: the log's and its witnesses' keys to trust")
			}
			pol, err := witness.LoadPolicy(policyFile)
			if err != nil {
				return fmt.Errorf("--policy: %w", err)
			}
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var event []byte
			if eventFile != "" {
				if event, err = os.ReadFile(eventFile); err != nil {
					return fmt.Errorf("--event: %w", err)
				}
			}
			p, err := proof.Parse(raw)
			if err != nil {
				return exitError{code: 1, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			v, err := p.Verify(pol, event)
			if err != nil {
				return exitError{code: 1, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			names := make([]string, len(v.Cosignatures))
			for i, c := range v.Cosignatures {
				names[i] = fmt.Sprintf("%s (%s)", c.Witness, c.Time.Format("2006-01-02 15:04:05Z"))
			}
			what := "its commitment"
			if event != nil {
				what = "the event in " + eventFile
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: event %s is at index %d of %s, in the tree of size %d (root %x…); %s matches; cosigned by %s\n",
				v.EventID, v.Index, v.Origin, v.Checkpoint.Size, v.Checkpoint.Root[:6], what, orNone(strings.Join(names, ", ")))
			return nil
		},
	}
	cmd.Flags().StringVar(&policyFile, "policy", "", "the witness policy: the log's key, the witnesses' keys, the quorum")
	cmd.Flags().StringVar(&eventFile, "event", "", "the event's exact bytes, to check they are the ones the proof commits to")
	return cmd
}

func orNone(s string) string {
	if s == "" {
		return "no witness"
	}
	return s
}
