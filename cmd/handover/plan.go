package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/plan"
)

// planAnswer is the answer of GET /campaigns/{id}/plan.
type planAnswer struct {
	Campaign uuid.UUID  `json:"campaign"`
	Plan     *plan.Plan `json:"plan"`
	Before   *plan.Plan `json:"before,omitempty"`
	Diff     *plan.Diff `json:"diff,omitempty"`
}

func newPlan() *cobra.Command {
	var campaign, from, escort, change, lang, legal, ordered string
	var perDay, size, vehicles, seats, horizon, lead int
	var accept []string
	var persons bool
	cmd := &cobra.Command{
		Use:   "plan --campaign ID [--from DATE] [--movements-per-day N] [--json]",
		Short: "Plan a campaign's next movements: who moves when, from where, to where, in which vehicle",
		Long: `Plan asks the server for the campaign's plan: the movements, in order, that
empty the sites whose control is expected to change before their deadlines, move the
priority groups first, and use the fewest movements; every manifest keeps the
separation rules, the households together, the receiving institutions' free places
and the safeguards. Beside the plan it prints a lower bound on each figure and the
gap to it, how each site with a deadline stands at its deadline, and why each person
not planned is not (with what would unblock them).

--change re-plans after a change (safeguard_cleared:REGNO, movement_cancelled:KEY,
vehicle_lost:VEHICLE, capacity_reduced:FACILITY:CATEGORY:N) keeping what was planned
where it can, and prints the difference.

--accept KEY (repeat) makes planned movements real: a transfer is proposed for the
persons on none yet, then the movement is planned; safeguards, both approvals and
the signed handovers still stand before departure.`,
		Example: `  handover plan --campaign 0190… --movements-per-day 2
  handover plan --campaign 0190… --change vehicle_lost:C1-BUS2
  handover plan --campaign 0190… --accept P001 --legal-basis 'bilateral agreement' --ordered-by 'joint committee'`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := required(cmd, "campaign"); err != nil {
			return err
		}
		if _, err := uuid.Parse(campaign); err != nil {
			return fmt.Errorf("--campaign: %q is not a campaign id (a UUID)", campaign)
		}
		for name, n := range map[string]int{"movements-per-day": perDay, "movement-size": size, "vehicles": vehicles, "seats": seats, "horizon": horizon} {
			if n == 0 {
				return fmt.Errorf("--%s must be at least 1", name)
			}
		}
		opts := client.PlanOptions{From: from, MovementsPerDay: perDay, MovementSize: size, Vehicles: vehicles, Seats: seats,
			Escort: escort, Horizon: horizon, SafeguardDays: lead}
		q := opts.Values()
		path := "/campaigns/" + pathID(campaign) + "/plan"
		if len(accept) > 0 {
			if change != "" {
				return fmt.Errorf("--accept and --change go apart: accept from the plan as it stands")
			}
			if err := required(cmd, "legal-basis", "ordered-by"); err != nil {
				return err
			}
			out, err := r.c.AcceptPlan(r.writeCtx(cmd.Context()), campaign, opts,
				client.PlanAcceptance{Movements: accept, LegalBasis: legal, OrderedBy: ordered}, r.stamp().OccurredAt)
			if err != nil {
				return r.explain(http.MethodPost, path+"/acceptances", err)
			}
			if r.json {
				return r.printJSONValue(out)
			}
			for _, k := range accept {
				r.printf("%s → movement %s (planned)\n", k, out.Movements[k])
			}
			r.printf("%s proposed\n", plural(len(out.Transfers), "transfer"))
			if out.Replayed {
				r.printf("(replayed: the server had already recorded this request)\n")
			}
			return nil
		}
		q.Set("lang", lang)
		if change != "" {
			q.Set("change", change)
		}
		var out planAnswer
		raw, err := r.get(cmd.Context(), path, q, &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		printPlan(r, out, persons)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&campaign, "campaign", "", "the campaign's id")
	f.StringVar(&from, "from", "", "first day of the plan, YYYY-MM-DD (default: the day after the ledger's last event)")
	f.IntVar(&perDay, "movements-per-day", 2, "movements (convoys) a day")
	f.IntVar(&size, "movement-size", 150, "most persons a movement carries")
	f.IntVar(&vehicles, "vehicles", 3, "vehicles of each convoy")
	f.IntVar(&seats, "seats", 50, "seats of each vehicle")
	f.IntVar(&horizon, "horizon", 120, "days planned")
	f.IntVar(&lead, "safeguard-days", 0, "days the safeguards of persons on no transfer yet are expected to take")
	f.StringVar(&escort, "escort", "", "the escort party (default: the only escort force)")
	f.StringVar(&change, "change", "", "re-plan after a change and print the difference")
	f.StringVar(&lang, "lang", "en", "language of the explanations: en or ar")
	f.BoolVar(&persons, "persons", false, "also print every person's place or reason")
	f.StringArrayVar(&accept, "accept", nil, "accept a planned movement by key (repeat)")
	f.StringVar(&legal, "legal-basis", "", "with --accept: the legal basis of the transfers proposed")
	f.StringVar(&ordered, "ordered-by", "", "with --accept: the authority that ordered them")
	return cmd
}

// printPlan prints the movements, the bound and gap, the deadline sites and why
// persons are not planned.
func printPlan(r *remote, out planAnswer, persons bool) {
	pl := out.Plan
	o, b := pl.Objective, pl.Bound
	r.printf("plan from %s: %s, last on day %d\n", pl.Request.From.Format("2006-01-02"), plural(o.Movements, "movement"), o.Completion)
	r.printf("%-10s %6s %6s %6s\n", "", "plan", "bound", "gap")
	for _, row := range []struct {
		name string
		v, b int
	}{{"late", o.Late, b.Late}, {"unplanned", o.Unplanned, b.Unplanned}, {"priority", o.Priority, b.Priority},
		{"movements", o.Movements, b.Movements}, {"days", o.Completion, b.Completion}} {
		r.printf("%-10s %6d %6d %6d\n", row.name, row.v, row.b, row.v-row.b)
	}
	t := newTable(r.stdout, "KEY", "DATE", "FROM", "TO", "PERSONS", "VEHICLES", "TRANSFER")
	for _, m := range pl.Movements {
		var vs []string
		for _, v := range m.Vehicles {
			vs = append(vs, v.ID)
		}
		tr := "new"
		if m.Transfer != uuid.Nil {
			tr = m.Transfer.String()
		}
		t.row(m.Key, m.Date.Format("2006-01-02"), m.FromCode, m.ToCode, len(m.Manifest), strings.Join(vs, ","), tr)
	}
	_ = t.flush()
	for _, s := range pl.Sites {
		var why []string
		for _, code := range slices.Sorted(maps.Keys(s.Why)) {
			why = append(why, fmt.Sprintf("%d %s", s.Why[code], code))
		}
		r.printf("%s (%s by %s): %d now, %d remain at the deadline%s\n", s.Code, s.Risk, s.Deadline.Format("2006-01-02"), s.Now, s.Remain, strings.TrimSuffix(": "+strings.Join(why, ", "), ": "))
	}
	notPlanned := map[string]int{}
	for _, a := range pl.Persons {
		if a.Movement == "" {
			notPlanned[a.Reasons[0].Text]++
		} else if persons {
			r.printf("%s %s %s: %s\n", a.RegNo, a.Movement, a.Vehicle, a.Reasons[0].Text)
		}
	}
	for _, text := range slices.Sorted(maps.Keys(notPlanned)) {
		r.printf("not planned (%d): %s\n", notPlanned[text], text)
	}
	if out.Diff != nil {
		r.printf("after the change: %d movements unchanged\n", out.Diff.Unchanged)
		for _, c := range out.Diff.Changes {
			r.printf("%s %s (day %d, %s → %s): +%d −%d\n", c.Key, c.Kind, c.Day, c.From, c.To, len(c.Joined), len(c.Left))
		}
	}
}
