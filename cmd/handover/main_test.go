package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir) // never returns
	}
	if args := os.Getenv(runChildEnv); args != "" {
		os.Exit(runChild(args))
	}
	testscript.Main(closingShared{m}, map[string]func(){
		"handover": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// closingShared runs the tests, then closes what they shared (sharedWeb).
type closingShared struct{ m *testing.M }

func (c closingShared) Run() int {
	code := c.m.Run()
	closeShared()
	return code
}

// TestScripts runs the command-line scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"edit":    cmdEdit,
		"mode":    cmdMode,
		"grabenv": cmdGrabenv,
	}})
}

// cmdEdit replaces the first OLD in FILE with NEW: edit FILE OLD NEW.
func cmdEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: edit FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(b), args[1]) {
		ts.Fatalf("%s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(path, []byte(strings.Replace(string(b), args[1], args[2], 1)), 0o644))
}

// cmdMode checks a file's permission bits: mode FILE 0600.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode FILE PERM")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := uint64(fi.Mode().Perm()); (got == want) == neg {
		ts.Fatalf("%s has mode %04o", args[0], got)
	}
}

// cmdGrabenv sets VAR to the first group of REGEXP in FILE: grabenv VAR REGEXP FILE.
func cmdGrabenv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: grabenv VAR REGEXP FILE")
	}
	b, err := os.ReadFile(ts.MkAbs(args[2]))
	ts.Check(err)
	m := regexp.MustCompile(args[1]).FindSubmatch(b)
	if len(m) < 2 {
		ts.Fatalf("%s: no match for %s", args[2], args[1])
	}
	ts.Setenv(args[0], string(m[1]))
}
