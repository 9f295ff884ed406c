package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// contract checks every JSON response of a test server against the schema that
// the server's own /openapi.json declares for its route, method and status: a
// response the document does not describe, or does not describe rightly, fails
// the test that provoked it.
type contract struct {
	t      *testing.T
	doc    map[string]any
	routes []contractRoute
	c      *jsonschema.Compiler
	mu     sync.Mutex
	cache  map[string]*jsonschema.Schema
	seen   map[string]bool // route+status answered, for the coverage figure
}

type contractRoute struct {
	re   *regexp.Regexp
	path string
}

var paramRe = regexp.MustCompile(`\{[^}]+\}`)

// newContract reads the OpenAPI document that h serves.
func newContract(t *testing.T, h http.Handler) *contract {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if rec.Code != 200 {
		t.Fatalf("/openapi.json: %d", rec.Code)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	k := &contract{t: t, doc: doc.(map[string]any), c: jsonschema.NewCompiler(), cache: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	k.c.DefaultDraft(jsonschema.Draft2020)
	k.c.AssertFormat()
	if err := k.c.AddResource("https://handover.test/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	for p := range k.doc["paths"].(map[string]any) {
		k.routes = append(k.routes, contractRoute{re: regexp.MustCompile("^" + paramRe.ReplaceAllString(strings.ReplaceAll(p, ".", `\.`), `[^/]+`) + "$"), path: p})
	}
	// Literal routes before templated ones: /persons/x before /persons/{id}.
	sort.Slice(k.routes, func(i, j int) bool {
		return strings.Count(k.routes[i].path, "{") < strings.Count(k.routes[j].path, "{")
	})
	return k
}

// pointer escapes a JSON pointer token.
func pointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// check validates one response.
func (k *contract) check(method, path string, status int, header http.Header, body []byte) error {
	var route string
	for _, r := range k.routes {
		if r.re.MatchString(path) {
			route = r.path
			break
		}
	}
	if route == "" {
		return nil // /log/ and /healthz are checked by their own tests
	}
	op, ok := k.doc["paths"].(map[string]any)[route].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		if status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("%s %s answered %d but the document has no such operation", method, route, status)
	}
	responses := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		if resp, ok = responses["default"].(map[string]any); !ok {
			return fmt.Errorf("%s %s answered %d, which the document does not declare", method, route, status)
		}
		code = "default"
	}
	k.mu.Lock()
	k.seen[method+" "+route+" "+code] = true
	k.mu.Unlock()
	if ref, ok := resp["$ref"].(string); ok {
		resp = k.resolve(ref)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 || len(body) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	media, ok := content[mt].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s %d: Content-Type %q is not among the document's", method, route, status, mt)
	}
	if _, ok := media["schema"]; !ok || !strings.HasSuffix(mt, "json") {
		return nil
	}
	loc := "https://handover.test/openapi.json#/paths/" + pointer(route) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/" + pointer(mt) + "/schema"
	k.mu.Lock()
	sch, ok := k.cache[loc]
	if !ok {
		var err error
		if sch, err = k.c.Compile(loc); err != nil {
			k.mu.Unlock()
			return fmt.Errorf("%s %s %d: compiling its schema: %w", method, route, status, err)
		}
		k.cache[loc] = sch
	}
	k.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: not JSON: %w", method, route, status, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s %d does not match its schema: %v\nbody: %.600s", method, route, status, err, body)
	}
	return nil
}

func (k *contract) resolve(ref string) map[string]any {
	var cur any = k.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		cur = cur.(map[string]any)[tok]
	}
	return cur.(map[string]any)
}

// handler wraps h: every response is checked, and a mismatch fails k's test.
func (k *contract) handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &teeWriter{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		if rec.streamed || r.Context().Err() != nil || path.Clean(r.URL.Path) != r.URL.Path {
			return // streams, answers nobody read, and redirects to a clean path
		}
		if err := k.check(r.Method, r.URL.Path, rec.status, w.Header(), rec.body.Bytes()); err != nil {
			k.t.Error(err)
		}
	})
}

// teeWriter keeps a copy of what it writes (up to 4 MiB; streams are not checked).
type teeWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	streamed bool
}

func (w *teeWriter) WriteHeader(status int) { w.status = status; w.ResponseWriter.WriteHeader(status) }
func (w *teeWriter) Write(b []byte) (int, error) {
	if w.body.Len()+len(b) > 4<<20 {
		w.streamed = true
	} else {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}
func (w *teeWriter) Flush() {
	w.streamed = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestOpenAPIGolden keeps the served OpenAPI document in testdata/openapi.json,
// the file CI lints (.ci/run): a change of the contract is a reviewed diff.
func TestOpenAPIGolden(t *testing.T) {
	c := newServer(t)
	status, _, got := c.anonymous().do("GET", "/openapi.json", nil)
	if status != 200 {
		t.Fatalf("/openapi.json: %d", status)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "openapi.json")
	if *update {
		os.WriteFile(golden, pretty.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("/openapi.json differs from %s; rerun with -update and review the diff", golden)
	}
}
