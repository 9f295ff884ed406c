package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// The audit log records who did what, to what, when and from where: every read
// the table marks audited (a person's record, a transfer, a movement, an event,
// the audit log itself), every export, every write (done or refused), every
// denial, and every failed sign-in. An audited read is answered only once its
// entry is stored.

// auditLog writes entries to the store in batches: requests that arrive while a
// batch is being written go together in the next (group commit). Each request
// waits for its entry to be stored.
type auditLog struct {
	store  access.Store
	log    *slog.Logger
	mu     sync.RWMutex
	closed bool
	queue  chan auditRequest
	done   chan struct{}
}

type auditRequest struct {
	e   access.AuditEntry
	ack chan error
}

// maxAuditBatch bounds the entries written in one transaction.
const maxAuditBatch = 256

func newAuditLog(store access.Store, log *slog.Logger) *auditLog {
	a := &auditLog{store: store, log: log, queue: make(chan auditRequest, 4*maxAuditBatch), done: make(chan struct{})}
	go a.run()
	return a
}

// write stores one entry, waiting for it to be written.
func (a *auditLog) write(e access.AuditEntry) error {
	r := auditRequest{e: e, ack: make(chan error, 1)}
	a.mu.RLock()
	if a.closed {
		a.mu.RUnlock()
		a.flush([]auditRequest{r})
		return <-r.ack
	}
	a.queue <- r
	a.mu.RUnlock()
	return <-r.ack
}

func (a *auditLog) run() {
	defer close(a.done)
	for r := range a.queue {
		batch := []auditRequest{r}
	more:
		for len(batch) < maxAuditBatch {
			select {
			case r, ok := <-a.queue:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		a.flush(batch)
	}
}

// flush writes a batch, once more after a failure; entries that still could not
// be stored go to the server's log, so that none is lost without a trace.
func (a *auditLog) flush(batch []auditRequest) {
	es := make([]access.AuditEntry, len(batch))
	for i, r := range batch {
		es[i] = r.e
	}
	err := a.store.Audit(context.Background(), es)
	if err != nil {
		time.Sleep(50 * time.Millisecond)
		err = a.store.Audit(context.Background(), es)
	}
	if err != nil {
		for _, e := range es {
			a.log.Error("api: audit entry not stored", "err", err, "at", e.At, "user", e.User, "name", e.Name, "party", e.Party,
				"action", e.Action, "target", e.Target, "address", e.Address, "outcome", e.Outcome, "detail", e.Detail)
		}
		err = fmt.Errorf("api: audit log: %w", err)
	}
	for _, r := range batch {
		r.ack <- err
	}
}

// close writes what is queued and stops the writer.
func (a *auditLog) close() error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.queue)
	}
	a.mu.Unlock()
	<-a.done
	return nil
}

// record writes an entry, filling in the time, the address and, if the entry
// names nobody, the signed-in user.
func (s *server) record(ctx context.Context, e access.AuditEntry) error {
	rq := requestOf(ctx)
	if e.At.IsZero() {
		e.At = s.cfg.Now().UTC()
	}
	e.Address = rq.addr
	if e.User == uuid.Nil && e.Name == "" && rq.who != nil {
		e.User, e.Name, e.Party = rq.who.user.ID, rq.who.user.Name, rq.who.user.Party
	}
	return s.audit.write(e)
}

// recordAct records an act on a route: err is nil when it was done, errDenied
// when authorisation refused it, else why it failed.
func (s *server) recordAct(ctx context.Context, az *authz, err error) error {
	e := access.AuditEntry{User: az.user.ID, Name: az.user.Name, Party: az.user.Party, Action: az.action, Target: az.target, Outcome: access.Allowed}
	switch {
	case errors.Is(err, errDenied):
		e.Outcome, e.Detail = access.Denied, "no role of the user grants it over this resource"
		if !az.grant.Allowed() {
			e.Detail = "no role of the user grants it"
		}
	case err != nil:
		status := http.StatusInternalServerError
		var se huma.StatusError
		if errors.As(err, &se) {
			status = se.GetStatus()
		} else if p := at(err, inBody); p != err {
			status = p.(huma.StatusError).GetStatus()
		}
		e.Outcome, e.Detail = access.Failed, fmt.Sprintf("refused: %d %s", status, http.StatusText(status))
	}
	return s.record(ctx, e)
}

// AuditQuery is the filter of the audit log's routes.
type AuditQuery struct {
	Since   time.Time `query:"since" doc:"Entries at or after this time (RFC 3339)"`
	Until   time.Time `query:"until" doc:"Entries before this time (RFC 3339)"`
	User    string    `query:"user" doc:"Only the entries of this user (login name or id)"`
	Action  string    `query:"action" doc:"Only the entries of this action (an operation id, login, lock-account)"`
	Outcome string    `query:"outcome" enum:"allowed,denied,failed" doc:"Only the entries with this outcome"`
}

type auditLogInput struct {
	AuditQuery
	After int64 `query:"after" doc:"The next of the previous page: entries after this seq"`
	Limit int   `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; default 100, at most 1000"`
}

type auditLogOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Entries []access.AuditEntry `json:"entries"`
		Next    int64               `json:"next,omitempty" doc:"Give as after for the next page; absent on the last"`
	}
}

// auditFilter reads the query into a filter of the caller's party's entries.
func (s *server) auditFilter(ctx context.Context, q *AuditQuery) (access.AuditFilter, error) {
	az := authzOf(ctx)
	f := access.AuditFilter{Since: q.Since, Until: q.Until, Party: az.user.Party, Action: q.Action, Outcome: access.Outcome(q.Outcome)}
	if q.User != "" {
		u, err := s.userByRef(ctx, q.User)
		if errors.Is(err, access.ErrNotFound) {
			return f, invalid("query.user", fmt.Sprintf("no user %q", clip(q.User)))
		}
		if err != nil {
			return f, err
		}
		f.User = u.ID
	}
	return f, nil
}

func (s *server) auditLog(ctx context.Context, in *auditLogInput) (*auditLogOutput, error) {
	f, err := s.auditFilter(ctx, &in.AuditQuery)
	if err != nil {
		return nil, err
	}
	if in.Limit < 0 || in.Limit > 1000 {
		return nil, invalid("query.limit", "must be 1 to 1000")
	}
	if in.Limit == 0 {
		in.Limit = 100
	}
	f.After, f.Limit = in.After, in.Limit
	es, err := s.acc.AuditLog(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &auditLogOutput{CacheControl: "no-store"}
	out.Body.Entries = es
	if out.Body.Entries == nil {
		out.Body.Entries = []access.AuditEntry{}
	}
	if len(es) == in.Limit {
		out.Body.Next = es[len(es)-1].Seq
	}
	return out, nil
}

type exportInput struct {
	AuditQuery
	Format string `query:"format" enum:"csv,jsonl" doc:"csv (default) or jsonl: one JSON entry a line"`
}

// exportAuditLog streams every entry the filter selects. The export itself is in
// the log (the table marks it audited) before the first byte is sent.
func (s *server) exportAuditLog(ctx context.Context, in *exportInput) (*huma.StreamResponse, error) {
	f, err := s.auditFilter(ctx, &in.AuditQuery)
	if err != nil {
		return nil, err
	}
	format := in.Format
	if format == "" {
		format = "csv"
	}
	name := fmt.Sprintf("handover-audit-%s.%s", s.cfg.Now().UTC().Format("20060102T150405Z"), format)
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		ctype := "text/csv; charset=utf-8"
		if format == "jsonl" {
			ctype = "application/jsonl"
		}
		hc.SetHeader("Content-Type", ctype)
		hc.SetHeader("Content-Disposition", `attachment; filename="`+name+`"`)
		hc.SetHeader("Cache-Control", "no-store")
		hc.SetStatus(http.StatusOK)
		w := hc.BodyWriter()
		var cw *csv.Writer
		if format == "csv" {
			cw = csv.NewWriter(w)
			cw.Write([]string{"seq", "at", "user", "name", "party", "action", "target", "address", "outcome", "detail"})
		}
		enc := json.NewEncoder(w)
		f.Limit = 1000
		for {
			es, err := s.acc.AuditLog(hc.Context(), f)
			if err != nil {
				s.log.ErrorContext(hc.Context(), "api: audit export cut short", "err", err)
				return
			}
			for _, e := range es {
				if cw != nil {
					user, party := "", ""
					if e.User != uuid.Nil {
						user = e.User.String()
					}
					if e.Party != uuid.Nil {
						party = e.Party.String()
					}
					cw.Write(csvSafe(strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), user, e.Name, party,
						e.Action, e.Target, e.Address, string(e.Outcome), e.Detail))
				} else {
					enc.Encode(e)
				}
			}
			if cw != nil {
				cw.Flush()
			}
			if len(es) < f.Limit {
				return
			}
			f.After = es[len(es)-1].Seq
		}
	}}, nil
}

// csvSafe keeps a spreadsheet from reading a field as a formula (CSV injection):
// a field that begins with = + - @ or a control character gets a leading '.
func csvSafe(fields ...string) []string {
	for i, f := range fields {
		if f != "" && strings.ContainsRune("=+-@\t\r", rune(f[0])) {
			fields[i] = "'" + f
		}
	}
	return fields
}
