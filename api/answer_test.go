package api

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

var updateAnswer = flag.Bool("update-answer", false, "rewrite testdata/stored-answer.bin")

// TestStoredAnswerGolden fixes the stored form of a kept answer: stores written
// by one version are read by the next.
func TestStoredAnswerGolden(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Location", "/api/v1/movements/0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60")
	h.Set("ETag", `"9f86d081884c7d659a2feaa0c55ad015"`)
	h.Set("Cache-Control", "no-store") // not kept
	body := []byte(`{"id":"0190b5a4-7c3e-7d2a-9f10-3b1c2d4e5f60","status":"planned"}` + "\n")
	got := encodeAnswer(h, body)
	path := filepath.Join("testdata", "stored-answer.bin")
	if *updateAnswer {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("stored answer changed:\n%q\nwant\n%q", got, want)
	}
	dh, db, err := decodeAnswer(want)
	if err != nil || !bytes.Equal(db, body) || len(dh) != 3 || dh.Get("Location") != h.Get("Location") || dh.Get("ETag") != h.Get("ETag") {
		t.Fatalf("decoded %v %q %v", dh, db, err)
	}
	// A body stored before headers were kept is replayed as it is.
	if dh, db, err := decodeAnswer(body); err != nil || len(dh) != 0 || !bytes.Equal(db, body) {
		t.Fatalf("a plain body: %v %q %v", dh, db, err)
	}
	// A header value that would break the block is not kept.
	h.Set("Location", "/x\r\nSet-Cookie: a=b")
	if dh, _, err := decodeAnswer(encodeAnswer(h, body)); err != nil || dh.Get("Location") != "" {
		t.Fatalf("a broken header: %v %v", dh, err)
	}
}

// FuzzStoredAnswer: whatever the column holds, decodeAnswer returns a body or an
// error without panicking, and what encodeAnswer writes reads back the same.
func FuzzStoredAnswer(f *testing.F) {
	f.Add([]byte(answerMagic+"Location: /a\n\n{}"), "/api/v1/x", `"e"`, []byte(`{"a":1}`))
	f.Add([]byte(`{"plain":true}`), "", "", []byte{})
	f.Add([]byte(answerMagic+"Bad\n"), "x", "y", []byte("\x00"))
	f.Fuzz(func(t *testing.T, stored []byte, loc, etag string, body []byte) {
		if h, b, err := decodeAnswer(stored); err == nil {
			for k := range h {
				if !validHeaderName(k) {
					t.Fatalf("decoded header %q", k)
				}
			}
			_ = b
		}
		h := http.Header{}
		h.Set("Location", loc)
		h.Set("ETag", etag)
		dh, db, err := decodeAnswer(encodeAnswer(h, body))
		if err != nil || !bytes.Equal(db, body) {
			t.Fatalf("round trip: %v %q", err, db)
		}
		for _, k := range []string{"Location", "ETag"} {
			v := h.Get(k)
			if v != "" && !bytes.ContainsAny([]byte(v), "\r\n") && dh.Get(k) != v {
				t.Fatalf("%s %q came back %q", k, v, dh.Get(k))
			}
		}
	})
}
