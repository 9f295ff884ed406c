package names

import "strings"

// Consonant classes. Letters that Latin spellings of Arabic names confuse share a
// class; near classes cost less to substitute (subCost).
const (
	cB  = 'b' // ب پ b p
	cT  = 't' // ت ط t
	cTH = '0' // ث th
	cJ  = 'j' // ج j dj
	cH  = 'h' // ح ه h
	cKH = 'x' // خ kh x
	cD  = 'd' // د ض d
	cDH = '9' // ذ dh
	cR  = 'r' // ر r
	cZ  = 'z' // ز ظ ژ z
	cS  = 's' // س ص s, c before e i y
	cSH = 'c' // ش چ sh ch sch
	cG  = 'g' // غ گ gh g
	cF  = 'f' // ف ڤ f v ph
	cK  = 'k' // ق ك q k c
	cL  = 'l'
	cM  = 'm'
	cN  = 'n'
)

// Vowel hints: the vowels a written word says follow a consonant.
const (
	vA uint8 = 1 << iota
	vI
	vU
	vLong // a Latin long-vowel digraph (ee, ou, oo, ei, ai, aa): a long vowel is written
)

// word is the transliteration-neutral reading of one written word: its consonant
// classes with doubled ones counted once, and the vowel hints before the first
// consonant (vow[0]) and after each (vow[i+1]).
type word struct {
	cons []byte
	vow  []uint8
	ar   bool // read from Arabic script
}

// key is the consonant-class string of a word: two spellings that meet have the
// same key or keys a small weighted edit apart.
func (w word) key() string { return string(w.cons) }

var arabicClass = map[rune]byte{
	'ب': cB, 'پ': cB, 'ت': cT, 'ط': cT, 'ث': cTH, 'ج': cJ, 'ح': cH, 'ه': cH, 'خ': cKH,
	'د': cD, 'ض': cD, 'ذ': cDH, 'ر': cR, 'ز': cZ, 'ظ': cZ, 'ژ': cZ, 'س': cS, 'ص': cS,
	'ش': cSH, 'چ': cSH, 'غ': cG, 'گ': cG, 'ف': cF, 'ڤ': cF, 'ق': cK, 'ك': cK,
	'ل': cL, 'م': cM, 'ن': cN,
}

// readArabic reads a normalised Arabic word. Alef, waw and ya are long-vowel hints
// (a word-initial alef says nothing: it only carries the hamza); ʿayn is silent for
// Latin spellings and reads as nothing.
func readArabic(s string) word {
	w := word{ar: true, vow: []uint8{0}}
	first := true
	for _, r := range s {
		if c, ok := arabicClass[r]; ok {
			w.add(c)
			first = false
			continue
		}
		switch r {
		case 'ا':
			if !first {
				w.hint(vA | vLong)
			}
		case 'و':
			w.hint(vU | vLong)
		case 'ي':
			w.hint(vI | vLong)
		case 'ع':
			w.hint(vA | vI | vU) // ʿayn: Latin writes any vowel, or two, or an apostrophe
		}
		first = false
	}
	w.trim()
	return w
}

// latinDigraphs are read before single letters, longest first.
var latinDigraphs = []struct {
	s string
	c byte
}{{"sch", cSH}, {"tch", cSH}, {"sh", cSH}, {"ch", cSH}, {"kh", cKH}, {"gh", cG}, {"th", cTH},
	{"dh", cDH}, {"zh", cZ}, {"ph", cF}, {"dj", cJ}, {"ck", cK}}

var latinClass = map[byte]byte{
	'b': cB, 'p': cB, 't': cT, 'd': cD, 'j': cJ, 'g': cG, 'h': cH, 'x': cKH, 'k': cK, 'q': cK,
	'f': cF, 'v': cF, 'l': cL, 'm': cM, 'n': cN, 'r': cR, 's': cS, 'z': cZ,
}

// longDigraph are the Latin pairs that write a long vowel or a diphthong of ي (the
// French ou writes a short u as often as a long one, so it says nothing).
var longDigraph = set("aa", "ee", "ii", "oo", "ei", "ai", "ie", "ey", "ay")

var latinVowel = map[byte]uint8{'a': vA, 'e': vA | vI, 'i': vI, 'o': vU | vA, 'u': vU, 'y': vI, 'w': vU}

// readLatin reads a normalised Latin word (lower case, ASCII letters).
func readLatin(s string) word {
	w := word{vow: []uint8{0}}
	for i := 0; i < len(s); {
		matched := false
		for _, d := range latinDigraphs {
			if strings.HasPrefix(s[i:], d.s) {
				w.add(d.c)
				i += len(d.s)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		ch := s[i]
		switch {
		case ch == 'c':
			if i+1 < len(s) && strings.IndexByte("eiy", s[i+1]) >= 0 {
				w.add(cS)
			} else {
				w.add(cK)
			}
		case latinClass[ch] != 0:
			w.add(latinClass[ch])
		case latinVowel[ch] != 0:
			v := latinVowel[ch]
			if i+1 < len(s) && longDigraph[s[i:i+2]] {
				v |= vLong
			}
			w.hint(v)
		}
		i++
	}
	w.trim()
	return w
}

func (w *word) add(c byte) {
	if n := len(w.cons); n > 0 && w.cons[n-1] == c && w.vow[n]&^vLong == 0 {
		return // doubled letter (shadda) or a digraph's echo: counted once
	}
	w.cons = append(w.cons, c)
	w.vow = append(w.vow, 0)
}

func (w *word) hint(v uint8) { w.vow[len(w.vow)-1] |= v }

// trim drops a final h (ta marbuta, Fatimah, Fatmeh) and forgets the final vowel,
// which spellings do not agree on (Mustafa, مصطفى; Isa, Eissa).
func (w *word) trim() {
	if n := len(w.cons); n > 1 && w.cons[n-1] == cH {
		w.cons, w.vow = w.cons[:n-1], w.vow[:n]
	}
	w.vow[len(w.vow)-1] = 0
}

// read reads a normalised word in its script.
func read(s string) word {
	if DetectScript(s) == ArabicScript {
		return readArabic(s)
	}
	return readLatin(s)
}
