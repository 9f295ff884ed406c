package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handover-project/handover/client"
)

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	s, err := tryStartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// losingProxy forwards to target and, for the first lose requests, lets the
// server do the work but breaks the connection instead of answering. It
// records the Idempotency-Key of every request.
func losingProxy(t *testing.T, target string, lose int32) (string, func() []string) {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int32
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get(client.IdempotencyKeyHeader))
		mu.Unlock()
		if n.Add(1) > lose {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r) // the server records the write …
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // … and its answer is lost
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), keys...) }
}

// TestRetryLostAnswer: a write whose answers are lost is sent again with the
// same key, each retry is told, and the person is registered once.
func TestRetryLostAnswer(t *testing.T) {
	s := newTestServer(t)
	proxy, keys := losingProxy(t, s.URL, 2)
	var told []client.Retry
	c, err := client.New(proxy, client.WithToken(s.Token), client.WithRetries(3),
		client.WithRetryNotify(func(r client.Retry) { told = append(told, r) }))
	if err != nil {
		t.Fatal(err)
	}
	p, rc, err := c.RegisterPerson(context.Background(), detainee("Omar Said", "عمر سعيد"), "HSK", at)
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Replayed || p.Record.RegNo != "HSK-000001" {
		t.Errorf("third attempt: replayed %v, reg no %s; want the first attempt's answer, replayed", rc.Replayed, p.Record.RegNo)
	}
	ks := keys()
	if len(ks) != 3 || ks[0] == "" || ks[0] != ks[1] || ks[1] != ks[2] || ks[0] != rc.IdempotencyKey {
		t.Errorf("keys sent %q; want the receipt's key %q three times", ks, rc.IdempotencyKey)
	}
	if len(told) != 2 || told[0].Attempt != 1 || told[1].Attempt != 2 || told[0].Of != 3 || told[0].Method != "POST" || told[0].Path != "/persons" {
		t.Errorf("retries told: %+v", told)
	}
	var na *client.NoAnswerError
	if !errors.As(told[0].Err, &na) || na.Unreachable() || na.IdempotencyKey != ks[0] {
		t.Errorf("retry reason %v; want a NoAnswerError with the key", told[0].Err)
	}
	n := 0
	for _, err := range c.Persons(context.Background(), client.PersonQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d persons registered; want 1", n)
	}
}

// TestRetriesBounded: with every answer lost, a write is sent 1+retries times
// and fails with a NoAnswerError; a read is sent once.
func TestRetriesBounded(t *testing.T) {
	s := newTestServer(t)
	proxy, keys := losingProxy(t, s.URL, 1000)
	c, _ := client.New(proxy, client.WithToken(s.Token), client.WithRetries(2))
	_, _, err := c.RegisterPerson(context.Background(), detainee("Omar Said", "عمر سعيد"), "HSK", at)
	var na *client.NoAnswerError
	if !errors.As(err, &na) || !strings.Contains(err.Error(), "may or may not have been recorded") {
		t.Fatalf("err %v; want a NoAnswerError that says the write may have been recorded", err)
	}
	if n := len(keys()); n != 3 {
		t.Errorf("write sent %d times; want 3", n)
	}
	_, err = c.Parties(context.Background())
	if !errors.As(err, &na) || na.IdempotencyKey != "" {
		t.Errorf("read: %v", err)
	}
	if n := len(keys()); n != 4 {
		t.Errorf("read sent %d times; want once", n-3)
	}
}

// TestRetryBusy: 503 with Retry-After is waited out and retried; a 4xx
// refusal is not retried.
func TestRetryBusy(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/busy":
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"title":"Service Unavailable","status":503,"detail":"draining"}`)
				return
			}
			io.WriteString(w, `{"ok":true}`)
		default:
			n.Add(1)
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, "plain text\nsecond line")
		}
	}))
	defer srv.Close()
	var waits []time.Duration
	c, _ := client.New(srv.URL, client.WithRetryNotify(func(r client.Retry) { waits = append(waits, r.Wait) }))
	var out struct{ OK bool }
	if _, err := c.Do(context.Background(), client.Request{Method: "POST", Path: "/busy", Body: []byte("{}")}, &out); err != nil || !out.OK {
		t.Fatalf("busy: %v %v", out, err)
	}
	if len(waits) != 1 || waits[0] != time.Second {
		t.Errorf("waits %v; want [1s] from Retry-After", waits)
	}
	n.Store(0)
	_, err := c.Do(context.Background(), client.Request{Method: "POST", Path: "/other", Body: []byte("{}")}, nil)
	p, ok := client.AsProblem(err)
	if !ok || p.Status != 409 || n.Load() != 1 || !strings.HasSuffix(p.Error(), "answered 409 Conflict: plain text") {
		t.Errorf("non-problem 409: %v (sent %d times)", err, n.Load())
	}
}

// TestUnreachable: a refused connection is an unreachable NoAnswerError.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := client.New(addr, client.WithRetries(0))
	_, err = c.Me(context.Background())
	var na *client.NoAnswerError
	if !errors.As(err, &na) || !na.Unreachable() || !strings.HasPrefix(err.Error(), "cannot reach the server at http://"+addr) {
		t.Errorf("err %v", err)
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	for _, s := range []string{"ftp://x", "http://", "http://h/?q=1", "::"} {
		if _, err := client.New(s); err == nil {
			t.Errorf("New(%q) accepted", s)
		}
	}
	c, err := client.New("127.0.0.1:8080/")
	if err != nil || c.Server() != "http://127.0.0.1:8080" {
		t.Errorf("New(host:port) = %v, %v", c, err)
	}
}
