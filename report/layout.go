package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/carlos7ags/folio/barcode"
	"github.com/carlos7ags/folio/document"
	"github.com/carlos7ags/folio/layout"
)

// Page geometry and type sizes, in PDF points (1/72 inch). A4 is 595 × 842.
const (
	margin     = 28.0 // about 10 mm on every side
	textSize   = 8.5
	nameSize   = 10.0 // Arabic script needs a little more size to read as well as Latin
	labelSize  = 7.0
	titleSize  = 15.0
	qrSize     = 40.0 // about 14 mm: a version 4–5 code has modules of ~0.4 mm
	photoW     = 30.0 // placeholder box for a passport-style photo (3:4)
	photoH     = 40.0
	cellPad    = 3.0
	qrCellPad  = 4.0 // the code's quiet zone: about four modules of a version 5 code
	sigLineLen = 26  // underscores on a signature block's blank lines
)

var (
	ruleColor  = layout.Gray(0.55)
	shadeColor = layout.Gray(0.9)
)

// printer builds the layout elements of one manifest.
type printer struct {
	m     Manifest
	l     Labels
	fonts fonts
	rtl   bool
}

// text is a paragraph in the manifest's fonts, aligned to the start edge of
// the page's direction.
func (p *printer) text(s string, size float64) *layout.Paragraph {
	para := p.fonts.paragraph(s, size)
	if p.rtl {
		para.SetDirection(layout.DirectionRTL)
		para.SetAlign(layout.AlignRight)
	} else {
		para.SetDirection(layout.DirectionLTR)
		para.SetAlign(layout.AlignLeft)
	}
	return para
}

// arabic is a paragraph for text in Arabic script: right to left and
// right-aligned whatever the page's direction.
func (p *printer) arabic(s string, size float64) *layout.Paragraph {
	return p.fonts.paragraph(s, size).
		SetDirection(layout.DirectionRTL).SetAlign(layout.AlignRight)
}

// table is a table whose columns run from the start edge of the page.
func (p *printer) table(widths ...float64) *layout.Table {
	units := make([]layout.UnitValue, len(widths))
	for i, w := range widths {
		units[i] = layout.Pct(w)
	}
	t := layout.NewTable().SetColumnUnitWidths(units).SetBorderCollapse(true)
	if p.rtl {
		t.SetDirection(layout.DirectionRTL)
	}
	return t
}

// runningHeader is printed at the top of every page: the title, the movement
// and its parties, so that a loose page still says which manifest it is from.
func (p *printer) runningHeader(document.PageContext) layout.Element {
	t := p.table(60, 40)
	r := t.AddRow()
	left := joinNonEmpty(" — ", p.m.Title, p.m.Movement)
	right := joinNonEmpty(" / ", p.m.From, p.m.To)
	for _, s := range []string{left, right} {
		c := r.AddCellElement(p.text(s, textSize))
		c.SetBorders(layout.CellBorders{Bottom: layout.SolidBorder(0.75, ruleColor)})
		c.SetPaddingSides(layout.Padding{Bottom: 3})
	}
	return t
}

// footer is printed at the bottom of every page: the print time and the page
// number out of the total.
func (p *printer) footer(ctx document.PageContext) layout.Element {
	t := p.table(50, 50)
	r := t.AddRow()
	printed := ""
	if !p.m.PrintedAt.IsZero() {
		printed = p.l.Printed + " " + p.m.PrintedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	page := p.text(p.l.pageOf(ctx.PageIndex+1, ctx.TotalPages), textSize)
	if p.rtl {
		page.SetAlign(layout.AlignLeft)
	} else {
		page.SetAlign(layout.AlignRight)
	}
	for _, e := range []layout.Element{p.text(printed, textSize), page} {
		c := r.AddCellElement(e)
		c.SetBorders(layout.CellBorders{Top: layout.SolidBorder(0.75, ruleColor)})
		c.SetPaddingSides(layout.Padding{Top: 3})
	}
	return t
}

// headerBlock opens the first page: the title, then the movement's facts as
// label–value pairs, two pairs to a line.
func (p *printer) headerBlock() layout.Element {
	d := layout.NewDiv()
	d.Add(p.text(p.m.Title, titleSize).SetSpaceAfter(6))

	m, l := p.m, p.l
	// A plain comma: the Arabic comma (U+060C) belongs to no script, so
	// between Latin vehicle names it would be set in Noto Sans, which lacks it.
	sep := ", "
	pairs := [][2]string{
		{l.Movement, m.Movement}, {l.Campaign, m.Campaign},
		{l.From, m.From}, {l.To, m.To},
		{l.Origin, m.Origin}, {l.Destination, m.Destination},
		{l.Escort, m.Escort}, {l.Departs, m.Departs},
		{l.Vehicles, strings.Join(m.Vehicles, sep)}, {l.Persons, strconv.Itoa(len(m.Rows))},
	}
	t := p.table(14, 36, 14, 36)
	var r *layout.Row
	for i, kv := range pairs {
		if i%2 == 0 {
			r = t.AddRow()
		}
		k := r.AddCellElement(p.text(kv[0], labelSize))
		k.SetBackground(shadeColor)
		v := r.AddCellElement(p.text(kv[1], textSize+0.5))
		for _, c := range []*layout.Cell{k, v} {
			c.SetBorders(layout.AllBorders(layout.SolidBorder(0.5, ruleColor)))
			c.SetPadding(cellPad)
			c.SetVAlign(layout.VAlignMiddle)
		}
	}
	d.Add(t)
	d.SetSpaceAfter(8)
	return d
}

// Column widths of the person table, in percent of the text width (539 pt).
var personColumns = []float64{
	5,    // #, up to four digits
	11.5, // registration number
	18.5, // name in Arabic script
	17.5, // name in Latin script
	6,    // nationality
	12.5, // category
	7.5,  // vehicle
	5,    // seat
	7,    // photo
	9.5,  // QR code of the record
}

// personTable is one row per person; its heading row repeats on every page
// and a row never splits across pages.
func (p *printer) personTable() (*layout.Table, error) {
	l := p.l
	t := p.table(personColumns...)
	h := t.AddHeaderRow()
	for _, s := range []string{l.No, l.RegNo, l.NameArabic, l.NameLatin, l.Nationality,
		l.Category, l.Vehicle, l.Seat, l.Photo, l.Record} {
		c := h.AddCellElement(p.text(s, labelSize))
		p.cellStyle(c)
		c.SetBackground(shadeColor)
	}
	for i, row := range p.m.Rows {
		r := t.AddRow()
		for _, e := range []*layout.Paragraph{
			p.text(strconv.Itoa(i+1), textSize),
			p.text(row.RegNo, textSize),
			p.arabic(row.NameArabic, nameSize),
			p.text(row.NameLatin, textSize),
			p.text(row.Nationality, textSize),
			p.text(row.Category, textSize),
			p.text(row.Vehicle, textSize),
			p.text(row.Seat, textSize),
		} {
			p.cellStyle(r.AddCellElement(e))
		}
		photo := layout.NewDiv().SetWidth(photoW).SetMinHeight(photoH).
			SetBorder(layout.DashedBorder(0.5, ruleColor))
		p.cellStyle(r.AddCellElement(photo))

		var code layout.Element = p.text("", textSize)
		if row.RecordURL != "" {
			qr, err := barcode.NewQR(row.RecordURL)
			if err != nil {
				return nil, fmt.Errorf("report: row %d (%s): QR code of record URL: %w", i+1, row.RegNo, err)
			}
			code = layout.NewBarcodeElement(qr, qrSize).SetHeight(qrSize).
				SetAlign(layout.AlignCenter).SetAltText(row.RecordURL)
		}
		c := r.AddCellElement(code)
		p.cellStyle(c)
		c.SetPadding(qrCellPad)
	}
	return t, nil
}

// cellStyle gives a person-table cell its rules, padding and alignment.
func (p *printer) cellStyle(c *layout.Cell) {
	c.SetBorders(layout.AllBorders(layout.SolidBorder(0.5, ruleColor)))
	c.SetPadding(cellPad)
	c.SetVAlign(layout.VAlignMiddle)
}

// signatures closes the manifest: one block per officer, side by side, kept
// on one page together with their heading.
func (p *printer) signatures() layout.Element {
	d := layout.NewDiv().SetKeepTogether(true).SetSpaceBefore(12)
	d.Add(p.text(p.l.Signatures, nameSize).SetSpaceAfter(4))
	n := len(p.m.Signatures)
	widths := make([]float64, n)
	for i := range widths {
		widths[i] = 100 / float64(n)
	}
	t := p.table(widths...)
	r := t.AddRow()
	blank := strings.Repeat("_", sigLineLen)
	for _, s := range p.m.Signatures {
		name := s.Name
		if name == "" {
			name = blank
		}
		b := layout.NewDiv()
		b.Add(p.text(s.Role, nameSize).SetSpaceAfter(10))
		b.Add(p.text(p.l.Name+": "+name, textSize).SetSpaceAfter(14))
		b.Add(p.text(p.l.Signature+": "+blank, textSize).SetSpaceAfter(14))
		b.Add(p.text(p.l.Time+": "+blank, textSize))
		c := r.AddCellElement(b)
		c.SetBorders(layout.AllBorders(layout.SolidBorder(0.5, ruleColor)))
		c.SetPadding(6)
	}
	d.Add(t)
	return d
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
