package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/ledger"
)

// child runs the command line in a child process (the test binary) until the
// test ends, and returns the first address matching addrRE that it prints.
func child(t *testing.T, addrRE string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runChildEnv+"="+strings.Join(args, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(addrRE)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("%s exited before serving: %s", args[0], stderr.String())
		}
		return a
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start: %s", args[0], stderr.String())
	}
	return ""
}

// serveLog runs `handover serve` on dir in a child process and returns its URL.
func serveLog(t *testing.T, dir string) string {
	t.Helper()
	return child(t, ` on (http://\S+) `, "serve", "--data", dir, "--listen", "127.0.0.1:0")
}

// forge rewrites event idx of the data directory as an operator holding a log
// key would, leaving nothing for verify to find: the event's bytes, every leaf
// hash, every tree node and every checkpoint recomputed and re-signed with skey.
func forge(t *testing.T, dir string, idx int, skey string) {
	t.Helper()
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	tamper(t, dir, func(db *sql.DB) {
		b := bytes.Replace(eventBytes(t, db, idx), []byte("synthetic"), []byte("Synthetic"), 1)
		mustExec(t, db, "UPDATE events SET bytes = ? WHERE idx = ?", b, idx)
		sizes := map[uint64]bool{}
		rows, err := db.Query("SELECT size FROM checkpoints")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s uint64
			rows.Scan(&s)
			sizes[s] = true
		}
		rows.Close()
		type ev struct{ id, bytes []byte }
		var evs []ev
		rows, err = db.Query("SELECT id, bytes FROM events ORDER BY idx")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var e ev
			rows.Scan(&e.id, &e.bytes)
			evs = append(evs, e)
		}
		rows.Close()
		tree := ledger.NewTree()
		for i, e := range evs {
			lh := ledger.LeafHash(ledger.Entry(uuid.UUID(e.id), e.bytes))
			mustExec(t, db, "UPDATE events SET leaf_hash = ? WHERE idx = ?", lh[:], i)
			for _, n := range tree.Append(lh) {
				mustExec(t, db, "UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?", n.Hash[:], n.Level, n.Index)
			}
			if sizes[tree.Size()] {
				root := tree.Root()
				note, err := ledger.SignCheckpoint(signer, signer.Name(), tree.Size(), root)
				if err != nil {
					t.Fatal(err)
				}
				mustExec(t, db, "UPDATE checkpoints SET root = ?, note = ? WHERE size = ?", root[:], note, tree.Size())
			}
		}
	})
	if code, _, stderr := runCLI(t, "rebuild", "--data", dir); code != 0 {
		t.Fatalf("rebuild: %s", stderr)
	}
}

// truncateLog cuts the ledger back to its largest checkpoint below size,
// returning that size, as a database administrator could (then rebuild).
func truncateLog(t *testing.T, dir string, below int) int {
	t.Helper()
	var s int
	tamper(t, dir, func(db *sql.DB) {
		if err := db.QueryRow("SELECT max(size) FROM checkpoints WHERE size < ?", below).Scan(&s); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, "DELETE FROM events WHERE idx >= ?", s)
		mustExec(t, db, "DELETE FROM checkpoints WHERE size > ?", s)
		mustExec(t, db, "DELETE FROM tree_nodes WHERE (idx + 1) << level > ?", s)
	})
	if code, _, stderr := runCLI(t, "rebuild", "--data", dir); code != 0 {
		t.Fatalf("rebuild: %s", stderr)
	}
	return s
}

// followed makes a monitor that has verified the log of base, served by a real
// server process, and returns its directory.
func followed(t *testing.T, base string) string {
	t.Helper()
	url := serveLog(t, copyDir(t, base))
	mon := filepath.Join(t.TempDir(), "monitor")
	if code, _, stderr := runCLI(t, "monitor", "init", "--dir", mon, "--url", url, "--log-pub", filepath.Join(base, pubFile)); code != 0 {
		t.Fatalf("monitor init: %s", stderr)
	}
	if code, out, stderr := runCLI(t, "monitor", "run", "--once", "--dir", mon); code != 0 || !strings.Contains(out, "verified from size 0 to 612") {
		t.Fatalf("monitor run: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "monitor", "recheck", "--dir", mon); code != 0 || !strings.Contains(out, "rechecked every tile") {
		t.Fatalf("monitor recheck: exit %d\n%s%s", code, out, stderr)
	}
	return mon
}

// repoint makes the monitor follow another server (the same log, tampered with,
// served again).
func repoint(t *testing.T, mon, url string) {
	t.Helper()
	path := filepath.Join(mon, "monitor.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`"url": "[^"]*"`).ReplaceAll(b, []byte(`"url": "`+url+`"`))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMonitorCatchesTheOperator(t *testing.T) {
	base := smallLedger(t) // 612 events
	skey, err := os.ReadFile(filepath.Join(base, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Truncation", func(t *testing.T) {
		mon := followed(t, base)
		dir := copyDir(t, base)
		size := truncateLog(t, dir, 500)
		if code, out, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
			t.Fatalf("the truncated store should pass its own verify: exit %d\n%s%s", code, out, stderr)
		}
		repoint(t, mon, serveLog(t, dir))
		code, _, stderr := runCLI(t, "monitor", "run", "--once", "--dir", mon)
		if code != 1 || !regexp.MustCompile(`ALERT shrink: the log shrank: its checkpoint has size \d+, the last verified one 612`).MatchString(stderr) {
			t.Fatalf("monitor: exit %d, %q; want a shrink alert", code, stderr)
		}
		code, _, stderr = runCLI(t, "verify", "--data", dir, "--against", mon)
		want := regexp.MustCompile(`leaf ` + strconv.Itoa(size) + `: missing: the store holds \d+ events, the copy 612 leaves \(the log was truncated\)`)
		if code != 1 || !want.MatchString(stderr) {
			t.Errorf("verify --against: exit %d, %q", code, stderr)
		}
	})
	t.Run("RewriteSameKey", func(t *testing.T) {
		mon := followed(t, base)
		dir := copyDir(t, base)
		forge(t, dir, 300, strings.TrimSpace(string(skey)))
		if code, out, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
			t.Fatalf("the forged store should pass its own verify: exit %d\n%s%s", code, out, stderr)
		}
		url := serveLog(t, dir)
		repoint(t, mon, url)
		code, _, stderr := runCLI(t, "monitor", "run", "--once", "--dir", mon)
		if code != 1 || !strings.Contains(stderr, "ALERT fork: two checkpoints of size 612 with different roots") {
			t.Fatalf("monitor: exit %d, %q; want a fork alert", code, stderr)
		}
		ev := regexp.MustCompile(`evidence in (\S+)\)`).FindStringSubmatch(stderr)
		if ev == nil {
			t.Fatalf("no evidence named: %q", stderr)
		}
		v, _ := ledger.NewVerifier(readPub(t, base))
		var roots [][32]byte
		for _, f := range []string{"verified.checkpoint", "observed.checkpoint"} {
			b, err := os.ReadFile(filepath.Join(ev[1], f))
			if err != nil {
				t.Fatal(err)
			}
			cp, err := ledger.OpenCheckpoint(b, v, "handover.test/tamper")
			if err != nil {
				t.Fatalf("evidence %s: %v", f, err)
			}
			roots = append(roots, cp.Root)
		}
		if roots[0] == roots[1] {
			t.Error("the evidence's two checkpoints have one root")
		}
		// verify --against names the forged leaf, from the directory and from a server of the copy.
		copyURL := child(t, ` on (http://\S+)/log/`, "monitor", "serve", "--dir", mon, "--listen", "127.0.0.1:0")
		for _, against := range []string{mon, copyURL} {
			code, _, stderr = runCLI(t, "verify", "--data", dir, "--against", against)
			if code != 1 || !strings.Contains(stderr, "leaf 300: differs from the copy") {
				t.Errorf("verify --against %s: exit %d, %q", against, code, stderr)
			}
		}
		if code, out, stderr := runCLI(t, "verify", "--data", copyDir(t, base), "--against", copyURL); code != 0 {
			t.Errorf("the untouched store against the copy: exit %d\n%s%s", code, out, stderr)
		}
	})
	t.Run("RewriteNewKey", func(t *testing.T) {
		mon := followed(t, base)
		dir := copyDir(t, base)
		newKey, newPub, err := ledger.GenerateKey("handover.test/tamper")
		if err != nil {
			t.Fatal(err)
		}
		forge(t, dir, 300, newKey)
		os.WriteFile(filepath.Join(dir, keyFile), []byte(newKey+"\n"), 0o600)
		os.WriteFile(filepath.Join(dir, pubFile), []byte(newPub+"\n"), 0o644)
		if code, out, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
			t.Fatalf("the re-keyed store should pass its own verify: exit %d\n%s%s", code, out, stderr)
		}
		repoint(t, mon, serveLog(t, dir))
		code, _, stderr := runCLI(t, "monitor", "run", "--once", "--dir", mon)
		if code != 1 || !strings.Contains(stderr, "ALERT key-changed") {
			t.Fatalf("monitor: exit %d, %q; want a changed-key alert", code, stderr)
		}
		code, _, stderr = runCLI(t, "verify", "--data", dir, "--against", mon)
		if code != 1 || !strings.Contains(stderr, "leaf 300: differs from the copy") {
			t.Errorf("verify --against: exit %d, %q", code, stderr)
		}
	})
}

func readPub(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, pubFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
