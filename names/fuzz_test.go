package names

import (
	"testing"
	"unicode/utf8"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"مُحَمَّد", "Muḥammad ʿAbd al-Raḥmān", "٢٠٢٦", "Fayçal", "ﻻ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, Normalize(n))
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Abd al-Rahman bin Khalid ash-Shami", "أبو حمزة", "عبدالله بن أحمد الجبيلاوي", "Nureddine", "son of", "al al al", "abd"} {
		f.Add(s, "Sami al-Bashqali")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := Parse(a), Parse(b)
		s := CompareNames(x, y).Score
		if s < 0 || s > 1 || s != CompareNames(y, x).Score {
			t.Fatalf("score %v for %q ~ %q", s, a, b)
		}
		_ = SearchScore(x, y)
		_ = Romanize(a)
		_ = Arabize(a)
	})
}

func FuzzParseEval(f *testing.F) {
	f.Add([]byte("same\tcross\tvariant\tسامي|1990|year|male|SYR|\tSami|||male|SYR|Ahmad\n"))
	f.Add([]byte("# x\nbad line\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pairs, err := ParseEval(b)
		if err != nil {
			return
		}
		for _, p := range pairs {
			if len(p.A.Names) == 0 || len(p.B.Names) == 0 {
				t.Fatal("a pair without names was accepted")
			}
		}
	})
}
