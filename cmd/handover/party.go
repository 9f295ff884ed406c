package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// The party commands register and list the parties of the ledger through a
// running server, as its administrators do after `handover init`.

func newParty() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "party",
		Short: "Register and list the parties (authorities, forces, states, monitors) through a running server",
	}
	cmd.AddCommand(newPartyAdd(), newPartyList())
	return cmd
}

func newPartyAdd() *cobra.Command {
	var name, kind string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "add CODE --name NAME --kind KIND",
		Short: "Register a party in the ledger (an administrator)",
		Long: `party add registers a party — a detaining authority, an escort force, a receiving
state or a monitor — in the ledger through a running server. Its administrator's
accounts are then made with ` + "`handover user add NAME --party CODE`" + `.

KIND is one of ` + kindList() + `.`,
		Example: `  handover party add IRQ --name "Iraq, Ministry of Justice" --kind receiving_state --token-file admin.token`,
		Args:    cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.Flags().StringVar(&name, "name", "", "the party's name (required)")
	cmd.Flags().StringVar(&kind, "kind", "", "what it is: "+kindList()+" (required)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the new party's id")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		p := custody.Party{Code: strings.ToUpper(args[0]), Name: name, Kind: custody.PartyKind(kind)}
		if name == "" || kind == "" {
			return fmt.Errorf("--name and --kind are required: the party's name, and what it is (%s)", kindList())
		}
		made, rc, err := r.c.RegisterParty(r.writeCtx(cmd.Context()), p, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/parties", err)
		}
		if quiet {
			r.printf("%s\n", made.ID)
			return nil
		}
		if r.json {
			return r.printJSONValue(struct {
				custody.Party
				Receipt api.Receipt `json:"receipt"`
			}{*made, rc.Receipt})
		}
		r.printf("registered party %s (%s, %s)\n", p.Code, p.Name, p.Kind)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	return cmd
}

func newPartyList() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the parties registered in the ledger",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ps, err := r.c.Parties(cmd.Context())
		if err != nil {
			return r.explain(http.MethodGet, "/parties", err)
		}
		if r.json {
			return r.printJSONValue(map[string]any{"parties": ps})
		}
		t := newTable(r.stdout, "CODE", "KIND", "NAME", "ID")
		for _, p := range ps {
			t.row(p.Code, p.Kind, p.Name, p.ID)
		}
		return t.flush()
	}
	return cmd
}

func kindList() string {
	var ks []string
	for _, k := range []custody.PartyKind{custody.DetainingAuthority, custody.EscortForce, custody.ReceivingState, custody.Monitor} {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

// writeCtx is ctx carrying the write's idempotency key, and the wait for its
// witnesses (--wait-witnessed), for the client.
func (r *remote) writeCtx(ctx context.Context) context.Context {
	if r.waitWitnessed > 0 {
		ctx = client.WithWitnessWait(ctx, r.waitWitnessed)
	}
	return client.WithIdempotencyKey(ctx, r.idemKey)
}

// printJSONValue prints v as indented JSON.
func (r *remote) printJSONValue(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.printJSON(b)
}
