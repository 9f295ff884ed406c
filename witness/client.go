package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// LogStore is what the log's witness client reads of the log and where it
// keeps the cosignatures it gathers.
type LogStore interface {
	// LatestCheckpoint returns the newest signed checkpoint note and its size.
	LatestCheckpoint(ctx context.Context) ([]byte, uint64, error)
	// ConsistencyProof returns the RFC 6962 proof from size from to size to.
	ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error)
	// AddCosignature keeps a verified cosignature beside the checkpoint of
	// size; storing one twice must be harmless.
	AddCosignature(ctx context.Context, size uint64, c Cosignature) error
}

// ClientConfig sets up a [Client].
type ClientConfig struct {
	HTTP       *http.Client     // default: 10 s timeout
	Now        func() time.Time // default time.Now
	Alerts     io.Writer        // where refusals by witnesses are announced
	Logger     *slog.Logger
	MinBackoff time.Duration // after a failure; default 200 ms, doubling
	MaxBackoff time.Duration // default 30 s
	// MinInterval is the least time between two requests to one witness
	// (commits in between are coalesced into the next); default 0.
	MinInterval time.Duration
	// RoundTimeout is the longest a round waits for a slow witness before
	// the next one starts without it; default 5 s.
	RoundTimeout time.Duration
}

// A Client sends the log's checkpoints to every witness of a policy and
// keeps their cosignatures. It works in rounds: after a commit it takes the
// newest checkpoint and sends that same checkpoint to every witness (so
// that their cosignatures can meet the quorum together), at most one
// request in flight per witness; commits during a round are coalesced into
// the next, which starts when every witness has answered (or after
// RoundTimeout) and MinInterval has passed. A witness that fails is retried
// on its own with exponential backoff. Nothing of this runs on the write
// path: [Client.Notify] only marks that a newer checkpoint exists.
type Client struct {
	policy *Policy
	origin string
	logV   note.Verifier
	store  LogStore
	cfg    ClientConfig
	ws     []*witnessLoop

	wake    chan struct{}
	answers chan uint64 // round numbers answered by the loops

	mu     sync.Mutex
	target []byte // the checkpoint of the current round
	size   uint64
	round  uint64

	// The last consistency proof read from the store: the witnesses of a
	// round usually cosigned the same size before, and need the same one.
	proofMu            sync.Mutex
	proofFrom, proofTo uint64
	proof              [][]byte
}

type witnessLoop struct {
	c      *Client
	w      PolicyWitness
	rounds chan uint64 // the newest round not yet taken (capacity 1)

	mu sync.Mutex
	st WitnessStatus
}

// WitnessStatus is what the log knows of one witness.
type WitnessStatus struct {
	Name        string    // in the policy
	URL         string    // its add-checkpoint URL
	Size        uint64    // the largest size it cosigned for this log (its answer, or a 409's)
	CosignedAt  time.Time // when it cosigned Size (its timestamp); zero if never
	LastAttempt time.Time
	LastError   string // of the last attempt, "" if it succeeded
	Refused     string // the last refusal that is a sign of a fork or shrink
}

// NewClient returns the client of the witnesses of p that have a URL, for
// the log origin whose checkpoints verify with logV.
func NewClient(p *Policy, origin string, logV note.Verifier, store LogStore, cfg ClientConfig) *Client {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Alerts == nil {
		cfg.Alerts = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 200 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.RoundTimeout == 0 {
		cfg.RoundTimeout = 5 * time.Second
	}
	c := &Client{policy: p, origin: origin, logV: logV, store: store, cfg: cfg, wake: make(chan struct{}, 1)}
	for _, w := range p.Witnesses {
		if w.URL == "" {
			continue
		}
		l := &witnessLoop{c: c, w: w, rounds: make(chan uint64, 1)}
		l.st = WitnessStatus{Name: w.Name, URL: w.AddCheckpointURL()}
		c.ws = append(c.ws, l)
	}
	c.answers = make(chan uint64, 2*len(c.ws)+1)
	return c
}

// Notify tells the client a new checkpoint was committed. It never blocks.
func (c *Client) Notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run sends checkpoints until ctx ends; it sends the current one at once.
func (c *Client) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, l := range c.ws {
		wg.Add(1)
		go func() { defer wg.Done(); l.run(ctx) }()
	}
	c.Notify()
	c.coordinate(ctx)
	wg.Wait()
}

// coordinate starts a round for each newer checkpoint, one round at a time.
func (c *Client) coordinate(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		started := time.Now()
		text, size, err := c.store.LatestCheckpoint(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.cfg.Logger.Error("witness client: latest checkpoint", "err", err)
			}
			continue
		}
		c.mu.Lock()
		if len(text) == 0 || (size == c.size && c.target != nil) {
			c.mu.Unlock()
			continue
		}
		c.round++
		round := c.round
		c.target, c.size = text, size
		c.mu.Unlock()
		for _, l := range c.ws {
			select { // replace a round the loop has not taken yet
			case <-l.rounds:
			default:
			}
			l.rounds <- round
		}
		timeout := time.NewTimer(c.cfg.RoundTimeout)
		for n := 0; n < len(c.ws); {
			select {
			case r := <-c.answers:
				if r == round {
					n++
				}
			case <-timeout.C:
				n = len(c.ws)
			case <-ctx.Done():
				timeout.Stop()
				return
			}
		}
		timeout.Stop()
		if rest := c.cfg.MinInterval - time.Since(started); rest > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(rest):
			}
		}
	}
}

// current returns the checkpoint of the current round.
func (c *Client) current() (text []byte, size uint64, round uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.target, c.size, c.round
}

// Status returns what the log knows of each witness, in policy order.
func (c *Client) Status() []WitnessStatus {
	out := make([]WitnessStatus, len(c.ws))
	for i, l := range c.ws {
		l.mu.Lock()
		out[i] = l.st
		l.mu.Unlock()
	}
	return out
}

// SetKnown records what the log already holds of a witness (its stored
// cosignatures), before Run.
func (c *Client) SetKnown(name string, size uint64, at time.Time) {
	for _, l := range c.ws {
		if l.w.Name == name {
			l.st.Size, l.st.CosignedAt = size, at
		}
	}
}

func (l *witnessLoop) run(ctx context.Context) {
	backoff := time.Duration(0)
	var retry <-chan time.Time
	var sent uint64 // the size this witness last cosigned in this run
	for {
		var round uint64
		select {
		case <-ctx.Done():
			return
		case round = <-l.rounds:
			if retry != nil { // backing off: the round goes on without us
				l.c.answers <- round
				continue
			}
		case <-retry:
			retry = nil
		}
		text, size, _ := l.c.current()
		var err error
		if size != sent {
			err = l.send(ctx, text, size)
		}
		if ctx.Err() != nil {
			return
		}
		l.mu.Lock()
		l.st.LastAttempt = l.c.cfg.Now()
		l.st.LastError = ""
		if err != nil {
			l.st.LastError = err.Error()
		}
		l.mu.Unlock()
		if err != nil {
			backoff = min(max(2*backoff, l.c.cfg.MinBackoff), l.c.cfg.MaxBackoff)
			retry = time.After(backoff)
			l.c.cfg.Logger.Warn("witness client: add-checkpoint", "witness", l.w.Name, "size", size, "err", err, "retry_in", backoff)
		} else {
			sent, backoff = size, 0
		}
		if round != 0 { // a retry of our own answers no round
			l.c.answers <- round
		}
	}
}

// consistencyProof returns the proof from size from to size to, reading it
// from the store unless it is the one read last.
func (c *Client) consistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	c.proofMu.Lock()
	defer c.proofMu.Unlock()
	if c.proof != nil && c.proofFrom == from && c.proofTo == to {
		return c.proof, nil
	}
	p, err := c.store.ConsistencyProof(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = [][]byte{}
	}
	c.proof, c.proofFrom, c.proofTo = p, from, to
	return p, nil
}

// errRefused marks a refusal that points at a fork or a truncation.
var errRefused = errors.New("refused")

// send asks the witness to cosign the checkpoint text of size, from the size
// it last cosigned (learnt from a 409 if unknown), and keeps the cosignature.
func (l *witnessLoop) send(ctx context.Context, text []byte, size uint64) error {
	l.mu.Lock()
	old := l.st.Size
	l.mu.Unlock()
	if old > size {
		old = 0 // ask: the witness answers with its size
	}
	for attempt := 0; attempt < 2; attempt++ {
		var proof [][]byte
		if old > 0 && old < size {
			var err error
			if proof, err = l.c.consistencyProof(ctx, old, size); err != nil {
				return fmt.Errorf("consistency proof %d→%d: %w", old, size, err)
			}
		}
		status, body, err := l.post(ctx, FormatRequest(old, proof, text))
		if err != nil {
			return err
		}
		switch status {
		case http.StatusOK:
			return l.keep(ctx, text, size, body)
		case http.StatusConflict:
			theirs, err := strconv.ParseUint(strings.TrimSuffix(string(body), "\n"), 10, 64)
			if err != nil {
				return fmt.Errorf("409 with a malformed size %q", body)
			}
			l.mu.Lock()
			l.st.Size = theirs
			l.mu.Unlock()
			if theirs > size || theirs == old {
				return l.refused(fmt.Sprintf("witness %s has cosigned size %d of %s and refuses size %d: the log was truncated or forked", l.w.Name, theirs, l.c.origin, size))
			}
			old = theirs
		case http.StatusUnprocessableEntity:
			return l.refused(fmt.Sprintf("witness %s refused the consistency proof of %s from %d to %d: the log was rewritten", l.w.Name, l.c.origin, old, size))
		default:
			return fmt.Errorf("%s: %d %s", l.w.AddCheckpointURL(), status, strings.TrimSpace(string(body)))
		}
	}
	return fmt.Errorf("%s: conflict twice", l.w.AddCheckpointURL())
}

func (l *witnessLoop) refused(msg string) error {
	l.mu.Lock()
	again := l.st.Refused == msg
	l.st.Refused = msg
	l.mu.Unlock()
	if !again {
		fmt.Fprintf(l.c.cfg.Alerts, "ALERT log: %s\n", msg)
	}
	return fmt.Errorf("%w: %s", errRefused, msg)
}

func (l *witnessLoop) post(ctx context.Context, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.w.AddCheckpointURL(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := l.c.cfg.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxRequestBytes))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// keep verifies the witness's answer over the checkpoint and stores the
// cosignature of the policy's key for this witness; other lines are ignored.
func (l *witnessLoop) keep(ctx context.Context, text []byte, size uint64, answer []byte) error {
	cs := (&Policy{Witnesses: []PolicyWitness{l.w}}).Cosignatures(append(append([]byte{}, text...), answer...))
	if len(cs) != 1 {
		return fmt.Errorf("witness %s answered no valid cosignature: %q", l.w.Name, answer)
	}
	if err := l.c.store.AddCosignature(ctx, size, cs[0]); err != nil {
		return err
	}
	l.mu.Lock()
	l.st.Size, l.st.CosignedAt, l.st.Refused = size, cs[0].Time, ""
	l.mu.Unlock()
	return nil
}
