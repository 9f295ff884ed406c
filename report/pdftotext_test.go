package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestPdftotext reads a manifest back with poppler's pdftotext, a
// reader that shares no code with folio, in its -raw mode (glyphs in the
// order drawn, presentation forms already folded to base letters). It is
// skipped when pdftotext is not installed (Debian: poppler-utils), unless
// HANDOVER_REQUIRE_TOOLS=1, when it fails instead.
// bidiControls removes the Unicode bidi embedding, override and isolate
// controls and the directional marks.
var bidiControls = strings.NewReplacer(
	"\u202A", "", "\u202B", "", "\u202C", "", "\u202D", "", "\u202E", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "", "\u200E", "", "\u200F", "",
)

func TestManifestPdftotext(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("HANDOVER_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext not found (apt-get install poppler-utils): %v", err)
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils); set HANDOVER_REQUIRE_TOOLS=1 to require it")
	}
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			m := testManifest(lang, len(testPersons))
			path := filepath.Join(t.TempDir(), "manifest.pdf")
			if err := os.WriteFile(path, render(t, m), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			// Poppler applies its own bidi heuristics and brackets Arabic
			// words in embedding controls; accept a name in logical order as
			// poppler gives it, or once its visual order is undone.
			text := bidiControls.Replace(string(out))
			var undone []string
			for line := range strings.Lines(text) {
				undone = append(undone, logical(strings.TrimSuffix(line, "\n")))
			}
			all := text + "\n" + strings.Join(undone, "\n")
			for _, r := range m.Rows {
				// Latin names wrap in their cell, and pdftotext -raw puts the
				// rest of the row between the lines: look for each word.
				for _, s := range append([]string{r.NameArabic, r.RegNo}, strings.Fields(r.NameLatin)...) {
					if !strings.Contains(all, s) {
						t.Errorf("pdftotext output has no %q:\n%s", s, text)
					}
				}
			}
			if !strings.Contains(all, m.Labels.pageOf(1, 1)) {
				t.Errorf("pdftotext output has no %q", m.Labels.pageOf(1, 1))
			}
		})
	}
}
