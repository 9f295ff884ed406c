package api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
)

// A kept answer (the response stored under an Idempotency-Key) is replayed with
// the headers that say what the write made, not only its body: Location (the
// record it created), ETag (the version it left) and Content-Type. They are
// stored in front of the body, in the body column, so that no migration is
// needed:
//
//	\x00handover-answer/1\n
//	Location: /api/v1/facilities/0190…\n
//	ETag: "9f86…"\n
//	\n
//	<the body, as sent>
//
// A stored body without the prefix (kept before headers were, or a JSON body: it
// cannot begin with a NUL byte) is replayed as it is, with no header.

// answerMagic begins a stored answer that carries headers.
const answerMagic = "\x00handover-answer/1\n"

// replayedHeaders are the headers of an answer that are kept with it.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// encodeAnswer is the stored form of an answer: its kept headers, then its body.
func encodeAnswer(h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(answerMagic)
	for _, k := range replayedHeaders {
		if v := h.Get(k); v != "" && !strings.ContainsAny(v, "\r\n") {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteByte('\n')
	b.Write(body)
	return b.Bytes()
}

var errAnswer = errors.New("api: stored answer: malformed header block")

// decodeAnswer reads a stored answer: its headers (none for a plain body) and its
// body.
func decodeAnswer(stored []byte) (http.Header, []byte, error) {
	h := http.Header{}
	rest, ok := bytes.CutPrefix(stored, []byte(answerMagic))
	if !ok {
		return h, stored, nil
	}
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, nil, errAnswer
		}
		rest = after
		if len(line) == 0 {
			return h, rest, nil
		}
		k, v, ok := strings.Cut(string(line), ": ")
		if !ok || k == "" || !validHeaderName(k) {
			return nil, nil, errAnswer
		}
		h.Add(k, v)
	}
}

// validHeaderName reports whether k is one of the headers kept with answers.
func validHeaderName(k string) bool {
	for _, r := range replayedHeaders {
		if k == r {
			return true
		}
	}
	return false
}
