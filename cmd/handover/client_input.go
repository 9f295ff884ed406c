package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
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

// fileBody reads a request body given whole with --file: a JSON object, to which
// the time and actor of the command are added when it has none.
func fileBody(r *remote, path string) (json.RawMessage, error) {
	b, err := readInput(r.stdin, path)
	if err != nil {
		return nil, fmt.Errorf("--file: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("--file %s: not a JSON object (the API's request body): %v", path, err)
	}
	if _, ok := obj["occurred_at"]; !ok {
		obj["occurred_at"], _ = json.Marshal(r.at)
	}
	if _, ok := obj["actor"]; !ok {
		obj["actor"], _ = json.Marshal(r.actor)
	}
	r.fromFile = true
	return json.Marshal(obj)
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
