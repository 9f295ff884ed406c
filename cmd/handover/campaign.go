package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newCampaign() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Campaigns of transfers and their progress, on a running server",
		Long: `A campaign is a planned programme of transfers to one receiving party, like
"north-east Syria → Iraq, up to 7,000", with its progress: how many persons are
planned, blocked on safeguards, in transit, arrived and missing.

These commands talk to a running server (--server, default $` + ServerEnv + ` or
` + defaultServerURL + `).`,
	}
	cmd.AddCommand(newCampaignCreate(), newCampaignList(), newCampaignShow())
	return cmd
}

// campaignBody is the request to create a campaign: the flags fill it, or --file.
type campaignBody struct {
	api.Meta
	Campaign client.NewCampaign `json:"campaign"`
}

// campaignWritten is the answer to a campaign's creation.
type campaignWritten struct {
	custody.CampaignView
	Receipt api.Receipt `json:"receipt"`
}

func newCampaignCreate() *cobra.Command {
	var b campaignBody
	var file string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "create --name NAME --target N --receiving PARTY [--priority GROUP]...",
		Short: "Create a campaign",
		Example: `  handover campaign create --name 'north-east Syria → Iraq' --target 7000 --receiving IRQ \
      --priority 'alleged attacks on Iraqi civilians'`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, at := r.writeCtx(cmd.Context()), r.stamp().OccurredAt
		if file != "" {
			if err := onlyFile(cmd, "name", "target", "receiving", "priority"); err != nil {
				return err
			}
			if err := fileBody(r, file, &b); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), b.Meta)
		} else if err := required(cmd, "name", "target", "receiving"); err != nil {
			return err
		}
		v, rc, err := r.c.CreateCampaign(ctx, b.Campaign, at)
		if err != nil {
			return r.explain(http.MethodPost, "/campaigns", err)
		}
		out, replayed := campaignWritten{CampaignView: *v, Receipt: rc.Receipt}, rc.Replayed
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if r.json || quiet {
			return printCreated(r, raw, quiet, out.ID)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("campaign %s %q: target %d, receiving %s\n", out.ID, out.Name, out.Target, r.party(out.Receiving))
		r.printReceipt(out.Receipt, replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&b.Campaign.Name, "name", "", "the campaign's name")
	f.IntVar(&b.Campaign.Target, "target", 0, "how many persons it means to move")
	f.StringVar(&b.Campaign.Receiving, "receiving", "", "the receiving party (code or id)")
	f.StringArrayVar(&b.Campaign.Priorities, "priority", nil, "a priority group, first first (repeat)")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the new campaign's id")
	return cmd
}

func newCampaignList() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List campaigns with their progress",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var out struct {
			Campaigns []custody.CampaignView `json:"campaigns"`
		}
		raw, err := r.list(cmd.Context(), "/campaigns", nil, "campaigns", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		if len(out.Campaigns) == 0 {
			r.printf("no campaigns\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "NAME", "TO", "TARGET", "PLANNED", "BLOCKED", "IN TRANSIT", "ARRIVED", "MISSING")
		for _, c := range out.Campaigns {
			p := c.Progress
			t.row(c.ID, c.Name, r.party(c.Receiving), p.Target, p.Planned, p.Blocked, p.InTransit, p.Arrived, p.Missing)
		}
		return t.flush()
	}
	return cmd
}

func newCampaignShow() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a campaign's progress",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var c custody.CampaignView
		raw, err := r.get(cmd.Context(), "/campaigns/"+pathID(args[0]), nil, &c)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		p := c.Progress
		r.printf("campaign %s %q, receiving %s: %d transfers\n", c.ID, c.Name, r.party(c.Receiving), len(c.Transfers))
		r.printf("target %d: planned %d (blocked %d%s), in transit %d, arrived %d, missing %d\n",
			p.Target, p.Planned, p.Blocked, blockedBy(p.BlockedBy), p.InTransit, p.Arrived, p.Missing)
		for i, g := range c.Priorities {
			r.printf("priority %d: %s (%s)\n", i+1, g, plural(p.ByGroup[g], "person"))
		}
		return nil
	}
	return cmd
}

// blockedBy words the safeguards persons are blocked on: ": 3 risk_assessment, 2 medical".
func blockedBy(m map[custody.SafeguardKind]int) string {
	var parts []string
	for _, k := range custody.SafeguardKinds {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	for k, n := range m {
		if !slices.Contains(custody.SafeguardKinds, k) && n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}
