package monitor

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
)

// testLog is a handover log held in memory, with real signatures, served by
// the real [ledger.Handler]: what a monitor follows in these tests.
type testLog struct {
	mu      sync.Mutex
	origin  string
	signer  note.Signer
	entries [][]byte
	hashes  [][][ledger.HashSize]byte // by tile level
	tree    *ledger.Tree
	text    []byte
}

const testOrigin = "handover.test/monitor"

func newTestLog(t *testing.T, skey string) *testLog {
	t.Helper()
	s, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &testLog{origin: s.Name(), signer: s, tree: ledger.NewTree(), hashes: make([][][ledger.HashSize]byte, 1)}
}

// add appends entries and signs a checkpoint.
func (l *testLog) add(t *testing.T, entries ...[]byte) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range entries {
		lh := ledger.LeafHash(e)
		l.entries = append(l.entries, e)
		l.hashes[0] = append(l.hashes[0], lh)
		for _, n := range l.tree.Append(lh) {
			lv := int(n.Level / ledger.TileHeight)
			for len(l.hashes) <= lv {
				l.hashes = append(l.hashes, nil)
			}
			l.hashes[lv] = append(l.hashes[lv], n.Hash)
		}
	}
	text, err := ledger.SignCheckpoint(l.signer, l.origin, l.tree.Size(), l.tree.Root())
	if err != nil {
		t.Fatal(err)
	}
	l.text = text
}

// randomEntries returns n entries of random ids and commitments.
func randomEntries(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, ledger.EntrySize)
		rand.Read(out[i])
	}
	return out
}

func (l *testLog) LatestCheckpoint(context.Context) ([]byte, uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text, l.tree.Size(), nil
}

func (l *testLog) TileHashes(_ context.Context, level uint, start, n uint64) ([][ledger.HashSize]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if int(level) >= len(l.hashes) || start+n > uint64(len(l.hashes[level])) {
		return nil, fmt.Errorf("no hashes [%d, %d) at level %d", start, start+n, level)
	}
	return l.hashes[level][start : start+n], nil
}

func (l *testLog) Entries(_ context.Context, start, n uint64) ([][]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.entries[start : start+n], nil
}

// server serves whichever log is current, through an optional filter.
type server struct {
	mu     sync.Mutex
	log    *testLog
	filter func(w http.ResponseWriter, r *http.Request) bool // true: handled
	*httptest.Server
}

func newServer(t *testing.T, l *testLog) *server {
	s := &server{log: l}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		l, f := s.log, s.filter
		s.mu.Unlock()
		if f != nil && f(w, r) {
			return
		}
		ledger.Handler(l).ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(l *testLog, f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.filter = l, f
}
