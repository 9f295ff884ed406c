package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newMovement() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "movement",
		Short: "Movements (convoys, flights) and their manifests, on a running server",
		Long: `A movement is one physical batch of a transfer: a convoy or a flight, its escort
party, its vehicles and its manifest (who rides which vehicle), fixed before
departure. A manifest that breaks the separation rules (men and women of different
households, children with adults outside their household, a household split) or
brings more persons than the destination has places for is refused unless
--override RULE=REASON accepts the breaches of that rule; the overrides stay on the
movement.

After planning, the departure and arrival are signed handovers:
` + "`handover handover draft`, `handover sign`, `handover handover submit`" + `.

These commands talk to a running server (--server, default $` + ServerEnv + ` or
` + defaultServerURL + `).`,
	}
	cmd.AddCommand(newMovementPlan(), newMovementList(), newMovementShow(), newMovementManifest(), newMovementCancel())
	return cmd
}

// movementWritten is the answer to a write about a movement.
type movementWritten struct {
	custody.MovementState
	Receipt api.Receipt `json:"receipt"`
}

// readManifest reads --manifest-file: one person a line, with the vehicle they
// ride; the vehicle may be left out when the movement has one.
func readManifest(r *remote, path string, vehicles []string) ([]client.Seat, error) {
	var seats []client.Seat
	err := readLines(r.stdin, "--manifest-file", path, func(_ int, f []string) error {
		switch {
		case len(f) == 2:
			seats = append(seats, client.Seat{Person: f[0], Vehicle: f[1]})
		case len(f) == 1 && len(vehicles) == 1:
			seats = append(seats, client.Seat{Person: f[0], Vehicle: vehicles[0]})
		case len(f) == 1:
			return fmt.Errorf("name the vehicle after the person (REGNO VEHICLE): the movement has %d vehicles", len(vehicles))
		default:
			return fmt.Errorf("give the person and the vehicle (REGNO VEHICLE); got %q", strings.Join(f, " "))
		}
		return nil
	})
	if err == nil && len(seats) == 0 {
		err = fmt.Errorf("--manifest-file %s names nobody", path)
	}
	return seats, err
}

// parseVehicle reads --vehicle ID:KIND:SEATS (or ID:SEATS).
func parseVehicle(s string) (custody.Vehicle, error) {
	parts := strings.Split(s, ":")
	var v custody.Vehicle
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("--vehicle %q: give ID:KIND:SEATS, like BUS-1:bus:40", s)
	}
	n, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		return v, fmt.Errorf("--vehicle %q: the seats (after the last ':') must be a number", s)
	}
	v.ID, v.Seats = parts[0], n
	if len(parts) == 3 {
		v.Kind = parts[1]
	}
	return v, nil
}

// parseOverrides reads --override RULE=REASON.
func parseOverrides(ss []string) ([]custody.ManifestOverride, error) {
	var out []custody.ManifestOverride
	for _, s := range ss {
		rule, reason, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("--override %q: give RULE=REASON, like capacity='NCI confirmed 20 extra places'", s)
		}
		if rule != string(custody.SeparationRule) && rule != string(custody.CapacityRule) {
			return nil, fmt.Errorf("--override %q: the rule is separation or capacity", s)
		}
		out = append(out, custody.ManifestOverride{Rule: custody.Rule(rule), Reason: reason})
	}
	return out, nil
}

func newMovementPlan() *cobra.Command {
	var (
		transfer, escort, mode, departure, conditions, manifest, file string
		vehicles, overrides                                           []string
		quiet                                                         bool
	)
	cmd := &cobra.Command{
		Use:   "plan --transfer ID --escort PARTY --mode convoy|flight --vehicle ID:KIND:SEATS --departure TIME --manifest-file FILE",
		Short: "Plan a movement of a transfer: escort, vehicles, manifest",
		Long: `plan records a convoy or flight of the transfer --transfer, escorted by --escort (a
party code or id), with its vehicles (--vehicle ID:KIND:SEATS, repeat) and its
manifest: --manifest-file names one person a line (registration number or id)
followed by the vehicle they ride; with a single vehicle the vehicle may be left
out, so a file of registration numbers will do.

A manifest that breaches the separation or the capacity rule is refused, naming the
breaches; --override RULE=REASON accepts the breaches of that rule.`,
		Example: `  handover movement plan --transfer $T --escort USF --mode convoy \
      --vehicle BUS-1:bus:40 --vehicle BUS-2:bus:40 --departure 2026-02-03T06:00:00Z \
      --conditions 'water and food on board, a medic in BUS-1' --manifest-file manifest.txt`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var body struct {
			api.Meta
			Movement  client.NewMovement         `json:"movement"`
			Overrides []custody.ManifestOverride `json:"overrides,omitempty"`
		}
		ctx, at := r.writeCtx(cmd.Context()), r.stamp().OccurredAt
		if file != "" {
			if err := onlyFile(cmd, "transfer", "escort", "mode", "vehicle", "departure", "conditions", "manifest-file", "override"); err != nil {
				return err
			}
			if err := fileBody(r, file, &body); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), body.Meta)
		} else {
			if err := required(cmd, "transfer", "escort", "mode", "vehicle", "departure", "manifest-file"); err != nil {
				return err
			}
			tid, err := uuid.Parse(transfer)
			if err != nil {
				return fmt.Errorf("--transfer: %q is not a transfer id", transfer)
			}
			dep, err := time.Parse(time.RFC3339, departure)
			if err != nil {
				return fmt.Errorf("--departure: %q is not an RFC 3339 time like 2026-02-03T06:00:00Z", departure)
			}
			var vs []custody.Vehicle
			var ids []string
			for _, s := range vehicles {
				v, err := parseVehicle(s)
				if err != nil {
					return err
				}
				vs, ids = append(vs, v), append(ids, v.ID)
			}
			seats, err := readManifest(r, manifest, ids)
			if err != nil {
				return err
			}
			if body.Overrides, err = parseOverrides(overrides); err != nil {
				return err
			}
			body.Movement = client.NewMovement{Transfer: tid, Escort: escort, Mode: custody.Mode(mode), Vehicles: vs,
				PlannedDeparture: dep, Conditions: conditions, Manifest: seats}
		}
		m, rc, err := r.c.PlanMovement(ctx, body.Movement, body.Overrides, at)
		if err != nil {
			return r.explain(http.MethodPost, "/movements", err)
		}
		out, replayed := movementWritten{MovementState: *m, Receipt: rc.Receipt}, rc.Replayed
		if r.json {
			return r.printJSONValue(out)
		}
		if quiet {
			return printCreated(r, nil, quiet, out.ID)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("movement %s planned: %s\n", out.ID, movementLine(r, &out.MovementState))
		printBreaches(r, &out.MovementState)
		r.printReceipt(out.Receipt, replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&transfer, "transfer", "", "the transfer (id)")
	f.StringVar(&escort, "escort", "", "the escort party (code or id)")
	f.Var(enumValue(&mode, "convoy", "flight"), "mode", "convoy or flight")
	f.StringArrayVar(&vehicles, "vehicle", nil, "a vehicle, ID:KIND:SEATS (like BUS-1:bus:40); repeat")
	f.StringVar(&departure, "departure", "", "the planned departure, RFC 3339")
	f.StringVar(&conditions, "conditions", "", "food, water, medical care, ventilation and light")
	f.StringVar(&manifest, "manifest-file", "", "the manifest: REGNO VEHICLE a line (VEHICLE may be left out with one vehicle); '-' reads standard input")
	f.StringArrayVar(&overrides, "override", nil, "accept the breaches of a rule: separation=REASON or capacity=REASON; repeat")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the new movement's id")
	return cmd
}

// movementLine words a movement in one line.
func movementLine(r *remote, m *custody.MovementState) string {
	seats := 0
	for _, v := range m.Vehicles {
		seats += v.Seats
	}
	s := fmt.Sprintf("%s → %s, %s escorted by %s, %s in %s (%s), departure %s, %s",
		r.facility(m.From), r.facility(m.To), m.Mode, r.party(m.Escort), plural(len(m.Manifest), "person"), plural(len(m.Vehicles), "vehicle"), plural(seats, "seat"),
		when(m.PlannedDeparture), m.Status)
	if m.Cancelled != "" {
		s += ": " + m.Cancelled
	}
	return s
}

// printBreaches prints the breaches a movement's overrides accepted.
func printBreaches(r *remote, m *custody.MovementState) {
	for _, o := range m.Overrides {
		r.printf("override of the %s rule: %s\n", o.Rule, o.Reason)
	}
	for _, b := range m.Breaches {
		r.printf("  accepted breach (%s): %s\n", b.Rule, b.Message)
	}
}

func newMovementList() *cobra.Command {
	var status, transfer string
	cmd := &cobra.Command{
		Use:   "list [--status S] [--transfer ID]",
		Short: "List movements",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		if transfer != "" {
			q.Set("transfer", transfer)
		}
		var out struct {
			Movements []custody.MovementState `json:"movements"`
		}
		raw, err := r.list(cmd.Context(), "/movements", q, "movements", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		if len(out.Movements) == 0 {
			r.printf("no movements\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "TRANSFER", "FROM", "TO", "ESCORT", "MODE", "PERSONS", "DEPARTURE", "STATUS")
		for i := range out.Movements {
			m := &out.Movements[i]
			t.row(m.ID, m.Transfer, r.facility(m.From), r.facility(m.To), r.party(m.Escort), m.Mode, len(m.Manifest), when(m.PlannedDeparture), m.Status)
		}
		return t.flush()
	}
	cmd.Flags().StringVar(&status, "status", "", "only movements with this status: planned, departed, arrived, reconciled, cancelled")
	cmd.Flags().StringVar(&transfer, "transfer", "", "only the movements of this transfer (id)")
	return cmd
}

func newMovementShow() *cobra.Command {
	var manifest bool
	cmd := &cobra.Command{
		Use:   "show ID [--manifest]",
		Short: "Show a movement: vehicles, handovers, incidents",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var m custody.MovementState
		raw, err := r.get(cmd.Context(), "/movements/"+pathID(args[0]), nil, &m)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("movement %s of transfer %s: %s\n", m.ID, m.Transfer, movementLine(r, &m))
		if m.Conditions != "" {
			r.printf("conditions: %s\n", m.Conditions)
		}
		count := map[string]int{}
		for _, s := range m.Manifest {
			count[s.Vehicle]++
		}
		for _, v := range m.Vehicles {
			r.printf("vehicle %s (%s): %d of %d seats\n", v.ID, orDash(v.Kind), count[v.ID], v.Seats)
		}
		printBreaches(r, &m)
		for _, h := range []struct {
			stage string
			rec   *custody.HandoverRecord
		}{{"departure", m.Departure}, {"arrival", m.Arrival}} {
			if h.rec == nil {
				continue
			}
			r.printf("%s handover at %s, %s: %s (%s) to %s (%s), head count %d, %d not present (event %d)\n",
				h.stage, when(h.rec.At), h.rec.Place, h.rec.From.Name, r.party(h.rec.From.Party), h.rec.To.Name, r.party(h.rec.To.Party),
				h.rec.HeadCount, len(h.rec.NotPresent), h.rec.Event)
		}
		for _, id := range m.Incidents {
			r.printf("incident %s (see `handover incident show %s`)\n", id, id)
		}
		if !manifest {
			return nil
		}
		t, _, err := getTransfer(cmd.Context(), r, m.Transfer.String())
		if err != nil {
			return err
		}
		regNo := map[uuid.UUID]string{}
		for _, p := range t.People {
			regNo[p.Person] = p.RegNo
		}
		tb := newTable(r.stdout, "REG NO", "VEHICLE")
		for _, s := range m.Manifest {
			tb.row(regNo[s.Person], s.Vehicle)
		}
		return tb.flush()
	}
	cmd.Flags().BoolVar(&manifest, "manifest", false, "list the manifest, person by person")
	return cmd
}

func newMovementManifest() *cobra.Command {
	var (
		manifest, file string
		overrides      []string
	)
	cmd := &cobra.Command{
		Use:   "manifest ID --manifest-file FILE [--override RULE=REASON]...",
		Short: "Replace a planned movement's manifest",
		Long: `manifest replaces the manifest of a movement not yet departed, checked as at
planning: --manifest-file names one person a line followed by their vehicle (which
may be left out when the movement has a single vehicle).`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var body struct {
			api.Meta
			Manifest  []client.Seat              `json:"manifest"`
			Overrides []custody.ManifestOverride `json:"overrides,omitempty"`
		}
		ctx, at, version := r.writeCtx(cmd.Context()), r.stamp().OccurredAt, ""
		if file != "" {
			if err := onlyFile(cmd, "manifest-file", "override"); err != nil {
				return err
			}
			if err := fileBody(r, file, &body); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), body.Meta)
		} else {
			if err := required(cmd, "manifest-file"); err != nil {
				return err
			}
			// The manifest is checked against the vehicles read here: it replaces
			// that version of the movement only (If-Match), or is refused (412).
			m, v, err := r.c.MovementVersion(cmd.Context(), args[0])
			if err != nil {
				return r.explain(http.MethodGet, "/movements/"+pathID(args[0]), err)
			}
			version = v
			var ids []string
			for _, v := range m.Vehicles {
				ids = append(ids, v.ID)
			}
			if body.Manifest, err = readManifest(r, manifest, ids); err != nil {
				return err
			}
			if body.Overrides, err = parseOverrides(overrides); err != nil {
				return err
			}
		}
		set, _, rc, err := r.c.SetManifest(ctx, args[0], body.Manifest, body.Overrides, version, at)
		if err != nil {
			return r.explain(http.MethodPut, "/movements/"+pathID(args[0])+"/manifest", err)
		}
		if r.json {
			return r.printJSONValue(movementWritten{MovementState: *set, Receipt: rc.Receipt})
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("movement %s: new manifest: %s\n", set.ID, movementLine(r, set))
		printBreaches(r, set)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&manifest, "manifest-file", "", "the manifest: REGNO VEHICLE a line (VEHICLE may be left out with one vehicle); '-' reads standard input")
	f.StringArrayVar(&overrides, "override", nil, "accept the breaches of a rule: separation=REASON or capacity=REASON; repeat")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	return cmd
}

func newMovementCancel() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "cancel ID --reason TEXT",
		Short: "Cancel a planned movement",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "reason"); err != nil {
			return err
		}
		rc, err := r.c.CancelMovement(r.writeCtx(cmd.Context()), args[0], reason, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/movements/"+pathID(args[0])+"/cancellations", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		r.printf("movement %s cancelled: %s\n", args[0], reason)
		r.printReceipt(rc.Receipt, rc.Replayed)
		return nil
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}
