package custody

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text in the record is read by people of different scripts, on paper and on
// screens, and compared by machines; what it shows must be what it holds. So
// (docs/decisions/0011-text-input.md):
//
//   - All text is valid UTF-8: a string that is not is refused, never repaired
//     (encoding/json would silently turn its bytes into U+FFFD).
//   - Free text (notes, reasons, places, descriptions) may not hold the explicit
//     directional embeddings, overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069): they make text display in another order than it reads
//     ("Trojan Source"). The directional marks (U+200E, U+200F, U+061C) and the
//     joiners stay: mixed Arabic and Latin text needs them.
//   - Names (of persons, kin, officers, parties, facilities, campaigns) may hold
//     no format character (Unicode category Cf) at all, except the zero-width
//     non-joiner and joiner (U+200C, U+200D) between two letters, where Arabic-
//     script spelling uses them. An invisible character in a name makes two
//     records that look alike differ, or hides one from a search.
//   - Codes and identifiers (vehicle ids, identifier values; party and facility
//     codes and registration numbers have their own ASCII patterns) may hold no
//     format character at all.
//
// Offending text is refused with the field and the character named; it is never
// changed silently, so what a client sent is what the ledger holds or nothing.

// requireText checks that s is non-blank free text of at most max runes.
func requireText(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(Invalid, field, "is required")
	}
	return optionalText(field, s, max)
}

// optionalText checks that s, if given, is valid UTF-8 of at most max runes, with
// no control character and no directional embedding, override or isolate.
func optionalText(field, s string, max int) error {
	if err := validUTF8(field, s); err != nil {
		return err
	}
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return Errorf(Invalid, field, "contains a control character")
		}
		if IsBidiControl(r) {
			return Errorf(Invalid, field, "contains the invisible directional control %s, which makes text display in another order than it reads", runeName(r))
		}
	}
	if n > max {
		return Errorf(Invalid, field, "is %d characters long; at most %d are allowed", n, max)
	}
	return nil
}

// requireName checks that s is a non-blank name of at most max runes: text with
// no format character but a joiner between two letters, and on one line.
func requireName(field, s string, max int) error {
	if err := requireText(field, s, max); err != nil {
		return err
	}
	rs := []rune(s)
	for i, r := range rs {
		if r == '\n' || r == '\t' {
			return Errorf(Invalid, field, "is a name: it fits on one line")
		}
		if !unicode.Is(unicode.Cf, r) {
			continue
		}
		if (r == 0x200c || r == 0x200d) && i > 0 && i < len(rs)-1 && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
			continue
		}
		return Errorf(Invalid, field, "contains the invisible format character %s: a name holds only what it shows (a joiner only between two letters)", runeName(r))
	}
	return nil
}

// requireCode checks that s is a non-blank code or identifier of at most max
// runes, with no format character and on one line.
func requireCode(field, s string, max int) error {
	if err := requireText(field, s, max); err != nil {
		return err
	}
	for _, r := range s {
		if r == '\n' || r == '\t' {
			return Errorf(Invalid, field, "is a code: it fits on one line")
		}
		if unicode.Is(unicode.Cf, r) {
			return Errorf(Invalid, field, "contains the invisible format character %s: a code holds only what it shows", runeName(r))
		}
	}
	return nil
}

// validUTF8 refuses a string that is not valid UTF-8, naming the first bad byte.
func validUTF8(field, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return Errorf(Invalid, field, "is not valid UTF-8 (byte %d is 0x%02x): text must be sent as UTF-8", i, s[i])
		}
		i += n
	}
	return nil
}

// IsBidiControl reports whether r is an explicit directional embedding, override
// or isolate (U+202A–U+202E, U+2066–U+2069), which reorders the display of the
// text around it.
func IsBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// runeName names a code point for a message: U+202E, and what it is when known.
func runeName(r rune) string {
	names := map[rune]string{
		0x00ad: "SOFT HYPHEN", 0x061c: "ARABIC LETTER MARK", 0x200b: "ZERO WIDTH SPACE", 0x200c: "ZERO WIDTH NON-JOINER",
		0x200d: "ZERO WIDTH JOINER", 0x200e: "LEFT-TO-RIGHT MARK", 0x200f: "RIGHT-TO-LEFT MARK",
		0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING", 0x202c: "POP DIRECTIONAL FORMATTING",
		0x202d: "LEFT-TO-RIGHT OVERRIDE", 0x202e: "RIGHT-TO-LEFT OVERRIDE", 0x2060: "WORD JOINER",
		0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
		0x2069: "POP DIRECTIONAL ISOLATE", 0xfeff: "ZERO WIDTH NO-BREAK SPACE",
	}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("U+%04X (%s)", r, n)
	}
	return fmt.Sprintf("U+%04X", r)
}
