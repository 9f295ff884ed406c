package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
	sample = flag.String("sample", "", "write a 150-person sample manifest to this PDF file, and its Arabic twin beside it (name-ar.pdf)")
)

// The persons are invented: the names are common name parts put together at
// random, not anyone's name. They cover a lam-alef ligature (الأحمد), a
// word-final taa marbuta (فاطمة), and letters that join on one side only.
var testPersons = []ManifestRow{
	{RegNo: "HSK-000101", NameArabic: "سليم حداد الجبوري", NameLatin: "Salim Haddad al-Jubouri",
		Nationality: "IRQ", Category: "detainee", Vehicle: "BUS-1", Seat: "1"},
	{RegNo: "HSK-000102", NameArabic: "بلال منصور الأحمد", NameLatin: "Bilal Mansour al-Ahmad",
		Nationality: "SYR", Category: "detainee", Vehicle: "BUS-1", Seat: "2"},
	{RegNo: "HSK-000103", NameArabic: "فاطمة ناصر الدوري", NameLatin: "Fatima Nasser al-Douri",
		Nationality: "IRQ", Category: "accompanying", Vehicle: "BUS-2", Seat: "1"},
}

// arabicLabels is what a caller printing in Arabic passes.
var arabicLabels = Labels{
	Movement: "الحركة", Campaign: "الحملة", From: "الجهة المسلمة", To: "الجهة المستلمة",
	Origin: "المنشأ", Destination: "الوجهة", Escort: "المرافقة", Departs: "المغادرة",
	Vehicles: "المركبات", Persons: "عدد الأشخاص",
	No: "#", RegNo: "رقم التسجيل", NameArabic: "الاسم بالعربية", NameLatin: "الاسم بالحروف اللاتينية",
	Nationality: "الجنسية", Category: "الفئة", Vehicle: "المركبة", Seat: "المقعد",
	Photo: "الصورة", Record: "السجل",
	Signatures: "التواقيع", Name: "الاسم", Signature: "التوقيع", Time: "الوقت",
	Printed: "طبع في", Page: "صفحة {page} من {pages}",
}

// testManifest is a fixed manifest of n persons in lang: the three
// testPersons, then synthetic ones with their names.
func testManifest(lang string, n int) Manifest {
	m := Manifest{
		Lang:        lang,
		Title:       "Movement manifest",
		Labels:      EnglishLabels(),
		Movement:    "M-0003",
		Campaign:    "North-east Syria to Iraq",
		From:        "Northern Detaining Authority",
		To:          "Ministry of Justice",
		Origin:      "Hasakah Central Prison",
		Destination: "Baghdad Correctional Institution",
		Escort:      "Escort Unit 7",
		Departs:     "2026-05-01 06:30 +03:00",
		Vehicles:    []string{"BUS-1", "BUS-2"},
		Signatures: []SignatureBlock{
			{Role: "Sending officer"}, {Role: "Escort officer", Name: "Capt. Yusuf Karim"}, {Role: "Receiving officer"},
		},
		PrintedAt: time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC),
	}
	if lang == "ar" {
		m.Title = "بيان الحركة"
		m.Labels = arabicLabels
		m.Signatures = []SignatureBlock{
			{Role: "الضابط المسلم"}, {Role: "ضابط المرافقة", Name: "النقيب يوسف كريم"}, {Role: "الضابط المستلم"},
		}
	}
	for i := range n {
		r := testPersons[i%len(testPersons)]
		if i >= len(testPersons) {
			r.RegNo = fmt.Sprintf("HSK-%06d", 1000+i)
			r.Seat = fmt.Sprint(i%50 + 1)
		}
		r.RecordURL = "https://handover.example/persons/" + r.RegNo
		m.Rows = append(m.Rows, r)
	}
	return m
}

func render(t testing.TB, m Manifest) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteManifest(&b, m); err != nil {
		t.Fatalf("WriteManifest: %v", err)
	}
	return b.Bytes()
}

// TestManifestText checks that what a reader of the PDF gets back is what the
// manifest says: every Arabic name as the same logical string, every
// registration number, label and party.
func TestManifestText(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			m := testManifest(lang, len(testPersons))
			pages := extract(t, render(t, m))
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			cells := pages[0].cells()
			has := func(what, s string) {
				t.Helper()
				for _, c := range cells {
					if c == s {
						return
					}
				}
				t.Errorf("%s %q is not a cell of the page; the page reads:\n%s", what, s, pages[0])
			}
			for _, r := range m.Rows {
				has("Arabic name", r.NameArabic)
				has("Latin name", r.NameLatin)
				has("registration number", r.RegNo)
			}
			l := m.Labels
			for _, s := range []string{l.Movement, l.Campaign, l.From, l.To, l.Origin, l.Destination,
				l.Escort, l.Departs, l.Vehicles, l.Persons, l.RegNo, l.NameArabic, l.NameLatin,
				l.Nationality, l.Category, l.Vehicle, l.Seat, l.Photo, l.Record, l.Signatures,
				m.Title, m.Movement, m.From, m.To, m.Escort, m.Origin, m.Destination, m.Departs, "3"} {
				has("label or field", s)
			}
			for _, s := range m.Signatures {
				has("signature role", s.Role)
			}
			has("page number", l.pageOf(1, 1))
			has("print time", l.Printed+" 2026-05-01 03:00 UTC")
		})
	}
}

// TestManifestArabicShaped checks that Arabic is drawn as joined, contextual
// glyphs in visual order, not as isolated letters: the glyphs of سليم, read
// left to right, must be final meem, medial yeh, medial lam, initial seen, and
// الأحمد must use the lam-alef-with-hamza ligature.
func TestManifestArabicShaped(t *testing.T) {
	pages := extract(t, render(t, testManifest("en", len(testPersons))))
	var arabic []string
	for _, sp := range pages[0].spans {
		if strings.ContainsFunc(sp.Text, isArabic) {
			arabic = append(arabic, sp.Text)
		}
	}
	joined := strings.Join(arabic, " ")
	for _, want := range []struct{ what, glyphs string }{
		{"سليم", "\uFEE2\uFEF4\uFEE0\uFEB3"},
		{"lam-alef with hamza above (isolated) in الأحمد", "\uFEF7"},
		{"lam-alef (final) in بلال", "\uFEFC"},
		{"final taa marbuta in فاطمة", "\uFE94"},
	} {
		if !strings.Contains(joined, want.glyphs) {
			t.Errorf("no %s (%+q) among the Arabic glyphs drawn: %+q", want.what, want.glyphs, arabic)
		}
	}
	for _, r := range joined {
		if isArabic(r) && !isPresentationForm(r) {
			t.Errorf("Arabic letter %U drawn unshaped (its base form) in %+q", r, arabic)
			break
		}
	}
}

// TestManifestArabicMarks checks that a name typed with vowel marks prints
// without them (see stripArabicMarks) and with every letter.
func TestManifestArabicMarks(t *testing.T) {
	m := testManifest("en", 1)
	m.Rows[0].NameArabic = "كريم محمّد العلي" // with a shadda
	pages := extract(t, render(t, m))
	if want := "كريم محمد العلي"; !slicesContains(pages[0].cells(), want) {
		t.Errorf("no cell %q; the page reads:\n%s", want, pages[0])
	}
}

// TestManifestActualText checks that each shaped Arabic word carries its
// logical text in an /ActualText span, which is what copy and paste and
// screen readers use.
func TestManifestActualText(t *testing.T) {
	pdf := render(t, testManifest("en", 1))
	r := mustParse(t, pdf)
	pg, err := r.Page(0)
	if err != nil {
		t.Fatal(err)
	}
	content, err := pg.ContentStream()
	if err != nil {
		t.Fatal(err)
	}
	var actual []string
	for _, m := range actualText.FindAllSubmatch(content, -1) {
		actual = append(actual, pdfTextString(m[1]))
	}
	for _, word := range strings.Fields(testPersons[0].NameArabic) {
		if !slicesContains(actual, word) {
			t.Errorf("no /ActualText span for %q; the spans are %q", word, actual)
		}
	}
}

var actualText = regexp.MustCompile(`/ActualText\s*\(((?:\\.|[^\\)])*)\)`)

// pdfTextString decodes the body of a PDF literal string holding a text
// string in UTF-16BE with a byte-order mark (ISO 32000-1 §7.3.4.2, §7.9.2.2).
func pdfTextString(lit []byte) string {
	var b []byte
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if c != '\\' || i+1 == len(lit) {
			b = append(b, c)
			continue
		}
		i++
		switch e := lit[i]; {
		case e >= '0' && e <= '7':
			v, n := 0, 0
			for ; n < 3 && i+n < len(lit) && lit[i+n] >= '0' && lit[i+n] <= '7'; n++ {
				v = v*8 + int(lit[i+n]-'0')
			}
			b = append(b, byte(v))
			i += n - 1
		case e == 'n':
			b = append(b, '\n')
		case e == 'r':
			b = append(b, '\r')
		case e == 't':
			b = append(b, '\t')
		case e == 'b':
			b = append(b, '\b')
		case e == 'f':
			b = append(b, '\f')
		default: // \( \) \\
			b = append(b, e)
		}
	}
	if len(b) < 2 || b[0] != 0xFE || b[1] != 0xFF {
		return string(b)
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}

var regNo = regexp.MustCompile(`^HSK-\d{6}$`)

// TestManifestPaginates checks that 160 persons fill several pages with every
// row printed exactly once and in order, the column headings, the running
// header and "page N of M" on every page, and the signatures on the last.
func TestManifestPaginates(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			m := testManifest(lang, 160)
			pages := extract(t, render(t, m))
			if len(pages) < 5 {
				t.Fatalf("160 rows on %d pages, want several", len(pages))
			}
			var seen []string
			for i, p := range pages {
				cells := p.cells()
				for _, want := range []string{m.Labels.RegNo, m.Labels.NameArabic, m.Labels.pageOf(i+1, len(pages)),
					m.Title + " — " + m.Movement} {
					if !slicesContains(cells, want) {
						t.Errorf("page %d: no %q", i+1, want)
					}
				}
				for _, c := range cells {
					if regNo.MatchString(c) {
						seen = append(seen, c)
					}
				}
			}
			var want []string
			for _, r := range m.Rows {
				want = append(want, r.RegNo)
			}
			if strings.Join(seen, " ") != strings.Join(want, " ") {
				t.Errorf("registration numbers read back, in order:\n%v\nwant\n%v", seen, want)
			}
			if last := pages[len(pages)-1].cells(); !slicesContains(last, m.Signatures[2].Role) {
				t.Errorf("last page has no signature block %q", m.Signatures[2].Role)
			}
		})
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestManifestQRCodes decodes every QR code drawn on the first page and
// checks it is the record URL of a row on that page, each row's once.
func TestManifestQRCodes(t *testing.T) {
	m := testManifest("ar", 20)
	pages := extract(t, render(t, m))
	got := decodeQRCodes(t, pages[0].paths)
	if len(got) == 0 {
		t.Fatal("no QR code found on page 1")
	}
	onPage := pages[0].cells()
	var want []string
	for _, r := range m.Rows {
		if slicesContains(onPage, r.RegNo) {
			want = append(want, r.RecordURL)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("QR codes on page 1, top to bottom:\n%s\nwant the rows' record URLs:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestManifestGolden keeps the text of a small manifest in each language,
// and, because the output is byte-reproducible, the PDF itself.
func TestManifestGolden(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			m := testManifest(lang, len(testPersons))
			pdf := render(t, m)
			var text strings.Builder
			for i, p := range extract(t, pdf) {
				fmt.Fprintf(&text, "--- page %d ---\n%s", i+1, p)
			}
			suffix := ""
			if lang != "en" {
				suffix = "-" + lang
			}
			golden(t, "manifest-golden"+suffix+".txt", []byte(text.String()))
			golden(t, "manifest-golden"+suffix+".pdf", pdf)
		})
	}
}

// TestManifestDeterministic renders one manifest from several goroutines at
// once and expects the same bytes from each.
func TestManifestDeterministic(t *testing.T) {
	m := testManifest("ar", 30)
	want := render(t, m)
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Go(func() {
			var b bytes.Buffer
			if err := WriteManifest(&b, m); err != nil {
				t.Error(err)
			}
			got[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Errorf("render %d differs from the first (%d bytes, want %d)", i, len(g), len(want))
		}
	}
}

func TestWriteManifestErrors(t *testing.T) {
	t.Run("ErrLang", func(t *testing.T) {
		m := testManifest("en", 1)
		m.Lang = "fr"
		var b bytes.Buffer
		if err := WriteManifest(&b, m); !errors.Is(err, ErrLang) {
			t.Errorf("err = %v, want ErrLang", err)
		}
		if b.Len() != 0 {
			t.Errorf("%d bytes written on error", b.Len())
		}
	})
	t.Run("RecordURLTooLong", func(t *testing.T) {
		m := testManifest("en", 2)
		m.Rows[1].RecordURL = "https://handover.example/" + strings.Repeat("x", 3000)
		var b bytes.Buffer
		err := WriteManifest(&b, m)
		if err == nil || !strings.Contains(err.Error(), "row 2 (HSK-000102)") {
			t.Errorf("err = %v, want one naming row 2 (HSK-000102)", err)
		}
		if b.Len() != 0 {
			t.Errorf("%d bytes written on error", b.Len())
		}
	})
	t.Run("Empty", func(t *testing.T) {
		// A manifest with no rows, no signatures and no labels still prints.
		pages := extract(t, render(t, Manifest{Movement: "M-0000"}))
		if len(pages) != 1 || !slicesContains(pages[0].cells(), "Page 1 of 1") {
			t.Errorf("empty manifest reads:\n%v", pages)
		}
	})
}

// golden compares b with the golden file testdata/name (rewriting it first
// under -update).
func golden(t *testing.T, name string, b []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(b, want) {
		if strings.HasSuffix(name, ".txt") {
			t.Errorf("%s changed:\n got:\n%s\nwant:\n%s", path, b, want)
		} else {
			t.Errorf("%s changed (%d bytes, want %d); if the text golden files still match, "+
				"look at the PDF and run with -update", path, len(b), len(want))
		}
	}
}

// TestManifestSample writes the samples asked for with -sample, for a person
// to look at: go test ./report -run Sample -sample /tmp/manifest-sample.pdf
func TestManifestSample(t *testing.T) {
	if *sample == "" {
		t.Skip("no -sample file given")
	}
	for _, lang := range []string{"en", "ar"} {
		path := *sample
		if lang != "en" {
			path = strings.TrimSuffix(path, ".pdf") + "-" + lang + ".pdf"
		}
		if err := os.WriteFile(path, render(t, testManifest(lang, 150)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

func BenchmarkWriteManifest150(b *testing.B) {
	m := testManifest("ar", 150)
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteManifest(&buf, m); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "pdf-bytes")
}

// TestManifestArrows: a campaign named with an arrow the fonts lack prints a
// stand-in, never an empty box (issue 13).
func TestManifestArrows(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	if covers(f.latin, "→") || covers(f.arabic, "→") {
		t.Skip("the fonts draw the arrow now: no stand-in needed")
	}
	m := testManifest("en", 3)
	m.Campaign = "north-east Syria → Iraq"
	pages := extract(t, render(t, m))
	if !slicesContains(pages[0].cells(), "north-east Syria -> Iraq") {
		t.Errorf("the campaign is not printed with a stand-in arrow; the page reads:\n%s", pages[0])
	}
}
