package names

import "strings"

// romanLetters is a plain romanization of Arabic letters (ALA-LC without diacritics
// or the ʿayn mark; ة as a, ى as a).
var romanLetters = map[rune]string{
	'ب': "b", 'پ': "p", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh",
	'ر': "r", 'ز': "z", 'ژ': "zh", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'غ': "gh", 'ف': "f", 'ڤ': "v", 'ق': "q", 'ك': "k", 'گ': "g", 'ل': "l", 'م': "m", 'ن': "n",
	'ه': "h", 'چ': "ch",
}

// Romanize writes an Arabic-script name in Latin letters: known given names by their
// canonical romanization (محمد → muhammad), other words letter by letter with the
// long vowels written and the article as "al-" (الجبيلاوي → al-jbilawi). Latin
// text comes back normalised.
func Romanize(s string) string {
	n := Normalize(s)
	if DetectScript(n) != ArabicScript {
		return n
	}
	var out []string
	for _, t := range strings.Fields(n) {
		if c, ok := givenIndex[t]; ok {
			out = append(out, c)
			continue
		}
		pre := ""
		if strings.HasPrefix(t, "ال") && len([]rune(t)) > 3 {
			pre, t = "al-", t[len("ال"):]
		}
		var b strings.Builder
		rs := []rune(t)
		for i, r := range rs {
			first, last := i == 0, i == len(rs)-1
			switch r {
			case 'ا':
				b.WriteString("a")
			case 'و':
				if first || i > 0 && rs[i-1] == 'ا' {
					b.WriteString("w")
				} else {
					b.WriteString("u")
				}
			case 'ي':
				if first || i > 0 && rs[i-1] == 'ا' {
					b.WriteString("y")
				} else {
					b.WriteString("i")
				}
			case 'ع':
				if first {
					b.WriteString("a")
				}
			case 'ه':
				if last && i > 0 {
					b.WriteString("a") // ta marbuta, normalised to ه
				} else {
					b.WriteString("h")
				}
			default:
				b.WriteString(romanLetters[r])
			}
		}
		out = append(out, pre+b.String())
	}
	return strings.Join(out, " ")
}

var arabicLetters = []struct{ l, a string }{
	{"sch", "ش"}, {"tch", "تش"}, {"sh", "ش"}, {"ch", "ش"}, {"kh", "خ"}, {"gh", "غ"}, {"th", "ث"}, {"dh", "ذ"},
	{"dj", "ج"}, {"ph", "ف"}, {"ou", "و"}, {"oo", "و"}, {"ee", "ي"}, {"ei", "ي"}, {"ai", "ي"}, {"ay", "ي"}, {"aa", "ا"},
	{"b", "ب"}, {"p", "ب"}, {"t", "ت"}, {"j", "ج"}, {"h", "ح"}, {"x", "خ"}, {"d", "د"}, {"r", "ر"}, {"z", "ز"},
	{"s", "س"}, {"f", "ف"}, {"v", "ف"}, {"q", "ق"}, {"k", "ك"}, {"c", "ك"}, {"g", "ج"}, {"l", "ل"}, {"m", "م"},
	{"n", "ن"}, {"w", "و"}, {"y", "ي"},
}

// Arabize writes a Latin name in Arabic letters as a registrar would guess it: known
// given names by their Arabic spelling (Mohammed → محمد), others by sound with short
// vowels unwritten, long vowels and digraphs as letters, an initial vowel as ا, a
// final a as ة for words the table does not know, and al-/el- as ال. Arabic text
// comes back normalised. It is a guess; matching does not depend on it.
func Arabize(s string) string {
	n := Normalize(s)
	if DetectScript(n) == ArabicScript {
		return n
	}
	toks := strings.Fields(n)
	var out []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if ar, ok := arabicOf[t]; ok {
			out = append(out, ar)
			continue
		}
		pre := ""
		if articles[t] && i+1 < len(toks) {
			pre, i = "ال", i+1
			t = toks[i]
		}
		if f := abdGlued(t); f != "" {
			out = append(out, "عبد "+arabizeArticled(t[len(f):], f))
			continue
		}
		if f := dinGlued(t); f != "" {
			out = append(out, arabizeWord(t[:len(t)-len(f)])+" الدين")
			continue
		}
		out = append(out, pre+arabizeWord(t))
	}
	return strings.Join(out, " ")
}

// arabizeArticled writes the second part of Abd al-X, with the article.
func arabizeArticled(rest, prefix string) string {
	switch strings.TrimLeft(rest, "l") {
	case "ah", "a", "":
		return "الله"
	}
	if strings.HasSuffix(prefix, "l") || strings.HasSuffix(prefix, "r") || strings.HasSuffix(prefix, "s") {
		if w, ok := arabicOf[rest]; ok {
			return "ال" + w
		}
		return "ال" + arabizeWord(rest)
	}
	return arabizeWord(rest)
}

// arabizeWord writes one Latin word in Arabic letters by sound.
func arabizeWord(t string) string {
	if ar, ok := arabicOf[t]; ok {
		return ar
	}
	t = collapse(t)
	{
		var b strings.Builder
		for j := 0; j < len(t); {
			if j == 0 && strings.IndexByte("aeiou", t[0]) >= 0 {
				b.WriteString("ا")
			}
			matched := false
			for _, m := range arabicLetters {
				if strings.HasPrefix(t[j:], m.l) {
					b.WriteString(m.a)
					j += len(m.l)
					matched = true
					break
				}
			}
			if !matched {
				if j == len(t)-1 && (t[j] == 'i' || t[j] == 'e' && j > 0) {
					b.WriteString("ي")
				} else if j == len(t)-1 && t[j] == 'a' && j > 0 {
					b.WriteString("ة")
				} else if j > 0 && t[j] == 'a' && j+1 < len(t) && t[j+1] == 'a' {
					b.WriteString("ا")
				}
				j++
			}
		}
		return b.String()
	}
}

// collapse writes a doubled Latin consonant once, as Arabic does without shadda.
func collapse(s string) string {
	var out []rune
	for _, r := range s {
		if n := len(out); n > 0 && out[n-1] == r && !strings.ContainsRune("aeiou", r) {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// arabicOf maps the Latin spellings of known given names to their Arabic spelling.
var arabicOf = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(givenTable, "\n") {
		_, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		ar, la, _ := strings.Cut(rest, "|")
		first := strings.Fields(ar)[0]
		for _, w := range strings.Fields(la) {
			m[Normalize(w)] = first
		}
	}
	return m
}()
