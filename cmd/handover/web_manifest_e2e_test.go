package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// TestWebManifestPDF reads the manifest the server prints for the demo's planned
// movement back with poppler's pdftotext, a reader that shares no code with the
// writer (issue 13): the nationality label is one word in either language, not
// broken across lines ("Nationa" / "lity"), and the campaign's name, which has
// an arrow the embedded fonts do not draw, prints the arrow's stand-in, never
// the arrow (which would be an empty box). Skipped without pdftotext (Debian:
// poppler-utils) unless HANDOVER_REQUIRE_TOOLS=1.
func TestWebManifestPDF(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("HANDOVER_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext not found (apt-get install poppler-utils): %v", err)
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils); set HANDOVER_REQUIRE_TOOLS=1 to require it")
	}
	w := sharedDemo(t)
	const user = "sdf-facility-commander"
	u := w.api(t, user)
	planned, _ := u.plannedAndDeparted()
	if planned.ID == uuid.Nil {
		t.Fatal("the demo has no planned movement")
	}
	var tr custody.TransferState
	u.do("GET", "/api/v1/transfers/"+planned.Transfer.String(), nil, &tr)
	var c custody.CampaignView
	u.do("GET", "/api/v1/campaigns/"+tr.Campaign.String(), nil, &c)
	if !strings.Contains(c.Name, "→") {
		t.Fatalf("the demo's campaign %q has no arrow: the test would show nothing", c.Name)
	}
	labels := map[string]string{}
	for _, lang := range []string{"en", "ar"} {
		var cat map[string]string
		raw, err := os.ReadFile("../../web/locales/" + lang + ".json")
		if err == nil {
			err = json.Unmarshal(raw, &cat)
		}
		if err != nil {
			t.Fatal(err)
		}
		labels[lang] = cat["pdf.nationality"]
	}
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			req, _ := http.NewRequest("GET", w.base+"/movements/"+planned.ID.String()+"/manifest.pdf", nil)
			req.Header.Set("Accept-Language", lang)
			res, err := u.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("the manifest: %d %s %v", res.StatusCode, res.Header.Get("Content-Type"), err)
			}
			path := filepath.Join(t.TempDir(), "manifest.pdf")
			if err := os.WriteFile(path, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			// -layout keeps each printed line a line: a label broken in its
			// cell shows as two lines, each with a piece.
			out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := strings.NewReplacer("\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "", "\u200E", "", "\u200F", "",
				"\u202A", "", "\u202B", "", "\u202C", "", "\u202D", "", "\u202E", "").Replace(string(out))
			// pdftotext gives Arabic in the order drawn, right to left: the
			// label is found as written or reversed.
			label := labels[lang]
			whole := regexp.MustCompile(`(^|\s)(` + regexp.QuoteMeta(label) + `|` + regexp.QuoteMeta(reverse(label)) + `)(\s|$)`)
			if !whole.MatchString(text) {
				t.Errorf("the label %q is not printed whole; pdftotext reads:\n%s", label, firstLines(text, 30))
			}
			if strings.Contains(text, "→") {
				t.Errorf("the manifest prints the arrow, which its fonts do not draw:\n%s", firstLines(text, 30))
			}
			if want := strings.ReplaceAll(c.Name, "→", "->"); lang == "en" && !strings.Contains(text, want) {
				t.Errorf("the campaign is not printed as %q; pdftotext reads:\n%s", want, firstLines(text, 30))
			}
		})
	}
}

// firstLines is the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// reverse is s with its characters in the opposite order.
func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
