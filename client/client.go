// Package client is a Go client of handover's JSON API (version 1, under
// /api/v1 of a running `handover serve`). The handover command's server
// commands are its first user.
//
// Contracts:
//
//   - Every request carries the API token given with [WithToken] as
//     "Authorization: Bearer …", and honours its context.
//   - Every write (any method but GET and HEAD) carries an Idempotency-Key: the
//     one put in its context with [WithIdempotencyKey], or a new UUIDv7. A write
//     whose answer is lost (a timeout, a broken connection) or that the server
//     could not take now (5xx, 429) is sent again with the same key and body, at
//     most [WithRetries] times (default 4), waiting 250 ms doubling up to 8 s,
//     plus up to a quarter at random (or the server's Retry-After, up to 8 s).
//     The server records a keyed write at most once and answers a retry with its
//     first answer, which [Response.Replayed] reports. Reads are not retried.
//   - A refusal (any status but 2xx) is a [*Problem], the RFC 9457 problem the
//     server answered with (with its refusal code and the location of each
//     fault); a request that got no answer is a [*NoAnswerError].
//   - A write's receipt says whether a checkpoint covering its events meets
//     the quorum of the log's witnesses (Receipt.Witnessed): at once it is
//     usually pending; a context from [WithWitnessWait] makes the server
//     answer once it is witnessed (or the wait ends), and [Client.Witnessed]
//     asks later.
//   - Lists that the server pages are iterators ([Client.Persons],
//     [Client.Feed]) that fetch the next page as they are ranged over.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Version is the API version the client speaks: its paths are under /api/v1.
const Version = "v1"

// Header names of the idempotency protocol.
const (
	IdempotencyKeyHeader = "Idempotency-Key"
	ReplayedHeader       = "Idempotent-Replayed"
)

// MaxResponseBytes bounds the answer read into memory.
const MaxResponseBytes = 64 << 20

// Client talks to one server. It is safe for concurrent use; its options are
// fixed by New.
type Client struct {
	server    string // scheme://host[:port][/prefix], without a trailing slash
	token     string
	hc        *http.Client
	userAgent string
	retries   int
	timeout   time.Duration // of one attempt; 0: the context's alone
	onRetry   func(Retry)
}

// Option sets an option of New.
type Option func(*Client)

// WithToken sends token (an API token, hot_…) with every request.
func WithToken(token string) Option { return func(c *Client) { c.token = strings.TrimSpace(token) } }

// WithHTTPClient sends requests with hc instead of http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header (default "handover-client").
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithRetries sets how many times a write is sent again after a lost answer or
// a 5xx or 429 (default 4; 0 never). Negative values count as 0.
func WithRetries(n int) Option { return func(c *Client) { c.retries = max(n, 0) } }

// WithTimeout bounds each attempt of a request (default: none but the context's).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetryNotify calls f before each retry, to tell a user what is happening.
func WithRetryNotify(f func(Retry)) Option { return func(c *Client) { c.onRetry = f } }

// Retry describes a write about to be sent again.
type Retry struct {
	Method, Path   string // Path is under /api/v1, like "/campaigns"
	Err            error  // why: a *NoAnswerError or a *Problem
	IdempotencyKey string
	Wait           time.Duration
	Attempt, Of    int // this is retry Attempt of at most Of
}

// New returns a client of the server at server: a URL like
// "http://127.0.0.1:8080" or "https://handover.example.org", or a bare
// host:port (http).
func New(server string, opts ...Option) (*Client, error) {
	s := server
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: %q is not a server URL like http://127.0.0.1:8080", server)
	}
	c := &Client{server: strings.TrimSuffix(u.String(), "/"), hc: http.DefaultClient, userAgent: "handover-client", retries: 4}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Server is the server's URL, as New cleaned it.
func (c *Client) Server() string { return c.server }

type keyCtx struct{}

// WithIdempotencyKey returns a context whose writes carry key as their
// Idempotency-Key: give the key of a write whose outcome is unknown to retry it
// safely, even from another process.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

// IdempotencyKey is the key WithIdempotencyKey put in ctx, or "".
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(keyCtx{}).(string)
	return k
}

type witnessWaitCtx struct{}

// WithWitnessWait returns a context whose requests ask the server to answer
// only once the events they record (or ask about, [Client.Witnessed]) are
// witnessed, or after d, whichever comes first: the header "Prefer: wait=N",
// N in whole seconds (the server allows at most 30). A write's receipt then
// names the checkpoint that covers its events and meets the witnesses'
// quorum, each witness that cosigned it and when (Receipt.Witnessed). The
// attempt timeout ([WithTimeout]) must allow for the wait.
func WithWitnessWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, witnessWaitCtx{}, d)
}

// NewIdempotencyKey returns a fresh key (a UUIDv7).
func NewIdempotencyKey() string { return uuid.Must(uuid.NewV7()).String() }

// Request is one request of Do.
type Request struct {
	Method string
	Path   string // under /api/v1, like "/persons/HSK-000150"
	Query  url.Values
	Body   []byte // nil: none
	// ContentType of Body; default application/json.
	ContentType string
	// Accept; default "application/json, application/problem+json".
	Accept string
	// IfMatch, if set, makes the write conditional on the version (ETag) of
	// what it replaces or changes: the server refuses a stale one with 412.
	IfMatch string
}

// Response is a 2xx answer.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Replayed bool   // the server answered a write with its answer to an earlier attempt: nothing new was recorded
	Key      string // the write's Idempotency-Key ("" for a read)
}

// IsWrite says whether a request of method changes anything (and so carries an
// Idempotency-Key).
func IsWrite(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// Do sends req, retrying a write as the package documentation says, and decodes
// a 2xx JSON answer into out unless out is nil. On a refusal it returns the
// *Problem and, as Response, nothing; on a lost answer a *NoAnswerError.
func (c *Client) Do(ctx context.Context, req Request, out any) (*Response, error) {
	key := ""
	if IsWrite(req.Method) {
		if key = IdempotencyKey(ctx); key == "" {
			key = NewIdempotencyKey()
		}
	}
	for attempt := 0; ; attempt++ {
		resp, err, retryAfter := c.once(ctx, req, key)
		transient := retryAfter >= 0
		if err == nil || key == "" || !transient || attempt >= c.retries {
			if err == nil && out != nil {
				if derr := json.Unmarshal(resp.Body, out); derr != nil {
					return resp, fmt.Errorf("the server's answer to %s %s is not what this client understands (is the server another version?): %w", req.Method, req.Path, derr)
				}
			}
			return resp, err
		}
		wait := Backoff(attempt)
		if retryAfter > 0 {
			wait = min(retryAfter, maxBackoff)
		}
		if c.onRetry != nil {
			c.onRetry(Retry{Method: req.Method, Path: req.Path, Err: err, IdempotencyKey: key, Wait: wait, Attempt: attempt + 1, Of: c.retries})
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return resp, err
		}
	}
}

const maxBackoff = 8 * time.Second

// Backoff is the wait before retry attempt+1: 250 ms doubling up to 8 s, with
// up to a quarter more at random, so that clients cut off together do not come
// back together.
func Backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(max(attempt, 0), 5)
	return d + time.Duration(rand.Int64N(int64(d/4)+1))
}

// once sends one attempt. retryAfter is negative when the request must not be
// sent again, 0 when it may be after the usual backoff, and positive when the
// server asked for that wait.
func (c *Client) once(ctx context.Context, req Request, key string) (_ *Response, _ error, retryAfter time.Duration) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	u := c.server + "/api/" + Version + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err), -1
	}
	accept := req.Accept
	if accept == "" {
		accept = "application/json, application/problem+json"
	}
	hr.Header.Set("Accept", accept)
	hr.Header.Set("User-Agent", c.userAgent)
	if req.IfMatch != "" {
		hr.Header.Set("If-Match", req.IfMatch)
	}
	if req.Body != nil {
		ct := req.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		hr.Header.Set(IdempotencyKeyHeader, key)
	}
	if d, _ := ctx.Value(witnessWaitCtx{}).(time.Duration); d >= time.Second {
		hr.Header.Set("Prefer", "wait="+strconv.Itoa(int(d/time.Second)))
	}
	noAnswer := func(err error) *NoAnswerError {
		return &NoAnswerError{Server: c.server, Method: req.Method, Path: req.Path, IdempotencyKey: key, Timeout: c.timeout, Err: err}
	}
	hresp, err := c.hc.Do(hr)
	if err != nil {
		return nil, noAnswer(err), 0
	}
	defer hresp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hresp.Body, MaxResponseBytes))
	if err != nil {
		return nil, noAnswer(err), 0
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		p := problemOf(c.server, hresp, raw)
		if hresp.StatusCode >= 500 || hresp.StatusCode == http.StatusTooManyRequests {
			return nil, p, retryAfterOf(hresp.Header)
		}
		return nil, p, -1
	}
	return &Response{Status: hresp.StatusCode, Header: hresp.Header, Body: raw, Key: key,
		Replayed: hresp.Header.Get(ReplayedHeader) == "true"}, nil, -1
}

// retryAfterOf is the wait a Retry-After header in seconds asks for, or 0.
func retryAfterOf(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// get reads path with query into out.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodGet, Path: path, Query: query}, out)
}

// send writes body, encoded as JSON, to path with method and decodes the answer
// into out.
func (c *Client) send(ctx context.Context, method, path string, body, out any) (*Response, error) {
	b, err := encode(method, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, Request{Method: method, Path: path, Body: b}, out)
}

// encode is the JSON body of a request to method path.
func encode(method, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("client: encode the body of %s %s: %w", method, path, err)
	}
	return b, nil
}
