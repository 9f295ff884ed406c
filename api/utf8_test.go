package api

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBadStringPath(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"person":{"names":[{"text":"ok"},{"text":"Ali \xff"}]}}`, "body.person.names[1].text"},
		{`{"reason":"\xc3("}`, "body.reason"},
		{`{"a":[1,[2,3],{"b":"x"}],"c":{"d":"\xe2\x82"}}`, "body.c.d"},
		{`{"a":{"\xff":"x"}}`, "body.a"}, // a key: the object holding it
		{`["ok","\xff"]`, "body[1]"},     // top-level array
		{`{"a":"x"} \xff`, "body"},       // outside any string
		{`{"a":"x","b":[{},{"c":"\xff"}]}`, "body.b[1].c"},
	} {
		if got := badStringPath([]byte(tc.body)); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.body, got, tc.want)
		}
	}
}

// FuzzBadStringPath: whatever the bytes, the path starts at the body and names
// only valid UTF-8; for a JSON object with one bad string value, it names it.
func FuzzBadStringPath(f *testing.F) {
	f.Add([]byte(`{"person":{"names":[{"text":"\xff"}]}}`), "key", "va\xffl")
	f.Add([]byte(`[[[`), "k", "\xc3")
	f.Fuzz(func(t *testing.T, b []byte, key, value string) {
		p := badStringPath(b)
		if !strings.HasPrefix(p, "body") || !utf8.ValidString(p) {
			t.Fatalf("%q: path %q", b, p)
		}
		if !utf8.ValidString(key) || utf8.ValidString(value) || strings.ContainsAny(key, `"\`) || strings.ContainsAny(value, `"\`) || hasControl(key+value) {
			return
		}
		k, _ := json.Marshal(key)
		doc := `{"good":"x","list":[{` + string(k) + `:"` + value + `"}]}`
		if got, want := badStringPath([]byte(doc)), "body.list[0]."+key; got != want {
			t.Fatalf("%q: %q, want %q", doc, got, want)
		}
	})
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
