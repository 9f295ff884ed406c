package custody

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTextRules(t *testing.T) {
	for _, tc := range []struct {
		name, s              string
		text, nameOK, codeOK bool
	}{
		{"plain", "Ahmad Khalil", true, true, true},
		{"arabic", "أحمد خليل", true, true, true},
		{"non-joiner between letters", "محمد\u200cرضا", true, true, false},
		{"joiner at the start", "\u200dAli", true, false, false},
		{"right-to-left override", "Ali \u202eila", false, false, false},
		{"isolate", "\u2067Ali\u2069", false, false, false},
		{"right-to-left mark", "Ali \u200f", true, false, false},
		{"zero-width space", "Al\u200bi", true, false, false},
		{"byte order mark", "\ufeffAli", true, false, false},
		{"not UTF-8", "Al\xffi", false, false, false},
		{"C1 control", "Ali\u0085", false, false, false},
		{"newline", "Ali\nKhalil", true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := requireText("f", tc.s, 200); (err == nil) != tc.text {
				t.Errorf("as text: %v, want ok=%v", err, tc.text)
			}
			if err := requireName("f", tc.s, 200); (err == nil) != tc.nameOK {
				t.Errorf("as a name: %v, want ok=%v", err, tc.nameOK)
			}
			if err := requireCode("f", tc.s, 200); (err == nil) != tc.codeOK {
				t.Errorf("as a code: %v, want ok=%v", err, tc.codeOK)
			}
		})
	}
}

// FuzzTextRules: whatever is accepted is valid UTF-8 without directional
// controls; an accepted name shows every rune it holds (no format character but
// a joiner between letters); an accepted code has no format character at all.
func FuzzTextRules(f *testing.F) {
	for _, s := range []string{"Ahmad", "محمد\u200cرضا", "\u202eabc", "a\xffb", "\u200c", "x\u200dy\u200d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if optionalText("f", s, 1000) == nil {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, IsBidiControl) {
				t.Fatalf("text %q accepted", s)
			}
		}
		if requireName("f", s, 1000) == nil {
			rs := []rune(s)
			for i, r := range rs {
				if unicode.Is(unicode.Cf, r) && !((r == 0x200c || r == 0x200d) && i > 0 && i < len(rs)-1 && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1])) {
					t.Fatalf("name %q accepted with %U", s, r)
				}
			}
		}
		if requireCode("f", s, 1000) == nil && strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) {
			t.Fatalf("code %q accepted", s)
		}
	})
}
