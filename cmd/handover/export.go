package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"
)

func newExport() *cobra.Command {
	var (
		format, facility, nationality, category, status, flag, out string
		recipients                                                 []string
	)
	cmd := &cobra.Command{
		Use:   "export [--format csv|jsonl] [--facility F] … [--recipient age1…]… [--out FILE]",
		Short: "Download the persons you may see as CSV (HXL) or JSON lines, encrypted with age, from a running server",
		Long: `export writes the records of the persons your account may see — as the server's
access rules decide — as CSV tagged with HXL hashtags (docs/bulk.md; import reads it
back) or as JSON lines, one whole record a line. Each export is in the audit log.

These are the records of people in danger if they leak: give --recipient with the
age public key (age1…) of everyone who should read the file, and only they can. A
file is written with mode 0600.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover export --facility HOL --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p --out hol.csv.age
  age -d -i icrc.key hol.csv.age > hol.csv
  handover export --format jsonl --nationality FRA > fra.jsonl`,
		Args: cobra.NoArgs,
	}
	r := clientFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&format, "format", "csv", "csv or jsonl")
	f.StringVar(&facility, "facility", "", "only the persons at this facility (code or id)")
	f.StringVar(&nationality, "nationality", "", "only this nationality (ISO 3166-1 alpha-3)")
	f.StringVar(&category, "category", "", "only this category")
	f.StringVar(&status, "status", "", "only this custody status")
	f.StringVar(&flag, "flag", "", "only the persons this flag stands on")
	f.StringArrayVar(&recipients, "recipient", nil, "encrypt to this age recipient (age1…); repeat for several")
	f.StringVarP(&out, "out", "o", "", "write to this file (mode 0600) instead of standard output")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if format != "csv" && format != "jsonl" {
			return fmt.Errorf("--format: csv or jsonl; got %q", format)
		}
		q := url.Values{"format": {format}}
		for k, v := range map[string]string{"facility": facility, "nationality": nationality, "category": category, "status": status, "flag": flag} {
			if v != "" {
				q.Set(k, v)
			}
		}
		for _, rc := range recipients {
			q.Add("recipient", rc)
		}
		raw, err := r.get(cmd.Context(), "/exports/persons", q, nil)
		if err != nil {
			return err
		}
		n := bytes.Count(raw, []byte("\n"))
		if format == "csv" {
			n -= 2 // the headers and the hashtags
		}
		what := fmt.Sprintf("%d persons", n)
		if len(recipients) > 0 {
			what = fmt.Sprintf("the persons, encrypted to %d recipients", len(recipients))
		}
		if out == "" {
			if _, err := r.stdout.Write(raw); err != nil {
				return err
			}
		} else if err := os.WriteFile(out, raw, 0o600); err != nil {
			return err
		}
		note := ""
		if len(recipients) == 0 {
			note = " (not encrypted: give --recipient age1… to encrypt)"
		}
		dest := out
		if dest == "" {
			dest = "standard output"
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "exported %s to %s%s\n", what, dest, note)
		return nil
	}
	return cmd
}
