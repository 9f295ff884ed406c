package report

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"testing"

	"github.com/carlos7ags/folio/reader"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// A QR code is drawn as vector graphics, one black filled rectangle per dark
// module. decodeQRCodes finds those rectangles on a page, groups them into
// codes, paints each code on a white bitmap with a quiet zone, and decodes it.

// qrModuleMax is the largest module, in points, that decodeQRCodes looks for:
// larger black rectangles are not modules.
const qrModuleMax = 3.0

// decodeQRCodes returns the text of every QR code among paths, top to bottom.
func decodeQRCodes(t testing.TB, paths []reader.PathOp) []string {
	t.Helper()
	var modules []image.Rectangle // in hundredths of a point, y growing downward
	var mod float64
	for _, p := range paths {
		if p.Type != reader.PathRect || p.FillColor != [3]float64{} || len(p.Points) != 2 {
			continue
		}
		w, h := p.Points[1][0], p.Points[1][1]
		if w <= 0 || h <= 0 || w > qrModuleMax || h > qrModuleMax {
			continue
		}
		if mod == 0 || w < mod {
			mod = w
		}
		x, y := p.Points[0][0], p.Points[0][1]
		modules = append(modules, image.Rect(hundredths(x), -hundredths(y+h), hundredths(x+w), -hundredths(y)))
	}
	// Codes are stacked in one column, at least two cell paddings apart;
	// inside a code no gap is wider than a few light modules.
	slices.SortFunc(modules, func(a, b image.Rectangle) int { return a.Min.Y - b.Min.Y })
	var codes [][]image.Rectangle
	for i, m := range modules {
		if i == 0 || m.Min.Y-modules[i-1].Max.Y > hundredths(2*qrCellPad-1) {
			codes = append(codes, nil)
		}
		codes[len(codes)-1] = append(codes[len(codes)-1], m)
	}
	var out []string
	for i, c := range codes {
		text, err := decodeQR(c, hundredths(mod))
		if err != nil {
			t.Errorf("QR code %d of %d: %v", i+1, len(codes), err)
			continue
		}
		out = append(out, text)
	}
	return out
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
