package api_test

import (
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

func TestFacilitiesAndParties(t *testing.T) {
	c := newServer(t)
	c.world()
	c.register(1, "HSK")
	c.register(2, "HSK")
	var ps struct{ Parties []custody.Party }
	c.json("GET", "/api/v1/parties", nil, 200, &ps)
	if len(ps.Parties) != 2 || ps.Parties[0].Code != "IRQ" {
		t.Errorf("parties %+v", ps)
	}
	var fs struct{ Facilities []api.FacilityView }
	c.json("GET", "/api/v1/facilities", nil, 200, &fs)
	if len(fs.Facilities) != 4 {
		t.Fatalf("facilities %+v", fs)
	}
	var hsk api.FacilityView
	c.json("GET", "/api/v1/facilities/HSK", nil, 200, &hsk)
	if hsk.Total != 2 || hsk.Capacity != 4000 || hsk.Population[custody.Detainee] != 2 || hsk.Controller != storetest.ID("SDF") {
		t.Errorf("HSK %+v", hsk)
	}
	// Control passes to IRQ, and with it custody of both persons.
	var rc api.Receipt
	c.json("POST", "/api/v1/facilities/"+storetest.ID("HSK").String()+"/control-changes",
		map[string]any{"to": "IRQ", "reason": "handover of the facility", "occurred_at": at(30)}, 201, &rc)
	if len(rc.Events) != 3 || rc.Events[0].Type != custody.TypeFacilityControlChanged || rc.Events[2].Type != custody.TypeCustodianChanged {
		t.Errorf("control change receipt %+v", rc.Events)
	}
	c.json("GET", "/api/v1/facilities/HSK", nil, 200, &hsk)
	if hsk.Controller != storetest.ID("IRQ") || len(hsk.History) != 2 || hsk.History[1].Party != storetest.ID("IRQ") {
		t.Errorf("HSK after control change %+v", hsk)
	}
	var p custody.PersonState
	c.as("IRQ").json("GET", "/api/v1/persons/HSK-000002", nil, 200, &p)
	if p.Custody.Custodian != storetest.ID("IRQ") {
		t.Errorf("custodian after control change %+v", p.Custody)
	}
	// The record went with the custody: SDF no longer sees it, nor that it exists.
	if status, _, b := c.as("SDF").do("GET", "/api/v1/persons/HSK-000002", nil); status != 404 {
		t.Errorf("SDF reads a person IRQ now holds: %d %s", status, b)
	}
}
