package names

import (
	"strings"
	"unicode"
)

// Role is the place of an element in a name.
type Role int

const (
	Given  Role = iota // the person's own name, first
	Chain              // a link of the nasab: father's, grandfather's name
	Family             // family name, tribe or nisba, last
	Kunya              // Abu …, Umm …: an alias, compared only with kunyas
)

var roleNames = [...]string{"given", "chain", "family", "kunya"}

func (r Role) String() string { return roleNames[r] }

// Form says how an element is built.
type Form int

const (
	Simple    Form = iota
	AbdForm        // Abd al-X: compared by X
	DinForm        // X al-Din: compared by X
	KunyaForm      // Abu X, Umm X: compared by X
)

// Element is one part of a parsed name.
type Element struct {
	Text    string // normalised, as written (with its article or compound particles)
	Role    Role
	Form    Form
	Article bool   // written with the article (al-, el-, ال)
	Canon   string // the canonical given name when the table knows the word
	stem    string // the text compared: without the article, X of a compound
	w       word   // the reading of stem
	id      int32  // the Index's number for the element's form and text; 0 outside one
}

// Key is the element's consonant-class key, prefixed by its form (abd:, din:, abu:).
func (e Element) Key() string {
	return [...]string{"", "abd:", "din:", "abu:"}[e.Form] + e.w.key()
}

// Name is a parsed name.
type Name struct {
	Text     string // the normalised text
	Script   Script
	Elements []Element // given, chain…, family, in written order
	Kunyas   []Element
	Titles   []string // dropped honorifics
	// FamilyFirst: the name looks written family name first, its first word in
	// capitals ("AL-BASHQALI Sami") or with the article.
	FamilyFirst bool
}

// Parse normalises s and cuts it into elements as the package specification states.
// It never fails: a text with no letters gives a Name with no elements.
func Parse(s string) Name {
	n := Name{Text: Normalize(s), Script: DetectScript(s)}
	toks := strings.Fields(n.Text)
	ar := n.Script == ArabicScript
	chainNext := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func() (string, bool) { // the next word, with an article written apart
			if i+1 >= len(toks) {
				return "", false
			}
			i++
			if !ar && articles[toks[i]] && i+1 < len(toks) {
				i++
				return toks[i-1] + " " + toks[i], true
			}
			return toks[i], true
		}
		switch {
		case titles[t] && i+1 < len(toks):
			n.Titles = append(n.Titles, t)
			continue
		case nasabWords[t] && i+1 < len(toks) && len(n.Elements) > 0:
			chainNext = true
			continue
		case t == "son" || t == "daughter":
			if i+2 < len(toks) && toks[i+1] == "of" {
				i++
				chainNext = true
				continue
			}
		case kunyaWords[t] && i+1 < len(toks):
			x, _ := next()
			n.Kunyas = append(n.Kunyas, element(t+" "+x, x, KunyaForm, Kunya, ar))
			continue
		}
		if !ar && articles[t] && i+1 < len(toks) && dinWords[toks[i+1]] && len(n.Elements) > 0 && n.Elements[len(n.Elements)-1].Form == Simple {
			i++
			prev := &n.Elements[len(n.Elements)-1]
			*prev = element(prev.Text+" "+t+" "+toks[i], prev.Text, DinForm, prev.Role, ar)
			continue
		}
		var e Element
		switch {
		case !ar && articles[t] && i+1 < len(toks):
			x, _ := next()
			e = element(t+" "+x, x, Simple, Family, ar)
			e.Article = true
		case ar && t == "عبد" && i+1 < len(toks):
			x, _ := next()
			e = element(t+" "+x, x, AbdForm, Given, ar)
		case ar && strings.HasPrefix(t, "عبدال") && len(t) > len("عبدال"):
			e = element(t, t[len("عبد"):], AbdForm, Given, ar)
		case !ar && abdJoins(t) && i+1 < len(toks) && !nasabWords[toks[i+1]]:
			x, _ := next()
			e = element(t+" "+x, strings.TrimPrefix(t, abdPrefix(t))+" "+x, AbdForm, Given, ar)
		case !ar && abdGlued(t) != "":
			e = element(t, t[len(abdGlued(t)):], AbdForm, Given, ar)
		case len(n.Elements) > 0 && (ar && t == "الدين" || !ar && dinWords[t]):
			prev := &n.Elements[len(n.Elements)-1]
			if prev.Form == Simple {
				*prev = element(prev.Text+" "+t, prev.Text, DinForm, prev.Role, ar)
				continue
			}
			e = element(t, t, Simple, Family, ar)
		case !ar && dinGlued(t) != "":
			e = element(t, t[:len(t)-len(dinGlued(t))], DinForm, Given, ar)
		case ar && strings.HasPrefix(t, "ال") && len([]rune(t)) > 3 && givenIndex[t] == "":
			e = element(t, t[len("ال"):], Simple, Family, ar)
			e.Article = true
		case !ar && len(t) >= 6 && (strings.HasPrefix(t, "al") || strings.HasPrefix(t, "el")) && givenIndex[t] == "":
			e = element(t, t[2:], Simple, Family, ar)
			e.Article = true
		default:
			e = element(t, t, Simple, Family, ar)
		}
		if chainNext {
			e.Role, chainNext = Chain, false
		}
		n.Elements = append(n.Elements, e)
	}
	n.FamilyFirst = len(n.Elements) > 1 && (n.Elements[0].Article || capitalsFirst(s))
	for i := range n.Elements {
		e := &n.Elements[i]
		switch {
		case i == 0:
			e.Role = Given
		case i < len(n.Elements)-1:
			e.Role = Chain
		}
	}
	return n
}

// element builds an element of text whose compared part is part.
func element(text, part string, f Form, r Role, ar bool) Element {
	e := Element{Text: text, Form: f, Role: r}
	part = strings.TrimSpace(part)
	e.stem = part
	if f == Simple {
		e.Canon = givenIndex[part]
	}
	if ar {
		e.w = readArabic(strings.ReplaceAll(part, " ", ""))
	} else {
		e.w = readLatin(strings.ReplaceAll(part, " ", ""))
	}
	if f == AbdForm || f == KunyaForm {
		e.w = dropArticleL(e.w, ar, part)
	}
	return e
}

// dropArticleL folds the article into the word after Abd or Abu: ar-Rahman,
// al-Rahman, ul-Rahman, الرحمن and Rahman all read r-h-m-n; a leading l is dropped
// when more follows (Allah keeps its l).
func dropArticleL(w word, ar bool, part string) word {
	if len(w.cons) > 1 && w.cons[0] == cL {
		w.cons, w.vow = w.cons[1:], append([]uint8{0}, w.vow[2:]...)
	}
	return w
}

// abdJoins reports the Abd spellings written apart that take the next word.
func abdJoins(t string) bool {
	switch t {
	case "abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdil", "abdur", "abdus", "abdor":
		return true
	}
	return false
}

func abdPrefix(t string) string {
	for _, f := range abdForms {
		if strings.HasPrefix(t, f) {
			return f
		}
	}
	return ""
}

// abdGlued returns the Abd prefix of a glued compound (Abdullah, Abdelkader,
// Abdurrahman), or "" when t is not one.
func abdGlued(t string) string {
	for _, f := range abdForms {
		if strings.HasPrefix(t, f) && len(t)-len(f) >= 2 {
			return f
		}
	}
	return ""
}

// dinGlued returns the glued al-Din suffix of t (Nureddine, Salahuddin), or "".
func dinGlued(t string) string {
	for _, f := range dinSuffixes {
		if strings.HasSuffix(t, f) && len(t)-len(f) >= 2 {
			return f
		}
	}
	return ""
}

// capitalsFirst reports whether the first word of s is in capitals and some later
// word is not.
func capitalsFirst(s string) bool {
	ws := strings.Fields(s)
	if len(ws) < 2 {
		return false
	}
	upper := func(w string) bool {
		letters := 0
		for _, r := range w {
			if unicode.IsLower(r) {
				return false
			}
			if unicode.IsUpper(r) {
				letters++
			}
		}
		return letters >= 2
	}
	if !upper(ws[0]) {
		return false
	}
	for _, w := range ws[1:] {
		if !upper(w) {
			return true
		}
	}
	return false
}
