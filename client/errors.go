package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Problem is a refusal: the RFC 9457 problem details the server answered with
// (or, when its answer was not one, a Problem made from its status and first
// line). Its Code is the refusal code (invalid, not_found, conflict, refused,
// unauthorized, …) and each of Errors names the location of one fault in the
// request, like "body.person.nationalities[1]" or "query.limit".
type Problem struct {
	Type     string       `json:"type,omitempty"`
	Title    string       `json:"title,omitempty"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Code     string       `json:"code,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`

	// Body is the whole answer, for the members of a particular refusal (an
	// import's report).
	Body []byte `json:"-"`
	// RetryAfter is the wait a 429 or 503 asked for, or 0.
	RetryAfter time.Duration `json:"-"`
}

// FieldError is one fault of a request.
type FieldError struct {
	Message  string `json:"message,omitempty"`
	Location string `json:"location,omitempty"`
	Value    any    `json:"value,omitempty"`
}

// Error is the detail, or the one fault's message and location.
func (p *Problem) Error() string {
	detail, loc := p.Detail, p.Field()
	if loc != "" {
		detail = p.Errors[0].Message
	}
	if detail == "" {
		detail = fmt.Sprintf("the server answered %d %s", p.Status, http.StatusText(p.Status))
	}
	if loc != "" {
		return fmt.Sprintf("%s (at %s)", detail, loc)
	}
	return detail
}

// Message is Error without the location.
func (p *Problem) Message() string {
	if p.Field() != "" {
		return p.Errors[0].Message
	}
	if p.Detail != "" {
		return p.Detail
	}
	return fmt.Sprintf("the server answered %d %s", p.Status, http.StatusText(p.Status))
}

// Field is the location of the request's one fault ("body.transfer.legal_basis",
// "path.id"), or "" when the problem names none or several.
func (p *Problem) Field() string {
	if len(p.Errors) == 1 {
		return p.Errors[0].Location
	}
	return ""
}

// Transient says the same request may succeed later: the server failed or was
// busy (5xx, 429).
func (p *Problem) Transient() bool {
	return p.Status >= 500 || p.Status == http.StatusTooManyRequests
}

// Decode decodes the whole answer into v, for the members a particular refusal
// adds (an import's "report").
func (p *Problem) Decode(v any) error { return json.Unmarshal(p.Body, v) }

// problemOf reads a non-2xx answer.
func problemOf(server string, resp *http.Response, raw []byte) *Problem {
	p := &Problem{}
	if err := json.Unmarshal(raw, p); err != nil || p.Status == 0 {
		line, _, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		if len(line) > 200 {
			line = line[:200] + "…"
		}
		p = &Problem{Status: resp.StatusCode, Detail: fmt.Sprintf("the server at %s answered %s: %s", server, resp.Status, line)}
	}
	p.Status = resp.StatusCode
	p.Body = raw
	p.RetryAfter = retryAfterOf(resp.Header)
	return p
}

// AsProblem returns the problem err holds, if it holds one.
func AsProblem(err error) (*Problem, bool) {
	var p *Problem
	ok := errors.As(err, &p)
	return p, ok
}

// NoAnswerError is a request that got no answer: the server could not be
// reached (Unreachable: the request was never sent), or the connection broke or
// timed out after it was sent. A write then may or may not have been recorded:
// send it again with the same IdempotencyKey (see WithIdempotencyKey).
type NoAnswerError struct {
	Server, Method, Path string
	IdempotencyKey       string        // "" for a read
	Timeout              time.Duration // the per-attempt timeout, if one was set
	Err                  error
}

// Unreachable says the connection could not be made: nothing was sent.
func (e *NoAnswerError) Unreachable() bool {
	var op *net.OpError
	return errors.As(e.Err, &op) && op.Op == "dial"
}

// TimedOut says the attempt ran out of time.
func (e *NoAnswerError) TimedOut() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

func (e *NoAnswerError) Error() string {
	if e.Unreachable() {
		return fmt.Sprintf("cannot reach the server at %s: %v", e.Server, e.Err)
	}
	what := "no answer"
	if e.TimedOut() && e.Timeout > 0 {
		what = fmt.Sprintf("no answer within %s", e.Timeout)
	}
	msg := fmt.Sprintf("%s from %s to %s %s: %v", what, e.Server, e.Method, e.Path, e.Err)
	if e.IdempotencyKey != "" {
		msg += fmt.Sprintf(" (the write may or may not have been recorded: send it again with idempotency key %s)", e.IdempotencyKey)
	}
	return msg
}

func (e *NoAnswerError) Unwrap() error { return e.Err }
