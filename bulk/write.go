package bulk

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"github.com/handover-project/handover/custody"
)

// nameOrder is the order of the name columns an export writes.
var nameOrder = []struct {
	script custody.Script
	kind   custody.NameKind
	header string
}{
	{custody.Latin, custody.PrimaryName, "Name"},
	{custody.Arabic, custody.PrimaryName, "Name (Arabic script)"},
	{custody.Latin, custody.Spelling, "Other spelling"},
	{custody.Arabic, custody.Spelling, "Other spelling (Arabic script)"},
	{custody.Latin, custody.Kunya, "Kunya"},
	{custody.Arabic, custody.Kunya, "Kunya (Arabic script)"},
	{custody.Latin, custody.Alias, "Alias"},
	{custody.Arabic, custody.Alias, "Alias (Arabic script)"},
}

// WriteCSV writes persons as CSV: a row of headers, the HXL hashtag row, then one
// row a person, which ReadCSV reads back. A field that holds several values (names,
// identifiers, next of kin) gets as many columns as the person with the most of them
// needs, each under the same hashtag. What the table of docs/bulk.md does not list
// (property, kin's ages, identifiers' issuers) is not written: JSON lines carry the
// whole record.
func WriteCSV(w io.Writer, persons []custody.Person) error {
	type out struct {
		header string
		tag    string
		get    func(p *custody.Person) string
	}
	var outs []out
	for _, no := range nameOrder {
		n := 0
		for i := range persons {
			n = max(n, len(namesOf(&persons[i], no.script, no.kind)))
		}
		if no.kind == custody.PrimaryName {
			n = max(n, 1)
		}
		for k := range n {
			script, kind := no.script, no.kind
			outs = append(outs, out{no.header, nameTag(script, kind).String(), func(p *custody.Person) string {
				return at(namesOf(p, script, kind), k)
			}})
		}
	}
	for _, c := range columns {
		n := 0
		for i := range persons {
			n = max(n, len(c.get(&persons[i])))
		}
		if !repeatable(&c) {
			n = 1
		}
		for k := range n {
			get := c.get
			outs = append(outs, out{c.header, canonical(c.tag), func(p *custody.Person) string { return at(get(p), k) }})
		}
	}
	cw := csv.NewWriter(w)
	row := make([]string, len(outs))
	for i, o := range outs {
		row[i] = o.header
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for i, o := range outs {
		row[i] = o.tag
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range persons {
		for j, o := range outs {
			row[j] = o.get(&persons[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSONL writes persons as JSON lines, one whole record a line.
func WriteJSONL(w io.Writer, persons []custody.Person) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range persons {
		if err := enc.Encode(&persons[i]); err != nil {
			return fmt.Errorf("person %s: %w", persons[i].ID, err)
		}
	}
	return nil
}

func namesOf(p *custody.Person, s custody.Script, k custody.NameKind) []string {
	var out []string
	for _, n := range p.Names {
		if n.Script == s && n.Kind == k {
			out = append(out, n.Text)
		}
	}
	return out
}

func at(vs []string, i int) string {
	if i < len(vs) {
		return vs[i]
	}
	return ""
}

func canonical(tag string) string {
	t, _ := ParseTag(tag)
	return t.String()
}
