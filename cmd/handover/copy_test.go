package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
)

// copyState is what a target database holds: its events and whether a copy's
// record is there, finished or not.
type copyState struct {
	events             int64
	recorded, finished bool
}

func readCopyState(t *testing.T, url string) copyState {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s copyState
	// Killed early, the copy may not have made the schema yet.
	var tables bool
	if err := db.QueryRow("SELECT to_regclass('events') IS NOT NULL AND to_regclass('copy_source') IS NOT NULL").Scan(&tables); err != nil || !tables {
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM events").Scan(&s.events); err != nil {
		t.Fatal(err)
	}
	var finished sql.NullString
	switch err := db.QueryRow("SELECT finished FROM copy_source").Scan(&finished); err {
	case sql.ErrNoRows:
	case nil:
		s.recorded, s.finished = true, finished.Valid
	default:
		t.Fatal(err)
	}
	return s
}

// execPG runs statements on a PostgreSQL database as an operator (or a crash) would.
func execPG(t *testing.T, url string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestCopyResumes: a copy whose ledger committed but which was stopped before it
// finished (the state: events, no persons) is refused by verify and serve
// with the command that finishes it; that command finishes it; a copy of a source
// written to since is refused with the way out (--restart), which works.
func TestCopyResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("copies to PostgreSQL")
	}
	dir := smallLedger(t)
	url := freshPostgres(t)
	mustHandover(t, "copy", "--quiet", "--from", dir, "--to", url)
	sqliteCP := mustHandover(t, "checkpoint", "--data", dir)
	stopped := []string{"UPDATE copy_source SET finished = NULL",
		"DELETE FROM persons", "DELETE FROM custody", "DELETE FROM facilities", "DELETE FROM parties", "DELETE FROM docs"}
	execPG(t, url, stopped...)

	finish := fmt.Sprintf("handover copy --from %s --to '%s'", dir, url)
	for _, args := range [][]string{
		{"verify", "--data", dir, "--db", url},
		{"checkpoint", "--data", dir, "--db", url},
		{"serve", "--data", dir, "--db", url, "--listen", "127.0.0.1:0"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var out, errOut bytes.Buffer
		code := run(ctx, args, &out, &errOut)
		cancel()
		if code == 0 || !strings.Contains(errOut.String(), "holds an unfinished copy of "+filepath.Join(dir, "handover.db")) || !strings.Contains(errOut.String(), finish) {
			t.Errorf("%s on an unfinished copy: exit %d, %q; want a refusal saying: %s", args[0], code, errOut.String(), finish)
		}
	}

	out := mustHandover(t, "copy", "--quiet", "--from", dir, "--to", url)
	if !strings.Contains(out, "continuing the copy of ") || !strings.Contains(out, "verified the copy: ok: 612 events") {
		t.Errorf("copy again printed:\n%s", out)
	}
	if s := readCopyState(t, url); !s.finished || s.events != 612 {
		t.Errorf("after the copy was finished: %+v", s)
	}
	if got := mustHandover(t, "checkpoint", "--data", dir, "--db", url); got != sqliteCP {
		t.Errorf("checkpoint on the finished copy:\n%s\nwant\n%s", got, sqliteCP)
	}
	out = mustHandover(t, "copy", "--quiet", "--from", dir, "--to", url)
	if !strings.Contains(out, "already holds this copy of ") || !strings.Contains(out, "verified the copy: ok: ") {
		t.Errorf("copy of a finished copy printed:\n%s", out)
	}
	// What a copy by an earlier version, killed after its commit, left: the ledger,
	// no projections, no record (issue 11). The rerun finishes it.
	execPG(t, url, append([]string{"DELETE FROM copy_source"}, stopped[1:]...)...)
	out = mustHandover(t, "copy", "--quiet", "--from", dir, "--to", url)
	if !strings.Contains(out, "but no record of a copy: a copy made before copies were recorded, stopped after its commit; finishing it") ||
		!strings.Contains(out, "verified the copy: ok: 612 events") {
		t.Errorf("copy over a stopped copy of an earlier version printed:\n%s", out)
	}
	if s := readCopyState(t, url); !s.finished {
		t.Errorf("after finishing an earlier version's copy: %+v", s)
	}

	// The source takes an event after the copy began: the unfinished copy is not
	// finished with stale rows; --restart copies afresh.
	execPG(t, url, stopped...)
	registerOne(t, dir, 9999)
	code, _, errOut := handover(t, "copy", "--quiet", "--from", dir, "--to", url)
	if code != 2 || !strings.Contains(errOut, "holds an unfinished copy of ") || !strings.Contains(errOut, "now holds 613 events") ||
		!strings.Contains(errOut, fmt.Sprintf("handover copy --restart --from %s --to '%s'", dir, url)) {
		t.Errorf("copy of a changed source over its unfinished copy: exit %d, %q", code, errOut)
	}
	if s := readCopyState(t, url); s.finished || s.events != 612 {
		t.Errorf("the refused copy changed the target: %+v", s)
	}
	out = mustHandover(t, "copy", "--quiet", "--restart", "--from", dir, "--to", url)
	if !strings.Contains(out, "discarding the unfinished copy of ") || !strings.Contains(out, "verified the copy: ok: 613 events") {
		t.Errorf("copy --restart printed:\n%s", out)
	}
	mustHandover(t, "verify", "--data", dir, "--db", url)
	// --restart never discards a finished copy.
	registerOne(t, dir, 9998)
	code, _, errOut = handover(t, "copy", "--quiet", "--restart", "--from", dir, "--to", url)
	if code != 2 || !strings.Contains(errOut, "is not empty: it holds a finished copy of ") {
		t.Errorf("copy --restart over a finished copy: exit %d, %q", code, errOut)
	}
	mustHandover(t, "verify", "--data", dir, "--db", url)
}

// registerOne registers one more person in the data directory's ledger.
func registerOne(t *testing.T, dir string, i int) {
	t.Helper()
	ctx := context.Background()
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fs, err := d.db.Facilities(ctx)
	if err != nil || len(fs) == 0 {
		t.Fatalf("facilities: %v", err)
	}
	p := benchPerson(i)
	p.RegNo = fmt.Sprintf("HSK-%06d", i)
	if _, err := d.db.Submit(ctx, custody.RegisterPerson{Meta: custody.Meta{Actor: "test", OccurredAt: time.Now()}, Person: p, Facility: fs[0].ID}); err != nil {
		t.Fatal(err)
	}
}

// TestCopyKilled kills `handover copy` with SIGKILL at random moments, up to three
// times on each of five targets, and reruns it: after each kill the target is empty or holds the
// whole ledger with the record of its source; a rerun always finishes the copy, which
// then verifies with the source's latest checkpoint.
func TestCopyKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("copies to PostgreSQL in child processes")
	}
	dir := smallLedger(t)
	sqliteCP := mustHandover(t, "checkpoint", "--data", dir)
	args := func(url string) []string { return []string{"copy", "--quiet", "--from", dir, "--to", url} }

	// How long an uninterrupted copy takes, child process included: the kills
	// land anywhere in it.
	begin := time.Now()
	if code, stderr := runCopyChild(t, args(freshPostgres(t)), 0); code != 0 {
		t.Fatalf("copy: exit %d\n%s", code, stderr)
	}
	full := time.Since(begin)

	seen := map[string]int{}
	for trial := range 5 {
		url := freshPostgres(t)
		for kill := range 3 {
			delay := time.Duration(rand.Int64N(int64(full)))
			code, stderr := runCopyChild(t, args(url), delay)
			// The statement a killed copy had sent (a COMMIT, the UPDATE that
			// finishes it) may still complete: judge once its sessions are gone.
			waitSessionsGone(t, url)
			s := readCopyState(t, url)
			switch {
			case code == 0:
				seen["finished before the kill"]++
			case code != -1:
				t.Fatalf("trial %d, run %d: exit %d, not killed\n%s", trial, kill, code, stderr)
			case s.events == 0 && !s.recorded:
				seen["killed: target empty"]++
			case s.events == 612 && s.recorded && !s.finished:
				seen["killed: unfinished copy"]++
				c, _, errOut := handover(t, "verify", "--data", dir, "--db", url)
				if c == 0 || !strings.Contains(errOut, "Finish it with:\n  handover copy --from "+dir) {
					t.Errorf("verify on an unfinished copy: exit %d, %q", c, errOut)
				}
			case s.events == 612 && s.finished:
				seen["killed: finished"]++
			default:
				t.Fatalf("trial %d, run %d: killed after %s, the target holds %+v", trial, kill, delay, s)
			}
			if s.finished { // the next kills would only interrupt a check of it
				break
			}
		}
		out := mustHandover(t, args(url)...)
		if !strings.Contains(out, "verified the copy: ok: 612 events") {
			t.Errorf("trial %d: the rerun printed\n%s", trial, out)
		}
		if got := mustHandover(t, "checkpoint", "--data", dir, "--db", url); got != sqliteCP {
			t.Errorf("trial %d: checkpoint of the copy:\n%s\nwant\n%s", trial, got, sqliteCP)
		}
		mustHandover(t, "verify", "--data", dir, "--db", url)
	}
	t.Logf("an uninterrupted copy took %s; outcomes of the kills: %v", full.Round(time.Millisecond), seen)
}

// runCopyChild runs the command line in a child process and, if after is not 0,
// kills it with SIGKILL after that long. It returns the exit code (-1: killed).
func runCopyChild(t *testing.T, args []string, after time.Duration) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runChildEnv+"="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if after > 0 {
		timer := time.AfterFunc(after, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// waitSessionsGone waits until no other session is connected to the database.
func waitSessionsGone(t *testing.T, url string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for range 600 {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the killed copy's sessions are still connected after 30 s")
}
