package main

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
)

func newNotification() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notification",
		Short: "Duties to inform (family, ICRC tracing agency…) and their deadlines, on a running server",
		Long: `The ledger derives duties to inform from the events that give rise to them: after a
transfer's arrival the family (48 h) and a capture card to the Central Tracing Agency
(7 days), for a minor the parents (24 h); after a death the next of kin (24 h); after
a hospital admission the family (72 h). Record that one was carried out, with its
outcome, with ` + "`handover notification complete`" + `.

These commands talk to a running server (--server, default $` + ServerEnv + ` or
` + defaultServerURL + `).`,
	}
	cmd.AddCommand(newNotificationList(), newNotificationShow(), newNotificationComplete())
	return cmd
}

var notificationKinds = []string{"family_transfer", "capture_card", "parents_juvenile", "next_of_kin_death", "family_illness"}

func newNotificationList() *cobra.Command {
	var overdue, open, done bool
	var person, kind string
	cmd := &cobra.Command{
		Use:   "list [--overdue] [--open|--done] [--person REF] [--kind K]",
		Short: "List duties to inform",
		Example: `  handover notification list --overdue
  handover notification list --person HSK-000001`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q := url.Values{}
		if overdue {
			q.Set("overdue", "true")
		}
		switch {
		case open && done:
			return fmt.Errorf("give --open or --done, not both")
		case open:
			q.Set("done", "false")
		case done:
			q.Set("done", "true")
		}
		if person != "" {
			q.Set("person", person)
		}
		if kind != "" {
			q.Set("kind", kind)
		}
		var out struct {
			Notifications []api.NotificationView `json:"notifications"`
		}
		raw, err := r.list(cmd.Context(), "/notifications", q, "notifications", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if len(out.Notifications) == 0 {
			r.printf("no notifications\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "KIND", "REG NO", "RECIPIENT", "DUE", "STATE")
		for i := range out.Notifications {
			n := &out.Notifications[i]
			t.row(n.ID, n.Kind, n.RegNo, n.Recipient, when(n.Due), notificationState(n))
		}
		return t.flush()
	}
	f := cmd.Flags()
	f.BoolVar(&overdue, "overdue", false, "only those past their deadline and not done")
	f.BoolVar(&open, "open", false, "only those not done")
	f.BoolVar(&done, "done", false, "only those done")
	f.StringVar(&person, "person", "", "only those about this person (registration number or id)")
	f.Var(enumValue(&kind, notificationKinds...), "kind", "only those of this kind: "+joinNames(notificationKinds))
	return cmd
}

func notificationState(n *api.NotificationView) string {
	switch {
	case n.Done != nil:
		return "done " + when(*n.Done)
	case n.Overdue:
		return "OVERDUE"
	}
	return "open"
}

func newNotificationShow() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a duty to inform",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var n api.NotificationView
		raw, err := r.get(cmd.Context(), "/notifications/"+pathID(args[0]), nil, &n)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("notification %s (%s) about %s, to %s: due %s, owed by %s, caused by event %d: %s\n",
			n.ID, n.Kind, n.RegNo, n.Recipient, when(n.Due), r.party(n.Party), n.Cause, notificationState(&n))
		if n.Outcome != "" {
			r.printf("outcome (event %d): %s\n", n.Event, n.Outcome)
		}
		return nil
	}
	return cmd
}

func newNotificationComplete() *cobra.Command {
	var outcome string
	cmd := &cobra.Command{
		Use:     "complete ID --outcome TEXT",
		Short:   "Record that a duty to inform was carried out",
		Example: `  handover notification complete $N --outcome 'sister reached by phone in Mosul; told of the transfer to NCI'`,
		Args:    cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "outcome"); err != nil {
			return err
		}
		rc, err := r.c.CompleteNotification(r.writeCtx(cmd.Context()), args[0], outcome, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/notifications/"+pathID(args[0])+"/completions", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printf("notification %s done: %s\n", args[0], outcome)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	cmd.Flags().StringVar(&outcome, "outcome", "", "what was done and with what result")
	return cmd
}
