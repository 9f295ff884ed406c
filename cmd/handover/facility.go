package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// The facility commands register and list facilities through a running server.

func newFacility() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "facility",
		Short: "Register and list facilities (prisons, camps, hospitals…) through a running server",
	}
	cmd.AddCommand(newFacilityAdd(), newFacilityList())
	return cmd
}

func newFacilityAdd() *cobra.Command {
	var name, kind, country, series, party string
	var capacities []string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "add CODE --name NAME --kind KIND --country ISO3 --party CODE --capacity CATEGORY=N… [--series S]",
		Short: "Register a facility controlled by a party (an administrator of that party)",
		Long: `facility add registers a facility in the ledger through a running server: its code,
name, kind (prison, camp, correctional_institution, juvenile_institution,
transit_point, hospital), country (ISO 3166-1 alpha-3), the party that controls it,
its places per category of person, and the series of the registration numbers it
gives out (default: its code).`,
		Example: `  handover facility add HSK --name "Hasakah detention facility" --kind prison --country SYR \
      --party SDF --capacity detainee=4000 --token-file admin.token`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the facility's name (required)")
	f.StringVar(&kind, "kind", "", "prison, camp, correctional_institution, juvenile_institution, transit_point or hospital (required)")
	f.StringVar(&country, "country", "", "ISO 3166-1 alpha-3 code of its country (required)")
	f.StringVar(&party, "party", "", "the code of the party that controls it (required)")
	f.StringVar(&series, "series", "", "the prefix of its registration numbers (default: the code)")
	f.StringArrayVar(&capacities, "capacity", nil, "places for a category, CATEGORY=N (detainee=4000); repeat for each category")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the new facility's id")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		code := strings.ToUpper(args[0])
		if name == "" || kind == "" || country == "" || party == "" {
			return fmt.Errorf("--name, --kind, --country and --party are required")
		}
		fc := api.FacilityIn{Code: code, Name: name, Kind: custody.FacilityKind(kind), Country: strings.ToUpper(country),
			Series: strings.ToUpper(series), Capacities: map[custody.Category]int{}, ControllingParty: strings.ToUpper(party)}
		if fc.Series == "" {
			fc.Series = code
		}
		for _, c := range capacities {
			cat, n, ok := strings.Cut(c, "=")
			places, err := strconv.Atoi(n)
			if !ok || err != nil || places < 0 {
				return fmt.Errorf("--capacity: %q is not CATEGORY=N, like detainee=4000", c)
			}
			fc.Capacities[custody.Category(cat)] = places
		}
		ctx := cmd.Context()
		made, rc, err := r.c.RegisterFacility(r.writeCtx(ctx), fc, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/facilities", err)
		}
		switch {
		case quiet:
			r.printf("%s\n", made.ID)
			return nil
		case r.json:
			return r.printJSONValue(struct {
				api.FacilityView
				Receipt api.Receipt `json:"receipt"`
			}{*made, rc.Receipt})
		}
		r.printf("registered facility %s (%s, %s, %s), controlled by %s\n", fc.Code, fc.Name, fc.Kind, fc.Country, strings.ToUpper(party))
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	return cmd
}

func newFacilityList() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the facilities, their controller, population and capacity",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		fs, err := r.c.Facilities(ctx)
		if err != nil {
			return r.explain(http.MethodGet, "/facilities", err)
		}
		if r.json {
			return r.printJSONValue(map[string]any{"facilities": fs})
		}
		if err := r.lookup(ctx); err != nil {
			return err
		}
		t := newTable(r.stdout, "CODE", "KIND", "COUNTRY", "CONTROLLER", "PERSONS", "PLACES", "NAME")
		for _, f := range fs {
			t.row(f.Code, f.Kind, f.Country, r.party(f.Controller), f.Total, f.Capacity, f.Name)
		}
		return t.flush()
	}
	return cmd
}
