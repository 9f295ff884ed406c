package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newControlChange() *cobra.Command {
	var (
		to, reason, document string
		unilateral           bool
		sigs                 []string
	)
	cmd := &cobra.Command{
		Use:   "control-change FACILITY --to PARTY --reason TEXT [--unilateral] [--document DOC --sig A --sig B]",
		Short: "Record that control of a facility passed to another party, on a running server",
		Long: `control-change records that control of FACILITY (a code or id) passed to the party
--to: everyone held there changes custodian in the same transaction.

With both parties present, the change is a control_change document signed by an
officer of the outgoing and of the incoming party (--document, the exact signed
bytes, with --sig for each signature file, {"key": key id, "sig": base64}); the
ledger checks both signatures and the head count. Without a document the change is
recorded unsigned, or --unilateral when control was taken without the outgoing
party's agreement; both are flagged in the facility's control history.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover control-change HOL --to SYG --unilateral \
      --reason 'SDF withdrew from the camp; Syrian government forces took over the gates'`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "to", "reason"); err != nil {
			return err
		}
		body := client.ControlChange{To: to, Reason: reason, Unilateral: unilateral}
		if (document == "") != (len(sigs) == 0) {
			return fmt.Errorf("a signed control change needs --document DOC and both officers' --sig")
		}
		if document != "" {
			doc, err := os.ReadFile(document)
			if err != nil {
				return fmt.Errorf("--document: %w", err)
			}
			if _, err := custody.ParseControlDocument(doc); err != nil {
				return fmt.Errorf("--document %s is not a control-change document: %w", document, err)
			}
			body.Document = doc
			for _, path := range sigs {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("--sig: %w", err)
				}
				s, err := parseSignature(b)
				if err != nil {
					return fmt.Errorf("--sig %s: %w", path, err)
				}
				body.Signatures = append(body.Signatures, s)
			}
		}
		ctx := cmd.Context()
		before, err := r.c.Facility(ctx, args[0])
		if err != nil {
			return r.explain(http.MethodGet, "/facilities/"+pathID(args[0]), err)
		}
		rc, err := r.c.ChangeControl(r.writeCtx(ctx), args[0], body, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/facilities/"+pathID(args[0])+"/control-changes", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		after, err := r.c.Facility(ctx, args[0])
		if err != nil {
			return r.explain(http.MethodGet, "/facilities/"+pathID(args[0]), err)
		}
		replayed := rc.Replayed
		if err := r.lookup(ctx); err != nil {
			return err
		}
		how := "unsigned"
		switch {
		case document != "":
			how = "signed by both parties' officers"
		case unilateral:
			how = "unilateral"
		}
		from := r.party(before.Controller)
		if replayed {
			from = "its earlier controller"
		}
		r.printf("control of %s (%s) passed from %s to %s, %s: %s held there\n",
			after.Name, after.Code, from, r.party(after.Controller), how, plural(after.Total, "person"))
		r.printReceipt(rc.Receipt, replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&to, "to", "", "the party taking control (code or id)")
	f.StringVar(&reason, "reason", "", "why control passed")
	f.BoolVar(&unilateral, "unilateral", false, "control was taken without the outgoing party's agreement")
	f.StringVar(&document, "document", "", "the control_change document both officers signed (its exact bytes)")
	f.StringArrayVar(&sigs, "sig", nil, "an officer's signature file over --document; give both")
	return cmd
}
