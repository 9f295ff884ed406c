package bulk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// A column maps one hashtag to one field of a person. Columns is the whole table;
// docs/bulk.md prints it for users, and a test checks the two agree.
type column struct {
	tag    string // the hashtag and the attributes a column must carry
	field  string // the field's path in the API's person object
	header string // the header the export writes above the hashtag row
	// set stores a non-empty cell into p; n is the column's occurrence among the
	// columns of the same tag (0 for the first), for repeated groups like next of kin.
	set func(p *custody.Person, v string, n int) error
	// get returns the values the export writes, one per occurrence of the column.
	get func(p *custody.Person) []string
}

func text(field func(p *custody.Person) *string) (func(*custody.Person, string, int) error, func(*custody.Person) []string) {
	return func(p *custody.Person, v string, _ int) error { *field(p) = v; return nil },
		func(p *custody.Person) []string { return []string{*field(p)} }
}

func textColumn(tag, field, header string, f func(p *custody.Person) *string) column {
	set, get := text(f)
	return column{tag: tag, field: field, header: header, set: set, get: get}
}

// Columns is the table of hashtags handover reads and writes. Names are the one
// family apart: see nameColumn.
var columns = []column{
	{tag: "#meta +id", field: "id", header: "Id",
		set: func(p *custody.Person, v string, _ int) error {
			id, err := uuid.Parse(v)
			if err != nil {
				return fmt.Errorf("%q is not a UUID", v)
			}
			p.ID = id
			return nil
		},
		get: func(p *custody.Person) []string { return []string{uuidText(p.ID)} }},
	textColumn("#person +code", "reg_no", "Registration number", func(p *custody.Person) *string { return &p.RegNo }),
	{tag: "#person +sex", field: "sex", header: "Sex",
		set: func(p *custody.Person, v string, _ int) error {
			switch strings.ToLower(v) {
			case "m", "male":
				p.Sex = custody.Male
			case "f", "female":
				p.Sex = custody.Female
			case "u", "unknown":
				p.Sex = custody.Unknown
			default:
				return fmt.Errorf("%q is not a sex: male, female or unknown (m, f, u)", v)
			}
			return nil
		},
		get: func(p *custody.Person) []string { return []string{string(p.Sex)} }},
	textColumn("#person +gender", "gender", "Gender", func(p *custody.Person) *string { return &p.Gender }),
	{tag: "#date +birth", field: "birth.date", header: "Date of birth",
		set: func(p *custody.Person, v string, _ int) error {
			b, err := parseBirth(v)
			if err != nil {
				return err
			}
			p.Birth.Date, p.Birth.Precision = b.Date, b.Precision
			return nil
		},
		get: func(p *custody.Person) []string { return []string{birthText(p.Birth)} }},
	textColumn("#description +age", "birth.age_assessment", "How age was assessed", func(p *custody.Person) *string { return &p.Birth.AgeAssessment }),
	textColumn("#loc +birth", "birth_place", "Place of birth", func(p *custody.Person) *string { return &p.BirthPlace }),
	{tag: "#country +nationality", field: "nationalities", header: "Nationalities",
		set: func(p *custody.Person, v string, _ int) error {
			for _, c := range splitList(v, ";, ") {
				c = strings.ToUpper(c)
				if !custody.IsCountry(c) {
					return fmt.Errorf("%q is not an ISO 3166-1 alpha-3 code (XXX when unknown, XXA when stateless)", c)
				}
				p.Nationalities = append(p.Nationalities, c)
			}
			return nil
		},
		get: func(p *custody.Person) []string { return []string{strings.Join(p.Nationalities, ";")} }},
	{tag: "#person +category", field: "category", header: "Category",
		set: func(p *custody.Person, v string, _ int) error {
			c := custody.Category(strings.ToLower(v))
			if !slices.Contains(custody.Categories(), c) {
				return fmt.Errorf("%q is not a category: %s", v, joinCategories())
			}
			p.Category = c
			return nil
		},
		get: func(p *custody.Person) []string { return []string{string(p.Category)} }},
	{tag: "#group +household", field: "household", header: "Household",
		set: func(p *custody.Person, v string, _ int) error {
			// The reader turns a label of the file's own ("H12") into an id first.
			id, err := uuid.Parse(v)
			if err != nil {
				return fmt.Errorf("%q is not a household id", v)
			}
			p.Household = id
			return nil
		},
		get: func(p *custody.Person) []string { return []string{uuidText(p.Household)} }},
	identifierColumn(custody.ICRCNumber, "ICRC number"),
	identifierColumn(custody.InternmentSerial, "Internment serial number"),
	identifierColumn(custody.NationalID, "National ID"),
	identifierColumn(custody.Passport, "Passport"),
	identifierColumn(custody.OtherID, "Other identifier"),
	textColumn("#description +identity", "identity_established_by", "Identity established by", func(p *custody.Person) *string { return &p.IdentityEstablishedBy }),
	textColumn("#person +father +name", "father_name", "Father's name", func(p *custody.Person) *string { return &p.FatherName }),
	textColumn("#person +mother +name", "mother_maiden_name", "Mother's maiden name", func(p *custody.Person) *string { return &p.MotherMaidenName }),
	textColumn("#loc +residence", "last_residence", "Last residence", func(p *custody.Person) *string { return &p.LastResidence }),
	textColumn("#description +marks", "distinguishing_marks", "Distinguishing marks", func(p *custody.Person) *string { return &p.DistinguishingMarks }),
	textColumn("#description +detention", "detention.reasons", "Reasons for detention", func(p *custody.Person) *string { return &p.Detention.Reasons }),
	textColumn("#org +authority", "detention.ordering_authority", "Ordering authority", func(p *custody.Person) *string { return &p.Detention.OrderingAuthority }),
	textColumn("#meta +order", "detention.order_reference", "Order reference", func(p *custody.Person) *string { return &p.Detention.OrderReference }),
	textColumn("#date +arrest", "detention.arrest_date", "Date of arrest", func(p *custody.Person) *string { return &p.Detention.ArrestDate }),
	textColumn("#loc +arrest", "detention.arrest_place", "Place of arrest", func(p *custody.Person) *string { return &p.Detention.ArrestPlace }),
	textColumn("#org +arresting", "detention.arresting_officials", "Arresting officials", func(p *custody.Person) *string { return &p.Detention.ArrestingOfficials }),
	textColumn("#description +injuries", "injuries", "Injuries on admission", func(p *custody.Person) *string { return &p.Injuries }),
	textColumn("#description +complaints", "complaints", "Complaints of ill-treatment", func(p *custody.Person) *string { return &p.Complaints }),
	{tag: "#person +flag", field: "flags", header: "Flags",
		set: func(p *custody.Person, v string, _ int) error {
			for _, f := range splitList(v, ";, ") {
				p.Flags = append(p.Flags, custody.Flag(strings.ToLower(f)))
			}
			return nil
		},
		get: func(p *custody.Person) []string { return []string{joinFlags(p.Flags)} }},
	{tag: "#meta +reconstructed", field: "reconstructed.sources", header: "Reconstructed from",
		set: func(p *custody.Person, v string, _ int) error {
			p.Reconstructed = &custody.Provenance{Sources: splitList(v, ";")}
			return nil
		},
		get: func(p *custody.Person) []string {
			if p.Reconstructed == nil {
				return []string{""}
			}
			return []string{strings.Join(p.Reconstructed.Sources, ";")}
		}},
	kinColumn("#contact +name", "name", "Next of kin", func(k *custody.Kin) *string { return &k.Name }),
	kinColumn("#contact +relationship", "relationship", "Relationship", func(k *custody.Kin) *string { return &k.Relationship }),
	kinColumn("#contact +phone", "contact", "Contact", func(k *custody.Kin) *string { return &k.Contact }),
	kinColumn("#contact +loc", "location", "Where they are", func(k *custody.Kin) *string { return &k.Location }),
	{tag: "#contact +notify", field: "next_of_kin[].notify", header: "Inform",
		set: func(p *custody.Person, v string, n int) error {
			b, err := parseBool(v)
			if err != nil {
				return err
			}
			kin(p, n).Notify = b
			return nil
		},
		get: func(p *custody.Person) []string {
			out := make([]string, len(p.NextOfKin))
			for i, k := range p.NextOfKin {
				out[i] = map[bool]string{true: "yes", false: "no"}[k.Notify]
			}
			return out
		}},
}

func identifierColumn(kind custody.IdentifierKind, header string) column {
	return column{tag: "#person +id +" + string(kind), field: "identifiers[]", header: header,
		set: func(p *custody.Person, v string, _ int) error {
			p.Identifiers = append(p.Identifiers, custody.Identifier{Kind: kind, Value: v})
			return nil
		},
		get: func(p *custody.Person) []string {
			var out []string
			for _, id := range p.Identifiers {
				if id.Kind == kind {
					out = append(out, id.Value)
				}
			}
			return out
		}}
}

// kinColumn is one field of the n-th next of kin: the n-th "#contact +name" column
// and the n-th "#contact +relationship" column describe the same person.
func kinColumn(tag, field, header string, f func(k *custody.Kin) *string) column {
	return column{tag: tag, field: "next_of_kin[]." + field, header: header,
		set: func(p *custody.Person, v string, n int) error { *f(kin(p, n)) = v; return nil },
		get: func(p *custody.Person) []string {
			out := make([]string, len(p.NextOfKin))
			for i := range p.NextOfKin {
				out[i] = *f(&p.NextOfKin[i])
			}
			return out
		}}
}

func kin(p *custody.Person, n int) *custody.Kin {
	for len(p.NextOfKin) <= n {
		p.NextOfKin = append(p.NextOfKin, custody.Kin{})
	}
	return &p.NextOfKin[n]
}

// nameKinds are the attributes that say which kind of name a "#person +name" column
// holds; none means the primary name. "+i_ar" says it is written in Arabic script.
var nameKinds = []custody.NameKind{custody.Spelling, custody.Kunya, custody.Alias}

// nameTag is the tag of a column of names of a script and kind.
func nameTag(s custody.Script, k custody.NameKind) Tag {
	t := Tag{Name: "person", Attrs: []string{"name"}}
	if k != custody.PrimaryName {
		t.Attrs = append(t.Attrs, string(k))
	}
	if s == custody.Arabic {
		t.Attrs = append(t.Attrs, "i_ar")
	}
	t, _ = ParseTag(t.String()) // sorted
	return t
}

// nameOf reports the script and kind of a column tagged "#person +name …", and false
// for any other tag (the father's and mother's names among them).
func nameOf(t Tag) (custody.Script, custody.NameKind, bool) {
	if t.Name != "person" || !t.Has("name") || t.Has("father") || t.Has("mother") {
		return "", "", false
	}
	script, kind := custody.Latin, custody.PrimaryName
	if t.Has("i_ar") {
		script = custody.Arabic
	}
	for _, k := range nameKinds {
		if t.Has(string(k)) {
			kind = k
		}
	}
	return script, kind, true
}

func splitList(v string, seps string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinCategories() string {
	var s []string
	for _, c := range custody.Categories() {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func joinFlags(fs []custody.Flag) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ";")
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1", "x":
		return true, nil
	case "no", "n", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", v)
}

func uuidText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// parseBirth reads a date of birth with its precision from its form: 1990-05-12
// (day), 1990-05 (month), 1990 (year), ~1990 (estimated).
func parseBirth(v string) (custody.BirthDate, error) {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "~") && len(v) == 5:
		return custody.BirthDate{Date: v[1:], Precision: custody.Estimated}, nil
	case len(v) == 4:
		return custody.BirthDate{Date: v, Precision: custody.Year}, nil
	case len(v) == 7:
		return custody.BirthDate{Date: v, Precision: custody.Month}, nil
	case len(v) == 10:
		return custody.BirthDate{Date: v, Precision: custody.Day}, nil
	}
	return custody.BirthDate{}, fmt.Errorf("%q is not a date of birth: YYYY-MM-DD, YYYY-MM, YYYY, or ~YYYY when estimated", v)
}

func birthText(b custody.BirthDate) string {
	if b.Precision == custody.Estimated {
		return "~" + b.Date
	}
	return b.Date
}
