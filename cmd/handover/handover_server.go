package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

// withServerSubmit gives `handover handover submit` a --server mode: the signed
// document goes to a running server (POST /api/v1/handovers) instead of the local
// data directory, which the server holds while it runs. Without --server the
// command works as before.
func withServerSubmit(submit *cobra.Command) {
	r := serverMode(submit, "submit through", false)
	submit.Short = "Record a signed handover, in the local data directory or through --server, and print the receipt"
	submit.Long += `

With --server URL the handover is submitted through the server running there
instead, and the local data directory is not opened. If the answer is lost (a
timeout), retry with the --idempotency-key printed: the server answers with the
first receipt and records nothing twice (without it, the retry is refused as a
replay of an accepted document).`
	submit.Example = `  handover handover submit departure.json --sig sdf.sig --sig usf.sig --server http://10.0.0.5:8080`
	orServer(submit, r, func(cmd *cobra.Command, args []string) error {
		sigs, _ := cmd.Flags().GetStringArray("sig")
		return submitToServer(cmd, r, args[0], sigs)
	})
}

// serverMode gives a command that writes to the local data directory the flags of
// a --server mode, in which it does the same through a running server. stamped
// adds --at, for a write whose body carries its time.
func serverMode(cmd *cobra.Command, verb string, stamped bool) *remote {
	r := &remote{write: true}
	f := cmd.Flags()
	f.StringVar(&r.server, "server", "", verb+" the server at this URL instead of the local data directory (like "+defaultServerURL+")")
	f.DurationVar(&r.timeout, "timeout", 30*time.Second, "with --server: how long to wait for the server's answer")
	f.StringVar(&r.idemKey, "idempotency-key", "", "with --server: the write's Idempotency-Key (default: a new UUIDv7); give the one printed by a failed attempt to retry it safely")
	f.BoolVar(&r.json, "json", false, "with --server: print the server's JSON answer instead of a summary")
	f.StringVar(&r.tokenFile, "token-file", "", "with --server: a file holding the API token to send (default: $"+TokenEnv+", if set)")
	if stamped {
		f.StringVar(&r.at, "at", "", "with --server: when it happened, RFC 3339 (default: now)")
	}
	return r
}

// orServer runs remote instead of cmd's local RunE when --server is given.
func orServer(cmd *cobra.Command, r *remote, remote func(*cobra.Command, []string) error) {
	local := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !cmd.Flags().Changed("server") {
			for _, name := range []string{"timeout", "idempotency-key", "json", "at", "token-file"} {
				if cmd.Flags().Changed(name) {
					return fmt.Errorf("--%s applies with --server only", name)
				}
			}
			return local(cmd, args)
		}
		if err := r.ready(cmd); err != nil {
			return err
		}
		return remote(cmd, args)
	}
}

// submitToServer submits the handover document at path with the signatures of
// sigPaths through the server. The server records the signed-in user as the
// actor: --actor applies to the local mode only.
func submitToServer(cmd *cobra.Command, r *remote, path string, sigPaths []string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	hd, err := custody.ParseHandover(doc)
	if err != nil {
		return fmt.Errorf("%s is not a valid handover document: %w", path, err)
	}
	if len(sigPaths) == 0 {
		return fmt.Errorf("--sig is required: give the signature files of both officers (--sig A --sig B)")
	}
	var sigs []custody.Signature
	for _, p := range sigPaths {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("--sig: %w", err)
		}
		s, err := parseSignature(b)
		if err != nil {
			return fmt.Errorf("--sig %s: %w", p, err)
		}
		sigs = append(sigs, s)
	}
	m, rcpt, err := r.c.SubmitHandover(r.writeCtx(cmd.Context()), doc, sigs)
	if err != nil {
		return r.explain(http.MethodPost, "/handovers", err)
	}
	replayed := rcpt.Replayed
	if r.json {
		return r.printJSONValue(movementWritten{MovementState: *m, Receipt: rcpt.Receipt})
	}
	rc := rcpt.Receipt
	if len(rc.Events) == 0 {
		return fmt.Errorf("the server accepted the handover but its receipt lists no events")
	}
	if replayed {
		r.printf("already recorded by an earlier attempt with idempotency key %s; nothing new was recorded. Its receipt:\n", r.idemKey)
	}
	r.printf("recorded the %s handover %s of movement %s: %d events, ledger indices %d–%d\n",
		hd.Stage, hd.ID, hd.Movement, len(rc.Events), rc.Events[0].Index, rc.Events[len(rc.Events)-1].Index)
	var order []custody.Type
	count := map[custody.Type]int{}
	var opened []uuid.UUID
	for _, e := range rc.Events {
		if count[e.Type] == 0 {
			order = append(order, e.Type)
		}
		count[e.Type]++
		if e.Type == custody.TypeIncidentOpened {
			opened = append(opened, e.Subject)
		}
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%d %s", count[t], t)
	}
	r.printf("events: %s\n", strings.Join(parts, ", "))
	for _, id := range opened {
		in, err := r.c.Incident(cmd.Context(), id.String())
		if err != nil {
			return r.explain(http.MethodGet, "/incidents/"+id.String(), err)
		}
		alert := ""
		if in.Alert() {
			alert = " — a disappearance alert until each person is accounted for"
		}
		r.printf("incident %s opened (%s): %s%s\n", in.ID, in.Type, in.Description, alert)
	}
	root := rc.Checkpoint.Root
	r.printf("checkpoint: size %d, root %x…\n", rc.Checkpoint.Size, root[:min(6, len(root))])
	if len(rc.Proofs) > 0 {
		r.printf("proof of the handover: %s%s (handover proof get %d -o handover.tlog-proof)\n", r.server, rc.Proofs[0], rc.Events[0].Index)
	}
	return nil
}
