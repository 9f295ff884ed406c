package report

import (
	"strconv"
	"strings"
)

// Labels holds every fixed string printed on a manifest, already translated
// by the caller into the manifest's language. An empty field prints the
// English text of EnglishLabels, so a caller that translates only some labels
// still gets a complete page.
type Labels struct {
	// Header block.
	Movement, Campaign, From, To, Origin, Destination, Escort, Departs, Vehicles string
	Persons                                                                      string // head count, e.g. "Persons"

	// Table columns.
	No, RegNo, NameArabic, NameLatin, Nationality, Category, Vehicle, Seat, Photo, Record string

	// Signature blocks.
	Signatures string // heading above the blocks
	Name       string // line for the officer's printed name
	Signature  string // line for the signature
	Time       string // line for the time of signing

	// Footer.
	Printed string // before the print time, e.g. "Printed"
	// Page is the page counter with the placeholders {page} and {pages},
	// e.g. "Page {page} of {pages}" or "صفحة {page} من {pages}".
	Page string
}

// EnglishLabels returns the English labels, the defaults for empty fields.
func EnglishLabels() Labels {
	return Labels{
		Movement:    "Movement",
		Campaign:    "Campaign",
		From:        "Sending party",
		To:          "Receiving party",
		Origin:      "Origin",
		Destination: "Destination",
		Escort:      "Escort",
		Departs:     "Departs",
		Vehicles:    "Vehicles",
		Persons:     "Persons",
		No:          "#",
		RegNo:       "Reg. no",
		NameArabic:  "Name (Arabic)",
		NameLatin:   "Name (Latin)",
		Nationality: "Nat.",
		Category:    "Category",
		Vehicle:     "Vehicle",
		Seat:        "Seat",
		Photo:       "Photo",
		Record:      "Record",
		Signatures:  "Signatures",
		Name:        "Name",
		Signature:   "Signature",
		Time:        "Time",
		Printed:     "Printed",
		Page:        "Page {page} of {pages}",
	}
}

// withDefaults returns l with every empty field set from EnglishLabels.
func (l Labels) withDefaults() Labels {
	d := EnglishLabels()
	for _, f := range []struct {
		dst *string
		def string
	}{
		{&l.Movement, d.Movement}, {&l.Campaign, d.Campaign}, {&l.From, d.From},
		{&l.To, d.To}, {&l.Origin, d.Origin}, {&l.Destination, d.Destination},
		{&l.Escort, d.Escort}, {&l.Departs, d.Departs}, {&l.Vehicles, d.Vehicles},
		{&l.Persons, d.Persons}, {&l.No, d.No}, {&l.RegNo, d.RegNo},
		{&l.NameArabic, d.NameArabic}, {&l.NameLatin, d.NameLatin},
		{&l.Nationality, d.Nationality}, {&l.Category, d.Category},
		{&l.Vehicle, d.Vehicle}, {&l.Seat, d.Seat}, {&l.Photo, d.Photo},
		{&l.Record, d.Record}, {&l.Signatures, d.Signatures}, {&l.Name, d.Name},
		{&l.Signature, d.Signature}, {&l.Time, d.Time}, {&l.Printed, d.Printed},
		{&l.Page, d.Page},
	} {
		if *f.dst == "" {
			*f.dst = f.def
		}
	}
	return l
}

// pageOf fills the {page} and {pages} placeholders of the Page label.
func (l Labels) pageOf(page, pages int) string {
	return strings.NewReplacer(
		"{page}", strconv.Itoa(page),
		"{pages}", strconv.Itoa(pages),
	).Replace(l.Page)
}
