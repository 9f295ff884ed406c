package api

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
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

func TestCheckIdempotencyKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"a": true, "retry-7f3c": true, "with space": true, "~!@#$%^&*()": true, strings.Repeat("k", 200): true,
		"": false, strings.Repeat("k", 201): false, "tab\there": false, "nul\x00": false, "del\x7f": false, "é": false,
	} {
		if err := checkIdempotencyKey(key); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", key, err, ok)
		}
	}
}

// FuzzIdempotencyKey checks that a key is accepted exactly when it is 1 to 200
// printable ASCII characters, and that fingerprints tell requests apart.
func FuzzIdempotencyKey(f *testing.F) {
	f.Add("retry-1", "POST", "/api/v1/parties", []byte(`{"a":1}`), "POST", "/api/v1/parties", []byte(`{"a":2}`))
	f.Add("", "POST", "/a", []byte("b"), "POST", "/ab", []byte(""))
	f.Fuzz(func(t *testing.T, key, m1, u1 string, b1 []byte, m2, u2 string, b2 []byte) {
		want := len(key) >= 1 && len(key) <= 200
		for i := range len(key) {
			want = want && key[i] >= 0x20 && key[i] <= 0x7e
		}
		if err := checkIdempotencyKey(key); (err == nil) != want {
			t.Fatalf("%q: %v, want ok=%v", key, err, want)
		}
		same := m1 == m2 && u1 == u2 && bytes.Equal(b1, b2)
		if eq := bytes.Equal(fingerprint(m1, u1, b1), fingerprint(m2, u2, b2)); eq != same {
			t.Fatalf("fingerprints of (%q %q %q) and (%q %q %q): equal=%v", m1, u1, b1, m2, u2, b2, eq)
		}
	})
}

// handoverSeed is a handover request whose document parses.
var handoverSeed = func() []byte {
	compact := `{"type":"handover","v":1,"id":"0190b9a4-7c2d-7000-8000-000000000001","movement":"0190b9a4-7c2d-7000-8000-000000000002",` +
		`"stage":"departure","from":{"party":"0190b9a4-7c2d-7000-8000-000000000003","name":"Officer Rojhat Amed","key":"0190b9a4-7c2d-7000-8000-000000000004"},` +
		`"to":{"party":"0190b9a4-7c2d-7000-8000-000000000005","name":"Lieutenant Dara Sor","key":"0190b9a4-7c2d-7000-8000-000000000006"},` +
		`"at":"2026-01-21T09:30:00Z","place":"Hasakah gate","head_count":1,` +
		`"persons":[{"person":"0190b9a4-7c2d-7000-8000-000000000007","reg_no":"HSK-000150","outcome":"present"}]}`
	d, err := custody.ParseHandover([]byte(compact))
	if err != nil {
		panic(err)
	}
	doc, err := custody.EncodeHandover(d) // the canonical form, the only one accepted
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(map[string]any{"document": []byte(doc), "signatures": []map[string]any{
		{"key": "0190b9a4-7c2d-7000-8000-000000000004", "sig": bytes.Repeat([]byte{1}, 64)},
		{"key": "0190b9a4-7c2d-7000-8000-000000000006", "sig": bytes.Repeat([]byte{2}, 64)},
	}})
	return b
}()

func TestHandoverCommand(t *testing.T) {
	var b handoverBody
	if err := json.Unmarshal(handoverSeed, &b); err != nil {
		t.Fatal(err)
	}
	cmd, err := handoverCommand(&b)
	if err != nil || cmd.Actor != "api" || !cmd.OccurredAt.Equal(time.Date(2026, 1, 21, 9, 30, 0, 0, time.UTC)) || len(cmd.Signatures) != 2 {
		t.Fatalf("%+v, %v", cmd.Meta, err)
	}
	for name, edit := range map[string]func(*handoverBody){
		"no document":     func(b *handoverBody) { b.Document = nil },
		"not JSON":        func(b *handoverBody) { b.Document = []byte("handover") },
		"one signature":   func(b *handoverBody) { b.Signatures = b.Signatures[:1] },
		"no key":          func(b *handoverBody) { b.Signatures[1].Key = uuid.Nil },
		"short signature": func(b *handoverBody) { b.Signatures[0].Sig = b.Signatures[0].Sig[:63] },
	} {
		var b handoverBody
		json.Unmarshal(handoverSeed, &b)
		edit(&b)
		if _, err := handoverCommand(&b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzHandoverRequest checks that a handover request body is never a panic, and
// that an accepted one gives a command over the very bytes sent, dated by the
// document, with two full-length signatures.
func FuzzHandoverRequest(f *testing.F) {
	f.Add(handoverSeed)
	f.Add([]byte(`{"document":"e30=","signatures":[]}`))
	f.Add([]byte(`{"document":null,"signatures":[{"key":"00000000-0000-0000-0000-000000000000","sig":""}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var b handoverBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		sent := bytes.Clone(b.Document)
		cmd, err := handoverCommand(&b)
		if err != nil {
			if cmd.Document != nil {
				t.Fatalf("refused (%v) but built a command", err)
			}
			return
		}
		doc, perr := custody.ParseHandover(cmd.Document)
		if perr != nil || !bytes.Equal(cmd.Document, sent) || !cmd.OccurredAt.Equal(doc.At) || len(cmd.Signatures) != 2 {
			t.Fatalf("accepted %q as %+v (%v)", body, cmd.Meta, perr)
		}
		for _, g := range cmd.Signatures {
			if g.Key == uuid.Nil || len(g.Sig) != ed25519.SignatureSize {
				t.Fatalf("accepted signature %+v", g)
			}
		}
	})
}

// TestCSVSafe: a field a spreadsheet would read as a formula is exported with a
// leading quote.
func TestCSVSafe(t *testing.T) {
	got := csvSafe("=1+2", "+x", "-y", "@z", "\tt", "plain", "", "a=b")
	want := []string{"'=1+2", "'+x", "'-y", "'@z", "'\tt", "plain", "", "a=b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("csvSafe: %q, want %q", got, want)
	}
}

func TestPreferWait(t *testing.T) {
	for _, c := range []struct {
		header []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"wait=5"}, 5 * time.Second},
		{[]string{"respond-async, wait=10"}, 10 * time.Second},
		{[]string{`WAIT="7"`}, 7 * time.Second},
		{[]string{"wait=7; foo=bar"}, 7 * time.Second},
		{[]string{"return=minimal", "wait=3"}, 3 * time.Second},
		{[]string{"wait=3600"}, MaxWitnessWait},
		{[]string{"wait=-1"}, 0},
		{[]string{"wait=1.5"}, 0},
		{[]string{"wait"}, 0},
		{[]string{"waiting=5"}, 0},
		{[]string{"wait=99999999999999999999"}, 0},
	} {
		h := http.Header{}
		for _, v := range c.header {
			h.Add("Prefer", v)
		}
		if got := preferWait(h); got != c.want {
			t.Errorf("Prefer %q: %v, want %v", c.header, got, c.want)
		}
	}
}

// FuzzPreferWait: any Prefer header gives a wait from 0 to MaxWitnessWait,
// in whole seconds.
func FuzzPreferWait(f *testing.F) {
	for _, s := range []string{"wait=5", "respond-async, wait=10", `wait="7"; x=y`, "wait=3600", "wait=-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := preferWait(http.Header{"Prefer": {v}})
		if got < 0 || got > MaxWitnessWait || got%time.Second != 0 {
			t.Fatalf("Prefer %q: wait %v", v, got)
		}
	})
}
