package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Script is the writing system of a name.
type Script int

const (
	LatinScript Script = iota
	ArabicScript
)

// DetectScript says whether s is Arabic (more Arabic letters than Latin ones) or Latin.
func DetectScript(s string) Script {
	ar, la := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			ar++
		case unicode.IsLetter(r):
			la++
		}
	}
	if ar > la {
		return ArabicScript
	}
	return LatinScript
}

// arabicFold maps Arabic-script letters to their normal form; -1 removes the rune.
var arabicFold = map[rune]rune{
	'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ٲ': 'ا', 'ٳ': 'ا',
	'ؤ': 'و', 'ئ': 'ي', 'ى': 'ي', 'ی': 'ي', 'ې': 'ي', 'ۍ': 'ي',
	'ء': -1, 'ـ': -1, 'ٰ': -1, // hamza on the line, tatweel, dagger alef
	'ة': 'ه', 'ۀ': 'ه', 'ہ': 'ه', 'ھ': 'ه', 'ە': 'ه',
	'ک': 'ك', 'ڪ': 'ك',
}

// cedilla: French ç writes s.
var cedilla = strings.NewReplacer("ç", "s", "Ç", "s")

// Normalize returns the normal form of a name as the package specification states:
// one script's letters folded, marks and punctuation removed, single spaces.
// It is idempotent: Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	var b strings.Builder
	space := true // at start, suppress leading spaces
	emit := func(r rune) {
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			return
		}
		b.WriteRune(r)
		space = false
	}
	s = cedilla.Replace(s)
	for _, r := range norm.NFKD.String(s) {
		if f, ok := arabicFold[r]; ok {
			if f >= 0 {
				emit(f)
			}
			continue
		}
		switch {
		case r >= '٠' && r <= '٩':
			emit('0' + r - '٠')
		case r >= '۰' && r <= '۹':
			emit('0' + r - '۰')
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Cf, r):
			// vowel marks, shadda, sukun, combining accents, joiners: dropped
		case isApostrophe(r):
		case r == 'ı':
			emit('i')
		case r == 'ß':
			emit('s')
			emit('s')
		case r == 'đ' || r == 'Đ':
			emit('d')
		case r == 'ø' || r == 'Ø':
			emit('o')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			emit(unicode.ToLower(r))
		default:
			emit(' ')
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// isApostrophe reports the marks Latin spellings use for ʿayn and hamza.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʿ', 'ʾ', 'ʼ', 'ʻ', 'ʽ', 'ˈ', '′', 'ʹ':
		return true
	}
	return false
}
