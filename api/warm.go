package api

import (
	"context"
	"sync"
	"time"
)

// warming is the background build of the names index started by WarmNames.
type warming struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NamesWarmed is what WarmNames reports when it is done: the persons indexed, the
// wall time of the index, and why it stopped early, if it did (the handler
// closed, or a store error).
type NamesWarmed struct {
	Persons int
	Index   time.Duration
	Err     error
}

// WarmNames builds, in the background, the names index that searches by name,
// registrations (likely duplicates) and GET /duplicates would otherwise build at
// their first call (some 10 CPU-s per 100,000 persons, on one core). It returns
// at once: the server answers meanwhile, and a request that needs the index waits
// for it rather than building it again. The candidate pairs of GET /duplicates
// are not computed ahead: they take every core for as long again, which would
// slow every other request of a server just started. done, if not nil, is called
// when it ends. Close stops it and waits for it.
func (h *Handler) WarmNames(done func(NamesWarmed)) {
	s := h.s
	s.warm.mu.Lock()
	defer s.warm.mu.Unlock()
	if s.warm.done != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.warm.cancel, s.warm.done = cancel, make(chan struct{})
	go func() {
		var w NamesWarmed
		start := time.Now()
		defer close(s.warm.done)
		n, err := s.index(ctx)
		w.Index, w.Err = time.Since(start), err
		if err == nil {
			w.Persons = n.idx.Len()
		}
		if done != nil {
			done(w)
		}
	}()
}

// stopWarming cancels WarmNames and waits for it, so that the store it reads can
// be closed.
func (s *server) stopWarming() {
	s.warm.mu.Lock()
	cancel, done := s.warm.cancel, s.warm.done
	s.warm.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
