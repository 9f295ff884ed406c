package names

import "testing"

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"أحمد", "احمد"},
		{"إبراهيم", "ابراهيم"},
		{"آمنة", "امنه"},
		{"مُحَمَّد", "محمد"},
		{"محـــمد", "محمد"},
		{"مصطفى", "مصطفي"},
		{"رؤوف", "رووف"},
		{"عائشة", "عايشه"},
		{"أسماء", "اسما"},
		{"کریم", "كريم"},
		{"٢٠٢٦ ۱۹", "2026 19"},
		{"  Muḥammad   ʿAbd al-Raḥmān  ", "muhammad abd al rahman"},
		{"Sa'id", "said"},
		{"Sa’īd", "said"},
		{"AL-BASHQALI, Sami", "al bashqali sami"},
		{"Fayçal", "faysal"},
		{"Leïla", "leila"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDetectScript(t *testing.T) {
	if DetectScript("سامي Sami البشقلي") != ArabicScript || DetectScript("Sami al-Bashqali") != LatinScript || DetectScript("") != LatinScript {
		t.Error("script detection")
	}
}

func TestCanonical(t *testing.T) {
	for _, w := range []string{"Mohammed", "Mohamed", "محمد", "Muhammad", "Mohamad", "مُحَمَّد"} {
		if c, ok := Canonical(w); !ok || c != "muhammad" {
			t.Errorf("Canonical(%q) = %q, %v", w, c, ok)
		}
	}
	if _, ok := Canonical("Zorblax"); ok {
		t.Error("unknown name found")
	}
}

// TestGivenTableUnambiguous: a spelling names one entry only, or the table would
// call one name two.
func TestGivenTableUnambiguous(t *testing.T) {
	seen := map[string]string{}
	for canon, spellings := range givenEntries() {
		for _, s := range spellings {
			if prev, ok := seen[s]; ok && prev != canon {
				t.Errorf("%q is under %s and %s", s, prev, canon)
			}
			seen[s] = canon
		}
	}
}

func TestRomanizeArabize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"محمد الجبيلاوي", "muhammad al-jbilawi"},
		{"سامي البشقلي", "sami al-bshqli"},
		{"Sami", "sami"},
	} {
		if got := Romanize(c.in); got != c.want {
			t.Errorf("Romanize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Mohammed al-Jubaylawi", "محمد الجبيلوي"},
		{"Khadija", "خديجه"},
		{"Sharif Haddad", "شريف حدد"}, {"Abdallah Nureddine", "عبد الله نور الدين"},
		{"سامي", "سامي"},
	} {
		if got := Arabize(c.in); got != c.want {
			t.Errorf("Arabize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// a guess written back meets the original
	for _, s := range []string{"Abdallah al-Jbeilaoui", "Nureddine Zoubir", "Fatima Hussein al-Obeidi"} {
		if ex := CompareNames(Parse(s), Parse(Arabize(s))); ex.Score < 0.9 {
			t.Errorf("%q and its Arabic %q: %v", s, Arabize(s), ex.Text("en"))
		}
	}
}
