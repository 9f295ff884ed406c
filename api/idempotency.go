package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
)

// Idempotency keeps the responses to writes that carried an Idempotency-Key, so
// that a retry gets the first response instead of writing twice. Its methods take
// plain values, so that a store can implement it without importing this package.
type Idempotency interface {
	// StoredResponse returns the response stored under key, if any, with the
	// fingerprint of the request that produced it.
	StoredResponse(ctx context.Context, key string) (fingerprint []byte, status int, body []byte, found bool, err error)
	// StoreResponse stores a response under key. A key already stored keeps its
	// first response.
	StoreResponse(ctx context.Context, key string, fingerprint []byte, status int, body []byte, created time.Time) error
}

// KeyLocker is an optional interface of an Idempotency store that several servers
// share (replicas on one database): LockKey waits until no request carrying key
// runs on any of them, and returns the function that lets the next one run.
// Within a server, requests with one key are serialised before LockKey is called.
type KeyLocker interface {
	LockKey(ctx context.Context, key string) (unlock func(), err error)
}

// IdempotencyKeyHeader is the request header that makes a write idempotent;
// ReplayedHeader marks a response that is the stored answer to an earlier request.
const (
	IdempotencyKeyHeader = "Idempotency-Key"
	ReplayedHeader       = "Idempotent-Replayed"
	maxIdempotencyKey    = 200
)

const idempotencyDoc = "**Idempotent writes, exactly once.** Every write (POST, PUT, PATCH or DELETE under `/api/v1/`) " +
	"but those of accounts (login, logout, password, tokens, users: their answers carry secrets or cookies) " +
	"accepts an optional `Idempotency-Key` header: 1 to 200 printable ASCII characters, chosen by the " +
	"client and unique to one intended write. Keys are the signed-in user's own: another user's key is " +
	"another key. The first answer to a key is kept, a refusal (4xx) included, but for 401, 408 and 429. A " +
	"retry with the same key and the same request (method, path with query, and body, byte for byte) " +
	"gets that answer again, same status, body and `Location`, `ETag` and `Content-Type` headers, with the header `Idempotent-Replayed: true`, and " +
	"records nothing. The same key with a different request is refused with a 422 problem located at " +
	"`header.Idempotency-Key`. An accepted write's receipt is stored under its key in the same database " +
	"transaction as its events, so a retry after any lost answer (timeout, dropped connection, server " +
	"killed after the commit) gets the first receipt, never a second write; a 5xx answer is not kept, and " +
	"a retry then gets the stored outcome or tries again. Requests with one key are answered one at a time, " +
	"across replicas too. A handover document sent again with the same signatures gets its first receipt."

var idempotencyKeyParam = huma.Param{
	Name: IdempotencyKeyHeader, In: "header",
	Description: "Makes the write exactly-once: a retry with the same key and request gets the first answer (a refusal included) and records nothing (see the API description).",
	Schema:      &huma.Schema{Type: huma.TypeString, MinLength: ptr(1), MaxLength: ptr(maxIdempotencyKey), Pattern: "^[\\x20-\\x7E]+$"},
}

func ptr[T any](v T) *T { return &v }

// isWrite reports whether a method writes.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// checkIdempotencyKey checks a key's form: 1 to 200 printable ASCII characters.
func checkIdempotencyKey(key string) error {
	if len(key) == 0 || len(key) > maxIdempotencyKey {
		return fmt.Errorf("must be 1 to %d characters long; got %d", maxIdempotencyKey, len(key))
	}
	for i := range len(key) {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("must be printable ASCII; byte %d is 0x%02x", i, c)
		}
	}
	return nil
}

// fingerprint identifies a request: its method, its path and query as sent, and its
// body. Each part is length-prefixed, so that no two different requests share one.
func fingerprint(method, uri string, body []byte) []byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(method), []byte(uri), body} {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		h.Write(part)
	}
	return h.Sum(nil)
}

// idempotency is the state of the idempotency middleware.
type idempotency struct {
	store  Idempotency
	locks  keyLocks
	shared KeyLocker // nil unless the store is shared with other servers
}

func newIdempotency(store Store, cfg Config) *idempotency {
	st := cfg.Idempotency
	if st == nil {
		if i, ok := store.(Idempotency); ok {
			st = i
		} else {
			cfg.Logger.Warn("api: the store keeps no idempotency keys; they are kept in memory and forgotten at restart")
			st = newMemResponses(memResponsesMax)
		}
	}
	idem := &idempotency{store: st}
	idem.shared, _ = st.(KeyLocker)
	return idem
}

// idempotent makes the writes under /api/v1/ that carry an Idempotency-Key
// idempotent (see idempotencyDoc). It runs after authentication: a key is kept
// under the signed-in user's id, so that nobody is answered with another's
// response; requests that nobody signed are passed on, to be refused.
func (s *server) idempotent(next http.Handler) http.Handler {
	const loc = "header." + IdempotencyKeyHeader
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys := r.Header.Values(IdempotencyKeyHeader)
		who := requestOf(r.Context()).who
		if len(keys) == 0 || !isWrite(r.Method) || !strings.HasPrefix(r.URL.Path, "/api/v1/") || who == nil {
			next.ServeHTTP(w, r)
			return
		}
		if _, pattern := s.noIdem.Handler(r); pattern != "" { // an account route: never replayed
			next.ServeHTTP(w, r)
			return
		}
		if len(keys) > 1 {
			writeProblemAt(w, http.StatusUnprocessableEntity, custody.Invalid, loc, "must be given once")
			return
		}
		if err := checkIdempotencyKey(keys[0]); err != nil {
			writeProblemAt(w, http.StatusUnprocessableEntity, custody.Invalid, loc, err.Error())
			return
		}
		key := who.user.ID.String() + "/" + keys[0]
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxHandoverBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
				return
			}
			writeProblem(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fp := fingerprint(r.Method, r.URL.RequestURI(), body)

		ctx := r.Context()
		unlock, err := s.idem.locks.lock(ctx, key)
		if err != nil {
			return // the client went away while an earlier request with its key ran
		}
		defer unlock()
		if s.idem.shared != nil { // and across the servers sharing the store
			unlockShared, err := s.idem.shared.LockKey(ctx, key)
			if err != nil {
				if ctx.Err() != nil {
					return // the client went away while another server ran its key
				}
				s.log.ErrorContext(ctx, "api: idempotency key lock", "err", err)
				writeProblem(w, http.StatusInternalServerError, "internal error; it has been logged")
				return
			}
			defer unlockShared()
		}
		storedFP, status, stored, found, err := s.idem.store.StoredResponse(ctx, key)
		if err != nil {
			s.log.ErrorContext(ctx, "api: idempotency key lookup", "err", err)
			writeProblem(w, http.StatusInternalServerError, "internal error; it has been logged")
			return
		}
		if found && !bytes.Equal(storedFP, fp) {
			writeProblemAt(w, http.StatusUnprocessableEntity, custody.Invalid, loc, "idempotency key reused with a different request")
			return
		}
		if found && status != pendingStatus {
			h, body, err := decodeAnswer(stored)
			if err != nil {
				s.log.ErrorContext(ctx, "api: idempotency key answer", "err", err)
				writeProblem(w, http.StatusInternalServerError, "internal error; it has been logged")
				return
			}
			w.Header().Set("Content-Type", contentType(status))
			for k, v := range h {
				w.Header()[k] = v
			}
			w.Header().Set(ReplayedHeader, "true")
			w.WriteHeader(status)
			w.Write(body)
			return
		}
		// Not answered yet: the first request with the key, or one whose command
		// was committed (found, pending) but whose answer was lost. The handler
		// runs with the key, so that the sequencer records its outcome with its
		// events, or replays the receipt it recorded; it runs to the end even if
		// the client goes, so that the answer is stored for the retry.
		mark := &replayMark{replayed: found}
		hctx := context.WithValue(sequencer.WithKey(context.WithoutCancel(ctx), sequencer.Key{ID: key, Fingerprint: fp, Checked: !found}), replayMark{}, mark)
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r.WithContext(hctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if keepsAnswer(rec.status) {
			err := s.idem.store.StoreResponse(context.WithoutCancel(ctx), key, fp, rec.status, encodeAnswer(rec.header, rec.body.Bytes()), s.cfg.Now().UTC())
			if err != nil {
				// The command's outcome is stored with its events: a retry replays
				// its receipt, and is answered then.
				s.log.ErrorContext(ctx, "api: idempotency key answer not stored", "err", err)
			}
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		if mark.replayed {
			w.Header().Set(ReplayedHeader, "true")
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
	})
}

// pendingStatus is the status stored under a key whose command is committed but
// whose answer is not stored yet (sqlstore.PendingStatus).
const pendingStatus = 0

// keepsAnswer reports whether an answer is the outcome of its request, to be
// stored under its key: every success, and every refusal but those that say
// "not now" (408, 429) or "not you" (401). Server errors (5xx) are not kept: the
// sequencer wrote nothing, or stored the command's outcome with its events, and
// a retry then replays it.
func keepsAnswer(status int) bool {
	switch {
	case status >= 200 && status < 300:
		return true
	case status == http.StatusUnauthorized, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return false
	}
	return status >= 400 && status < 500
}

// contentType is the media type of a stored answer.
func contentType(status int) string {
	if status >= 400 {
		return "application/problem+json"
	}
	return "application/json"
}

// replayMark is set (in the request's context) when the sequencer answers the
// request with a receipt recorded earlier under its key.
type replayMark struct{ replayed bool }

// markReplayed marks the request of ctx, if it carries a key, as replayed.
func markReplayed(ctx context.Context) {
	if m, ok := ctx.Value(replayMark{}).(*replayMark); ok {
		m.replayed = true
	}
}

// writeProblemAt writes a problem located at a part of the request.
func writeProblemAt(w http.ResponseWriter, status int, code custody.Code, loc, msg string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := newProblem(status, code, loc+": "+msg)
	p.Errors = []*huma.ErrorDetail{{Message: msg, Location: loc}}
	json.NewEncoder(w).Encode(p)
}

// recorder buffers a response, so that it can be stored before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// keyLocks serialises the requests that carry one key, within the process.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sem  chan struct{}
	refs int // requests holding or waiting for the lock
}

// lock waits for the key's lock, or for ctx to end.
func (k *keyLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{sem: make(chan struct{}, 1)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// memResponsesMax bounds the responses kept in memory; the oldest go first.
const memResponsesMax = 100_000

// memResponses keeps responses in memory, for stores that cannot keep them.
type memResponses struct {
	mu    sync.Mutex
	max   int
	m     map[string]memResponse
	order []string
}

type memResponse struct {
	fingerprint, body []byte
	status            int
}

func newMemResponses(max int) *memResponses {
	return &memResponses{max: max, m: map[string]memResponse{}}
}

func (m *memResponses) StoredResponse(_ context.Context, key string) ([]byte, int, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.m[key]
	return r.fingerprint, r.status, r.body, ok, nil
}

func (m *memResponses) StoreResponse(_ context.Context, key string, fp []byte, status int, body []byte, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[key]; ok {
		return nil
	}
	if len(m.order) >= m.max {
		delete(m.m, m.order[0])
		m.order = m.order[1:]
	}
	m.m[key] = memResponse{fingerprint: bytes.Clone(fp), status: status, body: bytes.Clone(body)}
	m.order = append(m.order, key)
	return nil
}
