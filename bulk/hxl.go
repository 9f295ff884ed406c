package bulk

import (
	"slices"
	"strings"
)

// Tag is one HXL hashtag with its attributes, as it stands at the head of a column:
// "#person +name +i_ar" is Tag{Name: "person", Attrs: ["i_ar", "name"]}. Names and
// attributes are lower case, attributes sorted and without repeats, so that two
// spellings of one tag compare equal.
type Tag struct {
	Name  string
	Attrs []string
}

// String writes the tag in HXL's canonical form: "#name +a +b".
func (t Tag) String() string {
	var b strings.Builder
	b.WriteString("#")
	b.WriteString(t.Name)
	for _, a := range t.Attrs {
		b.WriteString(" +")
		b.WriteString(a)
	}
	return b.String()
}

// Has reports whether the tag carries every one of attrs.
func (t Tag) Has(attrs ...string) bool {
	for _, a := range attrs {
		if !slices.Contains(t.Attrs, a) {
			return false
		}
	}
	return true
}

// ParseTag reads a tag specification of HXL 1.1's tagging conventions: optional
// white space, "#" and a hashtag, then any number of "+attribute", white space
// allowed between them. A hashtag and an attribute start with a letter and go on with
// letters, digits and "_". Case does not matter. ParseTag reports false for anything
// else, an empty cell included.
func ParseTag(s string) (Tag, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "#") {
		return Tag{}, false
	}
	parts := strings.Split(s[1:], "+")
	name := strings.TrimSpace(parts[0])
	if !isTagWord(name) {
		return Tag{}, false
	}
	t := Tag{Name: strings.ToLower(name)}
	for _, p := range parts[1:] {
		a := strings.TrimSpace(p)
		if !isTagWord(a) {
			return Tag{}, false
		}
		a = strings.ToLower(a)
		if !slices.Contains(t.Attrs, a) {
			t.Attrs = append(t.Attrs, a)
		}
	}
	slices.Sort(t.Attrs)
	return t, true
}

func isTagWord(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && r != '_' {
			return false
		}
	}
	return true
}

// tagRow reports whether a row is an HXL hashtag row: at least one cell holds a tag
// specification and every other cell is empty. (A row of column headers, which may
// come before it, holds plain words.)
func tagRow(row []string) ([]Tag, bool) {
	tags := make([]Tag, len(row))
	any := false
	for i, cell := range row {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		t, ok := ParseTag(cell)
		if !ok {
			return nil, false
		}
		tags[i], any = t, true
	}
	return tags, any
}
