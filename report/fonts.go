package report

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/carlos7ags/folio/font"
	"github.com/carlos7ags/folio/layout"
)

// The fonts are embedded so that a manifest prints the same on every machine,
// with or without fonts installed. Both are Noto, regular weight only, from
// Debian's fonts-noto-core (SIL Open Font License 1.1, see fonts/OFL.txt):
// Noto Sans for Latin script, Noto Naskh Arabic for Arabic script. Together
// they add about 0.7 MB to the binary; only the glyphs a manifest uses are
// embedded in its PDF.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	notoSans []byte
	//go:embed fonts/NotoNaskhArabic-Regular.ttf
	notoNaskhArabic []byte
)

// faces parses the embedded fonts once. Parsed faces are safe for concurrent
// use (folio guards their lazy caches); the per-document glyph bookkeeping
// lives in font.EmbeddedFont, which newFonts makes afresh for every manifest.
var faces = sync.OnceValues(func() ([2]font.Face, error) {
	latin, err := font.ParseFont(notoSans)
	if err != nil {
		return [2]font.Face{}, fmt.Errorf("report: parse Noto Sans: %w", err)
	}
	arabic, err := font.ParseFont(notoNaskhArabic)
	if err != nil {
		return [2]font.Face{}, fmt.Errorf("report: parse Noto Naskh Arabic: %w", err)
	}
	return [2]font.Face{latin, arabic}, nil
})

// fonts are the faces of one document. Paragraphs are built from runs, each
// set in one face: Arabic script in Noto Naskh Arabic, every other script in
// Noto Sans, and the characters that belong to no script (spaces, digits,
// punctuation) in the face of the text before them when it has them all, or
// else in the first face that has them all. folio's own font.Fallback gives a
// whole script run, digits and punctuation included, to one face, and Noto
// Naskh Arabic has no hyphen-minus: "طبع في 2026-05-01" printed the dashes as
// empty boxes.
type fonts struct {
	latin, arabic *font.EmbeddedFont
}

// newFonts returns the fonts for one document.
func newFonts() (fonts, error) {
	f, err := faces()
	if err != nil {
		return fonts{}, err
	}
	return fonts{latin: font.NewEmbeddedFont(f[0]), arabic: font.NewEmbeddedFont(f[1])}, nil
}

// paragraph is s in size points, in as few runs as the faces allow, without
// Arabic vowel marks (see stripArabicMarks).
func (f fonts) paragraph(s string, size float64) *layout.Paragraph {
	s = f.substitute(stripArabicMarks(s))
	if s == "" {
		return layout.NewParagraphEmbedded("", f.latin, size)
	}
	var runs []layout.TextRun
	add := func(text string, face *font.EmbeddedFont) {
		if n := len(runs); n > 0 && runs[n-1].Embedded == face {
			runs[n-1].Text += text
			return
		}
		runs = append(runs, layout.NewRunEmbedded(text, face, size))
	}
	var cur *font.EmbeddedFont
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case unicode.Is(unicode.Inherited, r) && cur != nil:
			// A combining mark stays with its base letter.
		case unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r):
			// Take the whole run of script-less characters at once.
			n = len(s) - len(strings.TrimLeftFunc(s, func(r rune) bool {
				return unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r)
			}))
			cur = f.covering(s[:n], cur)
		case unicode.Is(unicode.Arabic, r):
			cur = f.covering(s[:n], f.arabic)
		default:
			cur = f.covering(s[:n], f.latin)
		}
		add(s[:n], cur)
		s = s[n:]
	}
	return layout.NewStyledParagraph(runs...)
}

// stand-ins are what a character neither face draws is printed as: the arrows
// of names like "north-east Syria → Iraq" (Noto Sans has no arrows).
var standIns = map[rune]string{'→': "->", '←': "<-", '⇒': "=>", '⇐': "<="}

// substitute replaces the characters neither face draws by their stand-ins.
func (f fonts) substitute(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := standIns[r]; return ok }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if alt, ok := standIns[r]; ok && !covers(f.latin, string(r)) && !covers(f.arabic, string(r)) {
			b.WriteString(alt)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// covering returns prefer if it has a glyph for every character of s, else
// the first face that does, else Noto Sans (which draws empty boxes).
func (f fonts) covering(s string, prefer *font.EmbeddedFont) *font.EmbeddedFont {
	for _, face := range []*font.EmbeddedFont{prefer, f.latin, f.arabic} {
		if face != nil && covers(face, s) {
			return face
		}
	}
	return f.latin
}

func covers(face *font.EmbeddedFont, s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue // format characters (ZWJ, bidi marks) draw nothing
		}
		if face.Face().GlyphIndex(r) == 0 {
			return false
		}
	}
	return true
}

// stripArabicMarks removes the Arabic combining marks from s: the harakat
// (fatha, damma, kasra, sukun), tanwin, shadda, superscript alef and the
// Quranic annotation signs. folio v0.11.0 loses letters next to them (محمّد
// prints as two letters and a shadda), while names in a register are
// written, and read, without them.
func stripArabicMarks(s string) string {
	if !strings.ContainsFunc(s, isArabicMark) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isArabicMark(r) {
			return -1
		}
		return r
	}, s)
}

func isArabicMark(r rune) bool {
	return unicode.Is(unicode.Mn, r) &&
		(r >= 0x0610 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0x08D3 && r <= 0x08FF)
}
