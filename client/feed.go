package client

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/handover-project/handover/api"
)

// FeedOptions chooses where the feed starts and how it is read.
type FeedOptions struct {
	// After is the cursor: events after this ledger index (-1: from the first).
	After int64
	// PageSize is the most events a request asks for (0: the server's default).
	PageSize int
	// Follow keeps reading once the feed has caught up, by long polls of Wait
	// (default 30 s), until ctx ends; without it the iteration ends at the
	// ledger's current end.
	Follow bool
	Wait   time.Duration
}

// FeedPage reads one page of the feed: the events one may see after the
// cursor, and the cursor to send next; wait > 0 long-polls for up to wait
// (whole seconds, at most 60) when there is no event yet.
func (c *Client) FeedPage(ctx context.Context, after int64, limit int, wait time.Duration) (*api.FeedPage, error) {
	v := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if s := int(wait / time.Second); s > 0 {
		v.Set("wait", strconv.Itoa(min(s, 60)))
	}
	var p api.FeedPage
	if _, err := c.get(ctx, "/feed", v, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Feed iterates over the events one may see, in ledger order, from o.After.
// The index of each event is the cursor to resume after. An error (or the end
// of ctx while following) ends the iteration.
func (c *Client) Feed(ctx context.Context, o FeedOptions) iter.Seq2[api.FeedEvent, error] {
	return func(yield func(api.FeedEvent, error) bool) {
		after := o.After
		wait := o.Wait
		if wait <= 0 {
			wait = 30 * time.Second
		}
		for {
			w := time.Duration(0)
			if o.Follow {
				w = wait
			}
			p, err := c.FeedPage(ctx, after, o.PageSize, w)
			if err != nil {
				if o.Follow && ctx.Err() != nil {
					return
				}
				yield(api.FeedEvent{}, err)
				return
			}
			for _, e := range p.Events {
				if !yield(e, nil) {
					return
				}
			}
			caughtUp := p.Next <= after || p.Next >= int64(p.Size)-1
			after = max(after, p.Next)
			if caughtUp && !o.Follow {
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
}
