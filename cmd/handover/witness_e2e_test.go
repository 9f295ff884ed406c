package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/transparency-dev/formats/log"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/verify"
	"github.com/handover-project/handover/witness"
)

// witnessProc is a `handover witness serve` child process.
type witnessProc struct {
	dir, url string
	cmd      *exec.Cmd
	stderr   *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// newWitnessDir makes a witness state directory following the log of dataDir.
func newWitnessDir(t *testing.T, name, dataDir, origin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if code, _, stderr := runCLI(t, "witness", "init", "--state", dir, "--name", name); code != 0 {
		t.Fatalf("witness init: %s", stderr)
	}
	if code, _, stderr := runCLI(t, "witness", "add-log", "--state", dir, "--origin", origin, "--key", "@"+filepath.Join(dataDir, pubFile)); code != 0 {
		t.Fatalf("witness add-log: %s", stderr)
	}
	return dir
}

// startWitnessProc runs `handover witness serve` on dir in a child process,
// on listen (port 0: a free one).
func startWitnessProc(t *testing.T, dir, listen string) *witnessProc {
	t.Helper()
	args := []string{"witness", "serve", "--state", dir, "--listen", listen}
	w := &witnessProc{dir: dir, stderr: &syncBuffer{}}
	w.cmd, w.url = startChild(t, "witness", ` on (http://\S+)/ `, w.stderr, args...)
	return w
}

// kill ends the witness with SIGKILL: no chance to tidy up.
func (w *witnessProc) kill() {
	w.cmd.Process.Signal(syscall.SIGKILL)
	w.cmd.Wait()
}

func (w *witnessProc) vkey(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "witness.pub"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// eventually polls cond until it holds, failing after a generous minute
// (a bound against hanging, not a speed check).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// logServer is an in-process `handover serve --witness-policy` on a data
// directory, with a way to append events.
type logServer struct {
	d    *dataDirectory
	s    *server
	logw *syncBuffer
	fac  custody.Facility
	n    int
}

func startLogServer(t *testing.T, dir, policy string) *logServer {
	t.Helper()
	ctx := context.Background()
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	l := &logServer{d: d, logw: &syncBuffer{}}
	l.s, err = startServer(d, serveFlags{listen: "127.0.0.1:0", witnessPolicy: policy, witnessSilent: time.Nanosecond}, l.logw)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	fs, err := d.db.Facilities(ctx)
	if err != nil || len(fs) == 0 {
		t.Fatalf("facilities: %v", err)
	}
	l.fac = fs[0].Facility
	return l
}

func (l *logServer) close(t *testing.T) {
	t.Helper()
	if err := l.s.Close(); err != nil {
		t.Error(err)
	}
	if err := l.d.Close(); err != nil {
		t.Error(err)
	}
}

// register appends n person registrations, one at a time (n checkpoints).
func (l *logServer) register(t *testing.T, n int) uint64 {
	t.Helper()
	var size uint64
	for range n {
		l.n++
		r, err := l.d.db.Submit(context.Background(), custody.RegisterPerson{Meta: custody.Meta{Actor: "test", OccurredAt: time.Now()},
			Person: benchPerson(10000 + l.n), Facility: l.fac.ID})
		if err != nil {
			t.Fatal(err)
		}
		size = r.Checkpoint.Size
	}
	return size
}

func (l *logServer) get(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get("http://" + l.s.Addr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// witnessedSize is the size of /log/checkpoint if it meets the policy's
// quorum, else 0.
func (l *logServer) witnessedSize(t *testing.T, p *witness.Policy) uint64 {
	t.Helper()
	v, _ := l.d.verifier()
	text := l.get(t, "/log/checkpoint")
	body, _, err := p.Check(text, v)
	if err != nil {
		return 0
	}
	var c log.Checkpoint
	if _, err := c.Unmarshal([]byte(body)); err != nil {
		t.Fatal(err)
	}
	return c.Size
}

func (l *logServer) report(t *testing.T) api.WitnessReport {
	t.Helper()
	r, err := l.s.wit.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func writePolicy(t *testing.T, dir, text string) (string, *witness.Policy) {
	t.Helper()
	path := filepath.Join(dir, "policy.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := witness.LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, p
}

// TestWitnessesOnLoopback: a log and two witness processes. Both cosign;
// one killed, the quorum (any one) is still met by the other and the dead
// one is reported silent; restarted, it kept its state and refuses an older
// size; then the log is truncated and regrown, and the witnesses refuse it.
func TestWitnessesOnLoopback(t *testing.T) {
	dir := smallLedger(t)
	origin := "handover.test/tamper"
	wa := startWitnessProc(t, newWitnessDir(t, "witness-a.example", dir, origin), "127.0.0.1:0")
	wb := startWitnessProc(t, newWitnessDir(t, "witness-b.example", dir, origin), "127.0.0.1:0")
	policy, p := writePolicy(t, t.TempDir(), fmt.Sprintf("log %s\nwitness a %s %s/\nwitness b %s %s/\ngroup any1 any a b\nquorum any1\n",
		readVKey(t, dir), wa.vkey(t), wa.url, wb.vkey(t), wb.url))
	pboth, _ := witness.ParsePolicy([]byte(fmt.Sprintf("witness a %s\nwitness b %s\nquorum all2\ngroup all2 all a b\n", wa.vkey(t), wb.vkey(t))))

	l := startLogServer(t, dir, policy)
	size := l.register(t, 3)
	eventually(t, "both witnesses cosign the newest checkpoint", func() bool {
		v, _ := l.d.verifier()
		_, _, err := pboth.Check(l.get(t, "/log/checkpoint"), v)
		return err == nil && l.witnessedSize(t, p) == size
	})

	t.Run("OneWitnessDown", func(t *testing.T) {
		wb.kill()
		size = l.register(t, 2)
		eventually(t, "witness a alone meets the quorum", func() bool { return l.witnessedSize(t, p) == size })
		r := l.report(t)
		if r.Witnesses[1].Name != "b" || !r.Witnesses[1].Silent || r.Witnesses[1].Size >= size {
			t.Fatalf("b not reported silent: %+v", r.Witnesses[1])
		}
		if r.Witnesses[0].Silent || r.Witnesses[0].Size != size {
			t.Fatalf("a: %+v", r.Witnesses[0])
		}
	})

	parent := t
	t.Run("RestartKeepsState", func(t *testing.T) {
		before := l.report(t).Witnesses[1].Size
		wb = startWitnessProc(parent, wb.dir, strings.TrimPrefix(wb.url, "http://"))
		// An older checkpoint, with old size 0: refused with the size it kept.
		old := oldCheckpoint(t, l, before-1)
		resp, err := http.Post(wb.url+"/add-checkpoint", "text/plain", bytes.NewReader(witness.FormatRequest(0, nil, old)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict || string(b) != fmt.Sprintf("%d\n", before) {
			t.Fatalf("older checkpoint: %d %q, want 409 %d", resp.StatusCode, b, before)
		}
		size = l.register(t, 1)
		eventually(t, "the restarted witness cosigns again", func() bool {
			v, _ := l.d.verifier()
			_, _, err := pboth.Check(l.get(t, "/log/checkpoint"), v)
			return err == nil && l.witnessedSize(t, p) == size
		})
	})

	t.Run("TruncatedLogRefused", func(t *testing.T) {
		cosigned := size
		l.close(t)
		// An operator with the database and the key truncates the ledger,
		// its checkpoints and the cosignatures, and rebuilds.
		var cut int64
		tamper(t, dir, func(db *sql.DB) {
			db.QueryRow("SELECT MAX(size) FROM checkpoints WHERE size <= 500").Scan(&cut)
			mustExec(t, db, "DELETE FROM events WHERE idx >= ?", cut)
			mustExec(t, db, "DELETE FROM checkpoints WHERE size > ?", cut)
			mustExec(t, db, "DELETE FROM tree_nodes WHERE (idx + 1) * (1 << level) > ?", cut)
			mustExec(t, db, "DELETE FROM cosignatures WHERE size > ?", cut)
		})
		if code, _, stderr := runCLI(t, "rebuild", "--data", dir); code != 0 {
			t.Fatalf("rebuild: %s", stderr)
		}
		l = startLogServer(t, dir, policy)
		defer l.close(t)
		if s := l.register(t, 1); s >= cosigned {
			t.Fatalf("truncated log at %d, not below %d", s, cosigned)
		}
		eventually(t, "the log reports the refusal (shrink)", func() bool {
			return strings.Contains(l.logw.String(), "ALERT log: witness a has cosigned size")
		})
		// Regrown past what the witnesses cosigned: no proof can convince them.
		size = l.register(t, int(cosigned-uint64(cut))+5)
		defer func() {
			if t.Failed() {
				t.Logf("log:\n%s\nwitness b:\n%s", l.logw, wb.stderr)
			}
		}()
		eventually(t, "the witnesses refuse the rewritten tree", func() bool {
			return strings.Contains(wa.stderr.String(), "ALERT witness: log "+origin+": inconsistent") &&
				strings.Contains(wb.stderr.String(), "ALERT witness: log "+origin+": inconsistent")
		})
		if w := l.witnessedSize(t, p); w > uint64(cut) {
			// The served checkpoint is an old witnessed one, never the rewrite.
			t.Fatalf("a rewritten checkpoint of size %d is served as witnessed", w)
		}
		for _, w := range []*witnessProc{wa, wb} {
			ev, _ := filepath.Glob(filepath.Join(w.dir, "evidence", "*"))
			if len(ev) < 2 {
				t.Fatalf("%s kept %d evidence files, want a shrink and an inconsistency", w.dir, len(ev))
			}
			if !strings.Contains(w.stderr.String(), ": shrink: ") {
				t.Errorf("%s: no shrink alert:\n%s", w.dir, w.stderr)
			}
			// Anyone can fetch the evidence from the witness, as kept.
			list := httpGet(t, w.url+"/evidence")
			if names := strings.Fields(list); len(names) != len(ev) {
				t.Errorf("%s/evidence lists %q, want the %d files kept", w.url, list, len(ev))
			}
			for _, path := range ev {
				kept, _ := os.ReadFile(path)
				if got := httpGet(t, w.url+"/evidence/"+filepath.Base(path)); got != string(kept) || !strings.HasPrefix(got, "handover witness evidence: ") {
					t.Errorf("%s/evidence/%s:\n%s", w.url, filepath.Base(path), got)
				}
			}
		}
		r := l.report(t)
		if r.Witnesses[0].Refused == "" {
			t.Errorf("the report shows no refusal: %+v", r.Witnesses[0])
		}
	})
}

// oldCheckpoint returns the stored signed checkpoint of the largest size at
// most max.
func oldCheckpoint(t *testing.T, l *logServer, max uint64) []byte {
	t.Helper()
	var text []byte
	err := l.d.db.Checkpoints(context.Background(), func(c *verify.StoredCheckpoint) error {
		if c.Size <= max {
			text = c.Note
		}
		return nil
	})
	if err != nil || text == nil {
		t.Fatalf("no checkpoint of size at most %d: %v", max, err)
	}
	return text
}

// httpGet reads url, which must answer 200.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}

func readVKey(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, pubFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
