package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

func (c *client) feed(query string) api.FeedPage {
	c.t.Helper()
	var p api.FeedPage
	c.json("GET", "/api/v1/feed"+query, nil, 200, &p)
	return p
}

func subjects(t *testing.T, p api.FeedPage) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, fe := range p.Events {
		e, err := custody.DecodeEvent(fe.Event)
		if err != nil {
			t.Fatal(err)
		}
		out[e.Subject.String()]++
	}
	return out
}

// TestFeed: each party's feed holds the events it may see and no other; pages
// resume from their cursor; a long poll returns as soon as an event is committed.
func TestFeed(t *testing.T) {
	c := newServer(t)
	c.world()
	sdf := c.register(1, "HSK")
	irq := c.register(2, "IQ1")

	all := c.as("SDF").feed("?limit=500")
	if all.Next != int64(all.Size)-1 {
		t.Fatalf("next %d for size %d", all.Next, all.Size)
	}
	got := subjects(t, all)
	if got[sdf.Record.ID.String()] != 1 || got[irq.Record.ID.String()] != 0 {
		t.Fatalf("SDF's feed: %v", got)
	}
	got = subjects(t, c.as("IRQ").feed("?limit=500"))
	if got[irq.Record.ID.String()] != 1 || got[sdf.Record.ID.String()] != 0 {
		t.Fatalf("IRQ's feed: %v", got)
	}
	for i := 1; i < len(all.Events); i++ {
		if all.Events[i].Index <= all.Events[i-1].Index {
			t.Fatal("the feed is not in ledger order")
		}
	}

	// Page by page, two at a time, the same events.
	var paged []uint64
	for after := int64(-1); ; {
		p := c.as("SDF").feed(fmt.Sprintf("?limit=2&after=%d", after))
		for _, e := range p.Events {
			paged = append(paged, e.Index)
		}
		if p.Next == after {
			break
		}
		after = p.Next
	}
	if len(paged) != len(all.Events) {
		t.Fatalf("paged %v, whole %d", paged, len(all.Events))
	}

	// A long poll at the end of the ledger returns with the next event.
	done := make(chan api.FeedPage, 1)
	go func() { done <- c.as("SDF").feed(fmt.Sprintf("?after=%d&wait=30", all.Next)) }()
	third := c.register(3, "HSK")
	p := <-done
	if got := subjects(t, p); got[third.Record.ID.String()] != 1 {
		t.Fatalf("the long poll returned %v", got)
	}

	status, _, b := c.as("SDF").do("GET", "/api/v1/feed?limit=501", nil)
	if status != 422 {
		t.Fatalf("limit 501: %d %s", status, b)
	}
}

// TestFeedEvents: with Accept: text/event-stream, each event comes as a message
// whose id is its ledger index, and Last-Event-ID resumes after it.
func TestFeedEvents(t *testing.T) {
	c := newServer(t)
	c.world()
	c.register(1, "HSK")
	c.register(2, "HSK")
	all := c.as("SDF").feed("?limit=500")

	read := func(lastID string, n int) []string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", c.url+"/api/v1/feed", nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", "Bearer "+c.as("SDF").credentials())
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("content type %q", ct)
		}
		var ids []string
		sc := bufio.NewScanner(res.Body)
		var id, data string
		for len(ids) < n && sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && data != "":
				if !json.Valid([]byte(data)) {
					t.Fatalf("data %q", data)
				}
				ids = append(ids, id)
				data = ""
			}
		}
		return ids
	}
	ids := read("", len(all.Events))
	for i, e := range all.Events {
		if ids[i] != fmt.Sprint(e.Index) {
			t.Fatalf("message %d has id %s, want %d", i, ids[i], e.Index)
		}
	}
	rest := read(ids[0], len(all.Events)-1)
	if rest[0] != ids[1] {
		t.Fatalf("resumed at %s, want %s", rest[0], ids[1])
	}
}
