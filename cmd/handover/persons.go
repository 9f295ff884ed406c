package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

func newPersons() *cobra.Command {
	var (
		flag, facility, nationality, category, status, name string
		limit                                               int
		quiet, free                                         bool
	)
	cmd := &cobra.Command{
		Use:   "persons [--flag F] [--facility F] [--nationality N] [--category C] [--status S] [--name TEXT]",
		Short: "List persons, by flag, facility, nationality…, from a running server",
		Long: `persons lists the persons the filters select, in registration order, as a table
or, with --quiet, as registration numbers one a line (a --persons-file for the
transfer and movement commands). --free keeps only those on no open transfer: the
candidates for the next one.

Flags (docs/standards.md §J): ` + strings.Join(flagNames(), ", ") + `.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover persons --flag safeguard_overridden
  handover persons --flag notification_overdue --facility NCI
  handover persons --facility HSK --status held --free --limit 150 --quiet > batch5.txt
  handover persons --name "abdullah jubaylawi"
  handover persons --name "سامي البشقلي"`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if limit < 0 {
			return fmt.Errorf("--limit must be 0 (all) or more; got %d", limit)
		}
		q := url.Values{}
		for k, v := range map[string]string{"flag": flag, "facility": facility, "nationality": nationality, "category": category, "status": status, "name": name} {
			if v != "" {
				q.Set(k, v)
			}
		}
		var persons []custody.PersonState
		var raws []json.RawMessage
		why := map[uuid.UUID]nameMatch{}
		for {
			size := 500
			if limit > 0 && !free {
				size = min(size, limit-len(persons))
			}
			q.Set("limit", strconv.Itoa(size))
			var page struct {
				Persons []json.RawMessage `json:"persons"`
				Next    string            `json:"next"`
				Matches []nameMatch       `json:"matches"`
			}
			if _, err := r.get(cmd.Context(), "/persons", q, &page); err != nil {
				return err
			}
			for _, m := range page.Matches {
				why[m.ID] = m
			}
			for _, raw := range page.Persons {
				var p custody.PersonState
				if err := json.Unmarshal(raw, &p); err != nil {
					return err
				}
				if free && p.Custody.Transfer != uuid.Nil {
					continue
				}
				if limit > 0 && len(persons) == limit {
					break
				}
				persons, raws = append(persons, p), append(raws, raw)
			}
			if page.Next == "" || limit > 0 && len(persons) >= limit {
				break
			}
			q.Set("after", page.Next)
		}
		if r.json {
			out := map[string]any{"persons": raws}
			if len(why) > 0 {
				var ms []nameMatch
				for _, p := range persons {
					ms = append(ms, why[p.Record.ID])
				}
				out["matches"] = ms
			}
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			return r.printJSON(b)
		}
		if quiet {
			for _, p := range persons {
				r.printf("%s\n", p.Record.RegNo)
			}
			return nil
		}
		if len(persons) == 0 {
			r.printf("no persons\n")
			return nil
		}
		if err := r.lookup(cmd.Context()); err != nil {
			return err
		}
		t := newTable(r.stdout, "REG NO", "NAME", "SEX", "BORN", "NATIONALITY", "CATEGORY", "STATUS", "WHERE", "TRANSFER", "HOUSEHOLD", "FLAGS")
		for _, p := range persons {
			c := &p.Custody
			where := r.facility(c.Facility)
			if c.Movement != uuid.Nil {
				where = "movement " + c.Movement.String()
			}
			var fl []string
			for _, f := range c.Flags {
				fl = append(fl, string(f))
			}
			t.row(p.Record.RegNo, latinName(&p.Record), p.Record.Sex, orDash(p.Record.Birth.Date), strings.Join(p.Record.Nationalities, ","),
				p.Record.Category, c.Status, where, orNil(c.Transfer), household(p.Record.Household), orDash(strings.Join(fl, ",")))
		}
		if err := t.flush(); err != nil {
			return err
		}
		if len(why) > 0 {
			r.printf("\nwhy (ranked by score, best first):\n")
			for _, p := range persons {
				r.printf("  %s  %s\n", p.Record.RegNo, why[p.Record.ID].English)
			}
		}
		if limit > 0 && len(persons) == limit {
			r.printf("(the first %d; --limit 0 lists all)\n", limit)
		}
		return nil
	}
	f := cmd.Flags()
	f.Var(enumValue(&flag, flagNames()...), "flag", "only the persons this flag stands on")
	f.StringVar(&facility, "facility", "", "only the persons at this facility (code or id)")
	f.StringVar(&nationality, "nationality", "", "only the persons of this nationality (ISO 3166-1 alpha-3)")
	f.StringVar(&category, "category", "", "only the persons of this category (detainee, family_member, minor…)")
	f.StringVar(&status, "status", "", "only the persons with this custody status (held, in_transit…)")
	f.StringVar(&name, "name", "", "the persons whose names match this one, in either script, any spelling or order, ranked by score with the reason; or a registration number or identifier")
	f.IntVar(&limit, "limit", 50, "list at most this many (0: all)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the registration numbers, one a line")
	f.BoolVar(&free, "free", false, "only the persons on no open transfer")
	return cmd
}

func flagNames() []string {
	s := make([]string, len(custody.ComputedFlags))
	for i, f := range custody.ComputedFlags {
		s[i] = string(f)
	}
	return s
}

// latinName is a person's first primary name in Latin script, or their first name.
func latinName(p *custody.Person) string {
	for _, n := range p.Names {
		if n.Script == custody.Latin && n.Kind == custody.PrimaryName {
			return n.Text
		}
	}
	if len(p.Names) > 0 {
		return p.Names[0].Text
	}
	return "-"
}

// household is a short handle of a household id: its last 8 hex digits, which
// are random in the UUIDv7s households get.
func household(id uuid.UUID) string {
	if id == uuid.Nil {
		return "-"
	}
	s := id.String()
	return s[len(s)-8:]
}

// nameMatch is why the server found a person by name.
type nameMatch struct {
	ID      uuid.UUID `json:"id"`
	Score   float64   `json:"score"`
	English string    `json:"english"`
	Arabic  string    `json:"arabic"`
}
