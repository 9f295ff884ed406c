package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

func get(t fataler, h http.Handler, path string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// naiveTile is tile n at level l of the given leaves, by the definition of
// C2SP tlog-tiles: MTH(D[(n·256+i)·256^l : (n·256+i+1)·256^l]) for i < w.
func naiveTile(leaves [][HashSize]byte, l uint, n uint64, w int) []byte {
	span := uint64(1) << (8 * l)
	var out []byte
	for i := uint64(0); i < uint64(w); i++ {
		start := (n*256 + i) * span
		h := naiveRoot(leaves[start : start+span])
		out = append(out, h[:]...)
	}
	return out
}

func TestHandlerCheckpoint(t *testing.T) {
	m := newMemLog()
	h := Handler(m)
	if res, _ := get(t, h, "/log/checkpoint"); res.StatusCode != http.StatusNotFound {
		t.Errorf("checkpoint before the first: status %d, want 404", res.StatusCode)
	}
	m.fill(300)
	m.sign(t, testSigner(t))
	res, body := get(t, h, "/log/checkpoint")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	c, err := OpenCheckpoint(body, testVerifier(t), testOrigin)
	if err != nil || c.Size != 300 || c.Root != naiveRoot(m.hashes[0]) {
		t.Errorf("served checkpoint %+v, %v", c, err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/log/checkpoint", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
}

func TestHandlerTiles(t *testing.T) {
	m := newMemLog()
	m.fill(70000)
	m.sign(t, testSigner(t))
	m.fill(1000) // logged but not yet covered by a checkpoint
	m.maxRead = 0
	h := Handler(m)
	leaves := m.hashes[0][:70000]

	for _, tc := range []struct {
		path   string
		status int
		level  uint
		index  uint64
		width  int
	}{
		// 70000 = 273·256 + 112; 273 = 256 + 17.
		{"/log/tile/0/000", 200, 0, 0, 256},
		{"/log/tile/0/272", 200, 0, 272, 256},
		{"/log/tile/0/273.p/112", 200, 0, 273, 112},
		{"/log/tile/0/273.p/5", 200, 0, 273, 5}, // for an earlier checkpoint
		{"/log/tile/1/000", 200, 1, 0, 256},
		{"/log/tile/1/001.p/17", 200, 1, 1, 17},
		{"/log/tile/2/000.p/1", 200, 2, 0, 1},
		{"/log/tile/0/000.p/255", 200, 0, 0, 255}, // partial of a full tile
		{"/log/tile/0/273", 404, 0, 0, 0},
		{"/log/tile/0/273.p/113", 404, 0, 0, 0},
		{"/log/tile/0/274.p/1", 404, 0, 0, 0},
		{"/log/tile/1/001", 404, 0, 0, 0},
		{"/log/tile/1/001.p/18", 404, 0, 0, 0},
		{"/log/tile/2/000", 404, 0, 0, 0},
		{"/log/tile/3/000.p/1", 404, 0, 0, 0},
		{"/log/tile/63/x018/x446/x744/x073/x709/x551/615", 404, 0, 0, 0},
		{"/log/tile/0/x001/000", 404, 0, 0, 0},
		{"/log/tile/00/000", 400, 0, 0, 0},
		{"/log/tile/0/0", 400, 0, 0, 0},
		{"/log/tile/0/000.p/0", 400, 0, 0, 0},
		{"/log/tile/64/000", 400, 0, 0, 0},
		{"/log/tile/", 400, 0, 0, 0},
		{"/log/tile/entries/x", 400, 0, 0, 0},
	} {
		res, body := get(t, h, tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", tc.path, ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != cacheTile {
			t.Errorf("%s: Cache-Control %q", tc.path, cc)
		}
		if want := naiveTile(leaves, tc.level, tc.index, tc.width); string(body) != string(want) {
			t.Errorf("%s: %d bytes, not the naive tile (%d bytes)", tc.path, len(body), len(want))
		}
	}
	if m.maxRead > 70000 {
		t.Errorf("the handler read up to leaf %d, beyond the checkpoint size 70000", m.maxRead)
	}
}

func TestHandlerEntries(t *testing.T) {
	m := newMemLog()
	m.fill(600)
	m.sign(t, testSigner(t))
	m.fill(300)
	m.maxRead = 0
	h := Handler(m)
	for _, tc := range []struct {
		path   string
		status int
		start  uint64
		n      int
	}{
		{"/log/tile/entries/000", 200, 0, 256},
		{"/log/tile/entries/001", 200, 256, 256},
		{"/log/tile/entries/002.p/88", 200, 512, 88},
		{"/log/tile/entries/002.p/1", 200, 512, 1},
		{"/log/tile/entries/002.p/89", 404, 0, 0},
		{"/log/tile/entries/002", 404, 0, 0},
		{"/log/tile/entries/003.p/1", 404, 0, 0},
		{"/log/tile/entries/002.p/088", 400, 0, 0},
	} {
		res, body := get(t, h, tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %s for %d bytes", tc.path, cl, len(body))
		}
		// Decode the bundle: big-endian uint16 length-prefixed entries.
		for i := 0; i < tc.n; i++ {
			if len(body) < 2 || len(body) < 2+int(binary.BigEndian.Uint16(body)) {
				t.Fatalf("%s: bundle truncated at entry %d", tc.path, i)
			}
			n := int(binary.BigEndian.Uint16(body))
			if e := body[2 : 2+n]; string(e) != string(testEntry(tc.start+uint64(i))) {
				t.Errorf("%s: entry %d = %x", tc.path, i, e)
			}
			body = body[2+n:]
		}
		if len(body) != 0 {
			t.Errorf("%s: %d trailing bytes", tc.path, len(body))
		}
	}
	if m.maxRead > 600 {
		t.Errorf("the handler read up to entry %d, beyond the checkpoint size 600", m.maxRead)
	}
}

// TestHandlerTilesMatchNaive checks, for random tree sizes, that every tile
// the checkpoint requires is served and equals the naive computation.
func TestHandlerTilesMatchNaive(t *testing.T) {
	s := testSigner(t)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3000).Draw(t, "size")
		m := newMemLog()
		m.fill(n)
		m.sign(t, s)
		h := Handler(m)
		leaves := m.hashes[0]
		for l := uint(0); l < 3; l++ {
			count := uint64(n) >> (8 * l) // hashes at this tile level
			for idx := uint64(0); idx*256 < count; idx++ {
				w := min(count-idx*256, 256)
				tp := TilePath{Level: l, Index: idx, Width: uint(w)}
				res, body := get(t, h, "/log/"+tp.String())
				if res.StatusCode != 200 {
					t.Fatalf("%s: status %d", tp, res.StatusCode)
				}
				if want := naiveTile(leaves, l, idx, int(w)); string(body) != string(want) {
					t.Fatalf("%s differs from the naive tile", tp)
				}
			}
		}
	})
}

// failingReader fails every read.
type failingReader struct{ *memLog }

func (failingReader) TileHashes(context.Context, uint, uint64, uint64) ([][HashSize]byte, error) {
	return nil, errors.New("disk on fire")
}

func TestHandlerStoreError(t *testing.T) {
	m := newMemLog()
	m.fill(300)
	m.sign(t, testSigner(t))
	if res, _ := get(t, Handler(failingReader{m}), "/log/tile/0/000"); res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
}
