package bulk

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Options tune a read.
type Options struct {
	// Salt makes the household labels of one file ids of its own, so that "H1" in two
	// files are two households: a label's id is a name-based UUID of Salt and the label.
	// The API and `handover import` pass the import's idempotency key.
	Salt uuid.UUID
	// MaxRows bounds the rows of one file; 0 means DefaultMaxRows.
	MaxRows int
	// IgnoreUnknown skips columns whose hashtag maps to no field, instead of refusing
	// them (a file tagged for other uses too, with #adm1 and the like).
	IgnoreUnknown bool
}

// DefaultMaxRows is the largest file a read takes unless told otherwise: one
// operation's whole campaign, with room.
const DefaultMaxRows = 20000

// Row is one person read from a file, with the line it starts on.
type Row struct {
	Line   int            `json:"line"`
	Person custody.Person `json:"person"`
}

// Problem is one thing wrong in a file: where (line, and column for CSV), the field of
// the person it concerns, and what is wrong.
type Problem struct {
	Line    int    `json:"line,omitempty"`   // 1-based line of the file; 0 for the file as a whole
	Column  int    `json:"column,omitempty"` // 1-based column of a CSV file; 0 for the whole row
	Tag     string `json:"tag,omitempty"`    // the column's hashtag, in HXL's canonical form
	Field   string `json:"field,omitempty"`  // the person's field, as the API names it (names[0].text)
	Message string `json:"message"`
}

func (p Problem) String() string {
	var where []string
	if p.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", p.Line))
	}
	if p.Column > 0 {
		where = append(where, fmt.Sprintf("column %d", p.Column))
	}
	if p.Tag != "" {
		where = append(where, p.Tag)
	}
	if p.Field != "" {
		where = append(where, p.Field)
	}
	if len(where) == 0 {
		return p.Message
	}
	return strings.Join(where, ", ") + ": " + p.Message
}

// Report is the outcome of reading a file whole: how many rows it holds and every
// problem found. A file with problems is written not at all.
type Report struct {
	Rows     int       `json:"rows"`
	Problems []Problem `json:"problems"`
	// Duplicates are the rows that registered persons are likely to be. A read
	// leaves it empty: the API fills it from its names index, and refuses the
	// import while there are any, unless a reason passes them (docs/bulk.md).
	Duplicates []LikelyDuplicate `json:"duplicates,omitempty"`
}

// LikelyDuplicate is a row of a file that registered persons are likely to be.
type LikelyDuplicate struct {
	Line       int         `json:"line"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate is a registered person likely to be a row's, with the score and why.
type Candidate struct {
	ID      uuid.UUID `json:"id"`
	RegNo   string    `json:"reg_no"`
	Name    string    `json:"name"`
	Score   float64   `json:"score"`
	English string    `json:"english"`
}

func (d LikelyDuplicate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: likely already registered as", d.Line)
	for i, c := range d.Candidates {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %s (%.2f)", c.RegNo, c.Name, c.Score)
	}
	return b.String()
}

// OK reports whether the file has no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(p Problem) { r.Problems = append(r.Problems, p) }

// ReadCSV reads persons from CSV tagged with HXL hashtags (docs/bulk.md): any rows
// before the hashtag row (column headers) are skipped, columns without a hashtag are
// ignored, and each later row is one person. It checks every row — the values, the
// record as custody.Person.Validate does, and that no registration number,
// identifier or id stands twice in the file — and returns the rows with a report of
// every problem. The error is for a reader that fails, not for bad content.
func ReadCSV(in io.Reader, o Options) ([]Row, *Report, error) {
	rep := &Report{Problems: []Problem{}}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	var tags []Tag
	for tags == nil {
		rec, err := r.Read()
		if err == io.EOF {
			rep.add(Problem{Message: "no HXL hashtag row: tag each column to import, like #person +name, #date +birth (see docs/bulk.md)"})
			return nil, rep, nil
		}
		if err != nil {
			return nil, csvProblem(rep, err), nil
		}
		line, _ := r.FieldPos(0)
		if line > 25 {
			rep.add(Problem{Message: "no HXL hashtag row in the first 25 lines"})
			return nil, rep, nil
		}
		if len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		if t, ok := tagRow(rec); ok {
			tags = t
		}
	}
	cols := mapColumns(tags, rep, o.IgnoreUnknown)
	max := o.MaxRows
	if max <= 0 {
		max = DefaultMaxRows
	}
	var rows []Row
	u := newUniques(rep)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvProblem(rep, err), nil
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		rep.Rows++
		if rep.Rows > max {
			rep.add(Problem{Line: line, Message: fmt.Sprintf("more than %d rows: split the file", max)})
			break
		}
		p, ok := readRow(rec, line, cols, o, rep)
		if !ok {
			continue
		}
		if validate(&p, line, cols, rep) {
			u.check(p, line)
			rows = append(rows, Row{Line: line, Person: p})
		}
	}
	return rows, rep, nil
}

func csvProblem(rep *Report, err error) *Report {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		rep.add(Problem{Line: pe.Line, Column: pe.Column, Message: "not CSV: " + pe.Err.Error()})
		return rep
	}
	rep.add(Problem{Message: err.Error()})
	return rep
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// boundColumn is one column of a file: its hashtag and what it fills.
type boundColumn struct {
	index int
	tag   Tag
	col   *column // nil for a name column
	name  struct {
		script custody.Script
		kind   custody.NameKind
	}
	n int // the column's occurrence among the file's columns of the same tag
}

func mapColumns(tags []Tag, rep *Report, ignoreUnknown bool) []boundColumn {
	var out []boundColumn
	seen := map[string]int{}
	for i, t := range tags {
		if t.Name == "" {
			continue
		}
		b := boundColumn{index: i, tag: t}
		if s, k, ok := nameOf(t); ok {
			b.name.script, b.name.kind = s, k
		} else if c := matchColumn(t); c != nil {
			b.col = c
		} else {
			if !ignoreUnknown {
				rep.add(Problem{Column: i + 1, Tag: t.String(), Message: "no field of a person has this hashtag (see docs/bulk.md for those that do)"})
			}
			continue
		}
		key := t.String()
		if b.col != nil {
			key = b.col.tag
		}
		b.n = seen[key]
		seen[key]++
		if b.col != nil && b.n > 0 && !repeatable(b.col) {
			rep.add(Problem{Column: i + 1, Tag: t.String(), Field: b.col.field, Message: "a second column for a field that holds one value"})
			continue
		}
		out = append(out, b)
	}
	return out
}

// matchColumn finds the column whose tag t carries, the most specific when several do
// ("#person +id +passport" over nothing shorter).
func matchColumn(t Tag) *column {
	var best *column
	bestN := -1
	for i := range columns {
		c := &columns[i]
		ct, _ := ParseTag(c.tag)
		if ct.Name == t.Name && t.Has(ct.Attrs...) && len(ct.Attrs) > bestN {
			best, bestN = c, len(ct.Attrs)
		}
	}
	return best
}

func repeatable(c *column) bool {
	return strings.HasSuffix(c.field, "[]") || strings.Contains(c.field, "[].")
}

func readRow(rec []string, line int, cols []boundColumn, o Options, rep *Report) (custody.Person, bool) {
	var p custody.Person
	ok := true
	for _, b := range cols {
		if b.index >= len(rec) {
			continue
		}
		v := strings.TrimSpace(rec[b.index])
		if v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			rep.add(Problem{Line: line, Column: b.index + 1, Tag: b.tag.String(), Message: "is not valid UTF-8: save the file as UTF-8"})
			ok = false
			continue
		}
		if b.col == nil {
			p.Names = append(p.Names, custody.Name{Text: v, Script: b.name.script, Kind: b.name.kind})
			continue
		}
		if b.col.field == "household" {
			if _, err := uuid.Parse(v); err != nil {
				v = uuid.NewSHA1(o.Salt, []byte(v)).String()
			}
		}
		if err := b.col.set(&p, v, b.n); err != nil {
			rep.add(Problem{Line: line, Column: b.index + 1, Tag: b.tag.String(), Field: b.col.field, Message: err.Error()})
			ok = false
		}
	}
	return p, ok
}

// validate checks the record as Decide will, and names the column at fault.
func validate(p *custody.Person, line int, cols []boundColumn, rep *Report) bool {
	probe := *p
	if probe.ID == uuid.Nil {
		probe.ID = uuid.Max // the API assigns the id; any will do to validate
	}
	err := probe.Validate()
	if err == nil {
		return true
	}
	var e *custody.Error
	if !errors.As(err, &e) {
		rep.add(Problem{Line: line, Message: err.Error()})
		return false
	}
	pr := Problem{Line: line, Field: e.Field, Message: e.Message}
	if b, ok := columnOf(e.Field, p, cols); ok {
		pr.Column, pr.Tag = b.index+1, b.tag.String()
	} else if c := columnFor(e.Field); c != "" && cols != nil {
		pr.Message += " (add a column tagged " + c + ")"
	}
	rep.add(pr)
	return false
}

// columnOf finds the file's column that holds field.
func columnOf(field string, p *custody.Person, cols []boundColumn) (boundColumn, bool) {
	if strings.HasPrefix(field, "names[") {
		var i int
		if _, err := fmt.Sscanf(field, "names[%d]", &i); err == nil && i < len(p.Names) {
			n := p.Names[i]
			for _, b := range cols {
				if b.col == nil && b.name.script == n.Script && b.name.kind == n.Kind {
					return b, true
				}
			}
		}
		return boundColumn{}, false
	}
	for _, b := range cols {
		if b.col != nil && fieldMatches(b.col.field, field) {
			return b, true
		}
	}
	return boundColumn{}, false
}

// fieldMatches reports whether an error's field lies in a column's field:
// "nationalities[1]" in "nationalities", "birth.precision" in "birth.date",
// "next_of_kin[0].name" in "next_of_kin[].name".
func fieldMatches(col, field string) bool {
	strip := func(s string) string {
		var b strings.Builder
		depth := 0
		for _, r := range s {
			switch {
			case r == '[':
				depth++
			case r == ']':
				depth--
			case depth == 0:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	c, f := strip(col), strip(field)
	if c == "birth.date" && strings.HasPrefix(f, "birth.") && f != "birth.age_assessment" {
		return true
	}
	if c == "identifiers" {
		return strings.HasPrefix(f, "identifiers")
	}
	return f == c || strings.HasPrefix(f, c+".")
}

// columnFor names the tag of the column a missing field would come from.
func columnFor(field string) string {
	if field == "names" {
		return "#person +name"
	}
	for _, c := range columns {
		if fieldMatches(c.field, field) {
			return c.tag
		}
	}
	return ""
}

// uniques finds registration numbers, identifiers and ids that stand twice in a file.
type uniques struct {
	rep  *Report
	seen map[string]int
}

func newUniques(rep *Report) *uniques { return &uniques{rep: rep, seen: map[string]int{}} }

func (u *uniques) check(p custody.Person, line int) {
	see := func(key, field, what string) {
		if first, ok := u.seen[key]; ok {
			u.rep.add(Problem{Line: line, Field: field, Message: fmt.Sprintf("%s is also on line %d", what, first)})
			return
		}
		u.seen[key] = line
	}
	if p.ID != uuid.Nil {
		see("id "+p.ID.String(), "id", "id "+p.ID.String())
	}
	if p.RegNo != "" {
		see("reg "+p.RegNo, "reg_no", "registration number "+p.RegNo)
	}
	for i, id := range p.Identifiers {
		see("ident "+string(id.Kind)+" "+id.Value, fmt.Sprintf("identifiers[%d]", i), fmt.Sprintf("%s %s", id.Kind, id.Value))
	}
}

// MaxLine is the longest line ReadJSONL takes.
const MaxLine = 1 << 20

// ReadJSONL reads persons from JSON lines: one person object a line, as the API's
// person body has it (custody.Person), blank lines skipped. Unknown fields are
// refused, so that a misspelt field is not lost silently. It checks every line as
// ReadCSV does.
func ReadJSONL(in io.Reader, o Options) ([]Row, *Report, error) {
	rep := &Report{Problems: []Problem{}}
	max := o.MaxRows
	if max <= 0 {
		max = DefaultMaxRows
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	var rows []Row
	u := newUniques(rep)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(b) == 0 {
			continue
		}
		rep.Rows++
		if rep.Rows > max {
			rep.add(Problem{Line: line, Message: fmt.Sprintf("more than %d rows: split the file", max)})
			break
		}
		if !utf8.Valid(b) {
			rep.add(Problem{Line: line, Message: "is not valid UTF-8"})
			continue
		}
		var p custody.Person
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(&p); err != nil {
			rep.add(Problem{Line: line, Field: jsonField(err), Message: "not a person object: " + err.Error()})
			continue
		}
		if d.More() {
			rep.add(Problem{Line: line, Message: "more than one JSON value on the line"})
			continue
		}
		if validate(&p, line, nil, rep) {
			u.check(p, line)
			rows = append(rows, Row{Line: line, Person: p})
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			rep.add(Problem{Line: line + 1, Message: fmt.Sprintf("a line longer than %d bytes", MaxLine)})
			return nil, rep, nil
		}
		return nil, rep, err
	}
	return rows, rep, nil
}

func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	return ""
}
