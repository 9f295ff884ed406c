package report

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/carlos7ags/folio/reader"
	"golang.org/x/text/unicode/norm"
)

// Text is read back out of the PDF with folio's reader, a general PDF parser
// that knows nothing of how the writer laid the page out: it decodes every
// glyph through the font's ToUnicode map and reports positioned spans with
// widths. (github.com/ledongthuc/pdf decodes the ToUnicode maps too, but
// gives every glyph of a composite font zero width, so words run together and
// cells cannot be told apart.) The round trip therefore checks what a reader
// of the file gets, not what the writer meant.

// pageText is what one page of a PDF shows.
type pageText struct {
	spans []reader.TextSpan
	lines [][]string // top to bottom; each line's cells left to right
	paths []reader.PathOp
}

// extract reads every page of pdf.
func extract(t testing.TB, pdf []byte) []pageText {
	t.Helper()
	r := mustParse(t, pdf)
	pages := make([]pageText, r.PageCount())
	for i := range pages {
		pg, err := r.Page(i)
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		spans, err := pg.TextSpans()
		if err != nil {
			t.Fatalf("page %d: text: %v", i+1, err)
		}
		paths, err := pg.PathOps()
		if err != nil {
			t.Fatalf("page %d: paths: %v", i+1, err)
		}
		pages[i] = pageText{spans: spans, lines: lines(spans), paths: paths}
	}
	return pages
}

// Distances, in points or in multiples of the type size, that lines treats
// as the same baseline, a kerning split inside a word, a cell boundary, and
// the next line of a paragraph (the layout's leading is 1.2).
const (
	sameLine = 3.0
	sameWord = 0.8
	sameCell = 4.5
	nextLine = 1.3 // × type size
)

// cell is the text of a run of spans on one line.
type cell struct {
	text   string
	x0, x1 float64
	y      float64
	size   float64
}

// lines groups spans into lines (spans whose baselines are within sameLine)
// and each line into cells (runs of spans less than sameCell apart), turns
// each cell's text into logical order (see logical), then joins to a cell
// the lines of the same paragraph below it: a cell on the next line, one
// leading down, that overlaps it horizontally. It returns the lines, top to
// bottom, each as its cells' texts left to right.
func lines(spans []reader.TextSpan) [][]string {
	s := slices.Clone(spans)
	slices.SortStableFunc(s, func(a, b reader.TextSpan) int {
		return -cmpFloat(a.Y, b.Y)
	})
	var rows [][]*cell
	var rowY []float64
	for len(s) > 0 {
		n := 1
		for n < len(s) && s[0].Y-s[n].Y <= sameLine {
			n++
		}
		line := s[:n]
		s = s[n:]
		slices.SortStableFunc(line, func(a, b reader.TextSpan) int { return cmpFloat(a.X, b.X) })
		var cells []*cell
		var text strings.Builder
		c := &cell{x0: line[0].X, y: line[0].Y, size: line[0].Height}
		for i, sp := range line {
			if i > 0 {
				gap := sp.X - (line[i-1].X + line[i-1].Width)
				switch {
				case gap > sameCell:
					c.text = logical(text.String())
					cells = append(cells, c)
					text.Reset()
					c = &cell{x0: sp.X, y: sp.Y, size: sp.Height}
				case gap > sameWord:
					text.WriteByte(' ')
				}
			}
			text.WriteString(sp.Text)
			c.x1 = sp.X + sp.Width
			c.size = max(c.size, sp.Height)
		}
		c.text = logical(text.String())
		rows = append(rows, append(cells, c))
		rowY = append(rowY, line[0].Y)
	}

	// Join wrapped lines to the first line of their paragraph.
	for i, row := range rows {
		for _, c := range row {
			if c == nil {
				continue
			}
			last := c
			for j := i + 1; j < len(rows); j++ {
				if last.y-rowY[j] > nextLine*last.size+sameLine {
					break
				}
				for k, d := range rows[j] {
					if d == nil || d.x1 <= c.x0 || d.x0 >= c.x1 || last.y-d.y > nextLine*last.size {
						continue
					}
					c.text += " " + d.text
					rows[j][k] = nil
					last = d
				}
			}
		}
	}
	var out [][]string
	for _, row := range rows {
		var texts []string
		for _, c := range row {
			if c != nil {
				texts = append(texts, c.text)
			}
		}
		if len(texts) > 0 {
			out = append(out, texts)
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case math.Abs(a-b) < 1e-9:
		return 0
	case a < b:
		return -1
	}
	return 1
}

// logical turns a cell's text from the order in which it is drawn, left to
// right, into the order in which it is read and typed, then folds Arabic
// presentation forms (the code points of the shaped glyphs) to the base
// letters by NFKC, which also splits a lam-alef ligature into lam and alef.
//
// A cell with no Arabic letter is left as drawn. A cell with one is taken as
// a right-to-left paragraph, as every such cell of a manifest is: its
// characters are reversed, except that each left-to-right run (Latin letters
// and digits, with the spaces and punctuation between them) keeps its order.
// That is the Unicode bidirectional algorithm undone for the cases a
// manifest has; mirrored brackets are not handled.
func logical(visual string) string {
	if !strings.ContainsFunc(visual, isArabic) {
		return visual
	}
	r := []rune(visual)
	var tokens [][]rune
	for i := 0; i < len(r); {
		if !isLTR(r[i]) {
			tokens = append(tokens, r[i:i+1])
			i++
			continue
		}
		end := i + 1 // one past the last strong LTR character of the run
		for j := i + 1; j < len(r) && !isArabic(r[j]); j++ {
			if isLTR(r[j]) {
				end = j + 1
			}
		}
		tokens = append(tokens, r[i:end])
		i = end
	}
	slices.Reverse(tokens)
	return norm.NFKC.String(string(slices.Concat(tokens...)))
}

// isLTR reports whether r is a letter or digit written left to right.
func isLTR(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isArabic(r)
}

func isArabic(r rune) bool { return unicode.Is(unicode.Arabic, r) }

// isPresentationForm reports whether r is a code point of the Arabic
// Presentation Forms-A or -B blocks, i.e. a shaped (contextual) glyph.
func isPresentationForm(r rune) bool {
	return (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

// cells returns every cell of the page, in reading order.
func (p pageText) cells() []string {
	var out []string
	for _, l := range p.lines {
		out = append(out, l...)
	}
	return out
}

// String is the page as text: one line per line, cells separated by " | ".
func (p pageText) String() string {
	var b strings.Builder
	for _, l := range p.lines {
		b.WriteString(strings.Join(l, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

func mustParse(t testing.TB, pdf []byte) *reader.PdfReader {
	t.Helper()
	r, err := reader.Parse(pdf)
	if err != nil {
		t.Fatalf("parse PDF: %v", err)
	}
	return r
}
