package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newIncident() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Incidents: report, list, show, resolve, on a running server",
		Long: `An incident is something that went wrong on a movement, at a facility or to persons:
a discrepancy, escape, death, serious injury, medical emergency, use of force,
breakout attempt or vehicle failure. A discrepancy (a person not where the record
says) is a disappearance alert until each of its persons is accounted for — found
at a facility, escaped or died; it is never just closed. Other incidents are closed
with a note. ` + "`handover alerts`" + ` lists the persons unaccounted for.

These commands talk to a running server (--server, default $` + ServerEnv + ` or
` + defaultServerURL + `).`,
	}
	cmd.AddCommand(newIncidentOpen(), newIncidentList(), newIncidentShow(), newIncidentResolve())
	return cmd
}

func incidentTypes() []string {
	s := make([]string, len(custody.IncidentTypes))
	for i, t := range custody.IncidentTypes {
		s[i] = string(t)
	}
	return s
}

// incidentWritten is the answer to an incident's report.
type incidentWritten struct {
	custody.IncidentState
	Receipt api.Receipt `json:"receipt"`
}

func newIncidentOpen() *cobra.Command {
	var (
		typ, movement, facility, description, personsFile, file string
		persons                                                 []string
		quiet                                                   bool
	)
	cmd := &cobra.Command{
		Use:   "open --type TYPE --description TEXT [--movement ID] [--facility F] [--person REF]...",
		Short: "Report an incident",
		Example: `  handover incident open --type vehicle_failure --movement $M \
      --description 'BUS-2 broke down 40 km south of Hasakah; persons moved to BUS-1'`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var body struct {
			api.Meta
			Incident client.NewIncident `json:"incident"`
		}
		ctx, at := r.writeCtx(cmd.Context()), r.stamp().OccurredAt
		if file != "" {
			if err := onlyFile(cmd, "type", "movement", "facility", "description", "person", "persons-file"); err != nil {
				return err
			}
			if err := fileBody(r, file, &body); err != nil {
				return err
			}
			ctx, at = r.fileWrite(cmd.Context(), body.Meta)
		} else {
			if err := required(cmd, "type", "description"); err != nil {
				return err
			}
			refs, err := personRefs(r.stdin, persons, personsFile)
			if err != nil {
				return err
			}
			body.Incident = client.NewIncident{Type: custody.IncidentType(typ), Movement: movement, Facility: facility, Persons: refs, Description: description}
		}
		in, rc, err := r.c.OpenIncident(ctx, body.Incident, at)
		if err != nil {
			return r.explain(http.MethodPost, "/incidents", err)
		}
		out, replayed := incidentWritten{IncidentState: *in, Receipt: rc.Receipt}, rc.Replayed
		if r.json {
			return r.printJSONValue(out)
		}
		if quiet {
			return printCreated(r, nil, quiet, out.ID)
		}
		r.printf("incident %s opened (%s): %s\n", out.ID, out.Type, out.Description)
		if out.Alert() {
			r.printf("a disappearance alert until each of its persons (%d) is accounted for\n", len(out.Persons))
		}
		r.printReceipt(out.Receipt, replayed)
		return nil
	}
	f := cmd.Flags()
	f.Var(enumValue(&typ, incidentTypes()...), "type", "the incident's type: "+joinNames(incidentTypes()))
	f.StringVar(&movement, "movement", "", "the movement it happened on (id)")
	f.StringVar(&facility, "facility", "", "the facility it happened at (code or id)")
	f.StringVar(&description, "description", "", "what happened")
	f.StringArrayVar(&persons, "person", nil, "a person it concerns (registration number or id); repeat")
	f.StringVar(&personsFile, "persons-file", "", "a file of the persons it concerns, one a line ('-' reads standard input)")
	f.StringVar(&file, "file", "", "the request body as JSON, instead of the flags ('-' reads standard input)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the new incident's id")
	return cmd
}

func newIncidentList() *cobra.Command {
	var open, resolved bool
	var typ, movement string
	cmd := &cobra.Command{
		Use:   "list [--open|--resolved] [--type T] [--movement ID]",
		Short: "List incidents",
		Args:  cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q := url.Values{}
		switch {
		case open && resolved:
			return fmt.Errorf("give --open or --resolved, not both")
		case open:
			q.Set("open", "true")
		case resolved:
			q.Set("open", "false")
		}
		if typ != "" {
			q.Set("type", typ)
		}
		if movement != "" {
			q.Set("movement", movement)
		}
		var out struct {
			Incidents []custody.IncidentState `json:"incidents"`
		}
		raw, err := r.list(cmd.Context(), "/incidents", q, "incidents", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if len(out.Incidents) == 0 {
			r.printf("no incidents\n")
			return nil
		}
		t := newTable(r.stdout, "ID", "TYPE", "OPENED", "PERSONS", "UNACCOUNTED", "STATE", "DESCRIPTION")
		for i := range out.Incidents {
			in := &out.Incidents[i]
			t.row(in.ID, in.Type, in.Opened, len(in.Persons), len(in.Unresolved()), incidentState(in), in.Description)
		}
		return t.flush()
	}
	f := cmd.Flags()
	f.BoolVar(&open, "open", false, "only open incidents")
	f.BoolVar(&resolved, "resolved", false, "only resolved incidents")
	f.Var(enumValue(&typ, incidentTypes()...), "type", "only incidents of this type")
	f.StringVar(&movement, "movement", "", "only the incidents of this movement (id)")
	return cmd
}

func incidentState(in *custody.IncidentState) string {
	switch {
	case in.Alert():
		return "ALERT"
	case in.Open:
		return "open"
	}
	return "resolved"
}

func newIncidentShow() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an incident and how each of its persons was accounted for",
		Args:  cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var in custody.IncidentState
		raw, err := r.get(cmd.Context(), "/incidents/"+pathID(args[0]), nil, &in)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		r.printf("incident %s (%s), %s, reported by %s at event %d\n", in.ID, in.Type, incidentState(&in), r.party(in.Party), in.Opened)
		r.printf("%s\n", in.Description)
		if in.Movement != uuid.Nil {
			r.printf("movement %s\n", in.Movement)
		}
		if in.Facility != uuid.Nil {
			r.printf("facility %s\n", r.facility(in.Facility))
		}
		if in.Closed != nil {
			r.printf("closed at event %d: %s\n", in.Closed.Event, in.Closed.Note)
		}
		if len(in.Persons) == 0 {
			return nil
		}
		t := newTable(r.stdout, "PERSON", "REG NO", "ACCOUNTED FOR", "EVENT", "NOTE")
		for _, id := range in.Persons {
			var p custody.PersonState
			if _, err := r.get(cmd.Context(), "/persons/"+id.String(), nil, &p); err != nil {
				return err
			}
			res, ok := in.Resolved[id.String()]
			if !ok {
				t.row(id, p.Record.RegNo, "NO: "+describeCustody(r, &p.Custody), "-", "-")
				continue
			}
			t.row(id, p.Record.RegNo, res.Resolution, res.Event, orDash(res.Note))
		}
		return t.flush()
	}
	return cmd
}

// describeCustody words where the record has a person: "in_transit on movement …".
func describeCustody(r *remote, c *custody.Custody) string {
	s := string(c.Status) + " (" + r.party(c.Custodian)
	switch {
	case c.Movement != uuid.Nil:
		s += ", movement " + c.Movement.String()
	case c.Facility != uuid.Nil:
		s += ", " + r.facility(c.Facility)
	}
	return s + ", since " + when(c.Since) + ")"
}

func newIncidentResolve() *cobra.Command {
	var person, resolution, facility, cause, note string
	cmd := &cobra.Command{
		Use:   "resolve ID [--person REF] --resolution found|escaped|died|closed [--facility F] [--cause C] [--note N]",
		Short: "Account for a person of an incident, or close an incident",
		Long: `resolve accounts for one person (--person) of an incident: found (at --facility,
where they are admitted), escaped, or died (--cause). The matching custody event is
recorded with the resolution. An incident that is not a discrepancy is closed as a
whole with --resolution closed and no --person; a discrepancy is never just closed.`,
		Example: `  handover alerts
  handover incident resolve $INCIDENT --person RIV-000042 --resolution found --facility CCI \
      --note 'found in the Central Correctional Institution infirmary, admitted on arrival by error'`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := required(cmd, "resolution"); err != nil {
			return err
		}
		if resolution == string(custody.Found) && facility == "" {
			return fmt.Errorf("--facility is required with --resolution found: where the person was found")
		}
		rc, err := r.c.ResolveIncident(r.writeCtx(cmd.Context()), args[0], client.Resolution{Person: person, Resolution: custody.Resolution(resolution),
			Facility: facility, Cause: cause, Note: note}, r.stamp().OccurredAt)
		if err != nil {
			return r.explain(http.MethodPost, "/incidents/"+pathID(args[0])+"/resolutions", err)
		}
		if r.json {
			return r.printJSONValue(rc.Receipt)
		}
		who := "incident " + args[0]
		if person != "" {
			who = person + " of incident " + args[0]
		}
		r.printf("%s: %s\n", who, resolution)
		r.printReceipt(rc.Receipt, rc.Replayed)
		var in custody.IncidentState
		if _, err := r.get(cmd.Context(), "/incidents/"+pathID(args[0]), nil, &in); err != nil {
			return err
		}
		if n := len(in.Unresolved()); in.Alert() {
			r.printf("incident %s is still a disappearance alert: %s unaccounted for\n", in.ID, plural(n, "person"))
		} else {
			r.printf("incident %s: %s\n", in.ID, incidentState(&in))
		}
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&person, "person", "", "the person accounted for (registration number or id); leave out to close a non-discrepancy incident")
	f.Var(enumValue(&resolution, "found", "escaped", "died", "closed"), "resolution", "found, escaped, died, or closed (not for a discrepancy)")
	f.StringVar(&facility, "facility", "", "where the person was found (code or id)")
	f.StringVar(&cause, "cause", "", "the cause of a death")
	f.StringVar(&note, "note", "", "the circumstances")
	return cmd
}

func newAlerts() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Open disappearance alerts: persons unaccounted for, on a running server",
		Long: `alerts lists each discrepancy incident whose persons are not all accounted for,
with each such person's registration number and where the record last had them.
Account for a person with ` + "`handover incident resolve`" + `.`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var out struct {
			Alerts []api.Alert `json:"alerts"`
		}
		raw, err := r.list(cmd.Context(), "/alerts", nil, "alerts", &out)
		if err != nil || r.json {
			return orJSON(r, raw, err)
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		if len(out.Alerts) == 0 {
			r.printf("no open disappearance alerts\n")
			return nil
		}
		sort.SliceStable(out.Alerts, func(i, j int) bool { return out.Alerts[i].Opened < out.Alerts[j].Opened })
		n := 0
		for _, a := range out.Alerts {
			n += len(a.Persons)
		}
		r.printf("%s, %s unaccounted for\n", plural(len(out.Alerts), "open disappearance alert"), plural(n, "person"))
		for _, a := range out.Alerts {
			where := []string{fmt.Sprintf("opened at event %d", a.Opened)}
			if a.Movement != uuid.Nil {
				where = append(where, "movement "+a.Movement.String())
			}
			if a.Facility != uuid.Nil {
				where = append(where, "facility "+r.facility(a.Facility))
			}
			r.printf("\nincident %s (%s): %s\n", a.Incident, strings.Join(where, ", "), a.Description)
			t := newTable(r.stdout, "  REG NO", "PERSON", "LAST STATUS", "SINCE")
			for _, p := range a.Persons {
				t.row("  "+p.RegNo, p.Person, p.Status, when(p.Since))
			}
			if err := t.flush(); err != nil {
				return err
			}
		}
		return nil
	}
	return cmd
}
