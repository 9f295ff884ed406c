package main

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/names"
)

func newDuplicates() *cobra.Command {
	var (
		threshold float64
		limit     int
		arabic    bool
	)
	cmd := &cobra.Command{
		Use:   "duplicates [--threshold S] [--limit N]",
		Short: "List pairs of registrations likely to be one person, with the reasons, from a running server",
		Long: `duplicates lists the pairs of persons one may see whose records score at least
the threshold as one person (names in either script and any spelling, date of
birth at its precision, sex, nationality, parents' names, place of origin), best
first, each with the explanation of its score. A pair is only a candidate: a
registrar confirms it or not; nothing is merged.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover duplicates
  handover duplicates --threshold 0.9 --limit 20 --arabic`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if threshold < 0 || threshold > 1 {
			return fmt.Errorf("--threshold must be between 0 and 1; got %v", threshold)
		}
		if limit < 1 || limit > 1000 {
			return fmt.Errorf("--limit must be between 1 and 1000; got %d", limit)
		}
		q := url.Values{"threshold": {strconv.FormatFloat(threshold, 'f', -1, 64)}, "limit": {strconv.Itoa(limit)}}
		var out struct {
			Pairs []struct {
				A, B    custody.PersonState
				Score   float64 `json:"score"`
				English string  `json:"english"`
				Arabic  string  `json:"arabic"`
			} `json:"pairs"`
		}
		raw, err := r.get(cmd.Context(), "/duplicates", q, &out)
		if err != nil {
			return err
		}
		if r.json {
			return r.printJSON(raw)
		}
		if len(out.Pairs) == 0 {
			r.printf("no likely duplicates at %.2f\n", threshold)
			return nil
		}
		for _, p := range out.Pairs {
			why := p.English
			if arabic {
				why = p.Arabic
			}
			r.printf("%.2f  %s %s  ~  %s %s\n      %s\n", p.Score, p.A.Record.RegNo, latinName(&p.A.Record), p.B.Record.RegNo, latinName(&p.B.Record), why)
		}
		return nil
	}
	f := cmd.Flags()
	f.Float64Var(&threshold, "threshold", names.Threshold, "least score of a pair, 0 to 1")
	f.IntVar(&limit, "limit", 100, "list at most this many pairs")
	f.BoolVar(&arabic, "arabic", false, "explain in Arabic")
	return cmd
}
