package bulk

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/handover-project/handover/custody"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestParseTag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"#person +name", "#person +name", true},
		{"  #Person+NAME +i_ar ", "#person +i_ar +name", true},
		{"#person +name +name", "#person +name", true},
		{"#country +code +nationality", "#country +code +nationality", true},
		{"#adm1_code", "#adm1_code", true},
		{"#", "", false},
		{"#1abc", "", false},
		{"#person +", "", false},
		{"#person +na-me", "", false},
		{"person", "", false},
		{"", "", false},
		{"#person name", "", false},
	} {
		got, ok := ParseTag(tc.in)
		if ok != tc.ok || ok && got.String() != tc.want {
			t.Errorf("ParseTag(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

var salt = uuid.MustParse("0196f5a0-0000-7000-8000-000000000001")

func read(t *testing.T, name string) ([]Row, *Report) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []Row
	var rep *Report
	if strings.HasSuffix(name, ".jsonl") {
		rows, rep, err = ReadJSONL(f, Options{Salt: salt})
	} else {
		rows, rep, err = ReadCSV(f, Options{Salt: salt})
	}
	if err != nil {
		t.Fatal(err)
	}
	return rows, rep
}

func TestReadCSV(t *testing.T) {
	rows, rep := read(t, "registry.csv")
	if !rep.OK() || rep.Rows != 3 || len(rows) != 3 {
		t.Fatalf("report %+v, %d rows", rep, len(rows))
	}
	golden(t, "registry.rows.golden", jsonOf(t, rows))
	// The two rows of household H1 share one id, made from the salt.
	if rows[1].Person.Household == uuid.Nil || rows[1].Person.Household != rows[2].Person.Household {
		t.Errorf("households %s, %s", rows[1].Person.Household, rows[2].Person.Household)
	}
	if rows[1].Person.Household != uuid.NewSHA1(salt, []byte("H1")) {
		t.Errorf("household label not salted")
	}
	if b := rows[1].Person.Birth; b.Precision != custody.Estimated || b.Date != "1994" {
		t.Errorf("~1994 read as %+v", b)
	}
}

func TestReadCSVProblems(t *testing.T) {
	rows, rep := read(t, "bad.csv")
	if rep.OK() || len(rows) != 1 {
		t.Fatalf("%d rows, report %+v", len(rows), rep)
	}
	golden(t, "bad.report.golden", jsonOf(t, rep))
	var lines []string
	for _, p := range rep.Problems {
		lines = append(lines, p.String())
	}
	golden(t, "bad.report.txt.golden", []byte(strings.Join(lines, "\n")+"\n"))
}

func TestReadJSONL(t *testing.T) {
	rows, rep := read(t, "registry.jsonl")
	if len(rows) != 1 || rep.Rows != 4 {
		t.Fatalf("%d rows, report %+v", len(rows), rep)
	}
	golden(t, "registry.jsonl.report.golden", jsonOf(t, rep))
}

func TestNoTagRow(t *testing.T) {
	_, rep, err := ReadCSV(strings.NewReader("Name,Sex\nOmar,m\n"), Options{})
	if err != nil || rep.OK() || !strings.Contains(rep.Problems[0].Message, "no HXL hashtag row") {
		t.Fatalf("%v %+v", err, rep)
	}
}

func TestIgnoreUnknown(t *testing.T) {
	in := "#person +name,#adm1 +name,#person +sex,#date +birth,#country +nationality,#person +category\nHana Ali,Hasakah,f,1990,SYR,family_member\n"
	_, rep, _ := ReadCSV(strings.NewReader(in), Options{})
	if rep.OK() {
		t.Fatal("an unknown hashtag was accepted")
	}
	rows, rep, _ := ReadCSV(strings.NewReader(in), Options{IgnoreUnknown: true})
	if !rep.OK() || len(rows) != 1 {
		t.Fatalf("%+v", rep)
	}
}

func TestMaxRows(t *testing.T) {
	in := "#person +name,#person +sex,#date +birth,#country +nationality,#person +category\n" +
		strings.Repeat("Hana Ali,f,1990,SYR,family_member\n", 3)
	_, rep, _ := ReadCSV(strings.NewReader(in), Options{MaxRows: 2})
	if rep.OK() || !strings.Contains(rep.Problems[len(rep.Problems)-1].Message, "more than 2 rows") {
		t.Fatalf("%+v", rep)
	}
}

// TestDocsListEveryColumn keeps docs/bulk.md's table in step with the columns.
func TestDocsListEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../docs/bulk.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range columns {
		if !bytes.Contains(doc, []byte("`"+canonical(c.tag)+"`")) {
			t.Errorf("docs/bulk.md does not list %s", canonical(c.tag))
		}
	}
	for _, no := range nameOrder {
		if tag := nameTag(no.script, no.kind).String(); !bytes.Contains(doc, []byte("`"+tag+"`")) {
			t.Errorf("docs/bulk.md does not list %s", tag)
		}
	}
}

// genPerson draws a valid person whose every field the CSV carries.
func genPerson(t *rapid.T, i int) custody.Person {
	word := rapid.SampledFrom([]string{"Omar", "Hana", "Ali", "Said", "Nasser", "Karim", "O'Neil", "al-Hasan", "Zainab, Jr", `"Abu" Bakr`})
	ar := rapid.SampledFrom([]string{"عمر", "هناء", "علي", "سعيد", "ناصر"})
	p := custody.Person{
		ID:            uuid.NewSHA1(salt, []byte{byte(i), byte(i >> 8)}),
		Sex:           rapid.SampledFrom([]custody.Sex{custody.Male, custody.Female, custody.Unknown}).Draw(t, "sex"),
		Nationalities: rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"IRQ", "SYR", "TUN", "FRA", "XXA"}), 1, 3, rapid.ID[string]).Draw(t, "nat"),
		Category:      rapid.SampledFrom([]custody.Category{custody.Detainee, custody.FamilyMember, custody.Minor}).Draw(t, "cat"),
		Birth: rapid.SampledFrom([]custody.BirthDate{{Date: "1990", Precision: custody.Year}, {Date: "1991-02", Precision: custody.Month},
			{Date: "2012-11-30", Precision: custody.Day}, {Date: "1970", Precision: custody.Estimated}}).Draw(t, "birth"),
	}
	p.Names = append(p.Names, custody.Name{Text: word.Draw(t, "n1") + " " + word.Draw(t, "n2"), Script: custody.Latin, Kind: custody.PrimaryName})
	for k := range rapid.IntRange(0, 2).Draw(t, "names") {
		_ = k
		p.Names = append(p.Names, custody.Name{Text: ar.Draw(t, "ar"), Script: custody.Arabic,
			Kind: rapid.SampledFrom([]custody.NameKind{custody.PrimaryName, custody.Spelling, custody.Kunya, custody.Alias}).Draw(t, "kind")})
	}
	if p.Category == custody.Detainee {
		p.Detention = custody.Detention{Reasons: word.Draw(t, "why"), OrderingAuthority: word.Draw(t, "who"), ArrestDate: "2019-03-01"}
	}
	if rapid.Bool().Draw(t, "passport") {
		p.Identifiers = append(p.Identifiers, custody.Identifier{Kind: custody.Passport, Value: "P" + strings.Repeat("7", i%5+1) + string(rune('A'+i%26))})
	}
	for k := range rapid.IntRange(0, 2).Draw(t, "kin") {
		p.NextOfKin = append(p.NextOfKin, custody.Kin{Name: word.Draw(t, "kn"), Relationship: "brother", Contact: "+964 770 000 000" + string(rune('0'+k)), Notify: k == 0})
	}
	if rapid.Bool().Draw(t, "flags") {
		p.Flags = []custody.Flag{custody.AgeDisputed}
	}
	p.FatherName = word.Draw(t, "father")
	return p
}

// TestRoundTripCSV: what WriteCSV writes, ReadCSV reads back as it was, name order
// within a kind included.
func TestRoundTripCSV(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "n")
		var ps []custody.Person
		for i := range n {
			ps = append(ps, genPerson(t, i))
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, ps); err != nil {
			t.Fatal(err)
		}
		rows, rep, err := ReadCSV(bytes.NewReader(buf.Bytes()), Options{})
		if err != nil || !rep.OK() {
			t.Fatalf("%v %+v\n%s", err, rep, buf.String())
		}
		if len(rows) != len(ps) {
			t.Fatalf("%d rows for %d persons", len(rows), len(ps))
		}
		for i, r := range rows {
			want := ps[i]
			got := r.Person
			sortNames := func(ns []custody.Name) {
				slices.SortStableFunc(ns, func(a, b custody.Name) int {
					return rank(a) - rank(b)
				})
			}
			sortNames(want.Names)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("row %d:\n got %+v\nwant %+v\n%s", i, got, want, buf.String())
			}
		}
	})
}

func rank(n custody.Name) int {
	for i, no := range nameOrder {
		if no.script == n.Script && no.kind == n.Kind {
			return i
		}
	}
	return len(nameOrder)
}

func TestRoundTripJSONL(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps := []custody.Person{genPerson(t, 0), genPerson(t, 1)}
		ps[1].Property = []custody.Item{{Description: "watch", Quantity: 1}}
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, ps); err != nil {
			t.Fatal(err)
		}
		rows, rep, err := ReadJSONL(&buf, Options{})
		if err != nil || !rep.OK() || len(rows) != 2 {
			t.Fatalf("%v %+v", err, rep)
		}
		for i := range ps {
			if !reflect.DeepEqual(rows[i].Person, ps[i]) {
				t.Fatalf("row %d:\n got %+v\nwant %+v", i, rows[i].Person, ps[i])
			}
		}
	})
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"#person +name", "#a+b+c", " # x", "#p +i_ar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, ok := ParseTag(s)
		if !ok {
			return
		}
		again, ok := ParseTag(tag.String())
		if !ok || again.String() != tag.String() {
			t.Fatalf("%q → %q → %q", s, tag, again)
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"registry.csv", "bad.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, rep, err := ReadCSV(bytes.NewReader(b), Options{MaxRows: 50})
		if err != nil {
			t.Fatal(err) // a bytes.Reader never fails: content problems go in the report
		}
		if rep.Rows < len(rows) {
			t.Fatalf("%d rows counted, %d returned", rep.Rows, len(rows))
		}
		for _, r := range rows {
			p := r.Person
			if p.ID == uuid.Nil {
				p.ID = uuid.Max
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("line %d returned though invalid: %v", r.Line, err)
			}
		}
	})
}

func FuzzReadJSONL(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "registry.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, rep, err := ReadJSONL(bytes.NewReader(b), Options{MaxRows: 50})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows < len(rows) {
			t.Fatalf("%d rows counted, %d returned", rep.Rows, len(rows))
		}
	})
}
