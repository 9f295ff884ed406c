package witness

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "handover.example/test"

// testLog is an in-memory log signing checkpoints with the test log key.
type testLog struct {
	tb   testing.TB
	tree *testonly.Tree
	s    note.Signer
}

func newTestLog(tb testing.TB) *testLog {
	s, err := note.NewSigner(testLogSKey)
	if err != nil {
		tb.Fatal(err)
	}
	return &testLog{tb: tb, tree: testonly.New(rfc6962.DefaultHasher), s: s}
}

func (l *testLog) grow(n int, tag string) {
	for i := 0; i < n; i++ {
		l.tree.AppendData(fmt.Appendf(nil, "%s leaf %d", tag, l.tree.Size()))
	}
}

// checkpoint signs the checkpoint of the tree's current size.
func (l *testLog) checkpoint() []byte {
	return signCheckpoint(l.tb, l.s, l.tree.Size(), l.tree.Hash())
}

func signCheckpoint(tb testing.TB, s note.Signer, size uint64, root []byte) []byte {
	tb.Helper()
	body := fmt.Sprintf("%s\n%d\n%s\n", testOrigin, size, b64(root))
	text, err := note.Sign(&note.Note{Text: body}, s)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// request is an add-checkpoint request from old to the current size.
func (l *testLog) request(old uint64) []byte {
	var p [][]byte
	if old > 0 && old < l.tree.Size() {
		var err error
		if p, err = l.tree.ConsistencyProof(old, l.tree.Size()); err != nil {
			l.tb.Fatal(err)
		}
	}
	return FormatRequest(old, p, l.checkpoint())
}

// newTestWitness makes a witness directory following the test log.
func newTestWitness(tb testing.TB, dir string, alerts io.Writer) *Server {
	tb.Helper()
	st, err := InitState(dir, "witness.test.example")
	if err != nil {
		st, err = OpenState(dir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.AddLog(testOrigin, testLogVKey); err != nil {
		tb.Fatal(err)
	}
	s, err := NewServer(st, ServerConfig{Alerts: alerts, Now: func() time.Time { return fixedTime }})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func post(tb testing.TB, url string, body []byte) (int, string, string) {
	tb.Helper()
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestAddCheckpoint(t *testing.T) {
	var alerts bytes.Buffer
	w := newTestWitness(t, t.TempDir(), &alerts)
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	l := newTestLog(t)
	l.grow(5, "a")

	// First contact: old 0, empty proof.
	code, ct, body := post(t, srv.URL, l.request(0))
	if code != 200 || !strings.HasPrefix(body, "— witness.test.example ") {
		t.Fatalf("first: %d %q", code, body)
	}
	// The cosignature verifies with the witness's key over the checkpoint.
	p, err := ParsePolicy([]byte("witness w " + w.Signer().VKey() + "\nquorum w\n"))
	if err != nil {
		t.Fatal(err)
	}
	lv, _ := note.NewVerifier(testLogVKey)
	if _, _, err := p.Check(append(l.checkpoint(), body...), lv); err != nil {
		t.Fatalf("cosignature: %v", err)
	}

	l.grow(30, "a")
	t.Run("Conflict", func(t *testing.T) {
		code, ct, body = post(t, srv.URL, l.request(3))
		if code != 409 || ct != "text/x.tlog.size" || body != "5\n" {
			t.Fatalf("%d %q %q", code, ct, body)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if code, _, body = post(t, srv.URL, l.request(5)); code != 200 {
			t.Fatalf("%d %q", code, body)
		}
		if code, _, body = post(t, srv.URL, l.request(35)); code != 200 { // same again
			t.Fatalf("again: %d %q", code, body)
		}
	})
	t.Run("BadRequest", func(t *testing.T) {
		for _, b := range []string{"", "old 01\n\n" + string(l.checkpoint()), "old 5\nnot base64\n\n" + string(l.checkpoint()), "old 5\n" + string(l.checkpoint()), "old 40\n\n" + string(l.checkpoint())} {
			if code, _, body := post(t, srv.URL, []byte(b)); code != 400 {
				t.Errorf("%q: %d %q", b, code, body)
			}
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		other, _, _ := note.GenerateKey(nil, "other.example/log")
		s, _ := note.NewSigner(other)
		text, _ := note.Sign(&note.Note{Text: "other.example/log\n1\n" + b64(make([]byte, 32)) + "\n"}, s)
		if code, _, _ := post(t, srv.URL, FormatRequest(0, nil, text)); code != 404 {
			t.Fatalf("%d", code)
		}
	})
	t.Run("Forbidden", func(t *testing.T) {
		sk, _, _ := note.GenerateKey(nil, testOrigin)
		s, _ := note.NewSigner(sk)
		if code, _, _ := post(t, srv.URL, FormatRequest(35, nil, signCheckpoint(t, s, 35, l.tree.Hash()))); code != 403 {
			t.Fatalf("%d", code)
		}
	})
	t.Run("Unprocessable", func(t *testing.T) {
		l.grow(2, "a")
		p, _ := l.tree.ConsistencyProof(35, 37)
		p[0][0] ^= 1
		if code, _, _ := post(t, srv.URL, FormatRequest(35, p, l.checkpoint())); code != 422 {
			t.Fatalf("%d", code)
		}
	})
	if n, _ := w.state.Evidence(); len(n) != 1 {
		t.Fatalf("evidence files: %d, want 1 (the bad proof)", len(n))
	}
	_ = ct
}

// A log truncated and regrown after the witness cosigned: the witness
// refuses both the shrink and the rewritten tree, and keeps evidence.
func TestTruncatedLogRefused(t *testing.T) {
	var alerts bytes.Buffer
	dir := t.TempDir()
	w := newTestWitness(t, dir, &alerts)
	l := newTestLog(t)
	l.grow(10, "a")
	if a := w.AddCheckpoint(l.request(0)); a.Status != 200 {
		t.Fatalf("%d %s", a.Status, a.Body)
	}
	// Truncate to 6 and sign it.
	cut := newTestLog(t)
	cut.grow(6, "a")
	if a := w.AddCheckpoint(cut.request(0)); a.Status != 409 || string(a.Body) != "10\n" {
		t.Fatalf("shrink: %d %s", a.Status, a.Body)
	}
	if a := w.AddCheckpoint(cut.request(10)); a.Status != 400 {
		t.Fatalf("shrink with old 10: %d %s", a.Status, a.Body)
	}
	// Regrow with other entries to 10 (a fork) and to 12.
	cut.grow(4, "b")
	if a := w.AddCheckpoint(cut.request(10)); a.Status != 409 {
		t.Fatalf("fork: %d %s", a.Status, a.Body)
	}
	cut.grow(2, "b")
	p, _ := l.tree.ConsistencyProof(10, 10) // nothing the client can prove
	if a := w.AddCheckpoint(FormatRequest(10, p, cut.checkpoint())); a.Status != 422 {
		t.Fatalf("regrown: %d %s", a.Status, a.Body)
	}
	ev, _ := w.state.Evidence()
	if len(ev) < 3 {
		t.Fatalf("evidence: %v", ev)
	}
	for _, want := range []string{"shrink", "fork", "inconsistent"} {
		if !strings.Contains(alerts.String(), ": "+want+": ") {
			t.Errorf("no %s alert in %q", want, alerts.String())
		}
	}
	// Every evidence file holds both signed checkpoints.
	for _, path := range ev {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("— "+testOrigin+" ")) < 2 {
			t.Errorf("%s lacks both signed checkpoints:\n%s", path, b)
		}
	}
	checkEvidenceServed(t, w, ev)
	// The honest log still goes on.
	l.grow(3, "a")
	if a := w.AddCheckpoint(l.request(10)); a.Status != 200 {
		t.Fatalf("honest: %d %s", a.Status, a.Body)
	}
	// Reopened, the witness remembers 13.
	w2 := newTestWitness(t, dir, nil)
	if a := w2.AddCheckpoint(l.request(10)); a.Status != 409 || string(a.Body) != "13\n" {
		t.Fatalf("reopened: %d %s", a.Status, a.Body)
	}
}

// checkEvidenceServed: the witness's handler lists the evidence files and
// serves each as kept, read-only, and nothing else of its state directory.
func checkEvidenceServed(t *testing.T, w *Server, paths []string) {
	t.Helper()
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	get := func(path string) (int, http.Header, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	code, h, list := get("/evidence")
	if code != 200 || h.Get("Content-Type") != "text/plain; charset=utf-8" || list != strings.Join(names, "\n")+"\n" {
		t.Fatalf("GET /evidence: %d %q\n%s, want\n%s", code, h.Get("Content-Type"), list, strings.Join(names, "\n"))
	}
	for i, n := range names {
		want, _ := os.ReadFile(paths[i])
		if code, _, got := get("/evidence/" + n); code != 200 || got != string(want) {
			t.Errorf("GET /evidence/%s: %d\n%s", n, code, got)
		}
	}
	for _, bad := range []string{"/evidence/nothing.txt", "/evidence/..%2Fwitness.key", "/evidence/%2E%2E%2Fwitness.key", "/evidence/../witness.key", "/witness.key"} {
		if code, _, body := get(bad); code != 404 || strings.Contains(body, "PRIVATE") || strings.Contains(body, "+") {
			t.Errorf("GET %s: %d %q, want 404", bad, code, body)
		}
	}
	resp, err := http.Post(srv.URL+"/evidence", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /evidence: %d, want 405", resp.StatusCode)
	}
}

func b64(b []byte) string { return base64Std(b) }

func rfc6962Empty() []byte { return rfc6962.DefaultHasher.EmptyRoot() }

func uintLine(n uint64) string { return fmt.Sprintf("%d\n", n) }
