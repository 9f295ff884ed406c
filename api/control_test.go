package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestSignedControlChange passes HSK from SDF to IRQ with a control-change document
// both officers signed, after refusing a forged one; the control history shows the
// change as signed.
func TestSignedControlChange(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	c.enrol(0, 3, "HSK", nil)
	sdf, irq := c.registerOfficer("SDF", "Officer Rojhat"), c.registerOfficer("IRQ", "Officer Karim")
	doc, err := json.Marshal(custody.ControlDocument{Type: custody.ControlDocumentType, V: 1, ID: storetest.ID("control document"),
		Facility: storetest.ID("HSK"), From: sdf.side(), To: irq.side(), At: t0.Add(20 * time.Minute), Place: "HSK main gate", HeadCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	forged := irq.sign(doc)
	forged.Key = sdf.key
	size := c.size()
	c.json("POST", "/api/v1/facilities/HSK/control-changes", map[string]any{"to": "IRQ", "reason": "agreed handover", "occurred_at": at(20),
		"document": doc, "signatures": []custody.Signature{forged, irq.sign(doc)}}, 409, nil)
	if c.size() != size {
		t.Fatal("a refused control change was recorded")
	}
	var rc api.Receipt
	c.json("POST", "/api/v1/facilities/HSK/control-changes", map[string]any{"to": "IRQ", "reason": "agreed handover", "occurred_at": at(20),
		"document": doc, "signatures": []custody.Signature{sdf.sign(doc), irq.sign(doc)}}, 201, &rc)
	if len(rc.Events) != 4 {
		t.Fatalf("receipt %+v", rc.Events)
	}
	var hsk api.FacilityView
	c.json("GET", "/api/v1/facilities/HSK", nil, 200, &hsk)
	if last := hsk.History[len(hsk.History)-1]; !last.Signed || last.Unilateral || last.Party != storetest.ID("IRQ") {
		t.Fatalf("control history %+v", hsk.History)
	}
}
