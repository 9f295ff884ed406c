package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newTransfer() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Transfers: propose, record safeguards, override, approve, cancel, on a running server",
		Long: `A transfer is the decision to move named persons from a facility of one party to a
facility of another. Each person must pass the safeguards the policy requires
(acceptance, risk assessment, medical fitness, informed, ICRC notified, and for some
consular notification or best interests) before they may depart, unless an override
with a reason is recorded; both the sending and the receiving party approve it.

The flow:
  handover transfer propose --from HSK --to NCI --legal-basis … --ordered-by … --persons-file p.txt
  handover transfer safeguard ID --kind medical --met --finding 'fit to travel' --persons-file p.txt
  handover transfer show ID --blocked          who may not depart yet, and why
  handover transfer override ID --person HSK-000123 --kind medical --reason '…'
  handover transfer approve ID --party SDF
  handover transfer approve ID --party IRQ
then plan its movements with ` + "`handover movement plan`" + `.

These commands talk to a running server (--server, default $` + ServerEnv + ` or
` + defaultServerURL + `).`,
	}
	cmd.AddCommand(newTransferPropose(), newTransferList(), newTransferShow(), newTransferSafeguard(),
		newTransferOverride(), newTransferApprove(), newTransferCancel())
	return cmd
}

// transferWritten is the answer to a transfer's proposal.
type transferWritten struct {
	custody.TransferState
	Receipt api.Receipt `json:"receipt"`
}

func newTransferPropose() *cobra.Command {
	var (
		from, to, basis, orderedBy, campaign, priority, personsFile, file string
		persons                                                           []string
		quiet                                                             bool
	)
	cmd := &cobra.Command{
		Use:   "propose --from FACILITY --to FACILITY --legal-basis TEXT --ordered-by TEXT --persons-file FILE",
		Short: "Propose a transfer of named persons between facilities of two parties",
		Long: `propose records the decision to move the persons named by --persons-file (one
registration number or person id a line; '#' starts a comment) and --person from
facility --from to facility --to (codes or ids), with its legal basis and the authority
that ordered it. It prints the safeguards the policy requires of them.`,
		Example: `  handover transfer propose --campaign $CAMPAIGN --from HSK --to NCI \
      --legal-basis 'bilateral agreement of 2026-01-10, art. 3' --ordered-by 'SDF general command' \
      --persons-file batch5.txt`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var body struct {
			api.Meta
			Transfer client.NewTransfer `json:"transfer"`
		}
		ctx, at := r.writeCtx(cmd.Context()), r.stamp().OccurredAt
		if file != "" {
			if err := onlyFile(cmd, "from", "to", "legal-basis", "ordered-by", "campaign", "priority", "person", "persons-file"); err != nil {
				return err
			}
			if err := fileBody(r, file, &body); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), body.Meta)
		} else {
			if err := required(cmd, "from", "to", "legal-basis", "ordered-by"); err != nil {
				return err
			}
			refs, err := personRefs(r.stdin, persons, personsFile)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				return fmt.Errorf("name the persons with --persons-file FILE (one registration number a line) or --person REF")
			}
			body.Transfer = client.NewTransfer{Campaign: campaign, From: from, To: to, LegalBasis: basis, OrderedBy: orderedBy, Priority: priority, Persons: refs}
		}
		t, rc, err := r.c.ProposeTransfer(ctx, body.Transfer, at)
		if err != nil {
			return r.explain(http.MethodPost, "/transfers", err)
		}
		out := transferWritten{TransferState: *t, Receipt: rc.Receipt}
		if r.json {
			return r.printJSONValue(out)
		}
		if quiet {
			return printCreated(r, nil, quiet, out.ID)
		}
		replayed := rc.Replayed
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("transfer %s: %s\n", t.ID, transferLine(r, t))
		r.printf("safeguards to record: %s\n", requiredCount(t))
		r.printReceipt(out.Receipt, replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the sending facility (code or id)")
	f.StringVar(&to, "to", "", "the receiving facility (code or id)")
	f.StringVar(&basis, "legal-basis", "", "the transfer's legal basis")
	f.StringVar(&orderedBy, "ordered-by", "", "the authority that ordered it")
	f.StringVar(&campaign, "campaign", "", "the campaign it belongs to (id)")
	f.StringVar(&priority, "priority", "", "the campaign's priority group it serves")
	f.StringArrayVar(&persons, "person", nil, "a person (registration number or id); repeat")
	f.StringVar(&personsFile, "persons-file", "", "a file of persons, one registration number (or id) a line ('-' reads standard input)")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the new transfer's id")
	return cmd
}

// transferLine words a transfer in one line: "12 persons, HSK → NCI (SDF → IRQ), proposed".
func transferLine(r *remote, t *custody.TransferState) string {
	s := fmt.Sprintf("%s, %s → %s (%s → %s), %s", plural(len(t.People), "person"), r.facility(t.From), r.facility(t.To),
		r.party(t.Sending), r.party(t.Receiving), t.Status)
	if t.Cancelled != "" {
		s += ": " + t.Cancelled
	}
	return s
}

// requiredCount counts the safeguards the policy requires of a transfer's persons.
func requiredCount(t *custody.TransferState) string {
	n := map[custody.SafeguardKind]int{}
	for _, p := range t.People {
		for _, k := range p.Required {
			n[k]++
		}
	}
	var parts []string
	for _, k := range custody.SafeguardKinds {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s (%d)", k, n[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// readiness words where a transfer's persons stand: "9 ready to depart; 3 blocked:
// 3 medical", "149 arrived; 1 missing".
func readiness(t *custody.TransferState) string {
	stages := map[custody.PersonStage]int{}
	blocked := map[custody.SafeguardKind]int{}
	ready, nblocked := 0, 0
	for _, p := range t.People {
		stages[p.Stage]++
		if p.Stage != custody.StageWaiting {
			continue
		}
		if len(p.Missing) == 0 {
			ready++
			continue
		}
		nblocked++
		for _, k := range p.Missing {
			blocked[k]++
		}
	}
	var parts []string
	if ready > 0 {
		parts = append(parts, fmt.Sprintf("%d ready to depart", ready))
	}
	if nblocked > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked%s", nblocked, blockedBy(blocked)))
	}
	for _, st := range []custody.PersonStage{custody.StageInTransit, custody.StageArrived, custody.StageMissing, custody.StageWithdrawn} {
		if stages[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", stages[st], strings.ReplaceAll(string(st), "_", " ")))
		}
	}
	return orDash(strings.Join(parts, "; "))
}

// approvals words a transfer's approvals: "SDF approved (event 123); IRQ has not".
func approvals(r *remote, t *custody.TransferState) string {
	var parts []string
	for _, side := range []uuid.UUID{t.Sending, t.Receiving} {
		done := r.party(side) + " has not approved"
		for _, a := range t.Approvals {
			if a.Party == side {
				done = fmt.Sprintf("%s approved (event %d, by %s)", r.party(side), a.Event, a.Actor)
			}
		}
		parts = append(parts, done)
	}
	return strings.Join(parts, "; ")
}

func newTransferList() *cobra.Command {
	var status, campaign string
	cmd := &cobra.Command{
		Use:   "list [--status S] [--campaign ID]",
		Short: "List transfers",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		if campaign != "" {
			q.Set("campaign", campaign)
		}
		var out struct {
			Transfers []custody.TransferState `json:"transfers"`
		}
		raw, err := r.list(cmd.Context(), "/transfers", q, "transfers", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		if len(out.Transfers) == 0 {
			r.printf("no transfers\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "FROM", "TO", "STATUS", "PERSONS", "APPROVED BY", "STANDING")
		for i := range out.Transfers {
			x := &out.Transfers[i]
			var by []string
			for _, a := range x.Approvals {
				by = append(by, r.party(a.Party))
			}
			if len(by) == 0 {
				by = []string{"-"}
			}
			t.row(x.ID, r.facility(x.From), r.facility(x.To), x.Status, len(x.People), strings.Join(by, ","), readiness(x))
		}
		return t.flush()
	}
	cmd.Flags().StringVar(&status, "status", "", "only transfers with this status: proposed, approved, in_progress, completed, cancelled")
	cmd.Flags().StringVar(&campaign, "campaign", "", "only the transfers of this campaign (id)")
	return cmd
}

// getTransfer reads a transfer.
func getTransfer(ctx context.Context, r *remote, id string) (*custody.TransferState, []byte, error) {
	var t custody.TransferState
	raw, err := r.get(ctx, "/transfers/"+pathID(id), nil, &t)
	return &t, raw, err
}

func newTransferShow() *cobra.Command {
	var blocked bool
	cmd := &cobra.Command{
		Use:   "show ID [--blocked]",
		Short: "Show a transfer: approvals and each person's safeguards",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		t, raw, err := getTransfer(cmd.Context(), r, args[0])
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("transfer %s: %s\n", t.ID, transferLine(r, t))
		if t.Campaign != uuid.Nil {
			r.printf("campaign %s", t.Campaign)
			if t.Priority != "" {
				r.printf(", priority %q", t.Priority)
			}
			r.printf("\n")
		}
		r.printf("legal basis: %s; ordered by: %s\n", t.LegalBasis, t.OrderedBy)
		r.printf("approvals: %s\n", approvals(r, t))
		r.printf("persons: %s\n", readiness(t))
		tb := newTable(r.stdout, "REG NO", "STAGE", "MISSING", "OVERRIDDEN", "MOVEMENT")
		shown := 0
		for _, p := range t.People {
			if blocked && (p.Stage != custody.StageWaiting || len(p.Missing) == 0) {
				continue
			}
			missing := kinds(p.Missing)
			var over []string
			for _, k := range custody.SafeguardKinds {
				if _, ok := p.Overrides[k]; ok {
					over = append(over, string(k))
				}
			}
			tb.row(p.RegNo, p.Stage, missing, orDash(strings.Join(over, ",")), orNil(p.Movement))
			shown++
		}
		if shown == 0 {
			return nil
		}
		return tb.flush()
	}
	cmd.Flags().BoolVar(&blocked, "blocked", false, "list only the persons who may not depart yet")
	return cmd
}

func kinds(ks []custody.SafeguardKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return orDash(strings.Join(s, ","))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// orNil prints an id, or "-" for none.
func orNil(id uuid.UUID) string {
	if id == uuid.Nil {
		return "-"
	}
	return id.String()
}
