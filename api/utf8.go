package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/handover-project/handover/custody"
)

// encoding/json turns the bytes of a string that are not UTF-8 into U+FFFD
// without a word, so a name sent in another encoding would be stored mangled.
// utf8Only refuses such a request before it is decoded: a JSON body, a query
// parameter that is not valid UTF-8 gets a 422 problem naming the field
// (body.person.names[0].text, query.name), and nothing is written. (Imported
// files are checked by package bulk, which names the line and column.)

// utf8Only is the middleware that refuses text that is not UTF-8.
func (s *server) utf8Only(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range r.URL.Query() {
			for _, v := range vs {
				if !utf8.ValidString(k) || !utf8.ValidString(v) {
					writeProblemAt(w, http.StatusUnprocessableEntity, custody.Invalid, "query."+strings.ToValidUTF8(k, "\uFFFD"), notUTF8)
					return
				}
			}
		}
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || !jsonBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		// Read no more than the largest body any route takes: a longer one is
		// passed on whole, and refused there (413).
		head, err := io.ReadAll(io.LimitReader(r.Body, MaxHandoverBodyBytes+1))
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "the request body could not be read")
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		if len(head) > MaxHandoverBodyBytes || utf8.Valid(head) {
			next.ServeHTTP(w, r)
			return
		}
		writeProblemAt(w, http.StatusUnprocessableEntity, custody.Invalid, badStringPath(head), notUTF8)
	})
}

// jsonBody reports whether a request's body is JSON (application/json, a +json
// type, or no type, which the API reads as JSON). Files of other types (an
// import's CSV or JSON lines) are checked by their own readers, line by line.
func jsonBody(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

const notUTF8 = "is not valid UTF-8: text must be sent as UTF-8"

// badStringPath returns the location of the JSON string that holds the first
// byte of b that is not UTF-8 ("body.person.names[0].text"), or "body" when that
// byte is not inside a string of well-formed JSON.
func badStringPath(b []byte) string {
	off := 0
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	// Decode the JSON up to the bad byte: the decoder stops inside the string
	// that holds it, and the path is where it stopped.
	type frame struct {
		object    bool
		key       string
		index     int
		expectKey bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(b[:off]))
	afterValue := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	inKey := false
	for {
		t, err := dec.Token()
		if err != nil {
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				inKey = top.object && top.expectKey
			}
			break
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			afterValue()
		default:
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].expectKey {
				stack[top].key, stack[top].expectKey = fmt.Sprint(t), false
				continue
			}
			afterValue()
		}
	}
	var path strings.Builder
	path.WriteString("body")
	for i, f := range stack {
		switch {
		case f.object && i == len(stack)-1 && inKey:
			// the bad byte is in a key of this object: the object is the place
		case f.object:
			path.WriteString("." + strings.ToValidUTF8(f.key, "\uFFFD"))
		default:
			path.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return path.String()
}
