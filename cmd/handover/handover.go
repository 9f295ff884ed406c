package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
)

func newHandover() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "handover",
		Short: "Signed handovers of a movement: draft a document, submit it with both signatures",
		Long: `A handover passes custody of a movement's persons from one party's officer to
another's: at departure from the sending facility's officer to the escort's, at
arrival from the escort's officer to the receiving facility's. Its document lists
every person with what the head count found, and both officers sign its exact bytes.

The field flow:
  handover keygen --out me.key                       each officer, once
  handover key register --party CODE --officer NAME --pub me.key.pub
  handover handover draft --movement ID --stage arrival --from-key A.pub --to-key B.pub --out doc.json
  handover sign doc.json --key A.key --out a.sig      each officer, offline
  handover handover submit doc.json --sig a.sig --sig b.sig`,
	}
	cmd.AddCommand(newHandoverSubmit(), newHandoverDraft())
	return cmd
}

func newHandoverSubmit() *cobra.Command {
	var (
		sigs  []string
		actor string
	)
	cmd := &cobra.Command{
		Use:   "submit DOC --sig SIG --sig SIG",
		Short: "Record a signed handover in the local data directory and print the receipt",
		Long: `submit records the handover document DOC, exactly as signed, with the two officers'
signature files (from ` + "`handover sign`" + `), in the ledger of the data directory
(--data), and prints the receipt: the events recorded, any incident opened and the
checkpoint that covers them.

The ledger refuses the handover, and records nothing, when a signature does not
verify over DOC's bytes (a document changed after signing), when a key is not
registered to the party its officer acts for, or is revoked, or when the document
does not account for exactly the persons of the movement. At arrival, a person
listed as not present opens a discrepancy incident — a disappearance alert — and the
movement is reconciled.

It writes to the data directory as the server would: stop a server running on the
same directory first.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			hd, err := custody.ParseHandover(doc)
			if err != nil {
				return fmt.Errorf("%s is not a valid handover document: %w", args[0], err)
			}
			if len(sigs) == 0 {
				return fmt.Errorf("--sig is required: give the signature files of both officers (--sig A --sig B)")
			}
			var signatures []custody.Signature
			for _, path := range sigs {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("--sig: %w", err)
				}
				s, err := parseSignature(b)
				if err != nil {
					return fmt.Errorf("--sig %s: %w", path, err)
				}
				signatures = append(signatures, s)
			}
			if actor == "" {
				actor = hd.To.Name
			}
			ctx := cmd.Context()
			d, err := openWriter(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			r, err := d.db.Submit(ctx, custody.SubmitHandover{Meta: custody.Meta{Actor: actor, OccurredAt: hd.At}, Document: doc, Signatures: signatures})
			if err != nil {
				return refused("handover", err)
			}
			return printHandoverReceipt(ctx, cmd, d, hd, r)
		},
	}
	cmd.Flags().StringArrayVar(&sigs, "sig", nil, "an officer's signature file; give both")
	cmd.Flags().StringVar(&actor, "actor", "", "who records this, for the ledger (default: the receiving officer named in DOC)")
	return cmd
}

func printHandoverReceipt(ctx context.Context, cmd *cobra.Command, d *dataDirectory, hd *custody.HandoverDocument, r sequencer.Receipt) error {
	w := cmd.OutOrStdout()
	first, last := r.Events[0].Index, r.Events[len(r.Events)-1].Index
	did := "recorded"
	if r.Replayed {
		did = "already recorded, nothing new written:"
	}
	fmt.Fprintf(w, "%s the %s handover %s of movement %s: %d events, ledger indices %d–%d\n",
		did, hd.Stage, hd.ID, hd.Movement, len(r.Events), first, last)
	var order []custody.Type
	count := map[custody.Type]int{}
	for _, e := range r.Events {
		if count[e.Type] == 0 {
			order = append(order, e.Type)
		}
		count[e.Type]++
	}
	var parts []string
	for _, t := range order {
		parts = append(parts, fmt.Sprintf("%d %s", count[t], t))
	}
	fmt.Fprintf(w, "events: %s\n", strings.Join(parts, ", "))
	for _, e := range r.Events {
		if e.Type != custody.TypeIncidentOpened {
			continue
		}
		raw, err := d.db.Doc(ctx, custody.IncidentDoc, e.Subject)
		if err != nil {
			return err
		}
		var in custody.IncidentState
		if err := json.Unmarshal(raw, &in); err != nil {
			return err
		}
		alert := ""
		if in.Alert() {
			alert = " — a disappearance alert until each person is accounted for"
		}
		fmt.Fprintf(w, "incident %s opened (%s): %s%s\n", in.ID, in.Type, in.Description, alert)
	}
	fmt.Fprintf(w, "checkpoint: size %d, root %x…\n", r.Checkpoint.Size, r.Checkpoint.Root[:6])
	return nil
}
