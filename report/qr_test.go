package report

import (
	"testing"

	"github.com/carlos7ags/folio/reader"

	"github.com/handover-project/handover/report/reporttest"
)

// decodeQRCodes returns the text of every QR code among a page's paths, top to
// bottom (reporttest.DecodeQRCodes, with this layout's gap between codes).
func decodeQRCodes(t testing.TB, paths []reader.PathOp) []string {
	t.Helper()
	out, err := reporttest.DecodeQRCodes(paths, 2*qrCellPad-1)
	if err != nil {
		t.Error(err)
	}
	return out
}

// TestReporttestGap holds reporttest's gap between codes to this layout's.
func TestReporttestGap(t *testing.T) {
	if reporttest.CodeGap != 2*qrCellPad-1 {
		t.Fatalf("reporttest.CodeGap is %v; the layout's cell padding makes it %v", reporttest.CodeGap, 2*qrCellPad-1)
	}
}
