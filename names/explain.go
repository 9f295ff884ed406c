package names

import (
	"fmt"
	"strings"
)

// Language of an explanation: "en" or "ar".
var (
	fieldWords = map[string][2]string{
		"given": {"given name", "الاسم"}, "chain": {"father's or grandfather's name", "اسم الأب أو الجد"},
		"family": {"family name", "اسم العائلة"}, "kunya": {"kunya", "الكنية"}, "name": {"name", "الاسم"},
		"birth": {"date of birth", "تاريخ الميلاد"}, "sex": {"sex", "الجنس"}, "nationality": {"nationality", "الجنسية"},
		"father": {"father's name", "اسم الأب"}, "mother": {"mother's name", "اسم الأم"}, "origin": {"place of origin", "مكان الأصل"},
	}
	howWords = map[How][2]string{
		Same:            {"the same", "متطابق"},
		Equivalent:      {"spellings of one name", "كتابتان لاسم واحد"},
		Transliteration: {"the same name in the other script", "الاسم نفسه بالحرف الآخر"},
		Spelling:        {"another spelling of the same name", "كتابة أخرى للاسم نفسه"},
		Close:           {"close", "متقارب"},
		Partial:         {"the start of the name", "بداية الاسم"},
		Differs:         {"different", "مختلف"},
		OneSide:         {"on one record only", "في سجل واحد فقط"},
	}
)

// Text renders an explanation in English (lang "en") or Arabic ("ar"): one clause a
// part, "given name: محمد ~ Mohammed, spellings of one name".
func (e Explanation) Text(lang string) string {
	k := 0
	sep, score := "; ", "score"
	if lang == "ar" {
		k, sep, score = 1, "؛ ", "الدرجة"
	}
	parts := []string{fmt.Sprintf("%s %.2f", score, e.Score)}
	for _, p := range e.Parts {
		f := fieldWords[p.Field][k]
		if f == "" {
			f = p.Field
		}
		var pair string
		switch {
		case p.A != "" && p.B != "":
			pair = p.A + " ~ " + p.B
		default:
			pair = p.A + p.B
		}
		parts = append(parts, fmt.Sprintf("%s: %s، %s", f, pair, howWords[p.How][k]))
	}
	s := strings.Join(parts, sep)
	if k == 0 {
		s = strings.ReplaceAll(s, "، ", ", ")
	}
	return s
}
