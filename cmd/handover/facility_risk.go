package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newFacilityRisk() *cobra.Command {
	var kind, by, note string
	var clear bool
	cmd := &cobra.Command{
		Use:   "facility-risk FACILITY --kind control_change|breakout --by DATE [--note TEXT] | --clear",
		Short: "Set (or lift) a facility's risk and deadline, on a running server",
		Long: `facility-risk records what threatens FACILITY (a code or id) by a date:
control_change, control is expected to change by --by; breakout, the facility is at
risk of a breakout from --by. The campaign planner moves those held there before the
deadline; the dashboard shows it. --clear lifts the risk.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover facility-risk RIV --kind control_change --by 2026-02-10 --note 'SDF withdrawal announced'`,
		Args:    cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		risk := client.FacilityRisk{Kind: custody.RiskKind(kind), Note: note, Clear: clear}
		if !clear {
			if err := required(cmd, "kind", "by"); err != nil {
				return err
			}
			t, err := time.Parse(time.DateOnly, by)
			if err != nil {
				if t, err = time.Parse(time.RFC3339, by); err != nil {
					return fmt.Errorf("--by: %q is not a date (YYYY-MM-DD) or an RFC 3339 time", by)
				}
			}
			risk.By = t
		} else if kind != "" || by != "" {
			return fmt.Errorf("--clear takes no --kind or --by")
		}
		path := "/facilities/" + pathID(args[0]) + "/risks"
		rc, err := r.c.SetFacilityRisk(r.writeCtx(cmd.Context()), args[0], risk, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, path, err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		if clear {
			r.printf("%s: risk lifted\n", args[0])
		} else {
			r.printf("%s: %s by %s\n", args[0], kind, risk.By.Format(time.DateOnly))
		}
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "control_change or breakout")
	f.StringVar(&by, "by", "", "the deadline, YYYY-MM-DD or RFC 3339")
	f.StringVar(&note, "note", "", "what is known of it")
	f.BoolVar(&clear, "clear", false, "lift the facility's risk")
	return cmd
}
