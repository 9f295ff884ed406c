// Package report prints the project's documents as PDF: for now the movement
// manifest, the list of persons on one movement that the escort carries and
// the sending and receiving officers sign.
//
// PDF is written with github.com/carlos7ags/folio because it shapes Arabic
// (contextual forms, lam-alef ligatures, bidi order) where fpdf, gopdf and
// maroto print disconnected letters in the wrong order. Names in Arabic script
// are the names that matter in this register: a manifest that garbles them is
// useless at a handover. Folio also wraps every shaped Arabic word in an
// /ActualText span, so copying text out of the PDF gives back the logical
// Unicode string.
//
// Output is deterministic: the same Manifest gives the same bytes, because the
// only time printed is Manifest.PrintedAt and the file identifier is derived
// from the content.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/carlos7ags/folio/document"
	"github.com/carlos7ags/folio/layout"
)

// Manifest is what a printed movement manifest shows. Every string is printed
// as given, with two exceptions: Arabic vowel marks are dropped (see
// WriteManifest), and characters that neither Noto Sans nor Noto Naskh Arabic
// has (arrows, CJK, emoji) print as empty boxes. The caller formats times and
// translates labels.
type Manifest struct {
	// Lang is the language of the labels, "en" or "ar" ("" means "en").
	// "ar" lays the page out right to left: columns run from the right edge.
	Lang   string
	Title  string // e.g. "Movement manifest", already translated
	Labels Labels // every fixed string on the page, already translated

	Movement            string // movement reference, e.g. "M-0003", or its id
	Campaign            string
	From, To            string // sending and receiving parties
	Origin, Destination string // facilities
	Escort              string // escort party or unit
	Departs             string // departure time, formatted and localised by the caller
	Vehicles            []string

	Rows       []ManifestRow    // one per person, in the order printed
	Signatures []SignatureBlock // printed after the last row, side by side
	// Proofs, printed after the signature blocks, says where to get the proofs
	// that the movement's handovers are in the ledger, and how to check them.
	// Empty prints nothing.
	Proofs string

	// PrintedAt is printed in every page's footer (in UTC) and recorded as
	// the PDF's creation date. The zero time prints no time.
	PrintedAt time.Time
}

// ManifestRow is one person on the manifest.
type ManifestRow struct {
	RegNo       string // registration number, e.g. "HSK-000150"
	NameArabic  string // name in Arabic script, in logical (typed) order
	NameLatin   string
	Nationality string // ISO 3166-1 alpha-3
	Category    string
	Vehicle     string
	Seat        string
	// RecordURL is encoded as a QR code printed on the row; it should resolve
	// to the person's record page. Empty prints no code.
	RecordURL string
}

// SignatureBlock is one officer's block at the end of the manifest: the role,
// then lines for the printed name, the signature and the time.
type SignatureBlock struct {
	Role string // e.g. "Sending officer", already translated
	Name string // printed on the name line if known; empty leaves the line blank
}

// ErrLang is returned, wrapped, for a Manifest.Lang other than "", "en" or "ar".
var ErrLang = errors.New("report: unsupported manifest language")

// WriteManifest writes m to w as a PDF on A4 pages: a header block with the
// movement, parties, escort and departure; a table with one row per person,
// whose column headings repeat on every page; the signature blocks; and on
// every page a running header and a footer with the print time and the page
// number.
//
// It returns ErrLang (wrapped) for an unsupported language, an error naming
// the row whose RecordURL cannot be encoded as a QR code, or the error of w.
// Nothing is written to w before the whole document is laid out. It is safe
// to call from several goroutines at once.
//
// Arabic vowel marks (harakat, tanwin, shadda, sukun) are left out of every
// string: folio v0.11.0 drops letters next to them, and names in a register
// are written and read without them.
func WriteManifest(w io.Writer, m Manifest) error {
	var rtl bool
	switch m.Lang {
	case "", "en":
	case "ar":
		rtl = true
	default:
		return fmt.Errorf("%w: %q", ErrLang, m.Lang)
	}
	fonts, err := newFonts()
	if err != nil {
		return err
	}
	p := &printer{m: m, l: m.Labels.withDefaults(), fonts: fonts, rtl: rtl}

	table, err := p.personTable()
	if err != nil {
		return err
	}

	doc := document.NewDocument(document.PageSizeA4)
	doc.SetMargins(layout.Margins{Top: margin, Right: margin, Bottom: margin, Left: margin})
	doc.Info.Title = joinNonEmpty(" ", m.Title, m.Movement)
	doc.Info.Subject = m.Campaign
	doc.Info.Creator = "handover"
	doc.Info.Language = m.Lang
	if doc.Info.Language == "" {
		doc.Info.Language = "en"
	}
	doc.Info.CreationDate = m.PrintedAt
	doc.Info.ModDate = m.PrintedAt

	doc.SetHeaderElement(p.runningHeader)
	doc.SetFooterElement(p.footer)
	doc.Add(p.headerBlock())
	doc.Add(table)
	if len(m.Signatures) > 0 {
		doc.Add(p.signatures())
	}
	if m.Proofs != "" {
		doc.Add(layout.NewDiv().SetSpaceBefore(8).Add(p.text(m.Proofs, labelSize)))
	}
	var buf bytes.Buffer
	if _, err := doc.WriteToWithOptions(&buf, document.WriteOptions{Deterministic: true}); err != nil {
		return fmt.Errorf("report: lay out manifest %s: %w", m.Movement, err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("report: write manifest %s: %w", m.Movement, err)
	}
	return nil
}
