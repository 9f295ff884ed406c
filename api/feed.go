package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// The feed: the events a caller may see, in ledger order, from a cursor, so that
// an integrator stays in step without polling every list. Visibility is that of
// GET /events/{index}: the event's party, and the parties and facilities its
// subject concerns now.
const (
	feedDefaultLimit = 100
	feedMaxLimit     = 500
	// feedScanFactor bounds the events one page reads per event it may return, so
	// that a stretch of events the caller may not see ends a page, not the request.
	feedScanFactor = 20
	feedMaxWait    = 60 * time.Second
	// feedPoll is how often a waiting feed looks for new events: the ledger may be
	// written by another replica, so it asks the store, not this process.
	feedPoll = 200 * time.Millisecond
	// feedStreamFor is how long one event stream stays open; clients reconnect
	// with Last-Event-ID.
	feedStreamFor = 30 * time.Minute
)

type feedInput struct {
	After       int64  `query:"after" default:"-1" minimum:"-1" doc:"The cursor: events after this ledger index (-1, the default: from the first)"`
	Limit       int    `query:"limit" minimum:"0" maximum:"500" doc:"At most this many events (default 100, at most 500)"`
	Wait        int    `query:"wait" minimum:"0" maximum:"60" doc:"Long poll: when there is no event after the cursor, wait up to this many seconds for one"`
	Accept      string `header:"Accept" doc:"text/event-stream for server-sent events (each event's id is its ledger index; reconnect with Last-Event-ID)"`
	LastEventID string `header:"Last-Event-ID" doc:"With server-sent events: resume after this ledger index"`
}

// FeedEvent is one event of the feed: its ledger index and exact bytes.
type FeedEvent struct {
	Index uint64          `json:"index"`
	Event json.RawMessage `json:"event" doc:"The event's exact stored bytes"`
}

// FeedPage is one answer of the feed.
type FeedPage struct {
	Events []FeedEvent `json:"events"`
	// Next is the cursor to send as after next time: the last index this page
	// looked at, seen or not, so that the next page does not look again.
	Next int64  `json:"next" doc:"The cursor for the next request (after=next)"`
	Size uint64 `json:"size" doc:"The ledger's size at the latest checkpoint"`
}

func (s *server) feed(ctx context.Context, in *feedInput) (*huma.StreamResponse, error) {
	limit := in.Limit
	if limit == 0 {
		limit = feedDefaultLimit
	}
	after := in.After
	if in.LastEventID != "" {
		n, err := strconv.ParseInt(in.LastEventID, 10, 64)
		if err != nil || n < -1 {
			return nil, invalid("header.Last-Event-ID", fmt.Sprintf("%q is not a ledger index", in.LastEventID))
		}
		after = n
	}
	if strings.Contains(in.Accept, "text/event-stream") {
		return s.feedStream(ctx, after, limit), nil
	}
	wait := time.Duration(in.Wait) * time.Second
	page, err := s.feedPage(ctx, after, limit, min(wait, feedMaxWait))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(page)
	if err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", "application/json")
		hc.SetStatus(http.StatusOK)
		hc.BodyWriter().Write(b)
	}}, nil
}

// feedPage reads the events after the cursor that the caller may see, waiting up to
// wait for the ledger to grow when it holds none after the cursor.
func (s *server) feedPage(ctx context.Context, after int64, limit int, wait time.Duration) (*FeedPage, error) {
	deadline := time.Now().Add(wait)
	for {
		page, err := s.scanFeed(ctx, after, limit)
		if err != nil {
			return nil, err
		}
		if len(page.Events) > 0 || page.Next > after || !time.Now().Before(deadline) {
			return page, nil
		}
		select {
		case <-ctx.Done():
			return page, nil
		case <-time.After(feedPoll):
		}
	}
}

// scanFeed reads one page: up to limit visible events, looking at no more than
// limit×feedScanFactor events, and only at events a checkpoint covers.
func (s *server) scanFeed(ctx context.Context, after int64, limit int) (*FeedPage, error) {
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	page := &FeedPage{Events: []FeedEvent{}, Next: after, Size: size}
	az := authzOf(ctx)
	budget := limit * feedScanFactor
	for i := uint64(after + 1); i < size && len(page.Events) < limit && budget > 0; i++ {
		budget--
		e, err := s.store.Event(ctx, i)
		if err != nil {
			return nil, err
		}
		c, err := s.eventConcerns(ctx, e)
		if err != nil {
			return nil, err
		}
		ok, err := s.permits(ctx, az, c)
		if err != nil {
			return nil, err
		}
		if ok {
			page.Events = append(page.Events, FeedEvent{Index: i, Event: e.Bytes})
		}
		page.Next = int64(i)
	}
	return page, nil
}

// feedStream answers with server-sent events: each event a message whose id is
// its ledger index, then new ones as they are committed, a comment every 15 s to
// keep the connection open, until the client leaves or feedStreamFor passes.
func (s *server) feedStream(ctx context.Context, after int64, limit int) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", "text/event-stream")
		hc.SetHeader("Cache-Control", "no-store")
		hc.SetStatus(http.StatusOK)
		_, rw := humago.Unwrap(hc)
		w := hc.BodyWriter()
		rc := http.NewResponseController(rw)
		end := time.Now().Add(feedStreamFor)
		lastWrite := time.Now()
		for time.Now().Before(end) && ctx.Err() == nil {
			rc.SetWriteDeadline(time.Now().Add(time.Minute))
			page, err := s.feedPage(ctx, after, limit, 15*time.Second)
			if err != nil {
				fmt.Fprintf(w, "event: error\ndata: %s\n\n", strings.ReplaceAll(err.Error(), "\n", " "))
				rc.Flush()
				return
			}
			for _, e := range page.Events {
				fmt.Fprintf(w, "id: %d\nevent: event\ndata: %s\n\n", e.Index, e.Event)
			}
			if len(page.Events) == 0 && page.Next > after {
				// Events the caller may not see: move the client's cursor past them.
				fmt.Fprintf(w, "id: %d\n\n", page.Next)
			}
			if len(page.Events) > 0 || page.Next > after || time.Since(lastWrite) > 15*time.Second {
				if len(page.Events) == 0 && page.Next == after {
					fmt.Fprint(w, ": waiting\n\n")
				}
				if rc.Flush() != nil {
					return
				}
				lastWrite = time.Now()
			}
			after = page.Next
		}
	}}
}
