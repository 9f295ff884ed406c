package names

import (
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// nameGen draws names from common parts in both scripts, with particles, articles,
// titles and noise, so that properties meet the parser's paths.
func nameGen() *rapid.Generator[string] {
	words := []string{"محمد", "أحمد", "عبد", "الله", "الرحمن", "بن", "بنت", "أبو", "ام", "الجبيلاوي", "حسن", "حسين", "فاطمة", "الدين", "نور",
		"Muhammad", "Mohamed", "Abdel", "Abdullah", "Abu", "Umm", "al", "el-", "ad-Din", "Nureddine", "bin", "ibn", "Sheikh", "Hajj",
		"Jbeilaoui", "Hussein", "Hasan", "Fatima", "son", "of", "X", "'", "ʿ", "ـ", "ً", "-", "٣", "Abdurrahman", "Salahuddin"}
	return rapid.Custom(func(t *rapid.T) string {
		n := rapid.IntRange(0, 6).Draw(t, "n")
		var s []string
		for i := 0; i < n; i++ {
			if rapid.Bool().Draw(t, "any") {
				s = append(s, rapid.String().Draw(t, "s"))
			} else {
				s = append(s, rapid.SampledFrom(words).Draw(t, "w"))
			}
		}
		return strings.Join(s, " ")
	})
}

func TestNormalizeIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := nameGen().Draw(t, "s")
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, again %q", s, n, Normalize(n))
		}
	})
}

func TestCompareNamesProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := Parse(nameGen().Draw(t, "a")), Parse(nameGen().Draw(t, "b"))
		x, y := CompareNames(a, b), CompareNames(b, a)
		if x.Score != y.Score {
			t.Fatalf("not symmetric: %v / %v", x.Text("en"), y.Text("en"))
		}
		if x.Score < 0 || x.Score > 1 || math.IsNaN(x.Score) {
			t.Fatalf("score %v out of [0,1]", x.Score)
		}
		if len(a.Elements) > 0 {
			if s := CompareNames(a, a).Score; s != 1 {
				t.Fatalf("a name against itself scores %v: %q", s, a.Text)
			}
		}
		// the score does not depend on the script a name is written in beyond its reading
		if s := SearchScore(a, b).Score; s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("search score %v", s)
		}
	})
}

func TestComparePersonsProperties(t *testing.T) {
	person := rapid.Custom(func(t *rapid.T) Person {
		return Person{
			Names:          []string{nameGen().Draw(t, "n1"), nameGen().Draw(t, "n2")},
			Birth:          rapid.SampledFrom([]string{"", "1990", "1990-03-04", "1990-04-03", "1991", "1970-01-01", "19x"}).Draw(t, "b"),
			BirthPrecision: rapid.SampledFrom([]string{"day", "year", "estimated", ""}).Draw(t, "p"),
			Sex:            rapid.SampledFrom([]string{"male", "female", "unknown", ""}).Draw(t, "sex"),
			Nationalities:  rapid.SliceOfN(rapid.SampledFrom([]string{"SYR", "IRQ", "XXX"}), 0, 2).Draw(t, "nat"),
			Father:         nameGen().Draw(t, "f"),
			Mother:         nameGen().Draw(t, "m"),
			Origin:         rapid.SampledFrom([]string{"", "Tikrit", "تكريت", "Raqqa"}).Draw(t, "o"),
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b := Prepare(person.Draw(t, "a")), Prepare(person.Draw(t, "b"))
		x, y := ComparePersons(a, b), ComparePersons(b, a)
		if x.Score != y.Score {
			t.Fatalf("not symmetric: %v / %v", x.Text("en"), y.Text("en"))
		}
		if x.Score < 0 || x.Score > 1 {
			t.Fatalf("score %v", x.Score)
		}
	})
}

// TestCrossScriptRoundTrip: an Arabic name and the Latin guess written from it
// meet, whatever the composition.
func TestCrossScriptRoundTrip(t *testing.T) {
	parts := []string{"محمد", "خالد", "عمر", "سامي", "حسين", "يوسف", "الجبيلاوي", "البشقلي", "التكريتي", "الحداد", "عبد الرحمن", "نور الدين"}
	rapid.Check(t, func(t *rapid.T) {
		ws := rapid.SliceOfN(rapid.SampledFrom(parts), 1, 4).Draw(t, "ws")
		ar := strings.Join(ws, " ")
		la := Romanize(ar)
		if s := CompareNames(Parse(ar), Parse(la)).Score; s < 0.9 {
			t.Fatalf("%q and its romanization %q score %v", ar, la, s)
		}
	})
}
