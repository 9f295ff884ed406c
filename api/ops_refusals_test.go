package api_test

import (
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestOpsRefusals checks that refusals of the routes of keys, campaigns,
// transfers, movements, incidents and notifications are problems located in the
// request, and that they leave the ledger as it was.
func TestOpsRefusals(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 4, "HSK", nil)
	c.registerOfficer("SDF", "Officer Rojhat Amed")
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs[:2])
	tid := "/api/v1/transfers/" + tr.ID.String()
	nobody := storetest.ID("nobody").String()
	key := newOfficer("SDF", "Officer Rojhat Amed")
	pub := []byte(key.priv.Public().(ed25519.PublicKey))

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		loc                string
	}{
		{"key of an unknown party", "POST", "/api/v1/keys", map[string]any{"party": "XX", "officer": "o", "public_key": pub, "occurred_at": at(9)}, 404, "body.party"},
		{"short public key", "POST", "/api/v1/keys", map[string]any{"party": "SDF", "officer": "o", "public_key": pub[:31], "occurred_at": at(9)}, 422, "body.public_key"},
		{"key registered twice", "POST", "/api/v1/keys", map[string]any{"party": "USF", "officer": "o", "public_key": pub, "occurred_at": at(9)}, 409, "body.public_key"},
		{"key without officer", "POST", "/api/v1/keys", map[string]any{"party": "SDF", "officer": " ", "public_key": pub, "occurred_at": at(9)}, 422, "body.officer"},
		{"bad key id", "GET", "/api/v1/keys/HSK-000001", nil, 422, "path.id"},
		{"unknown key", "GET", "/api/v1/keys/" + nobody, nil, 404, "path.id"},
		{"revocation of an unknown key", "POST", "/api/v1/keys/" + nobody + "/revocations", map[string]any{"reason": "lost", "occurred_at": at(9)}, 404, "path.id"},
		{"campaign without target", "POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "c", "target": 0, "receiving": "IRQ"}, "occurred_at": at(9)}, 422, "body.campaign.target"},
		{"campaign to an unknown party", "POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "c", "target": 5, "receiving": "XX"}, "occurred_at": at(9)}, 404, "body.campaign.receiving"},
		{"unknown campaign", "GET", "/api/v1/campaigns/" + nobody, nil, 404, "path.id"},
		{"transfer of an unknown reg no", "POST", "/api/v1/transfers", transferBody("HSK", "IQ1", regs[2], "HSK-000099"), 404, "body.transfer.persons[1]"},
		{"transfer of a bad reference", "POST", "/api/v1/transfers", transferBody("HSK", "IQ1", "someone"), 422, "body.transfer.persons[0]"},
		{"transfer of a person already on one", "POST", "/api/v1/transfers", transferBody("HSK", "IQ1", regs[2], regs[0]), 409, "body.transfer.persons[1]"},
		{"transfer within one party", "POST", "/api/v1/transfers", transferBody("IQ1", "IQ2", regs[2]), 409, "body.transfer.to"},
		{"transfer from an unknown facility", "POST", "/api/v1/transfers", transferBody("NOPE", "IQ1", regs[2]), 404, "body.transfer.from"},
		{"transfer of a bad campaign", "POST", "/api/v1/transfers", map[string]any{"transfer": map[string]any{"campaign": "first", "from": "HSK", "to": "IQ1", "legal_basis": "b", "ordered_by": "o", "persons": []string{regs[2]}}, "occurred_at": at(9)}, 422, "body.transfer.campaign"},
		{"transfer status filter", "GET", "/api/v1/transfers?status=lost", nil, 422, "query.status"},
		{"transfer campaign filter", "GET", "/api/v1/transfers?campaign=x", nil, 422, "query.campaign"},
		{"unknown transfer", "GET", "/api/v1/transfers/" + nobody, nil, 404, "path.id"},
		{"safeguard on an unknown transfer", "POST", "/api/v1/transfers/" + nobody + "/safeguards", map[string]any{"persons": regs[:1], "safeguard": safeguard(custody.Medical), "occurred_at": at(9)}, 404, "path.id"},
		{"safeguard for a person not on it", "POST", tid + "/safeguards", map[string]any{"persons": regs[1:3], "safeguard": safeguard(custody.Medical), "occurred_at": at(9)}, 404, "body.persons[1]"},
		{"safeguard not required", "POST", tid + "/safeguards", map[string]any{"persons": regs[:1], "safeguard": safeguard(custody.BestInterests), "occurred_at": at(9)}, 409, "body.safeguard.kind"},
		{"risk assessment met despite a risk", "POST", tid + "/safeguards", map[string]any{"persons": regs[:1], "occurred_at": at(9), "safeguard": map[string]any{
			"kind": "risk_assessment", "met": true, "finding": "f", "risk": map[string]any{"torture": "real_risk", "persecution": "no_real_risk", "death_penalty": "no_real_risk", "monitoring": "m"}}}, 422, "body.safeguard.risk.torture"},
		{"override without reason", "POST", tid + "/overrides", map[string]any{"person": regs[0], "kind": "medical", "reason": "", "occurred_at": at(9)}, 422, "body.reason"},
		{"override of an unknown kind", "POST", tid + "/overrides", map[string]any{"person": regs[0], "kind": "luck", "reason": "r", "occurred_at": at(9)}, 422, "body.kind"},
		{"approval naming another party", "POST", tid + "/approvals", map[string]any{"party": "IRQ", "occurred_at": at(9)}, 422, "body.party"},
		{"approval by a third party", "POST", tid + "/approvals", map[string]any{"occurred_at": at(9)}, 404, "path.id"}, // a transfer it may not see
		{"cancellation without reason", "POST", tid + "/cancellations", map[string]any{"reason": " ", "occurred_at": at(9)}, 422, "body.reason"},
		{"movement of an unknown transfer", "POST", "/api/v1/movements", map[string]any{"movement": map[string]any{"transfer": nobody, "escort": "USF", "mode": "convoy",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs[:1], buses(1, 5))}, "occurred_at": at(9)}, 404, "body.movement.transfer"},
		{"movement by an unknown escort", "POST", "/api/v1/movements", map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "XX", "mode": "convoy",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs[:1], buses(1, 5))}, "occurred_at": at(9)}, 404, "body.movement.escort"},
		{"movement by boat", "POST", "/api/v1/movements", map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "boat",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs[:1], buses(1, 5))}, "occurred_at": at(9)}, 422, "body.movement.mode"},
		{"manifest of a person not on the transfer", "POST", "/api/v1/movements", map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs[1:3], buses(1, 5))}, "occurred_at": at(9)}, 409, "body.movement.manifest[1].person"},
		{"manifest with a bad reference", "POST", "/api/v1/movements", map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": []map[string]any{{"person": "x", "vehicle": "BUS-A"}}}, "occurred_at": at(9)}, 422, "body.movement.manifest[0].person"},
		{"new manifest of an unknown movement", "PUT", "/api/v1/movements/" + nobody + "/manifest", map[string]any{"manifest": seats(regs[:1], buses(1, 5)), "occurred_at": at(9)}, 404, "path.id"},
		{"movement status filter", "GET", "/api/v1/movements?status=gone", nil, 422, "query.status"},
		{"incident without description", "POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "use_of_force", "facility": "HSK", "description": ""}, "occurred_at": at(9)}, 422, "body.incident.description"},
		{"incident of an unknown type", "POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "riot", "facility": "HSK", "description": "d"}, "occurred_at": at(9)}, 422, "body.incident.type"},
		{"discrepancy without persons", "POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "discrepancy", "facility": "HSK", "description": "d"}, "occurred_at": at(9)}, 422, "body.incident.persons"},
		{"incident about an unknown person", "POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "serious_injury", "persons": []string{regs[0], "HSK-000099"}, "description": "d"}, "occurred_at": at(9)}, 404, "body.incident.persons[1]"},
		{"incident filter", "GET", "/api/v1/incidents?open=maybe", nil, 422, "query.open"},
		{"resolution of an unknown incident", "POST", "/api/v1/incidents/" + nobody + "/resolutions", map[string]any{"resolution": "closed", "note": "n", "occurred_at": at(9)}, 404, "path.id"},
		{"notification filter", "GET", "/api/v1/notifications?person=nobody", nil, 422, "query.person"},
		{"notification of an unknown person", "GET", "/api/v1/notifications?person=HSK-000099", nil, 404, "query.person"},
		{"completion of an unknown notification", "POST", "/api/v1/notifications/" + nobody + "/completions", map[string]any{"outcome": "o", "occurred_at": at(9)}, 404, "path.id"},
		{"person flag filter", "GET", "/api/v1/persons?flag=suspicious", nil, 422, "query.flag"},
		{"handover without document", "POST", "/api/v1/handovers", map[string]any{"signatures": []any{}}, 422, "body.document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := c.size()
			party := "SDF" // the party sending the request: the one whose records it touches
			switch tc.name {
			case "key registered twice", "approval by a third party":
				party = "USF"
			case "campaign without target", "transfer within one party":
				party = "IRQ"
			}
			status, hdr, b := c.as(party).do(tc.method, tc.path, tc.body)
			var p problemBody
			if err := json.Unmarshal(b, &p); err != nil || status != tc.status || p.Status != status || hdr.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want a %d problem", status, b, tc.status)
			}
			if tc.loc != "" && (!slices.ContainsFunc(p.Errors, func(e problemError) bool { return e.Location == tc.loc }) || !strings.Contains(p.Detail, tc.loc)) {
				t.Errorf("located %+v (%q), want %s", p.Errors, p.Detail, tc.loc)
			}
			if after := c.size(); after != before {
				t.Errorf("ledger grew from %d to %d on a refusal", before, after)
			}
		})
	}
	// An incident that is not a discrepancy is closed as a whole, with a note.
	var inc struct {
		custody.IncidentState
	}
	c.json("POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "vehicle_failure", "facility": "HSK",
		"persons": []string{regs[3]}, "description": "the second bus broke down at the gate"}, "occurred_at": at(9)}, 201, &inc)
	res := "/api/v1/incidents/" + inc.ID.String() + "/resolutions"
	status, _, body := c.do("POST", res, map[string]any{"resolution": "closed", "occurred_at": at(10)})
	problemOf(t, status, body, 422, "is required", "body.note")
	c.json("POST", res, map[string]any{"resolution": "closed", "note": "bus replaced", "occurred_at": at(10)}, 201, nil)
	var list struct{ Incidents []custody.IncidentState }
	c.json("GET", "/api/v1/incidents?open=false&type=vehicle_failure", nil, 200, &list)
	if len(list.Incidents) != 1 || list.Incidents[0].Closed == nil || list.Incidents[0].Closed.Note != "bus replaced" {
		t.Errorf("closed incidents %+v", list.Incidents)
	}
	c.json("GET", "/api/v1/incidents?open=true", nil, 200, &list)
	if len(list.Incidents) != 0 {
		t.Errorf("open incidents %+v", list.Incidents)
	}
}

func transferBody(from, to string, persons ...string) map[string]any {
	return map[string]any{"transfer": map[string]any{"from": from, "to": to, "legal_basis": "agreement", "ordered_by": "committee", "persons": persons}, "occurred_at": at(9)}
}
