package main

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// The steps of a transfer after its proposal: safeguards, overrides, approvals,
// cancellation. Each prints the receipt, then where the transfer now stands.

func newTransferSafeguard() *cobra.Command {
	var (
		personsFile, file, interview, torture, persecution, deathPenalty string
		persons                                                          []string
		met, notMet                                                      bool
		g                                                                custody.Safeguard
		risk                                                             custody.Risk
	)
	cmd := &cobra.Command{
		Use:   "safeguard ID --kind KIND --met|--not-met --finding TEXT --persons-file FILE",
		Short: "Record one safeguard for persons on a transfer",
		Long: `safeguard records one safeguard (--kind) for each person named by --persons-file
and --person, as met or not met, with what was found. A safeguard recorded as not
met blocks departure like a missing one.

Kinds: acceptance, risk_assessment, medical, informed, icrc, consular, best_interests.
A risk assessment needs its three findings (--torture, --persecution, --death-penalty:
no_real_risk, real_risk or pending) and, to be met, --monitoring; the ICRC safeguard
needs --interview (offered, held, declined, denied); "informed" records an objection
with --objected --objection TEXT. --file gives the whole request body instead, e.g. a
risk assessment prepared as JSON.`,
		Example: `  handover transfer safeguard $T --kind medical --met --finding 'fit to travel by road' \
      --assessor 'Dr. Hana Ibrahim' --persons-file batch5.txt
  handover transfer safeguard $T --kind risk_assessment --met --finding 'individual assessment' \
      --torture no_real_risk --persecution no_real_risk --death-penalty no_real_risk \
      --monitoring 'ICRC visits within 14 days' --person HSK-000201`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	fields := []string{"kind", "met", "not-met", "finding", "evidence", "assessor", "interview", "objected", "objection",
		"torture", "persecution", "death-penalty", "assurances", "monitoring", "person", "persons-file"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var body struct {
			api.Meta
			Persons   []string          `json:"persons"`
			Safeguard custody.Safeguard `json:"safeguard"`
		}
		ctx, at := r.writeCtx(cmd.Context()), r.stamp().OccurredAt
		if file != "" {
			if err := onlyFile(cmd, fields...); err != nil {
				return err
			}
			if err := fileBody(r, file, &body); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), body.Meta)
		} else {
			if err := required(cmd, "kind", "finding"); err != nil {
				return err
			}
			if met == notMet {
				return fmt.Errorf("say whether the safeguard is met: give --met or --not-met")
			}
			refs, err := personRefs(r.stdin, persons, personsFile)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				return fmt.Errorf("name the persons with --persons-file FILE (one registration number a line) or --person REF")
			}
			g.Met = met
			g.Interview = custody.Interview(interview)
			if g.Kind == custody.RiskAssessment || torture != "" || persecution != "" || deathPenalty != "" {
				risk.Torture, risk.Persecution, risk.DeathPenalty = custody.RiskFinding(torture), custody.RiskFinding(persecution), custody.RiskFinding(deathPenalty)
				g.Risk = &risk
			}
			body.Persons, body.Safeguard = refs, g
		}
		rc, err := r.c.RecordSafeguard(ctx, args[0], body.Persons, body.Safeguard, at)
		if err != nil {
			return r.explain(http.MethodPost, "/transfers/"+pathID(args[0])+"/safeguards", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printReceipt(rc.Receipt, rc.Replayed)
		return printStanding(cmd, r, args[0])
	}
	f := cmd.Flags()
	f.Var(enumValue((*string)(&g.Kind), kindNames()...), "kind", "the safeguard: "+joinNames(kindNames()))
	f.BoolVar(&met, "met", false, "the safeguard is satisfied")
	f.BoolVar(&notMet, "not-met", false, "the safeguard is not satisfied (it blocks departure)")
	f.StringVar(&g.Finding, "finding", "", "what was found, in words")
	f.StringVar(&g.Evidence, "evidence", "", "reference to the document or file")
	f.StringVar(&g.Assessor, "assessor", "", "who assessed, when not --actor")
	f.StringVar(&interview, "interview", "", "for icrc: offered, held, declined or denied")
	f.BoolVar(&g.Objected, "objected", false, "for informed: the person objected to the transfer")
	f.StringVar(&g.Objection, "objection", "", "for informed: what the person said")
	f.StringVar(&torture, "torture", "", "for risk_assessment: no_real_risk, real_risk or pending")
	f.StringVar(&persecution, "persecution", "", "for risk_assessment: no_real_risk, real_risk or pending")
	f.StringVar(&deathPenalty, "death-penalty", "", "for risk_assessment: no_real_risk, real_risk or pending")
	f.StringVar(&risk.Assurances, "assurances", "", "for risk_assessment: diplomatic assurances obtained, if any")
	f.StringVar(&risk.Monitoring, "monitoring", "", "for risk_assessment: the post-transfer monitoring arrangement")
	f.StringArrayVar(&persons, "person", nil, "a person (registration number or id); repeat")
	f.StringVar(&personsFile, "persons-file", "", "a file of persons, one registration number (or id) a line ('-' reads standard input)")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	return cmd
}

func kindNames() []string {
	s := make([]string, len(custody.SafeguardKinds))
	for i, k := range custody.SafeguardKinds {
		s[i] = string(k)
	}
	return s
}

// printStanding prints where a transfer stands after a write.
func printStanding(cmd *cobra.Command, r *remote, id string) error {
	t, _, err := getTransfer(cmd.Context(), r, id)
	if err != nil {
		return err
	}
	if err := r.lookup(cmd.Context()); err != nil {
		return err
	}
	r.printf("transfer %s: %s; %s\n", t.ID, t.Status, readiness(t))
	return nil
}

func newTransferOverride() *cobra.Command {
	var person, kind, reason string
	cmd := &cobra.Command{
		Use:   "override ID --person REF --kind KIND --reason TEXT",
		Short: "Let one person depart without a safeguard, for a reason",
		Long: `override records that the person may depart on the transfer without the safeguard
--kind, and why. The override stays visible on the person forever (the flag
safeguard_overridden; see ` + "`handover persons --flag safeguard_overridden`" + `).`,
		Example: `  handover transfer override $T --person HSK-000201 --kind medical \
      --reason 'medical officer at the gate cleared him; written clearance follows'`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "person", "kind", "reason"); err != nil {
			return err
		}
		rc, err := r.c.OverrideSafeguard(r.writeCtx(cmd.Context()), args[0], person, custody.SafeguardKind(kind), reason, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/transfers/"+pathID(args[0])+"/overrides", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printf("%s may depart without %s: %s\n", person, kind, reason)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return printStanding(cmd, r, args[0])
	}
	f := cmd.Flags()
	f.StringVar(&person, "person", "", "the person (registration number or id)")
	f.Var(enumValue(&kind, kindNames()...), "kind", "the safeguard: "+joinNames(kindNames()))
	f.StringVar(&reason, "reason", "", "why; it stays on the record")
	return cmd
}

func newTransferApprove() *cobra.Command {
	var party string
	cmd := &cobra.Command{
		Use:   "approve ID --party PARTY",
		Short: "Record one side's approval of a transfer",
		Long: `approve records the approval of the sending or the receiving party (--party, a code
or id). Nobody departs on a transfer before both sides have approved it.`,
		Example: `  handover transfer approve $T --party SDF --actor 'Col. Rojhat Amed'
  handover transfer approve $T --party IRQ --actor 'Brig. Salim Jaber'`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "party"); err != nil {
			return err
		}
		rc, err := r.c.ApproveTransfer(r.writeCtx(cmd.Context()), args[0], party, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/transfers/"+pathID(args[0])+"/approvals", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printReceipt(rc.Receipt, rc.Replayed)
		t, _, err := getTransfer(cmd.Context(), r, args[0])
		if err != nil {
			return err
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("transfer %s: %s; %s\n", t.ID, t.Status, approvals(r, t))
		return nil
	}
	cmd.Flags().StringVar(&party, "party", "", "the approving side: the sending or the receiving party (code or id)")
	return cmd
}

func newTransferCancel() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "cancel ID --reason TEXT",
		Short: "Cancel a transfer before anyone departs on it",
		Long: `cancel withdraws a transfer on which nobody has departed; cancel its planned
movements first (` + "`handover movement cancel`" + `).`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "reason"); err != nil {
			return err
		}
		rc, err := r.c.CancelTransfer(r.writeCtx(cmd.Context()), args[0], reason, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/transfers/"+pathID(args[0])+"/cancellations", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printf("transfer %s cancelled: %s\n", args[0], reason)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}
