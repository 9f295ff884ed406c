package monitor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/handover-project/handover/ledger"
)

// errNotFound: the log answered 404 for a resource.
var errNotFound = errors.New("not served")

// transportError: the log could not be reached, or answered with neither
// the resource nor 404. It is not evidence of anything; the next poll retries.
type transportError struct{ err error }

func (e *transportError) Error() string { return "monitor: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// maxResource bounds the size of a fetched checkpoint, tile or bundle.
const maxResource = 1 << 20

// remote reads a log's /log/ resources over HTTP. With size set, it is a
// [ledger.TileReader] of the log's tree at that size.
type remote struct {
	base   string // URL prefix; resources are at base + "/log/…"
	client *http.Client
	size   uint64
}

func (r *remote) get(ctx context.Context, path string) ([]byte, error) {
	u := strings.TrimSuffix(r.base, "/") + "/log/" + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, &transportError{err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResource+1))
	switch {
	case err != nil:
		return nil, &transportError{fmt.Errorf("GET %s: %w", u, err)}
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("GET %s: %w (404)", u, errNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, &transportError{fmt.Errorf("GET %s: %s", u, resp.Status)}
	case len(b) > maxResource:
		return nil, fmt.Errorf("monitor: GET %s: more than %d bytes", u, maxResource)
	}
	return b, nil
}

// tilePath returns the path of tile k at tile level l (entries: its bundle)
// in a tree of size leaves.
func tilePath(l uint, k uint64, entries bool, size uint64) ledger.TilePath {
	w := min(levelCount(size, l)-k*ledger.TileWidth, ledger.TileWidth)
	return ledger.TilePath{Level: l, Entries: entries, Index: k, Width: uint(w)}
}

// hashes fetches a tile of hashes and checks its length.
func (r *remote) hashes(ctx context.Context, t ledger.TilePath) ([]byte, error) {
	b, err := r.get(ctx, t.String())
	if err != nil {
		return nil, err
	}
	if len(b) != int(t.Width)*ledger.HashSize {
		return nil, fmt.Errorf("%s is %d bytes, want %d", t, len(b), int(t.Width)*ledger.HashSize)
	}
	return b, nil
}

// bundle fetches an entry bundle and splits it into its entries.
func (r *remote) bundle(ctx context.Context, t ledger.TilePath) ([]byte, [][]byte, error) {
	b, err := r.get(ctx, t.String())
	if err != nil {
		return nil, nil, err
	}
	es, err := splitBundle(b)
	if err != nil {
		return b, nil, fmt.Errorf("%s: %w", t, err)
	}
	if len(es) != int(t.Width) {
		return b, nil, fmt.Errorf("%s holds %d entries, want %d", t, len(es), t.Width)
	}
	return b, es, nil
}

// splitBundle splits an entry bundle (each entry preceded by its big-endian
// uint16 length); every entry of this log is [ledger.EntrySize] bytes.
func splitBundle(b []byte) ([][]byte, error) {
	var es [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated entry length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if n != ledger.EntrySize || len(b) < 2+n {
			return nil, fmt.Errorf("entry %d is %d bytes (of %d left), want %d", len(es), n, len(b)-2, ledger.EntrySize)
		}
		es = append(es, b[2:2+n])
		b = b[2+n:]
	}
	return es, nil
}

// TileHashes implements [ledger.TileReader] over the log's tiles at r.size.
func (r *remote) TileHashes(ctx context.Context, level uint, start, n uint64) ([][ledger.HashSize]byte, error) {
	out := make([][ledger.HashSize]byte, 0, n)
	for i := start; i < start+n; {
		k := i / ledger.TileWidth
		t := tilePath(level, k, false, r.size)
		b, err := r.hashes(ctx, t)
		if err != nil {
			return nil, err
		}
		for ; i < start+n && i < k*ledger.TileWidth+uint64(t.Width); i++ {
			out = append(out, [ledger.HashSize]byte(b[(i-k*ledger.TileWidth)*ledger.HashSize:]))
		}
		if i < start+n && i < (k+1)*ledger.TileWidth {
			return nil, fmt.Errorf("hash %d at tile level %d is beyond the tree of size %d", i, level, r.size)
		}
	}
	return out, nil
}
