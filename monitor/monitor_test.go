package monitor

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/ledger"
)

func genKey(t *testing.T, origin string) (skey, vkey string) {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

// newMonitor makes a monitor directory following url with the key vkey.
func newMonitor(t *testing.T, url, vkey string) *Monitor {
	t.Helper()
	dir := t.TempDir()
	if err := Init(dir, Config{URL: url, LogKey: vkey}); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &Monitor{Copy: c}
}

func mustPoll(t *testing.T, m *Monitor, want uint64) {
	t.Helper()
	p, err := m.Poll(context.Background())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	if p.To != want {
		t.Fatalf("poll reached size %d, want %d", p.To, want)
	}
}

func TestFollow(t *testing.T) {
	skey, vkey := genKey(t, testOrigin)
	l := newTestLog(t, skey)
	srv := newServer(t, l)
	m := newMonitor(t, srv.URL, vkey)
	mustPoll(t, m, 0) // no checkpoint yet
	for _, n := range []int{1, 299, 65536 - 300 + 7, 0, 300} {
		if n > 0 {
			l.add(t, randomEntries(n)...)
		}
		mustPoll(t, m, l.tree.Size())
	}
	// The copy serves what the log serves, tile for tile.
	mirror := newServer(t, nil)
	mirror.Server.Config.Handler = Handler(m.Copy)
	size := l.tree.Size()
	for _, tp := range []ledger.TilePath{
		tilePath(0, 0, false, size), tilePath(0, 0, true, size), tilePath(0, size/256, false, size),
		tilePath(0, size/256, true, size), tilePath(1, 0, false, size), tilePath(1, 1, false, size),
		tilePath(2, 0, false, size),
	} {
		a, b := get(t, srv.URL, tp.String()), get(t, mirror.URL, tp.String())
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the copy serves %d bytes unlike the log's %d", tp, len(b), len(a))
		}
	}
	// Reopened after a crash that left bytes beyond the checkpoint, it drops them.
	f, _ := os.OpenFile(filepath.Join(m.Copy.dir, entriesName), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(make([]byte, 3*ledger.EntrySize))
	f.Close()
	c, err := Open(m.Copy.dir)
	if err != nil {
		t.Fatal(err)
	}
	m2 := &Monitor{Copy: c}
	l.add(t, randomEntries(5)...)
	mustPoll(t, m2, size+5)
}

func get(t *testing.T, base, path string) []byte {
	t.Helper()
	r := &remote{base: base, client: http.DefaultClient}
	b, err := r.get(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAlerts(t *testing.T) {
	skey, vkey := genKey(t, testOrigin)
	otherSkey, _ := genKey(t, testOrigin)
	strangerSkey, _ := genKey(t, "handover.test/elsewhere")
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *server, l *testLog)
		kind   string
		want   string
	}{
		{"Shrink", func(t *testing.T, s *server, l *testLog) {
			short := newTestLog(t, skey)
			short.add(t, l.entries[:400]...)
			s.set(short, nil)
		}, Shrink, "the log shrank: its checkpoint has size 400, the last verified one 600"},
		{"ForkSameSize", func(t *testing.T, s *server, l *testLog) {
			forged := newTestLog(t, skey)
			es := append([][]byte(nil), l.entries...)
			es[123] = randomEntries(1)[0]
			forged.add(t, es...)
			s.set(forged, nil)
		}, Fork, "two checkpoints of size 600 with different roots"},
		{"ForkGrown", func(t *testing.T, s *server, l *testLog) {
			forged := newTestLog(t, skey)
			es := append([][]byte(nil), l.entries...)
			es[321] = randomEntries(1)[0]
			forged.add(t, append(es, randomEntries(50)...)...)
			s.set(forged, nil)
		}, Fork, "does not extend the verified checkpoint of size 600.*leaf 321 differs"},
		{"KeyChanged", func(t *testing.T, s *server, l *testLog) {
			rekeyed := newTestLog(t, otherSkey)
			rekeyed.add(t, l.entries...)
			s.set(rekeyed, nil)
		}, KeyChanged, "signed by another key"},
		{"BadSignature", func(t *testing.T, s *server, l *testLog) {
			stranger := newTestLog(t, strangerSkey)
			stranger.add(t, l.entries...)
			s.set(stranger, nil)
		}, BadSignature, "does not verify with the pinned key"},
		{"MissingTile", func(t *testing.T, s *server, l *testLog) {
			l.add(t, randomEntries(10)...)
			s.set(l, func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasPrefix(r.URL.Path, "/log/tile/entries/") {
					http.NotFound(w, r)
					return true
				}
				return false
			})
		}, MissingTile, `tile/entries/002.p/98 is not served`},
		{"ChangedBundle", func(t *testing.T, s *server, l *testLog) {
			l.add(t, randomEntries(10)...)
			l.entries[605] = randomEntries(1)[0] // the bundle no longer matches the tile
		}, ChangedTile, `leaf 605: the entry in tile/entries/002.p/98 does not hash`},
		{"ChangedOldLeaf", func(t *testing.T, s *server, l *testLog) {
			l.add(t, randomEntries(10)...)
			e := randomEntries(1)[0] // a verified leaf of the partial tile, changed
			l.entries[520], l.hashes[0][520] = e, ledger.LeafHash(e)
		}, ChangedTile, `leaf 520`},
		{"ChangedHigherTile", func(t *testing.T, s *server, l *testLog) {
			l.add(t, randomEntries(200)...)
			l.hashes[1][1] = [32]byte{7}
		}, ChangedTile, `tile/1/000.p/3: hash 1 is not the hash`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t, skey)
			l.add(t, randomEntries(600)...)
			srv := newServer(t, l)
			m := newMonitor(t, srv.URL, vkey)
			mustPoll(t, m, 600)
			verified := append([]byte(nil), l.text...)
			tc.change(t, srv, l)
			_, err := m.Poll(context.Background())
			var a *Alert
			if !errors.As(err, &a) {
				t.Fatalf("poll: %v, want an alert", err)
			}
			if a.Kind != tc.kind || !matches(a.Msg, tc.want) {
				t.Fatalf("alert %s %q, want %s matching %q", a.Kind, a.Msg, tc.kind, tc.want)
			}
			kept, err := os.ReadFile(filepath.Join(a.Evidence, "verified.checkpoint"))
			if err != nil || !bytes.Equal(kept, verified) {
				t.Errorf("evidence lacks the verified checkpoint: %v", err)
			}
			if _, err := os.Stat(filepath.Join(a.Evidence, "observed.checkpoint")); err != nil {
				t.Errorf("evidence lacks the observed checkpoint: %v", err)
			}
			if cp, _ := m.Copy.Checkpoint(); cp.Size != 600 {
				t.Errorf("the copy moved to size %d", cp.Size)
			}
			if _, err := m.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "stopped on an earlier alert") {
				t.Errorf("a second poll: %v, want a refusal", err)
			}
		})
	}
}

func TestRecheck(t *testing.T) {
	skey, vkey := genKey(t, testOrigin)
	for _, tc := range []struct {
		name   string
		change func(s *server, l *testLog)
		kind   string
		want   string
	}{
		{"Unchanged", func(s *server, l *testLog) {}, "", ""},
		{"ChangedOldLeaf", func(s *server, l *testLog) {
			e := randomEntries(1)[0]
			l.entries[10], l.hashes[0][10] = e, ledger.LeafHash(e)
		}, ChangedTile, `tile/0/000: hash 10 differs`},
		{"ChangedOldEntry", func(s *server, l *testLog) { l.entries[300] = randomEntries(1)[0] }, ChangedTile, `leaf 300: tile/entries/001 differs`},
		{"ChangedHigherTile", func(s *server, l *testLog) { l.hashes[1][1] = [32]byte{9} }, ChangedTile, `tile/1/000.p/2: hash 1 differs`},
		{"MissingTile", func(s *server, l *testLog) {
			s.set(l, func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/log/tile/0/001" {
					http.NotFound(w, r)
					return true
				}
				return false
			})
		}, MissingTile, `tile/0/001 is not served, though the checkpoint of size 600 covers it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t, skey)
			l.add(t, randomEntries(600)...)
			srv := newServer(t, l)
			m := newMonitor(t, srv.URL, vkey)
			mustPoll(t, m, 600)
			tc.change(srv, l)
			mustPoll(t, m, 600) // a poll sees nothing: the checkpoint is the same
			err := m.Recheck(context.Background())
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var a *Alert
			if !errors.As(err, &a) || a.Kind != tc.kind || !matches(a.Msg, tc.want) {
				t.Fatalf("recheck: %v, want %s matching %q", err, tc.kind, tc.want)
			}
		})
	}
}
