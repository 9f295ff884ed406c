package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/witness"
)

// apiAccount adds to the data directory dir a user of party with roles and
// returns a new API token of theirs and a file holding it.
func apiAccount(t *testing.T, dir, user, party string, roles ...string) (token, file string) {
	t.Helper()
	add := []string{"user", "add", user, "--party", party, "--full-name", "Test " + user, "--data", dir}
	for _, r := range roles {
		add = append(add, "--role", r)
	}
	if code, _, stderr := runCLI(t, add...); code != 0 {
		t.Fatalf("user add: %s", stderr)
	}
	code, out, stderr := runCLI(t, "token", "create", "--user", user, "--name", "test", "--data", dir)
	m := regexp.MustCompile(`token \(shown once; keep it secret\): (\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("token create: %s%s", out, stderr)
	}
	file = filepath.Join(t.TempDir(), user+".token")
	if err := os.WriteFile(file, []byte(m[1]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return m[1], file
}

// checkWitnessed fails unless w says, with a note that meets the policy, that
// a checkpoint covering index is cosigned by each of names.
func checkWitnessed(t *testing.T, l *logServer, p *witness.Policy, w *api.Witnessing, index uint64, names ...string) {
	t.Helper()
	c := w.Checkpoint
	if w.State != api.WitnessingWitnessed || c == nil || w.Index != index || w.Poll != fmt.Sprintf("/api/v1/witnessed/%d", index) {
		t.Fatalf("event %d: %+v, want witnessed", index, w)
	}
	if c.Size <= index {
		t.Fatalf("event %d: checkpoint of size %d does not cover it", index, c.Size)
	}
	v, _ := l.d.verifier()
	if _, valid, err := p.Check([]byte(c.Note), v); err != nil || len(valid) != len(names) {
		t.Fatalf("event %d: the note does not meet the policy (%v, %d cosignatures):\n%s", index, err, len(valid), c.Note)
	}
	if len(c.Cosignatures) != len(names) {
		t.Fatalf("event %d: cosignatures %+v, want %v", index, c.Cosignatures, names)
	}
	for i, n := range names {
		cs := c.Cosignatures[i]
		if cs.Witness != n || cs.SignedAt.IsZero() || cs.ReceivedAt.IsZero() || cs.ReceivedAt.After(c.Since) {
			t.Errorf("event %d: cosignature %d: %+v, want one by %s received by %s", index, i, cs, n, c.Since)
		}
	}
}

// TestWitnessedReceipts: a log whose policy needs both of two real witness
// processes. A write's receipt says its events are pending and where to ask;
// asking there with a wait, or writing with Prefer: wait=N, gives the smallest
// checkpoint covering them that both cosigned, each witness's time, and since
// when; a replay of the write is its first answer; a person's history says it
// of every event; with a witness down, a wait ends pending. The CLI prints it.
func TestWitnessedReceipts(t *testing.T) {
	dir := smallLedger(t)
	origin := "handover.test/tamper"
	token, tokenFile := apiAccount(t, dir, "wrec", "SDF", "registrar", "administrator")
	wa := startWitnessProc(t, newWitnessDir(t, "witness-a.example", dir, origin), "127.0.0.1:0")
	wb := startWitnessProc(t, newWitnessDir(t, "witness-b.example", dir, origin), "127.0.0.1:0")
	policy, p := writePolicy(t, t.TempDir(), fmt.Sprintf("log %s\nwitness a %s %s/\nwitness b %s %s/\ngroup both all a b\nquorum both\n",
		readVKey(t, dir), wa.vkey(t), wa.url, wb.vkey(t), wb.url))
	l := startLogServer(t, dir, policy)
	defer l.close(t)
	url := "http://" + l.s.Addr()
	c, err := client.New(url, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	key, at, person := client.NewIdempotencyKey(), time.Now().UTC().Truncate(time.Second), benchPerson(20001)
	_, rc, err := c.RegisterPersonPassing(client.WithIdempotencyKey(ctx, key), person, "HSK", at, namesakes)
	if err != nil {
		t.Fatal(err)
	}
	index := rc.Events[len(rc.Events)-1].Index
	if w := rc.Witnessed; w == nil || w.State != api.WitnessingPending || w.Index != index || w.Checkpoint != nil || w.Poll != fmt.Sprintf("/api/v1/witnessed/%d", index) {
		t.Fatalf("a write's receipt: witnessed %+v, want pending at %d", rc.Witnessed, index)
	}
	w, err := c.Witnessed(ctx, index, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for w.State == api.WitnessingPending { // a wait ends after 30 s at most: ask again
		if w, err = c.Witnessed(ctx, index, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	checkWitnessed(t, l, p, w, index, "a", "b")
	first := w.Checkpoint

	// The replay is the first answer, byte for byte: still pending.
	_, again, err := c.RegisterPersonPassing(client.WithIdempotencyKey(ctx, key), person, "HSK", at, namesakes)
	if err != nil || (!again.Replayed || again.Witnessed == nil || again.Witnessed.State != api.WitnessingPending) {
		t.Errorf("replay: replayed %v, witnessed %+v, %v", again.Replayed, again.Witnessed, err)
	}

	// Written with a wait: the receipt names the witnesses.
	_, rc2, err := c.RegisterPersonPassing(client.WithWitnessWait(ctx, 30*time.Second), benchPerson(20002), "HSK", time.Time{}, namesakes)
	if err != nil {
		t.Fatal(err)
	}
	index2 := rc2.Events[0].Index
	checkWitnessed(t, l, p, rc2.Witnessed, index2, "a", "b")

	// The history says it of each event: the first person's registration is
	// covered by the checkpoint found above, the smallest that both cosigned.
	var hist struct {
		Events []api.HistoryEntry `json:"events"`
	}
	if _, err := c.Do(ctx, client.Request{Method: http.MethodGet, Path: "/persons/" + rc.Events[0].Subject.String() + "/history"}, &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Events) != 1 || hist.Events[0].Witnessed == nil {
		t.Fatalf("history: %+v", hist.Events)
	}
	checkWitnessed(t, l, p, hist.Events[0].Witnessed, index, "a", "b")
	if got := hist.Events[0].Witnessed.Checkpoint; got.Size != first.Size {
		t.Errorf("history: checkpoint of size %d, GET witnessed said %d", got.Size, first.Size)
	}

	// The CLI prints who cosigned and when.
	code, out, stderr := runCLI(t, "proof", "witnessed", fmt.Sprint(index), "--server", url, "--token-file", tokenFile)
	if code != 0 || !regexp.MustCompile(fmt.Sprintf(`witnessed: checkpoint size %d cosigned by a at \S+Z, b at \S+Z`, first.Size)).MatchString(out) {
		t.Errorf("proof witnessed: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "party", "add", "WTN", "--name", "Witnessed Test Party", "--kind", "monitor",
		"--server", url, "--token-file", tokenFile, "--wait-witnessed", "30s", "--timeout", "40s")
	if code != 0 || !strings.Contains(out, "registered party WTN") || !regexp.MustCompile(`witnessed: checkpoint size \d+ cosigned by a at \S+, b at \S+; the log held the quorum since`).MatchString(out) {
		t.Errorf("party add --wait-witnessed: exit %d\n%s%s", code, out, stderr)
	}

	// A witness down: the quorum (both) cannot be met; a wait ends pending,
	// and the CLI says so and fails.
	wb.kill()
	_, rc3, err := c.RegisterPersonPassing(client.WithWitnessWait(ctx, time.Second), benchPerson(20003), "HSK", time.Time{}, namesakes)
	if err != nil {
		t.Fatal(err)
	}
	if rc3.Witnessed.State != api.WitnessingPending || rc3.Witnessed.Checkpoint != nil {
		t.Errorf("with witness b down: %+v, want pending", rc3.Witnessed)
	}
	index3 := rc3.Events[0].Index
	code, out, stderr = runCLI(t, "proof", "witnessed", fmt.Sprint(index3), "--wait", "1s", "--server", url, "--token-file", tokenFile)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("event %d is not witnessed yet", index3)) {
		t.Errorf("proof witnessed with b down: exit %d\n%s%s", code, out, stderr)
	}
	// Beyond the ledger: a problem.
	code, _, stderr = runCLI(t, "proof", "witnessed", "99999999", "--server", url, "--token-file", tokenFile)
	if code != 1 || !strings.Contains(stderr, "no event at 99999999") {
		t.Errorf("proof witnessed beyond the ledger: exit %d\n%s", code, stderr)
	}
	var raw json.RawMessage
	if _, err := c.Do(ctx, client.Request{Method: http.MethodGet, Path: fmt.Sprintf("/witnessed/%d", index)}, &raw); err != nil || !strings.Contains(string(raw), `"witnessed":true`) {
		t.Errorf("GET witnessed: %s %v", raw, err)
	}
}

// namesakes passes the likely-duplicate warning: the synthetic persons of these
// tests share a few names, and the warning is not what they test.
var namesakes = client.Duplicate{Reason: "witness test: synthetic persons share their names"}
