package witness

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/note"
)

// CosignedSource is what [Witnessed] reads of the log.
type CosignedSource interface {
	// LatestCheckpoint returns the newest signed checkpoint note and its size.
	LatestCheckpoint(ctx context.Context) ([]byte, uint64, error)
	// Cosigned returns up to n of the newest checkpoints that carry stored
	// cosignatures, newest first.
	Cosigned(ctx context.Context, n int) ([]Cosigned, error)
}

// Cosigned is a checkpoint as the log signed it and the cosignature lines
// stored beside it.
type Cosigned struct {
	Size  uint64
	Note  []byte
	Lines []string
}

// searchDepth is how many of the newest cosigned checkpoints are tried for
// the quorum: witnesses answer each newest checkpoint, so the quorum is met
// on one of the last few or on none.
const searchDepth = 64

// Witnessed returns the newest checkpoint whose stored cosignatures meet
// the policy's quorum, as a note carrying the log's signature and every
// valid cosignature of the policy's witnesses, with the cosignatures. ok is
// false if no stored checkpoint meets the quorum. With quorum none, the
// newest checkpoint meets it.
func Witnessed(ctx context.Context, p *Policy, logV note.Verifier, src CosignedSource) (text []byte, size uint64, cosigs []Cosignature, ok bool, err error) {
	if p.Quorum == "none" {
		text, size, err := src.LatestCheckpoint(ctx)
		return text, size, nil, err == nil && len(text) > 0, err
	}
	cs, err := src.Cosigned(ctx, searchDepth)
	if err != nil {
		return nil, 0, nil, false, err
	}
	for _, c := range cs {
		t := append([]byte{}, c.Note...)
		for _, l := range c.Lines {
			t = append(t, l...)
		}
		_, valid, err := p.Check(t, logV)
		if err != nil {
			continue
		}
		// Keep only the valid cosignatures of the policy's witnesses.
		t = append([]byte{}, c.Note...)
		for _, v := range valid {
			t = append(t, v.Line...)
		}
		return t, c.Size, valid, true, nil
	}
	return nil, 0, nil, false, nil
}

// CheckpointHandler serves GET /log/checkpoint as the newest checkpoint that
// meets the policy's quorum, with its cosignature lines; before any does, it
// serves the newest signed checkpoint (which a client holding the policy
// will not yet trust).
func CheckpointHandler(p *Policy, logV note.Verifier, src CosignedSource, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		text, _, _, ok, err := Witnessed(r.Context(), p, logV, src)
		if err == nil && !ok {
			text, _, err = src.LatestCheckpoint(r.Context())
		}
		if err != nil {
			logger.ErrorContext(r.Context(), "witness: serving checkpoint", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if len(text) == 0 {
			http.Error(w, "no checkpoint yet", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(len(text)))
		w.Write(text)
	})
}
