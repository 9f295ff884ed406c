package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Every string a page shows comes from a message catalogue (locales/*.json), none
// from a template. A catalogue maps a message id to its text; "{0}", "{1}"… stand
// for arguments, numbers among them formatted for the language.

//go:embed locales/*.json
var localeFiles embed.FS

// Languages the interface speaks, the first the default.
var Languages = []string{"en", "ar"}

// LangCookie keeps the language a user chose.
const LangCookie = "handover_lang"

// catalogue is one language's messages.
type catalogue struct {
	code     string
	dir      string // "ltr" or "rtl"
	digits   []rune // the ten digits, 0 to 9
	group    string // the thousands separator
	messages map[string]string
}

func loadCatalogues() (map[string]*catalogue, error) {
	out := map[string]*catalogue{}
	for _, code := range Languages {
		b, err := localeFiles.ReadFile("locales/" + code + ".json")
		if err != nil {
			return nil, err
		}
		c := &catalogue{code: code, dir: "ltr", digits: []rune("0123456789"), group: ","}
		if err := json.Unmarshal(b, &c.messages); err != nil {
			return nil, fmt.Errorf("web: locales/%s.json: %w", code, err)
		}
		if code == "ar" {
			// Arabic-Indic digits and the Arabic thousands separator, as read in Iraq and Syria.
			c.dir, c.digits, c.group = "rtl", []rune("٠١٢٣٤٥٦٧٨٩"), "٬"
		}
		out[code] = c
	}
	base := out[Languages[0]]
	for _, code := range Languages[1:] {
		for id := range base.messages {
			if _, ok := out[code].messages[id]; !ok {
				return nil, fmt.Errorf("web: locales/%s.json lacks %q", code, id)
			}
		}
		for id := range out[code].messages {
			if _, ok := base.messages[id]; !ok {
				return nil, fmt.Errorf("web: locales/%s.json has %q, which locales/%s.json lacks", code, id, base.code)
			}
		}
	}
	return out, nil
}

// Loc formats for one language: messages, numbers and dates.
type Loc struct {
	c *catalogue
	// missing is called with a message id no catalogue holds; tests fail on it.
	missing func(id string)
}

// Lang is the language code; Dir the writing direction, "ltr" or "rtl".
func (l *Loc) Lang() string { return l.c.code }
func (l *Loc) Dir() string  { return l.c.dir }

// T returns message id with its arguments in place.
func (l *Loc) T(id string, args ...any) string {
	m, ok := l.c.messages[id]
	if !ok {
		if l.missing != nil {
			l.missing(id)
		}
		return id
	}
	if len(args) == 0 {
		return m
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(m, '{')
		if i < 0 {
			b.WriteString(m)
			break
		}
		j := strings.IndexByte(m[i:], '}')
		n, err := strconv.Atoi(m[i+1 : i+max(j, 1)])
		if j < 0 || err != nil || n < 0 || n >= len(args) {
			b.WriteString(m[:i+1])
			m = m[i+1:]
			continue
		}
		b.WriteString(m[:i])
		b.WriteString(l.arg(args[n]))
		m = m[i+j+1:]
	}
	return b.String()
}

func (l *Loc) arg(a any) string {
	switch v := a.(type) {
	case int:
		return l.N(v)
	case int64:
		return l.N(int(v))
	case uint64:
		return l.N(int(v))
	case time.Time:
		return l.DateTime(v)
	case string:
		return l.isolate(v)
	case fmt.Stringer:
		return l.isolate(v.String())
	}
	return l.isolate(fmt.Sprint(a))
}

// isolate sets text written in the other direction than the language's apart
// (Unicode first-strong isolate, U+2068 … U+2069), so that a Latin name inside an
// Arabic sentence keeps its place and its brackets: "(US forces (CENTCOM))", and
// the arrow between two facilities points from the first to the second.
func (l *Loc) isolate(s string) string {
	foreign := unicode.Latin
	if l.c.dir == "ltr" {
		foreign = unicode.Arabic
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(foreign, r) }) < 0 {
		return s
	}
	return "\u2068" + s + "\u2069"
}

// Maybe returns the message prefix+value when the catalogues have it, else value
// as it is: for free text that is usually one of a few words ("father", "uncle").
func (l *Loc) Maybe(prefix, value string) string {
	if m, ok := l.c.messages[prefix+value]; ok {
		return m
	}
	return value
}

// N formats a whole number with the language's digits and thousands separator.
func (l *Loc) N(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.c.group)
		}
		b.WriteRune(l.c.digits[r-'0'])
	}
	return b.String()
}

// Digits writes the ASCII digits of s with the language's digits, leaving the
// rest: for registration numbers, clocks and such, no grouping.
func (l *Loc) Digits(s string) string {
	if l.c.code == "en" {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return l.c.digits[r-'0']
		}
		return r
	}, s)
}

// Date formats a day: "25 Nov 2026"; in Arabic with the Levantine month names.
func (l *Loc) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return l.T("date.format", l.N(t.Day()), l.T("month."+strconv.Itoa(int(t.Month()))), l.Digits(strconv.Itoa(t.Year())))
}

// DateTime formats an instant in UTC: "25 Nov 2026, 14:05 UTC".
func (l *Loc) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return l.T("datetime.format", l.Date(t), l.Digits(t.Format("15:04")))
}

// pickLang chooses the language of a request: the user's choice (cookie), else the
// browser's Accept-Language, else English.
func pickLang(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(Languages, c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if slices.Contains(Languages, base) {
			return base
		}
	}
	return Languages[0]
}

// BirthDate formats a date of birth as precise as it is known ("2004", "2004-08"
// or "2004-08-12") like the other dates of the language: "Aug 2004", "12 Aug 2004".
// Text that is not such a date is shown as it is.
func (l *Loc) BirthDate(iso string) string {
	parts := strings.Split(iso, "-")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || len(parts) > 3 || (i == 0 && len(p) != 4) || (i > 0 && len(p) != 2) {
			return iso
		}
		nums[i] = n
	}
	year := l.Digits(parts[0])
	switch len(nums) {
	case 1:
		return year
	case 2:
		if nums[1] < 1 || nums[1] > 12 {
			return iso
		}
		return l.T("date.month_year", l.T("month."+strconv.Itoa(nums[1])), year)
	}
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return l.Date(t)
}
