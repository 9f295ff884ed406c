package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWitnessedProofAndMonitor: a log whose policy requires a witness (a real
// `handover witness serve` process). A monitor pinned to the log's key and
// that policy follows its witnessed checkpoint; an event's proof fetched with
// the CLI verifies offline against the policy and the event's bytes, and fails
// with one byte changed.
func TestWitnessedProofAndMonitor(t *testing.T) {
	dir := smallLedger(t)
	origin := "handover.test/tamper"
	token, tokenFile := apiAccount(t, dir, "icrcmon", "SDF", "registrar")

	w := startWitnessProc(t, newWitnessDir(t, "witness.icrc.example", dir, origin), "127.0.0.1:0")
	policy, p := writePolicy(t, t.TempDir(), fmt.Sprintf("log %s\nwitness icrc %s %s/\nquorum icrc\n", readVKey(t, dir), w.vkey(t), w.url))
	l := startLogServer(t, dir, policy)
	defer l.close(t)
	size := l.register(t, 2)
	eventually(t, "the witness cosigns", func() bool { return l.witnessedSize(t, p) == size })
	url := "http://" + l.s.Addr()

	mon := filepath.Join(t.TempDir(), "monitor")
	if code, _, stderr := runCLI(t, "monitor", "init", "--dir", mon, "--url", url, "--log-pub", filepath.Join(dir, pubFile), "--policy", policy); code != 0 {
		t.Fatalf("monitor init: %s", stderr)
	}
	if code, out, stderr := runCLI(t, "monitor", "run", "--once", "--dir", mon); code != 0 || !strings.Contains(out, fmt.Sprintf("verified from size 0 to %d", size)) {
		t.Fatalf("monitor run: exit %d\n%s%s", code, out, stderr)
	}

	index := size - 1
	file := filepath.Join(t.TempDir(), "event.tlog-proof")
	if code, out, stderr := runCLI(t, "proof", "get", fmt.Sprint(index), "--server", url, "--token-file", tokenFile, "-o", file); code != 0 {
		t.Fatalf("proof get: exit %d\n%s%s", code, out, stderr)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/events/%d", url, index), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	event, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET event %d: %s %s", index, resp.Status, event)
	}
	eventFile := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(eventFile, event, 0o644)

	code, out, stderr := runCLI(t, "proof", "verify", file, "--policy", policy, "--event", eventFile)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("is at index %d of %s", index, origin)) || !strings.Contains(out, "cosigned by icrc") {
		t.Fatalf("proof verify: exit %d\n%s%s", code, out, stderr)
	}
	good, _ := os.ReadFile(file)
	for _, i := range []int{30, len(good) / 2, len(good) - 10} {
		bad := []byte(string(good))
		bad[i] ^= 1
		os.WriteFile(file, bad, 0o644)
		if code, out, _ := runCLI(t, "proof", "verify", file, "--policy", policy); code != 1 {
			t.Errorf("byte %d changed: exit %d\n%s", i, code, out)
		}
	}
}
