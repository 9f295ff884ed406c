package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// LogKey is what a verifier needs to check the log's checkpoints: its origin and
// its note verifier key.
type LogKey struct {
	Origin      string `json:"origin" doc:"The log's name: the first line of each checkpoint" example:"handover.example/log"`
	VerifierKey string `json:"verifier_key,omitempty" doc:"The log's key in C2SP signed-note verifier key form (name+hash+base64 Ed25519 key); absent when the server was not given it" example:"handover.example/log+7a1e3c52+AQ1x0C1ZEsOLxk1o9O3sX4FtJ3xFfW2yB7xQ0vVQmFh0"`
	KeyName     string `json:"key_name" doc:"The key's name, as in the checkpoints' signature lines" example:"handover.example/log"`
	KeyHash     string `json:"key_hash" doc:"The key's 32-bit hash, 8 hex digits, as in the signature lines" pattern:"^[0-9a-f]{8}$" example:"7a1e3c52"`
}

type logKeyOutput struct{ Body LogKey }

// logKey answers the log's origin and verification key. It is public, as /log/
// is: anyone may check the log.
func (s *server) logKey(_ context.Context, _ *struct{}) (*logKeyOutput, error) {
	out := &logKeyOutput{Body: LogKey{Origin: s.cfg.Origin, VerifierKey: s.cfg.VerifierKey}}
	if s.cfg.Verifier != nil {
		out.Body.KeyName = s.cfg.Verifier.Name()
		out.Body.KeyHash = hex8(s.cfg.Verifier.KeyHash())
	}
	return out, nil
}

func hex8(h uint32) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b)
}

// documentPlainRoutes adds to the OpenAPI document the routes served outside
// huma: /healthz and the tiled log's read side (C2SP tlog-tiles and
// tlog-checkpoint; ledger.Handler serves them).
func documentPlainRoutes(oapi *huma.OpenAPI) {
	problem := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ProblemDetails"}}}}
	}
	text := func(desc, ex string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"text/plain": {Schema: &huma.Schema{Type: huma.TypeString}, Example: ex}}}
	}
	binary := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}}
	}
	public := []map[string][]string{}
	tileParams := []*huma.Param{
		{Name: "index", In: "path", Required: true, Description: "The tile's index in tlog-tiles' path form: groups of three digits, all but the last prefixed x (x001/234), " +
			"then .p/W for a partial tile of W entries. Its slashes are part of the path.", Schema: &huma.Schema{Type: huma.TypeString, Pattern: `^(x[0-9]{3}/)*[0-9]{3}(\.p/[0-9]+)?$`}, Example: "x001/234"},
	}
	oapi.AddOperation(&huma.Operation{OperationID: "health", Method: http.MethodGet, Path: "/healthz", Tags: []string{"Log"}, Security: public,
		Summary:     "Whether the server and its store answer",
		Description: "200 with the ledger's size when the store answers, 503 otherwise. Needs no credentials.",
		Responses: map[string]*huma.Response{
			"200": {Description: "The server is up", Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
				Type: huma.TypeObject, Required: []string{"status", "size", "time"},
				Properties: map[string]*huma.Schema{
					"status": {Type: huma.TypeString, Enum: []any{"ok"}},
					"size":   {Type: huma.TypeInteger, Minimum: new(float64), Description: "The latest checkpoint's tree size"},
					"time":   {Type: huma.TypeString, Format: "date-time", Description: "The server's clock"},
				}}, Example: map[string]any{"status": "ok", "size": 42, "time": "2026-01-20T09:00:00Z"}}}},
			"400": problem("A query parameter: /healthz takes none"),
			"422": problem("A path or query that is not UTF-8"),
			"503": problem("The store does not answer"),
		}})
	oapi.AddOperation(&huma.Operation{OperationID: "log-checkpoint", Method: http.MethodGet, Path: "/log/checkpoint", Tags: []string{"Log"}, Security: public,
		Summary: "The log's latest checkpoint (C2SP tlog-checkpoint)",
		Description: "A C2SP signed note: the origin, the tree size, the base64 root hash, a blank line and signature lines. " +
			"Verify it with the key of GET /api/v1/log-key. Served with Cache-Control: no-cache. Needs no credentials.",
		Responses: map[string]*huma.Response{
			"200": text("The signed checkpoint", "handover.example/log\n42\nq8R0…=\n\n— handover.example/log ejGAr…=\n"),
			"404": problem("No checkpoint yet"),
			"422": problem("A path or query that is not UTF-8"),
		}})
	oapi.AddOperation(&huma.Operation{OperationID: "log-tile", Method: http.MethodGet, Path: "/log/tile/{level}/{index}", Tags: []string{"Log"}, Security: public,
		Summary:     "A tile of the log's Merkle tree (C2SP tlog-tiles)",
		Description: "256 hashes of 32 bytes (fewer in a partial tile), of one level of the tree. Immutable: cached for a long time. Only tiles within the latest checkpoint's tree are served.",
		Parameters: append([]*huma.Param{{Name: "level", In: "path", Required: true, Description: "The tile's level, 0 to 63",
			Schema: &huma.Schema{Type: huma.TypeString, Pattern: "^[0-9]{1,2}$"}, Example: "0"}}, tileParams...),
		Responses: map[string]*huma.Response{
			"200": binary("The tile's hashes"),
			"400": problem("A malformed tile path"),
			"404": problem("Beyond the latest checkpoint"),
			"422": problem("A path or query that is not UTF-8"),
		}})
	oapi.AddOperation(&huma.Operation{OperationID: "log-entries", Method: http.MethodGet, Path: "/log/tile/entries/{index}", Tags: []string{"Log"}, Security: public,
		Summary: "A bundle of the log's entries (C2SP tlog-tiles)",
		Description: "Up to 256 entries, each a big-endian 16-bit length and the event's exact bytes (the JSON of GET /api/v1/events/{index}). " +
			"Immutable; only entries within the latest checkpoint's tree are served.",
		Parameters: tileParams,
		Responses: map[string]*huma.Response{
			"200": binary("The entry bundle"),
			"400": problem("A malformed tile path"),
			"404": problem("Beyond the latest checkpoint"),
			"422": problem("A path or query that is not UTF-8"),
		}})
}

// problemWriter turns the plain-text refusals of a handler outside huma (the
// tiled log's) into problems, so that every refusal of the server carries a code.
type problemWriter struct {
	http.ResponseWriter
	refused bool
}

func (w *problemWriter) WriteHeader(status int) {
	if status < 400 {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.refused = true
	w.Header().Del("Content-Length")
	w.Header().Del("X-Content-Type-Options")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	writeProblem(w.ResponseWriter, status, http.StatusText(status)+": "+detailOf(status))
}

func (w *problemWriter) Write(b []byte) (int, error) {
	if w.refused {
		return len(b), nil // the plain text is replaced by the problem
	}
	return w.ResponseWriter.Write(b)
}

func detailOf(status int) string {
	switch status {
	case http.StatusNotFound:
		return "no checkpoint yet, or beyond the latest checkpoint's tree"
	case http.StatusBadRequest:
		return "malformed tile path"
	}
	return "the log could not be read"
}

// problems wraps h so that its refusals are problems.
func problems(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&problemWriter{ResponseWriter: w}, r)
	})
}
