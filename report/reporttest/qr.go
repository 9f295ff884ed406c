// Package reporttest reads back what package report writes, for tests: the QR
// codes drawn on a PDF's pages. It is imported by tests only.
//
// A QR code is drawn as vector graphics, one black filled rectangle per dark
// module. DecodeQRCodes finds those rectangles on a page, groups them into
// codes, paints each code on a white bitmap with a quiet zone, and decodes it.
package reporttest

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"

	"github.com/carlos7ags/folio/reader"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ModuleMax is the largest module, in points, that DecodeQRCodes looks for:
// larger black rectangles are not modules.
const ModuleMax = 3.0

// CodeGap is the least vertical distance, in points, between two codes stacked
// in one column: two cell paddings of report's layout, less a point.
const CodeGap = 2*4.0 - 1

// QRCodes returns the text of every QR code of a PDF, page by page, each page's
// top to bottom.
func QRCodes(pdf []byte) ([]string, error) {
	r, err := reader.Parse(pdf)
	if err != nil {
		return nil, fmt.Errorf("parse PDF: %w", err)
	}
	var out []string
	for i := range r.PageCount() {
		pg, err := r.Page(i)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		paths, err := pg.PathOps()
		if err != nil {
			return nil, fmt.Errorf("page %d: paths: %w", i+1, err)
		}
		codes, err := DecodeQRCodes(paths, CodeGap)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		out = append(out, codes...)
	}
	return out, nil
}

// DecodeQRCodes returns the text of every QR code among one page's paths, top to
// bottom; codes are told apart by a vertical gap of at least gap points.
func DecodeQRCodes(paths []reader.PathOp, gap float64) ([]string, error) {
	var modules []image.Rectangle // in hundredths of a point, y growing downward
	var mod float64
	for _, p := range paths {
		if p.Type != reader.PathRect || p.FillColor != [3]float64{} || len(p.Points) != 2 {
			continue
		}
		w, h := p.Points[1][0], p.Points[1][1]
		if w <= 0 || h <= 0 || w > ModuleMax || h > ModuleMax {
			continue
		}
		if mod == 0 || w < mod {
			mod = w
		}
		x, y := p.Points[0][0], p.Points[0][1]
		modules = append(modules, image.Rect(hundredths(x), -hundredths(y+h), hundredths(x+w), -hundredths(y)))
	}
	slices.SortFunc(modules, func(a, b image.Rectangle) int { return a.Min.Y - b.Min.Y })
	var codes [][]image.Rectangle
	for i, m := range modules {
		if i == 0 || m.Min.Y-modules[i-1].Max.Y > hundredths(gap) {
			codes = append(codes, nil)
		}
		codes[len(codes)-1] = append(codes[len(codes)-1], m)
	}
	var out []string
	for i, c := range codes {
		text, err := decodeQR(c, hundredths(mod))
		if err != nil {
			return out, fmt.Errorf("QR code %d of %d: %w", i+1, len(codes), err)
		}
		out = append(out, text)
	}
	return out, nil
}

func hundredths(pt float64) int { return int(math.Round(pt * 100)) }

// decodeQR paints modules (of side mod) eight pixels to a module inside a
// four-module quiet zone and decodes the result.
func decodeQR(modules []image.Rectangle, mod int) (string, error) {
	var box image.Rectangle
	for i, m := range modules {
		if i == 0 {
			box = m
		}
		box = box.Union(m)
	}
	const px, quiet = 8, 4
	cell := func(v int) int { return int(math.Round(float64(v) / float64(mod))) }
	n := max(cell(box.Dx()), cell(box.Dy()))
	img := image.NewGray(image.Rect(0, 0, (n+2*quiet)*px, (n+2*quiet)*px))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for _, m := range modules {
		x0, y0 := cell(m.Min.X-box.Min.X)+quiet, cell(m.Min.Y-box.Min.Y)+quiet
		x1, y1 := cell(m.Max.X-box.Min.X)+quiet, cell(m.Max.Y-box.Min.Y)+quiet
		draw.Draw(img, image.Rect(x0*px, y0*px, x1*px, y1*px), image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_PURE_BARCODE: true,
	})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
