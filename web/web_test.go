package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"
	"time"
	"unicode"

	"github.com/handover-project/handover/custody"
)

// TestTemplatesHoldNoWords: every word a page shows comes from a catalogue. Outside
// actions and markup, a template's text has no letters.
func TestTemplatesHoldNoWords(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`(?s)<[^>]*>|&[a-z]+;`)
	for page, tmpl := range p.byName {
		for _, tt := range tmpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			// The template's text with each action as a blank, markup removed.
			var b strings.Builder
			walk(tt.Tree.Root, func(n parse.Node) {
				switch n := n.(type) {
				case *parse.TextNode:
					b.Write(n.Text)
				case *parse.ActionNode, *parse.TemplateNode:
					b.WriteString(" ")
				}
			})
			text := tag.ReplaceAllString(b.String(), " ")
			if i := strings.IndexFunc(text, unicode.IsLetter); i >= 0 {
				t.Errorf("%s (%s): words in the template, not the catalogue: %q", page, tt.Name(), strings.TrimSpace(text[max(0, i-20):min(len(text), i+40)]))
			}
		}
	}
}

func walk(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, f)
		}
	case *parse.IfNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.RangeNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.WithNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	}
}

// TestCataloguesCoverTemplates: every message id a template names literally, and
// every value of the domain's enumerations the templates show by prefix, is in
// every catalogue.
func TestCataloguesCoverTemplates(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\.T "([a-z_.\-]+)"`)
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		b, err := fs.ReadFile(templateFiles, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			ids = append(ids, m[1])
		}
	}
	enum := func(prefix string, values ...string) {
		for _, v := range values {
			ids = append(ids, prefix+"."+v)
		}
	}
	enum("status", strs(custody.Statuses)...)
	enum("category", strs(custody.Categories())...)
	enum("flag", strs(custody.ComputedFlags)...)
	enum("safeguard", strs(custody.SafeguardKinds)...)
	enum("month", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
	enum("outcome", "present", "absent", "disputed", "refused", "medical")
	enum("movement.status", "planned", "departed", "arrived", "reconciled", "cancelled")
	enum("transfer.status", "proposed", "approved", "in_progress", "completed", "cancelled")
	enum("stage", "waiting", "in_transit", "arrived", "missing", "withdrawn")
	enum("incident.type", "discrepancy", "escape", "death", "serious_injury", "medical_emergency", "use_of_force", "breakout_attempt", "vehicle_failure")
	enum("event", strs(custody.EventTypes())...)
	for _, id := range ids {
		for code, c := range cats {
			if _, ok := c.messages[id]; !ok {
				t.Errorf("locales/%s.json lacks %q", code, id)
			}
		}
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func TestNumbersAndDates(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	en, ar := &Loc{c: cats["en"]}, &Loc{c: cats["ar"]}
	at := time.Date(2026, 11, 25, 14, 5, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{en.N(7000), "7,000"},
		{en.N(150), "150"},
		{en.N(-1234567), "-1,234,567"},
		{ar.N(7000), "٧٬٠٠٠"},
		{ar.N(0), "٠"},
		{en.Date(at), "25 Nov 2026"},
		{ar.Date(at), "٢٥ تشرين الثاني ٢٠٢٦"},
		{en.DateTime(at), "25 Nov 2026, 14:05 UTC"},
		{ar.Digits("HSK-000150"), "HSK-٠٠٠١٥٠"},
		{en.T("dashboard.arrived_of", 150, 7000), "150 of 7,000 arrived"},
		{ar.T("dashboard.arrived_of", 150, 7000), "وصل ١٥٠ من أصل ٧٬٠٠٠"},
		{en.T("no.such.message"), "no.such.message"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, c := range []struct {
		cookie, accept, want string
	}{
		{"", "", "en"},
		{"", "ar-IQ,ar;q=0.9,en;q=0.8", "ar"},
		{"", "fr-FR, en;q=0.5", "en"},
		{"en", "ar", "en"},
		{"ar", "en", "ar"},
		{"xx", "ar", "ar"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := pickLang(r); got != c.want {
			t.Errorf("cookie %q, Accept-Language %q: %q, want %q", c.cookie, c.accept, got, c.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/persons?q=x":        "/persons?q=x",
		"":                    "/",
		"https://evil.test/":  "/",
		"//evil.test/":        "/",
		"/\\evil.test":        "/",
		"/ok\r\nSet-Cookie:x": "/",
		"persons":             "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "https://x", "/a?b=c", "/\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("safeNext(%q) = %q leaves this server", s, got)
		}
	})
}

func FuzzPickLang(f *testing.F) {
	for _, s := range []string{"ar-IQ,ar;q=0.9", "en", "", ",,;;", "*"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, accept, cookie string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", accept)
		r.Header.Set("Cookie", LangCookie+"="+cookie)
		if got := pickLang(r); !slices.Contains(Languages, got) {
			t.Fatalf("pickLang(%q, %q) = %q", accept, cookie, got)
		}
	})
}

func FuzzParseFormTime(f *testing.F) {
	for _, s := range []string{"2026-11-25T14:05", "2026-11-25T14:05:09", "2026-11-25T14:05:09+03:00", "", "yesterday"} {
		f.Add(s)
	}
	def := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseFormTime(s, def)
		if err == nil && got.Location() != time.UTC {
			t.Fatalf("parseFormTime(%q) = %v, not in UTC", s, got)
		}
		if strings.TrimSpace(s) == "" && (err != nil || !got.Equal(def)) {
			t.Fatalf("parseFormTime(%q) = %v, %v; want the default", s, got, err)
		}
	})
}

// TestFavicon: /favicon.ico, which browsers ask for unbidden, leads to the icon
// (issue 13: it was 404).
func TestFavicon(t *testing.T) {
	h, err := New(Config{API: http.NotFoundHandler(), PublicURL: "https://handover.example"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRecorder()
	h.ServeHTTP(r, httptest.NewRequest("GET", "/favicon.ico", nil))
	if r.Code != http.StatusMovedPermanently || r.Header().Get("Location") != "/static/favicon.svg" {
		t.Fatalf("/favicon.ico: %d to %q", r.Code, r.Header().Get("Location"))
	}
	r = httptest.NewRecorder()
	h.ServeHTTP(r, httptest.NewRequest("GET", "/static/favicon.svg", nil))
	if r.Code != http.StatusOK || !strings.HasPrefix(r.Header().Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("/static/favicon.svg: %d %q", r.Code, r.Header().Get("Content-Type"))
	}
}

// TestIssue13Words: the small defects of issue 13 in the catalogues' formatting.
func TestIssue13Words(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	en, ar := &Loc{c: cats["en"]}, &Loc{c: cats["ar"]}
	// A refusal is said once: the API's detail repeats its located fault.
	p := &Problem{Status: 422, Detail: "body.outcome: is required", Errors: []ProblemItem{{Location: "body.outcome", Message: "is required"}}}
	if m := p.Messages(); len(m) != 1 {
		t.Errorf("Messages() = %q, want the fault once", m)
	}
	if l := p.Lines(ar); len(l) != 1 || l[0].Field != "outcome" || l[0].Text != ar.T("form.required") {
		t.Errorf("Lines(ar) = %+v, want the field's message once, in Arabic", l)
	}
	// Dates of birth as the other dates, in the language's digits.
	for _, c := range []struct{ got, want string }{
		{en.BirthDate("2004-08"), "Aug 2004"},
		{en.BirthDate("2004-08-12"), "12 Aug 2004"},
		{en.BirthDate("2004"), "2004"},
		{ar.BirthDate("2004-08"), "آب ٢٠٠٤"},
		{en.BirthDate("about 30"), "about 30"},
	} {
		if c.got != c.want {
			t.Errorf("birth date %q, want %q", c.got, c.want)
		}
	}
	// Vehicles print without brackets in both languages.
	for _, l := range []*Loc{en, ar} {
		if s := vehicleText(l, custody.Vehicle{ID: "BUS-1", Kind: "bus", Seats: 40}); strings.ContainsAny(s, "()") {
			t.Errorf("%s vehicle %q has brackets", l.Lang(), s)
		}
	}
	// A Latin name in an Arabic sentence is set apart; Arabic in Arabic is not.
	if s := ar.T("handover.giver_key", "US forces (CENTCOM)"); !strings.Contains(s, "\u2068US forces (CENTCOM)\u2069") {
		t.Errorf("the Latin party name is not isolated: %q", s)
	}
	if s := ar.T("route", "الحسكة", "الشمال"); strings.ContainsAny(s, "\u2068\u2069") {
		t.Errorf("Arabic names isolated in Arabic: %q", s)
	}
	if got := ar.Maybe("kin.", "uncle"); got == "uncle" {
		t.Errorf("the relationship %q is not translated", got)
	}
	if got := ar.Maybe("kin.", "cousin by marriage"); got != "cousin by marriage" {
		t.Errorf("free text changed: %q", got)
	}
}

func FuzzBirthDate(f *testing.F) {
	for _, s := range []string{"2004", "2004-08", "2004-08-12", "2004-13", "20-08-2004", "", "2004-02-30", "-"} {
		f.Add(s)
	}
	cats, err := loadCatalogues()
	if err != nil {
		f.Fatal(err)
	}
	ar := &Loc{c: cats["ar"]}
	f.Fuzz(func(t *testing.T, s string) {
		got := ar.BirthDate(s)
		if got != s && strings.ContainsAny(got, "0123456789") {
			t.Fatalf("BirthDate(%q) = %q: formatted, with Western digits", s, got)
		}
	})
}
