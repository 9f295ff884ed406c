package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// The client commands (campaign, transfer, movement, incident, alerts,
// notification, persons, control-change, key list and revoke, and the --server
// modes of key register and handover submit) talk to a running `handover serve`
// over its API: the server is the ledger's one writer, so they never open the
// data directory. This file holds what they share: the connection, its errors
// and the printing of receipts.

// Exit codes of the client commands, beside 0 (done) and 2 (bad usage or a local
// error, as for every command).
const (
	exitRefused  = 1 // the server answered with a problem: a refusal, or its own failure
	exitNoAnswer = 3 // the server could not be reached, or its answer was lost
)

// ServerEnv names the environment variable that gives the default --server;
// TokenEnv the one that holds the API token sent, unless --token-file gives one.
const (
	ServerEnv = "HANDOVER_SERVER"
	TokenEnv  = "HANDOVER_TOKEN"
)

const defaultServerURL = "http://127.0.0.1:8080"

func defaultServer() string {
	if s := os.Getenv(ServerEnv); s != "" {
		return s
	}
	return defaultServerURL
}

// remote is the connection of one client command to the server: its flags, and
// the records it looked up to show codes instead of ids.
type remote struct {
	server    string
	timeout   time.Duration
	json      bool
	tokenFile string
	token     string // sent as "Authorization: Bearer …" when set

	// Writes only.
	write   bool
	idemKey string
	retries int // how many times a write whose answer was lost is sent again
	actor   string
	at      string
	// waitWitnessed is how long the server may wait for the witnesses to
	// cosign a checkpoint covering the write's events before it answers.
	waitWitnessed time.Duration

	cmd      *cobra.Command
	stdin    io.Reader
	stdout   io.Writer
	fromFile bool // the body came whole from --file: its locations name no flag

	parties    map[uuid.UUID]custody.Party
	facilities map[uuid.UUID]api.FacilityView

	c *client.Client // made by ready from the flags
}

// clientFlags registers the connection flags on cmd; write adds those of a write
// (--idempotency-key, --actor, --at). It returns the remote the command will use
// once its flags are parsed.
func clientFlags(cmd *cobra.Command, write bool) *remote {
	r := &remote{write: write}
	f := cmd.Flags()
	f.StringVar(&r.server, "server", defaultServer(), "the server's URL; the default is $"+ServerEnv+" if set")
	f.DurationVar(&r.timeout, "timeout", 30*time.Second, "how long to wait for the server's answer")
	f.BoolVar(&r.json, "json", false, "print the server's JSON answer instead of a summary")
	f.StringVar(&r.tokenFile, "token-file", "", "a file holding the API token to send (default: $"+TokenEnv+", if set)")
	if write {
		f.StringVar(&r.idemKey, "idempotency-key", "", "the write's Idempotency-Key (default: a new UUIDv7); give the one printed by a failed attempt to retry it safely")
		f.IntVar(&r.retries, "retries", 4, "how many times to send the write again, with the same idempotency key, when its answer is lost or the server is busy or failing")
		f.StringVar(&r.actor, "actor", "handover-cli", "who records this, for the ledger")
		f.StringVar(&r.at, "at", "", "when it happened in the field, RFC 3339 (default: now)")
		f.DurationVar(&r.waitWitnessed, "wait-witnessed", 0, "wait up to this long (at most 30s, within --timeout) for the log's witnesses to cosign a checkpoint covering the write, and print who did and when")
	}
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if err := r.ready(cmd); err != nil {
			return err
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
	return r
}

// ready checks the flags and fixes the defaults of one invocation: the time and
// the idempotency key are chosen once, so that the request is the same on a retry.
func (r *remote) ready(cmd *cobra.Command) error {
	r.cmd, r.stdin, r.stdout = cmd, cmd.InOrStdin(), cmd.OutOrStdout()
	s := r.server
	if !strings.Contains(s, "://") {
		s = "http://" + s // host:port
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--server: %q is not a server URL like %s", r.server, defaultServerURL)
	}
	r.server = strings.TrimSuffix(u.String(), "/")
	if r.timeout <= 0 {
		return fmt.Errorf("--timeout must be positive; got %s", r.timeout)
	}
	r.token = strings.TrimSpace(os.Getenv(TokenEnv))
	if r.tokenFile != "" {
		b, err := os.ReadFile(r.tokenFile)
		if err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
		r.token = strings.TrimSpace(string(b))
	}
	if !r.write {
		return r.connect()
	}
	if r.retries < 0 {
		return fmt.Errorf("--retries must be 0 or more; got %d", r.retries)
	}
	switch _, err := time.Parse(time.RFC3339, r.at); {
	case cmd.Flags().Lookup("at") == nil:
		// The body carries no time of the command's (a handover's is its document's).
	case r.at == "":
		r.at = time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	case err != nil:
		return fmt.Errorf("--at: %q is not an RFC 3339 time like 2026-02-01T09:30:00Z", r.at)
	}
	if r.idemKey == "" {
		r.idemKey = uuid.Must(uuid.NewV7()).String()
	} else if len(r.idemKey) > 200 || strings.IndexFunc(r.idemKey, func(c rune) bool { return c < 0x20 || c > 0x7e }) >= 0 {
		return fmt.Errorf("--idempotency-key: 1 to 200 printable ASCII characters")
	}
	return r.connect()
}

// stamp returns the time and actor every write body carries.
func (r *remote) stamp() api.Stamp {
	t, _ := time.Parse(time.RFC3339, r.at)
	return api.Stamp{OccurredAt: t, Actor: r.actor}
}

// meta is stamp with an acting party (a code or id; "" for the server's default).
func (r *remote) meta(party string) api.Meta {
	s := r.stamp()
	return api.Meta{OccurredAt: s.OccurredAt, Actor: s.Actor, Party: party}
}

// get reads path (under /api/v1) with query into out and returns the raw
// answer — a refusal's too — for --json. It is the commands' one request that
// is not a typed method of the client: the reads whose --json prints the
// server's answer as it came.
func (r *remote) get(ctx context.Context, path string, query url.Values, out any) ([]byte, error) {
	if r.c == nil {
		if err := r.connect(); err != nil {
			return nil, err
		}
	}
	resp, err := r.c.Do(ctx, client.Request{Method: http.MethodGet, Path: path, Query: query}, out)
	if err != nil {
		var raw []byte
		if p, ok := client.AsProblem(err); ok {
			raw = p.Body
		} else if resp != nil {
			raw = resp.Body
		}
		return raw, r.explain(http.MethodGet, path, err)
	}
	return resp.Body, nil
}

// list reads every page of the list at path (under /api/v1) with query: the
// records of its array member, decoded into out ({member: [...]}) and returned
// raw in that form, for --json.
func (r *remote) list(ctx context.Context, path string, query url.Values, member string, out any) ([]byte, error) {
	if r.c == nil {
		if err := r.connect(); err != nil {
			return nil, err
		}
	}
	rows, err := r.c.Pages(ctx, path, query, member)
	if err != nil {
		var raw []byte
		if p, ok := client.AsProblem(err); ok {
			raw = p.Body
		}
		return raw, r.explain(http.MethodGet, path, err)
	}
	if rows == nil {
		rows = []json.RawMessage{}
	}
	raw, err := json.Marshal(map[string][]json.RawMessage{member: rows})
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return raw, nil
}

// connect makes the client of the server the flags name.
func (r *remote) connect() error {
	c, err := client.New(r.server, client.WithToken(r.token), client.WithTimeout(r.timeout),
		client.WithRetries(r.retries), client.WithUserAgent("handover-cli"),
		client.WithRetryNotify(func(rt client.Retry) {
			fmt.Fprintf(r.errOut(), "%s %s: %v\n  retrying with the same idempotency key %s in %s (retry %d of %d)\n",
				rt.Method, rt.Path, firstLine(r.explain(rt.Method, rt.Path, rt.Err)), rt.IdempotencyKey, rt.Wait, rt.Attempt, rt.Of)
		}))
	if err != nil {
		return fmt.Errorf("--server: %q is not a server URL like %s", r.server, defaultServerURL)
	}
	r.c = c
	return nil
}

// errOut is where progress and retries are told.
func (r *remote) errOut() io.Writer {
	if r.cmd != nil {
		return r.cmd.ErrOrStderr()
	}
	return os.Stderr
}

func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// explain words an error of the client for the command's user, with its exit
// code: a refusal exits 1, a lost answer 3; others pass unchanged.
func (r *remote) explain(method, path string, err error) error {
	var na *client.NoAnswerError
	if errors.As(err, &na) {
		return r.noAnswer(method, path, na)
	}
	if p, ok := client.AsProblem(err); ok {
		return r.refusal(p, client.IsWrite(method))
	}
	return err
}

// noAnswer explains a request that got no answer. A write whose connection failed
// was never sent; one that timed out or broke afterwards may have been recorded,
// and is retried safely with the same idempotency key and time.
func (r *remote) noAnswer(method, path string, na *client.NoAnswerError) error {
	var op *net.OpError
	if na.Unreachable() && errors.As(na.Err, &op) {
		return exitError{exitNoAnswer, fmt.Errorf("cannot reach the server at %s (%v): is it running? Start it with `handover serve --data DIR` (or `handover demo`), or give its URL with --server or $%s",
			r.server, op.Err, ServerEnv)}
	}
	what := "no answer"
	if na.TimedOut() {
		what = fmt.Sprintf("no answer within %s (--timeout)", r.timeout)
	}
	msg := fmt.Sprintf("%s from %s to %s %s: %v", what, r.server, method, path, na.Err)
	if client.IsWrite(method) {
		msg += "\n" + r.retryHint("the write may or may not have been recorded")
	}
	return exitError{exitNoAnswer, errors.New(msg)}
}

// retryHint tells how to retry this write without recording it twice.
func (r *remote) retryHint(why string) string {
	at := ""
	if r.at != "" {
		at = " --at " + r.at
	}
	return fmt.Sprintf("%s: to retry it safely, run the same command with --idempotency-key %s%s", why, r.idemKey, at)
}

// problemError is a problem the server answered with (RFC 9457, with custody's
// refusal code and each fault's location in the request, "body.transfer.persons[3]"),
// and the flag of the command that gave the faulty part of the request, if one did.
type problemError struct {
	*client.Problem
	Flag string
}

func (e *problemError) Error() string {
	detail, loc := e.Message(), e.Field()
	switch {
	case loc != "" && e.Flag != "":
		return fmt.Sprintf("%s (at %s, from %s)", detail, loc, e.Flag)
	case loc != "":
		return fmt.Sprintf("%s (at %s)", detail, loc)
	}
	return detail
}

func (e *problemError) Unwrap() error { return e.Problem }

// flagAliases names the flags that give a field of a request body, where the
// field's name, with '-' for '_', is not the flag's.
var flagAliases = map[string]string{
	"persons": "persons-file", "manifest": "manifest-file", "vehicles": "vehicle", "priorities": "priority",
	"planned_departure": "departure", "occurred_at": "at", "overrides": "override", "signatures": "sig",
	"controlling_party": "party",
}

// flagOf names the flag of cmd that gave the request's part at loc
// ("body.transfer.legal_basis" → "--legal-basis"), or "the ID argument".
func flagOf(cmd *cobra.Command, loc string) string {
	if loc == "path.id" {
		return "the ID argument"
	}
	rest, ok := strings.CutPrefix(loc, "body.")
	if !ok || cmd == nil {
		return ""
	}
	segs := strings.Split(rest, ".")
	for i := len(segs) - 1; i >= 0; i-- {
		name, _, _ := strings.Cut(segs[i], "[")
		if a, ok := flagAliases[name]; ok {
			name = a
		}
		name = strings.ReplaceAll(name, "_", "-")
		if f := cmd.Flags().Lookup(name); f != nil && name != "json" {
			if name == "persons-file" && cmd.Flags().Lookup("person") != nil {
				return "--persons-file or --person"
			}
			return "--" + name
		}
	}
	return ""
}

// refusal turns a problem into the command's error.
func (r *remote) refusal(p *client.Problem, write bool) error {
	pe := &problemError{Problem: p}
	if loc := p.Field(); loc != "" && !r.fromFile {
		pe.Flag = flagOf(r.cmd, loc)
	}
	var err error = pe
	switch {
	case p.Status == http.StatusUnauthorized:
		err = fmt.Errorf("%w\nthe server wants an API token: put one (from `handover token create` on the server) in $%s or a --token-file", pe, TokenEnv)
	case write && p.Status >= 500:
		err = fmt.Errorf("%w\n%s", pe, r.retryHint("the server failed"))
	}
	return exitError{exitRefused, err}
}

// printJSON prints a raw answer indented.
func (r *remote) printJSON(raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		_, err = r.stdout.Write(raw)
		return err
	}
	b.WriteByte('\n')
	_, err := r.stdout.Write(b.Bytes())
	return err
}

// printf prints a line of a summary.
func (r *remote) printf(format string, args ...any) { fmt.Fprintf(r.stdout, format, args...) }

// lookup loads the parties and facilities once, to show their codes.
func (r *remote) lookup(ctx context.Context) error {
	if r.parties != nil {
		return nil
	}
	var ps struct {
		Parties []custody.Party `json:"parties"`
	}
	if _, err := r.list(ctx, "/parties", nil, "parties", &ps); err != nil {
		return err
	}
	var fs struct {
		Facilities []api.FacilityView `json:"facilities"`
	}
	if _, err := r.list(ctx, "/facilities", nil, "facilities", &fs); err != nil {
		return err
	}
	r.parties = map[uuid.UUID]custody.Party{}
	for _, p := range ps.Parties {
		r.parties[p.ID] = p
	}
	r.facilities = map[uuid.UUID]api.FacilityView{}
	for _, f := range fs.Facilities {
		r.facilities[f.ID] = f
	}
	return nil
}

// party is a party's code, or its id when lookup has not found it.
func (r *remote) party(id uuid.UUID) string {
	if p, ok := r.parties[id]; ok {
		return p.Code
	}
	if id == uuid.Nil {
		return "-"
	}
	return id.String()
}

// facility is a facility's code, or its id when lookup has not found it.
func (r *remote) facility(id uuid.UUID) string {
	if f, ok := r.facilities[id]; ok && f.Code != "" {
		return f.Code
	}
	if id == uuid.Nil {
		return "-"
	}
	return id.String()
}

// printReceipt prints what a write recorded, or that a retry recorded nothing.
func (r *remote) printReceipt(rc api.Receipt, replayed bool) {
	if len(rc.Events) == 0 {
		return
	}
	var order []custody.Type
	count := map[custody.Type]int{}
	for _, e := range rc.Events {
		if count[e.Type] == 0 {
			order = append(order, e.Type)
		}
		count[e.Type]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%d %s", count[t], t)
	}
	span := fmt.Sprintf("ledger index %d", rc.Events[0].Index)
	if n := len(rc.Events); n > 1 {
		span = fmt.Sprintf("ledger indices %d–%d", rc.Events[0].Index, rc.Events[n-1].Index)
	}
	what := fmt.Sprintf("%s (%s); checkpoint size %d", strings.Join(parts, ", "), span, rc.Checkpoint.Size)
	if replayed {
		r.printf("already recorded by an earlier attempt with idempotency key %s: %s; nothing new was recorded\n", r.idemKey, what)
	} else {
		r.printf("recorded %s\n", what)
	}
	if w := rc.Witnessed; w != nil && w.State != api.WitnessingNone {
		r.printf("%s\n", witnessingLine(w))
	}
}

// witnessingLine says whether a checkpoint covering events meets the
// witnesses' quorum: by whom and when, or where to ask.
func witnessingLine(w *api.Witnessing) string {
	c := w.Checkpoint
	if w.State != api.WitnessingWitnessed || c == nil {
		return fmt.Sprintf("witnessed: not yet (no checkpoint covering index %d meets the witnesses' quorum); ask GET %s, or run: handover proof witnessed %d --wait 30s", w.Index, w.Poll, w.Index)
	}
	by := make([]string, len(c.Cosignatures))
	for i, cs := range c.Cosignatures {
		by[i] = fmt.Sprintf("%s at %s", cs.Witness, cs.SignedAt.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("witnessed: checkpoint size %d cosigned by %s; the log held the quorum since %s", c.Size, strings.Join(by, ", "), c.Since.UTC().Format(time.RFC3339Nano))
}

// printCreated prints, for a write that created a record, only its id (quiet) or
// the server's JSON.
func printCreated(r *remote, raw []byte, quiet bool, id uuid.UUID) error {
	if quiet {
		r.printf("%s\n", id)
		return nil
	}
	return r.printJSON(raw)
}

// orJSON returns err, or prints raw when there is none (for --json).
func orJSON(r *remote, raw []byte, err error) error {
	if err != nil {
		return err
	}
	return r.printJSON(raw)
}

// pathID escapes a record's id (or code) for a URL path.
func pathID(s string) string { return url.PathEscape(s) }

// table prints aligned columns.
type table struct{ w *tabwriter.Writer }

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	fmt.Fprintln(t.w, strings.Join(headers, "\t"))
	return t
}

func (t *table) row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = fmt.Sprint(c)
	}
	fmt.Fprintln(t.w, strings.Join(s, "\t"))
}

func (t *table) flush() error { return t.w.Flush() }

// plural words a count: "1 person", "3 persons".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// when prints a time in UTC to the minute.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}
