package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/bulk"
	"github.com/handover-project/handover/client"
)

func newImport() *cobra.Command {
	var (
		facility, format, reason string
		dryRun, ignoreUnknown, q bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE --facility CODE [--format csv|jsonl] [--dry-run]",
		Short: "Register and admit the persons of a CSV (HXL) or JSON lines file, all or none, through a running server",
		Long: `import registers every person of FILE at one facility and admits them there, in one
ledger command: all of them, or — if any row is wrong — none. The server checks the
whole file first and the command prints every problem: line, column, hashtag, field
and what is wrong, so that the file can be fixed at once.

FILE is CSV tagged with HXL hashtags (a row of tags like "#person +name", "#date
+birth" above the data; docs/bulk.md lists them) or JSON lines of person objects, as
the API takes them; "-" reads standard input. The format comes from the file's name
(.csv, .jsonl, .ndjson) unless --format says it.

Running the same import again is safe: its idempotency key is made from the file and
the facility, so a second run is answered with the first run's outcome and registers
nobody twice (give --idempotency-key to choose another). Without --at, the server
records the time it registers them.

It talks to a running server (--server, default $` + ServerEnv + ` or ` + defaultServerURL + `).`,
		Example: `  handover import camp-registry.csv --facility HOL --dry-run
  handover import camp-registry.csv --facility HOL
  handover export --facility HOL --format jsonl | handover import - --format jsonl --facility NCI`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&facility, "facility", "", "the facility (code or id) where the persons are registered and admitted (required)")
	f.StringVar(&format, "format", "", "csv or jsonl (default: from FILE's extension)")
	f.BoolVar(&dryRun, "dry-run", false, "check the file and print its problems; register nobody")
	f.BoolVar(&ignoreUnknown, "ignore-unknown", false, "skip CSV columns whose hashtag maps to no field, instead of refusing the file")
	f.BoolVarP(&q, "quiet", "q", false, "print only the registration numbers, one a line")
	f.StringVar(&reason, "duplicate-reason", "", "register the rows that registered persons are likely to be (listed by --dry-run) all the same, for this reason (recorded in their events)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if facility == "" {
			return errors.New("--facility is required: the facility where the persons are registered")
		}
		body, err := readInput(cmd.InOrStdin(), args[0])
		if err != nil {
			return err
		}
		if format == "" {
			format = formatOf(args[0])
		}
		if format != "csv" && format != "jsonl" {
			return fmt.Errorf("--format: say csv or jsonl (the file's name does not say which); got %q", format)
		}
		req := client.ImportRequest{Facility: facility, Format: format, File: body, DryRun: dryRun, IgnoreUnknown: ignoreUnknown, DuplicateReason: reason}
		if cmd.Flags().Changed("at") {
			req.At = r.stamp().OccurredAt
		}
		if !cmd.Flags().Changed("idempotency-key") {
			r.idemKey = req.Key()
		}
		if quiet, _ := cmd.Flags().GetBool("quiet"); len(body) > 1<<20 && !r.json && !quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "sending %s (%d KiB) to %s; the server checks and records it in one step…\n", args[0], len(body)>>10, r.server)
		}
		out, err := r.c.Import(r.writeCtx(cmd.Context()), req)
		if err != nil {
			return importProblems(cmd.ErrOrStderr(), r.explain(http.MethodPost, "/imports", err))
		}
		switch {
		case r.json:
			var rc *api.Receipt
			if out.Receipt != nil {
				rc = &out.Receipt.Receipt
			}
			return r.printJSONValue(struct {
				Report  bulk.Report    `json:"report"`
				Persons []api.Imported `json:"persons,omitempty"`
				Receipt *api.Receipt   `json:"receipt,omitempty"`
			}{out.Report, out.Persons, rc})
		case dryRun && len(out.Report.Duplicates) > 0:
			for _, d := range out.Report.Duplicates {
				r.printf("  %s\n", d)
			}
			r.printf("%s: %d rows, no problem but %d likely registered already (pass them with --duplicate-reason, or remove them); nothing was registered (--dry-run)\n",
				args[0], out.Report.Rows, len(out.Report.Duplicates))
			return nil
		case dryRun:
			r.printf("%s: %d rows, no problem; nothing was registered (--dry-run)\n", args[0], out.Report.Rows)
			return nil
		}
		if qflag, _ := cmd.Flags().GetBool("quiet"); qflag {
			for _, p := range out.Persons {
				r.printf("%s\n", p.RegNo)
			}
			return nil
		}
		if n := len(out.Persons); n > 0 {
			r.printf("registered %d persons at %s: %s … %s\n", n, facility, out.Persons[0].RegNo, out.Persons[n-1].RegNo)
		}
		if out.Receipt != nil {
			r.printReceipt(out.Receipt.Receipt, out.Receipt.Replayed)
		}
		return nil
	}
	return cmd
}

func formatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	}
	return ""
}

// importProblems prints every problem of a refused file, one a line, before the
// error that ends the command.
func importProblems(w io.Writer, err error) error {
	rep := client.ImportReport(err)
	if rep == nil || len(rep.Problems)+len(rep.Duplicates) == 0 {
		return err
	}
	var b bytes.Buffer
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	for _, d := range rep.Duplicates {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	io.Copy(w, &b)
	var ex exitError
	if errors.As(err, &ex) && len(rep.Problems) == 0 {
		return exitError{ex.code, fmt.Errorf("%d of %d rows are likely persons already registered: nothing was registered; pass them with --duplicate-reason, or remove them",
			len(rep.Duplicates), rep.Rows)}
	}
	if errors.As(err, &ex) {
		return exitError{ex.code, fmt.Errorf("%d problems in %d rows: nothing was registered", len(rep.Problems), rep.Rows)}
	}
	return err
}
