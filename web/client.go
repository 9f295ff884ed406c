package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/handover-project/handover/api"
)

// The pages read and write through the JSON API, in process: every request a
// page makes carries the browser's own session cookie and address, so the API's
// authentication, authorisation table, validation and audit log decide and record
// exactly as they would for the API's own clients. A page cannot show or change
// what the API would refuse.

// Problem is an RFC 9457 problem answered by the API.
type Problem struct {
	Status int           `json:"status"`
	Title  string        `json:"title"`
	Detail string        `json:"detail"`
	Errors []ProblemItem `json:"errors"`
	Code   string        `json:"code"`
	// Candidates are the registered persons a registration likely duplicates
	// (code likely_duplicate).
	Candidates []api.DuplicateCandidate `json:"candidates"`
	// Local marks a problem the pages worded themselves, in the user's language;
	// the API's are in its own words.
	Local bool `json:"-"`
}

// ProblemItem is one fault of a request, with where it lies.
type ProblemItem struct {
	Message  string `json:"message"`
	Location string `json:"location"`
	Value    any    `json:"value,omitempty"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Detail)
	if b.Len() == 0 {
		b.WriteString(p.Title)
	}
	for _, e := range p.Errors {
		b.WriteString("; ")
		if e.Location != "" {
			b.WriteString(e.Location + ": ")
		}
		b.WriteString(e.Message)
	}
	return b.String()
}

// Messages lists the problem's detail and each fault, each located.
func (p *Problem) Messages() []string {
	var out []string
	if p.Detail != "" {
		out = append(out, p.Detail)
	}
	for _, e := range p.Errors {
		line := e.Message
		if e.Location != "" {
			line = e.Location + ": " + e.Message
		}
		if line != p.Detail && e.Message != p.Detail { // the API's detail often says it already
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		out = append(out, p.Title)
	}
	return out
}

// problemLine is one line of a refusal as a page shows it: the message, and the
// name of the form field at fault (the last part of the API's location) when
// there is one, so that the page can put the message beside the field.
type problemLine struct {
	Field string
	Text  string
}

// Lines are the problem's lines, each said once, in the user's words where the
// pages know them: the API's detail repeats its first located fault.
func (p *Problem) Lines(l *Loc) []problemLine {
	var out []problemLine
	said := map[string]bool{}
	for _, e := range p.Errors {
		text := e.Message
		if strings.HasPrefix(text, "is required") {
			text = l.T("form.required")
		}
		out = append(out, problemLine{Field: fieldOf(e.Location), Text: text})
		said[e.Message] = true
		said[e.Location+": "+e.Message] = true
	}
	if p.Detail != "" && !said[p.Detail] {
		out = append([]problemLine{{Text: p.Detail}}, out...)
	}
	if len(out) == 0 {
		out = append(out, problemLine{Text: p.Title})
	}
	return out
}

// fieldOf is the form field a location names: "body.safeguard.risk.monitoring"
// is the field "monitoring"; "body.persons[0]" is "persons".
func fieldOf(loc string) string {
	if i := strings.LastIndexByte(loc, '.'); i >= 0 {
		loc = loc[i+1:]
	}
	if i := strings.IndexByte(loc, '['); i >= 0 {
		loc = loc[:i]
	}
	return loc
}

// client calls the API on behalf of one browser request.
type client struct {
	api  http.Handler
	from *http.Request
}

// forwarded are the headers of the browser's request the API sees too: who is
// signed in, where from, and what for.
var forwarded = []string{"Cookie", "X-Forwarded-For", "User-Agent", "Accept-Language"}

// call sends one request to the API and decodes its JSON answer into out (when
// out is not nil). An answer of 400 and above becomes a *Problem. idem, when not
// empty, is sent as the Idempotency-Key of a write, so that a form sent twice is
// recorded once.
func (c *client) call(ctx context.Context, method, path string, query url.Values, body any, out any, idem string) error {
	raw, _, err := c.send(ctx, method, path, query, body, idem)
	if err != nil {
		return err
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("web: %s %s: decoding the API's answer: %w", method, path, err)
	}
	return nil
}

// all reads every page of a list of the API (following its next) and decodes
// the records of its array member into out's member of that name: a page of
// the API holds at most its maximum, and these pages show a whole list.
func (c *client) all(ctx context.Context, path string, query url.Values, member string, out any) error {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", "500")
	var rows []json.RawMessage
	for {
		var page map[string]json.RawMessage
		if err := c.call(ctx, http.MethodGet, path, q, nil, &page, ""); err != nil {
			return err
		}
		var some []json.RawMessage
		if raw, ok := page[member]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &some); err != nil {
				return fmt.Errorf("web: GET %s: %s: %w", path, member, err)
			}
		}
		rows = append(rows, some...)
		var next string
		if raw, ok := page["next"]; !ok || json.Unmarshal(raw, &next) != nil || next == "" {
			break
		}
		q.Set("after", next)
	}
	if rows == nil {
		rows = []json.RawMessage{}
	}
	b, err := json.Marshal(map[string][]json.RawMessage{member: rows})
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// send is call without decoding: the answer's bytes and headers.
func (c *client) send(ctx context.Context, method, path string, query url.Values, body any, idem string) ([]byte, http.Header, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	r, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range forwarded {
		if vs := c.from.Header.Values(h); len(vs) > 0 {
			r.Header[h] = vs
		}
	}
	r.RemoteAddr = c.from.RemoteAddr
	r.Host = c.from.Host
	r.Header.Set("Accept", "application/json")
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if idem != "" {
		r.Header.Set("Idempotency-Key", idem)
	}
	w := newRecorder()
	c.api.ServeHTTP(w, r)
	if w.status >= 400 {
		p := &Problem{Status: w.status}
		if err := json.Unmarshal(w.body.Bytes(), p); err != nil || p.Status == 0 {
			p.Status, p.Title = w.status, http.StatusText(w.status)
		}
		return nil, w.header, p
	}
	return w.body.Bytes(), w.header, nil
}

// recorder is the response of an in-process API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

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
