package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
)

// Bulky inputs of the client commands: a file of person references, a manifest,
// or a whole request body as JSON. "-" reads standard input.

func readInput(stdin io.Reader, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

// readLines reads a file of records, one a line, each split into fields; blank
// lines and text after '#' are skipped. It calls fn with each record's line number.
func readLines(stdin io.Reader, flag, path string, fn func(line int, fields []string) error) error {
	b, err := readInput(stdin, path)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		if fields := strings.Fields(text); len(fields) > 0 {
			if err := fn(n, fields); err != nil {
				return fmt.Errorf("%s %s, line %d: %w", flag, path, n, err)
			}
		}
	}
	return sc.Err()
}

// personRefs gathers the persons of --person (repeated) and --persons-file (one
// registration number or id a line).
func personRefs(stdin io.Reader, persons []string, file string) ([]string, error) {
	refs := append([]string(nil), persons...)
	if file == "" {
		return refs, nil
	}
	err := readLines(stdin, "--persons-file", file, func(_ int, f []string) error {
		if len(f) != 1 {
			return fmt.Errorf("give one registration number (or person id) a line; got %q", strings.Join(f, " "))
		}
		refs = append(refs, f[0])
		return nil
	})
	return refs, err
}

// fileBody reads a request body given whole with --file into body, a pointer
// to the typed request: the API's request body as JSON, decoded strictly (a
// field the request does not have, or anything after the object, is refused,
// naming the file).
func fileBody(r *remote, path string, body any) error {
	b, err := readInput(r.stdin, path)
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	if err := decodeStrict(b, body); err != nil {
		return fmt.Errorf("--file %s: not the API's request body: %v", path, err)
	}
	r.fromFile = true
	return nil
}

// decodeStrict decodes the one JSON value of b into v, refusing fields v does
// not have.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("more than one JSON value")
	}
	return nil
}

// fileWrite is the context and time of a write whose body came from --file:
// its occurred_at, or --at; its party, if it names one, is sent as the acting
// party (the server refuses it if it is not the user's).
func (r *remote) fileWrite(ctx context.Context, m api.Meta) (context.Context, time.Time) {
	ctx = r.writeCtx(ctx)
	if m.Party != "" {
		ctx = client.WithActingParty(ctx, m.Party)
	}
	if m.OccurredAt.IsZero() {
		return ctx, r.stamp().OccurredAt
	}
	return ctx, m.OccurredAt
}

// onlyFile refuses the flags of a body's fields beside --file, which gives the
// whole body.
func onlyFile(cmd *cobra.Command, fields ...string) error {
	for _, f := range fields {
		if cmd.Flags().Changed(f) {
			return fmt.Errorf("--file gives the whole request body: leave out --%s", f)
		}
	}
	return nil
}

// required refuses missing flags, naming them.
func required(cmd *cobra.Command, flags ...string) error {
	var missing []string
	for _, f := range flags {
		if v := cmd.Flags().Lookup(f); v == nil || !cmd.Flags().Changed(f) || strings.TrimSpace(v.Value.String()) == "" {
			missing = append(missing, "--"+f)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s is required (see --help)", missing[0])
	}
	return fmt.Errorf("%s are required (see --help)", strings.Join(missing, ", "))
}

// enumFlag is a string flag that accepts only the names given.
type enumFlag struct {
	v     *string
	names []string
}

func enumValue(v *string, names ...string) *enumFlag { return &enumFlag{v, names} }

func (e *enumFlag) String() string { return *e.v }
func (e *enumFlag) Type() string   { return "string" }
func (e *enumFlag) Set(s string) error {
	if !slices.Contains(e.names, s) {
		return fmt.Errorf("%q is not one of %s", s, joinNames(e.names))
	}
	*e.v = s
	return nil
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	s := ""
	for i, n := range names[:len(names)-1] {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s + " or " + names[len(names)-1]
}
