package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The README's shell examples are run by TestReadme, so that they cannot drift
// from the command. Every ```sh block of README.md is marked, on the line
// before it, either
//
//	<!-- readme-test -->              run it, against a served demo
//	<!-- readme-test: skip REASON --> not run (it builds, installs or needs another machine)
//
// and an unmarked block fails the test. A run block is a POSIX shell script run
// with `sh -eu` in a directory where `handover demo` has made
// ./handover-data and serves it at $HANDOVER_SERVER. Lines
// "#> TEXT" after a command are its expected output (stdout and stderr; "…"
// stands for anything; a line wrapped over several "#>" lines is one line),
// and a final "(exit N)" its expected exit status; a command without them must
// succeed. The blocks run in the README's order, on the same ledger.

const readmeRun, readmeSkip = "<!-- readme-test -->", "<!-- readme-test: skip "

// readmeBlock is a ```sh block of the README.
type readmeBlock struct {
	line int // of the opening fence, 1-based
	run  bool
	text string
}

// readmeBlocks extracts the ```sh blocks of a README and their markers.
func readmeBlocks(readme string) ([]readmeBlock, error) {
	lines := strings.Split(readme, "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		b := readmeBlock{line: i + 1}
		prev := ""
		if i > 0 {
			prev = strings.TrimSpace(lines[i-1])
		}
		switch {
		case prev == readmeRun:
			b.run = true
		case strings.HasPrefix(prev, readmeSkip) && strings.HasSuffix(prev, "-->") && len(prev) > len(readmeSkip)+4:
		default:
			return nil, fmt.Errorf("README.md:%d: a ```sh block without %s or %sREASON --> on the line before it", i+1, readmeRun, readmeSkip)
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("README.md:%d: the block is not closed", b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks, nil
}

var exitNote = regexp.MustCompile(`\s*\(exit (\d+)\)\s*$`)

// shellScript turns a run block into the script that runs it: each command
// with expected output runs with its output kept in .readme-out, and its exit
// status and output are checked.
func shellScript(b readmeBlock) string {
	var out strings.Builder
	out.WriteString("set -eu\n")
	var cmd, want []string
	flush := func() {
		if len(cmd) == 0 {
			return
		}
		c := strings.Join(cmd, "\n")
		cmd = nil
		if len(want) == 0 {
			fmt.Fprintf(&out, "%s\n", c)
			return
		}
		text := strings.Join(want, " ")
		want = nil
		code := 0
		if m := exitNote.FindStringSubmatch(text); m != nil {
			code, _ = strconv.Atoi(m[1])
			text = text[:len(text)-len(m[0])]
		}
		fmt.Fprintf(&out, "set +e\n{ %s\n} >.readme-out 2>&1\nrc=$?\nset -e\ncat .readme-out\n", c)
		fmt.Fprintf(&out, "if [ $rc -ne %d ]; then echo \"README.md:%d: exit $rc, want %d\"; exit 1; fi\n", code, b.line, code)
		fmt.Fprintf(&out, "if ! tr -s ' \\n' '  ' <.readme-out | grep -Eq -- %s; then echo \"README.md:%d: output does not match %s\"; exit 1; fi\n",
			shellQuote(outputPattern(text)), b.line, shellQuote(text))
	}
	cont := false
	for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case cont:
			cmd = append(cmd, l)
		case strings.HasPrefix(t, "#>"):
			want = append(want, strings.TrimSpace(strings.TrimPrefix(t, "#>")))
			continue
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		default:
			flush()
			cmd = append(cmd, l)
		}
		cont = strings.HasSuffix(t, "\\")
	}
	flush()
	return out.String()
}

// outputPattern is an extended regular expression for an expected output: its
// text, "…" for anything, any run of spaces for any run of spaces.
func outputPattern(text string) string {
	parts := strings.Split(strings.Join(strings.Fields(text), " "), "…")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", "[[:space:]]+")
	}
	return strings.Join(parts, ".*")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestReadmeBlocks: every ```sh block of the README is marked, and the run ones
// are there.
func TestReadmeBlocks(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(b))
	if err != nil {
		t.Fatal(err)
	}
	run := 0
	for _, b := range blocks {
		if b.run {
			run++
		}
	}
	if run < 2 {
		t.Errorf("%d README blocks are run; want the demo's and the field flow's at least", run)
	}
	if _, err := readmeBlocks("text\n```sh\nhandover --help\n```\n"); err == nil {
		t.Error("an unmarked block was accepted")
	}
	s := shellScript(readmeBlock{line: 7, run: true, text: "X=$(a \\\n  b)\n# a comment\nc --flag\n#> handover: no … here\n#>   at all (exit 1)\n"})
	for _, want := range []string{"X=$(a \\\n  b)\n", "{ c --flag\n}", "-ne 1 ]", `'handover:[[:space:]]+no[[:space:]]+.*[[:space:]]+here[[:space:]]+at[[:space:]]+all'`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}

// cmdWaitDemo waits until the demo, which loads before it serves, answers
// /healthz at $HANDOVER_SERVER: waitdemo. The deadline is generous: the load
// takes seconds on a quiet machine and many more on a shared one.
func cmdWaitDemo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: waitdemo")
	}
	url := ts.Getenv(ServerEnv) + "/healthz"
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("the demo at %s did not come up: %v", url, err)
		}
	}
}

// TestReadme runs the README's marked blocks against a served demo.
func TestReadme(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	// The README's examples call curl and jq, as a reader's shell would. Without
	// them, say so plainly: CI (.ci/run installs both) fails, elsewhere the test
	// is skipped rather than failing on "command not found".
	for _, tool := range []string{"curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the README's examples need %s: install it", tool)
			}
			t.Skipf("the README's examples need %s, which is not installed (apt-get install curl jq)", tool)
		}
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(b))
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("# The README's examples against a served demo (generated by TestReadme).\n")
	// The demo as a reader starts it: loaded, then served with its witness.
	script.WriteString("! exec handover demo --listen $LISTEN &server&\n") // stopped at the end
	script.WriteString("waitdemo\n")
	var files strings.Builder
	for i, b := range blocks {
		if !b.run {
			continue
		}
		name := fmt.Sprintf("readme-%d.sh", b.line)
		fmt.Fprintf(&script, "\n# README.md:%d\nexec sh %s\n", b.line, name)
		fmt.Fprintf(&files, "-- %s --\n# README.md:%d (block %d)\n%s", name, b.line, i+1, shellScript(b))
	}
	script.WriteString("\n# The ledger the examples wrote through the server verifies.\nkill server\nwait server\nexec handover verify\nstdout '^ok: '\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), []byte(script.String()+files.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			listen := freeAddr(env.T())
			env.Setenv("LISTEN", listen)
			env.Setenv(ServerEnv, "http://"+listen)
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"waitdemo": cmdWaitDemo},
	})
}
