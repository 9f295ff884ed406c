package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Reader is what [Handler] reads from a store.
type Reader interface {
	TileReader
	// LatestCheckpoint returns the latest signed checkpoint note, its size.
	// Before the first checkpoint it returns an empty text and no error.
	LatestCheckpoint(ctx context.Context) (text []byte, size uint64, err error)
	// Entries returns the leaf entries [start, start+n) (each 48 bytes).
	Entries(ctx context.Context, start, n uint64) ([][]byte, error)
}

// Cache-Control values of the served resources.
const (
	cacheCheckpoint = "no-cache"
	cacheTile       = "public, max-age=31536000, immutable"
)

// Handler returns an HTTP handler serving the log as a C2SP tiled
// transparency log under /log/:
//
//	GET /log/checkpoint                  the latest signed checkpoint
//	GET /log/tile/<L>/<N>[.p/<W>]        hashes, 32 bytes each
//	GET /log/tile/entries/<N>[.p/<W>]    entry bundles
//
// A tile or bundle is served, full or partial, only if all its hashes or
// entries lie within the tree of the latest checkpoint; anything beyond it is
// 404 Not Found, and a malformed path is 400 Bad Request. The contents at a
// tile path never change, so tiles are served with long, immutable caching;
// the checkpoint is served with no-cache. The handler reads nothing beyond
// the latest checkpoint's size.
func Handler(r Reader) http.Handler {
	h := &handler{r: r}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /log/checkpoint", h.checkpoint)
	mux.HandleFunc("GET /log/tile/", h.tile)
	return mux
}

type handler struct{ r Reader }

func (h *handler) checkpoint(w http.ResponseWriter, req *http.Request) {
	text, _, err := h.r.LatestCheckpoint(req.Context())
	if err != nil {
		h.fail(w, req, err)
		return
	}
	if len(text) == 0 {
		http.Error(w, "no checkpoint yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", cacheCheckpoint)
	w.Header().Set("Content-Length", strconv.Itoa(len(text)))
	w.Write(text)
}

func (h *handler) tile(w http.ResponseWriter, req *http.Request) {
	t, err := ParseTilePath(strings.TrimPrefix(req.URL.Path, "/log/"))
	if err != nil {
		http.Error(w, "malformed tile path", http.StatusBadRequest)
		return
	}
	ctx := req.Context()
	_, size, err := h.r.LatestCheckpoint(ctx)
	if err != nil {
		h.fail(w, req, err)
		return
	}
	if !t.within(size) {
		http.Error(w, "tile beyond the latest checkpoint", http.StatusNotFound)
		return
	}
	start, n := t.Index*TileWidth, uint64(t.Width)
	var body []byte
	if t.Entries {
		body, err = h.bundle(ctx, start, n)
	} else {
		body, err = h.hashes(ctx, t.Level, start, n)
	}
	if err != nil {
		h.fail(w, req, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", cacheTile)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (h *handler) hashes(ctx context.Context, level uint, start, n uint64) ([]byte, error) {
	hs, err := h.r.TileHashes(ctx, level, start, n)
	if err != nil {
		return nil, err
	}
	if uint64(len(hs)) != n {
		return nil, fmt.Errorf("store returned %d hashes at tile level %d from %d, want %d", len(hs), level, start, n)
	}
	body := make([]byte, 0, len(hs)*HashSize)
	for i := range hs {
		body = append(body, hs[i][:]...)
	}
	return body, nil
}

func (h *handler) bundle(ctx context.Context, start, n uint64) ([]byte, error) {
	es, err := h.r.Entries(ctx, start, n)
	if err != nil {
		return nil, err
	}
	if uint64(len(es)) != n {
		return nil, fmt.Errorf("store returned %d entries from %d, want %d", len(es), start, n)
	}
	body := make([]byte, 0, len(es)*(2+EntrySize))
	for i, e := range es {
		if len(e) > 0xffff {
			return nil, fmt.Errorf("entry %d is %d bytes, too long for a bundle", start+uint64(i), len(e))
		}
		body = binary.BigEndian.AppendUint16(body, uint16(len(e)))
		body = append(body, e...)
	}
	return body, nil
}

// fail reports a store error: logged, and a bare 500 to the client.
func (h *handler) fail(w http.ResponseWriter, req *http.Request, err error) {
	if req.Context().Err() == nil {
		slog.ErrorContext(req.Context(), "ledger: serving log", "path", req.URL.Path, "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
