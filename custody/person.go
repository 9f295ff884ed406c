package custody

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Category is the kind of person held. It decides separation rules and which places
// of a facility the person fills.
type Category string

const (
	Detainee           Category = "detainee"
	FamilyMember       Category = "family_member" // accompanies a detained relative; not a prisoner (SMR 29(2))
	Minor              Category = "minor"
	UnaccompaniedMinor Category = "unaccompanied_minor"
)

var categories = []Category{Detainee, FamilyMember, Minor, UnaccompaniedMinor}

// Sex as recorded; Gender keeps the person's self-perceived gender where it differs (SMR 7(a)).
type Sex string

const (
	Male    Sex = "male"
	Female  Sex = "female"
	Unknown Sex = "unknown"
)

var sexes = []Sex{Male, Female, Unknown}

// Script of a written name: Arabic or Latin.
type Script string

const (
	Arabic Script = "Arab"
	Latin  Script = "Latn"
)

// NameKind distinguishes a person's name from its other spellings and aliases.
type NameKind string

const (
	PrimaryName NameKind = "primary"  // the name as the person or the registering officer gives it
	Spelling    NameKind = "spelling" // another Latin spelling met in documents
	Kunya       NameKind = "kunya"    // e.g. "Abu Omar"
	Alias       NameKind = "alias"    // nom de guerre or other alias
)

var nameKinds = []NameKind{PrimaryName, Spelling, Kunya, Alias}

// Name is one written form of a person's name.
type Name struct {
	Text   string   `json:"text"`
	Script Script   `json:"script"`
	Kind   NameKind `json:"kind"`
}

// DatePrecision says how much of a date of birth is known.
type DatePrecision string

const (
	Day       DatePrecision = "day"       // YYYY-MM-DD
	Month     DatePrecision = "month"     // YYYY-MM
	Year      DatePrecision = "year"      // YYYY
	Estimated DatePrecision = "estimated" // YYYY, estimated from appearance or account
)

// BirthDate is a date of birth with its precision.
type BirthDate struct {
	Date      string        `json:"date"` // ISO 8601, as long as the precision allows
	Precision DatePrecision `json:"precision"`
	// AgeAssessment says how an age was established when no document shows it (CRC 7–8).
	AgeAssessment string `json:"age_assessment,omitempty"`
}

// Identifier is an external identifier (ICRC number, internment serial number, national ID, passport).
type Identifier struct {
	Kind   IdentifierKind `json:"kind"`
	Value  string         `json:"value"`
	Issuer string         `json:"issuer,omitempty"` // country code or organisation
}

// IdentifierKind is the sort of an external identifier.
type IdentifierKind string

const (
	ICRCNumber       IdentifierKind = "icrc"
	InternmentSerial IdentifierKind = "isn"
	NationalID       IdentifierKind = "national_id"
	Passport         IdentifierKind = "passport"
	OtherID          IdentifierKind = "other"
)

var identifierKinds = []IdentifierKind{ICRCNumber, InternmentSerial, NationalID, Passport, OtherID}

// Kin is a family member or emergency contact (SMR 7(f), 7(g); GCIV 138).
type Kin struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Contact      string `json:"contact,omitempty"`  // address, telephone, camp and block…
	Location     string `json:"location,omitempty"` // where they are, for family members held elsewhere
	Age          int    `json:"age,omitempty"`
	Notify       bool   `json:"notify,omitempty"` // the person to inform
}

// Item is a piece of property taken into safekeeping (SMR 7(e)).
type Item struct {
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
}

// Detention holds the legal grounds (SMR 7(b); ICPPED 17(3); Body of Principles 12).
type Detention struct {
	Reasons            string `json:"reasons"`
	OrderingAuthority  string `json:"ordering_authority"`
	OrderReference     string `json:"order_reference,omitempty"`
	ArrestDate         string `json:"arrest_date,omitempty"` // ISO 8601 date or date-time
	ArrestPlace        string `json:"arrest_place,omitempty"`
	ArrestingOfficials string `json:"arresting_officials,omitempty"`
}

// Provenance marks a record rebuilt after the original was lost (docs/standards.md §B).
type Provenance struct {
	Sources []string `json:"sources"`
	Note    string   `json:"note,omitempty"`
}

// Person is the record of someone in custody (docs/standards.md §B). It is registered once
// and never deleted; changes come as RecordCorrected events.
type Person struct {
	ID            uuid.UUID `json:"id"`
	RegNo         string    `json:"reg_no"`
	Names         []Name    `json:"names"`
	Sex           Sex       `json:"sex"`
	Gender        string    `json:"gender,omitempty"` // self-perceived, where it differs from sex
	Birth         BirthDate `json:"birth"`
	BirthPlace    string    `json:"birth_place,omitempty"`
	Nationalities []string  `json:"nationalities"`
	Category      Category  `json:"category"`
	// Household links people held together as a family unit; the same id on each.
	Household   uuid.UUID    `json:"household,omitzero"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// IdentityEstablishedBy says how identity was established when the person could
	// not state it (GCIII 17).
	IdentityEstablishedBy string      `json:"identity_established_by,omitempty"`
	FatherName            string      `json:"father_name,omitempty"`
	MotherMaidenName      string      `json:"mother_maiden_name,omitempty"`
	LastResidence         string      `json:"last_residence,omitempty"`
	DistinguishingMarks   string      `json:"distinguishing_marks,omitempty"`
	Detention             Detention   `json:"detention"`
	Injuries              string      `json:"injuries,omitempty"`   // visible on admission (SMR 7(d))
	Complaints            string      `json:"complaints,omitempty"` // of prior ill-treatment (SMR 7(d))
	Property              []Item      `json:"property,omitempty"`
	NextOfKin             []Kin       `json:"next_of_kin,omitempty"`
	Flags                 []Flag      `json:"flags,omitempty"`
	Reconstructed         *Provenance `json:"reconstructed,omitempty"`
	// Demo marks synthetic records loaded by `handover demo`.
	Demo bool `json:"demo,omitempty"`
}

// Flag is a condition recorded on a person by hand. Computed flags (docs/standards.md §J)
// are derived elsewhere.
type Flag string

const (
	AgeDisputed         Flag = "age_disputed"
	DeathPenaltyExposed Flag = "death_penalty_exposure"
	NoICRCAccess        Flag = "no_icrc_access"
	FamilySeparated     Flag = "family_separated"
)

var flags = []Flag{AgeDisputed, DeathPenaltyExposed, NoICRCAccess, FamilySeparated}

var (
	regNoPattern = regexp.MustCompile(`^[A-Z]{2,6}-[0-9]{6}$`)
	datePatterns = map[DatePrecision]string{Day: "2006-01-02", Month: "2006-01", Year: "2006", Estimated: "2006"}
)

// IsRegNo reports whether s has the form of a registration number: a facility's
// series of 2 to 6 capital letters, "-", six digits (HSK-000150).
func IsRegNo(s string) bool { return regNoPattern.MatchString(s) }

// PrimaryName returns the first name of the given script and kind primary, or the
// first name of that script, or "".
func (p *Person) PrimaryName(s Script) string {
	first := ""
	for _, n := range p.Names {
		if n.Script != s {
			continue
		}
		if n.Kind == PrimaryName {
			return n.Text
		}
		if first == "" {
			first = n.Text
		}
	}
	return first
}

// Validate checks a person's record: required fields, codes and formats. It does not
// check uniqueness or references; Decide does.
func (p *Person) Validate() error {
	if p.ID == uuid.Nil {
		return Errorf(Invalid, "id", "is required")
	}
	if p.RegNo != "" && !regNoPattern.MatchString(p.RegNo) {
		return Errorf(Invalid, "reg_no", "must look like HSK-000150; got %q", p.RegNo)
	}
	if len(p.Names) == 0 {
		return Errorf(Invalid, "names", "at least one name is required")
	}
	if len(p.Names) > 50 {
		return Errorf(Invalid, "names", "at most 50 names are allowed")
	}
	for i, n := range p.Names {
		if err := n.validate(); err != nil {
			return within(fmt.Sprintf("names[%d]", i), err)
		}
	}
	if err := oneOf("sex", p.Sex, sexes); err != nil {
		return err
	}
	if err := optionalText("gender", p.Gender, 100); err != nil {
		return err
	}
	if err := p.Birth.validate(); err != nil {
		return within("birth", err)
	}
	if len(p.Nationalities) == 0 {
		return Errorf(Invalid, "nationalities", "at least one is required (XXX when unknown, XXA when stateless)")
	}
	for i, c := range p.Nationalities {
		if err := validCountry(fmt.Sprintf("nationalities[%d]", i), c); err != nil {
			return err
		}
	}
	if err := oneOf("category", p.Category, categories); err != nil {
		return err
	}
	for i, id := range p.Identifiers {
		f := fmt.Sprintf("identifiers[%d]", i)
		if err := oneOf(f+".kind", id.Kind, identifierKinds); err != nil {
			return err
		}
		if err := requireCode(f+".value", id.Value, 100); err != nil {
			return err
		}
	}
	if p.Category == Detainee {
		if err := requireText("detention.reasons", p.Detention.Reasons, 2000); err != nil {
			return Errorf(Invalid, "detention.reasons", "is required for a detainee: no valid commitment order, no admission (SMR 7(b))")
		}
		if err := requireText("detention.ordering_authority", p.Detention.OrderingAuthority, 200); err != nil {
			return Errorf(Invalid, "detention.ordering_authority", "is required for a detainee (SMR 7(b))")
		}
	}
	if d := p.Detention.ArrestDate; d != "" {
		if _, err := parseDateOrTime(d); err != nil {
			return Errorf(Invalid, "detention.arrest_date", "must be an ISO 8601 date or date-time; got %q", d)
		}
	}
	for _, kv := range []struct {
		k string
		v string
	}{{"birth_place", p.BirthPlace}, {"identity_established_by", p.IdentityEstablishedBy}, {"father_name", p.FatherName}, {"mother_maiden_name", p.MotherMaidenName}, {"last_residence", p.LastResidence}, {"distinguishing_marks", p.DistinguishingMarks}, {"injuries", p.Injuries}, {"complaints", p.Complaints}, {"detention.order_reference", p.Detention.OrderReference}, {"detention.arrest_place", p.Detention.ArrestPlace}, {"detention.arresting_officials", p.Detention.ArrestingOfficials}} {
		field, v := kv.k, kv.v
		if err := optionalText(field, v, 2000); err != nil {
			return err
		}
		if isName := field == "father_name" || field == "mother_maiden_name"; isName && v != "" {
			if err := requireName(field, v, 2000); err != nil {
				return err
			}
		}
	}
	for i, it := range p.Property {
		if err := requireText(fmt.Sprintf("property[%d].description", i), it.Description, 500); err != nil {
			return err
		}
		if it.Quantity < 1 {
			return Errorf(Invalid, fmt.Sprintf("property[%d].quantity", i), "must be at least 1")
		}
	}
	for i, k := range p.NextOfKin {
		f := fmt.Sprintf("next_of_kin[%d]", i)
		if err := requireName(f+".name", k.Name, 200); err != nil {
			return err
		}
		if err := requireText(f+".relationship", k.Relationship, 100); err != nil {
			return err
		}
		if k.Age < 0 || k.Age > 130 {
			return Errorf(Invalid, f+".age", "must be between 0 and 130")
		}
	}
	for i, fl := range p.Flags {
		if err := oneOf(fmt.Sprintf("flags[%d]", i), fl, flags); err != nil {
			return err
		}
	}
	if r := p.Reconstructed; r != nil && len(r.Sources) == 0 {
		return Errorf(Invalid, "reconstructed.sources", "a reconstructed record must name at least one source")
	}
	return nil
}

func (n Name) validate() error {
	if err := requireName("text", n.Text, 200); err != nil {
		return err
	}
	if err := oneOf("script", n.Script, []Script{Arabic, Latin}); err != nil {
		return err
	}
	if err := oneOf("kind", n.Kind, nameKinds); err != nil {
		return err
	}
	want := unicode.Latin
	if n.Script == Arabic {
		want = unicode.Arabic
	}
	for _, r := range n.Text {
		if unicode.IsLetter(r) && !unicode.In(r, want, unicode.Common, unicode.Inherited) {
			return Errorf(Invalid, "text", "%q has a letter outside the %s script", n.Text, n.Script)
		}
	}
	return nil
}

func (b BirthDate) validate() error {
	if err := oneOf("precision", b.Precision, []DatePrecision{Day, Month, Year, Estimated}); err != nil {
		return err
	}
	layout := datePatterns[b.Precision]
	if _, err := time.Parse(layout, b.Date); err != nil {
		return Errorf(Invalid, "date", "must be %s for precision %s; got %q", strings.ToUpper(strings.NewReplacer("2006", "yyyy", "01", "mm", "02", "dd").Replace(layout)), b.Precision, b.Date)
	}
	return optionalText("age_assessment", b.AgeAssessment, 500)
}

// parseDateOrTime accepts an ISO 8601 date or an RFC 3339 date-time.
func parseDateOrTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
