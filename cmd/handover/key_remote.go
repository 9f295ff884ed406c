package main

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// The officers' key commands that talk to a running server; `key register`
// writes to the local data directory (key.go), or with --server registers
// through a server.

// withServerRegister gives `handover key register` its --server mode.
func withServerRegister(register *cobra.Command) {
	r := serverMode(register, "register through", true)
	register.Short = "Register an officer's public key to a party, in the local data directory or through --server"
	register.Long += `

With --server URL the key is registered through the server running there instead,
and the local data directory is not opened.`
	orServer(register, r, func(cmd *cobra.Command, _ []string) error {
		if err := required(cmd, "party", "officer", "pub"); err != nil {
			return err
		}
		party, _ := cmd.Flags().GetString("party")
		officer, _ := cmd.Flags().GetString("officer")
		pubFile, _ := cmd.Flags().GetString("pub")
		pub, err := readOfficerPub("--pub", pubFile)
		if err != nil {
			return err
		}
		k, rc, err := r.c.RegisterKey(r.writeCtx(cmd.Context()), client.NewKey{Party: party, Officer: officer, PublicKey: pub}, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/keys", err)
		}
		if r.json {
			return r.printJSONValue(struct {
				custody.OfficerKey
				Receipt api.Receipt `json:"receipt"`
			}{*k, rc.Receipt})
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		p := r.parties[k.Party]
		r.printf("registered key %s to %s (%s) for officer %s\n", k.ID, p.Code, p.Name, k.Officer)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	})
}

func newKeyRevoke() *cobra.Command {
	var pubFile, reason string
	cmd := &cobra.Command{
		Use:   "revoke [ID] [--pub FILE.pub] --reason TEXT",
		Short: "Revoke an officer's key on a running server: nothing it signs is accepted afterwards",
		Long: `revoke records that the officer key ID (or the key in FILE.pub) may sign no more: a
handover signed with it after the revocation is refused. Revoke a key that is lost or
compromised, or whose officer has left.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover key revoke --pub me.key.pub --reason 'laptop lost at the Semalka crossing'`,
		Args:    cobra.MaximumNArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var id string
		switch {
		case len(args) == 1 && pubFile != "":
			return fmt.Errorf("give the key's ID or --pub FILE.pub, not both")
		case len(args) == 1:
			id = args[0]
		case pubFile != "":
			pub, err := readOfficerPub("--pub", pubFile)
			if err != nil {
				return err
			}
			id = custody.KeyID(pub).String()
		default:
			return fmt.Errorf("name the key: its ID, or --pub FILE.pub")
		}
		if err := required(cmd, "reason"); err != nil {
			return err
		}
		rc, err := r.c.RevokeKey(r.writeCtx(cmd.Context()), id, reason, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/keys/"+pathID(id)+"/revocations", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		var k custody.OfficerKey
		if _, err := r.get(cmd.Context(), "/keys/"+pathID(id), nil, &k); err != nil {
			return err
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("revoked key %s of %s (%s) at event %d: %s\n", k.ID, k.Officer, r.party(k.Party), k.RevokedAt, k.RevokeReason)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	cmd.Flags().StringVar(&pubFile, "pub", "", "the key's public key file (FILE.pub from keygen), instead of its ID")
	cmd.Flags().StringVar(&reason, "reason", "", "why the key may sign no more")
	return cmd
}

func newKeyList() *cobra.Command {
	var party string
	cmd := &cobra.Command{
		Use:   "list [--party CODE]",
		Short: "List the officers' keys registered on a running server",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q := url.Values{}
		if party != "" {
			q.Set("party", party)
		}
		var out struct {
			Keys []custody.OfficerKey `json:"keys"`
		}
		raw, err := r.list(cmd.Context(), "/keys", q, "keys", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		if len(out.Keys) == 0 {
			r.printf("no keys\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "PARTY", "OFFICER", "REGISTERED", "REVOKED")
		for _, k := range out.Keys {
			revoked := "-"
			if k.Revoked {
				revoked = fmt.Sprintf("event %d: %s", k.RevokedAt, k.RevokeReason)
			}
			t.row(k.ID, r.party(k.Party), k.Officer, fmt.Sprintf("event %d", k.Registered), revoked)
		}
		return t.flush()
	}
	cmd.Flags().StringVar(&party, "party", "", "only the keys of this party (code or id)")
	return cmd
}
