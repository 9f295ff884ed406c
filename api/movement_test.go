package api_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// TestManifestBreaches checks that a manifest that breaches separation (a woman and
// an unrelated man in one vehicle) or the destination's capacity is refused
// without an override and accepted with one, which stays visible on the movement.
func TestManifestBreaches(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 4, "HSK", func(n int, p map[string]any) {
		if n == 1 {
			p["sex"] = "female"
		}
	})
	man, woman := regs[0], regs[1]
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	tr = c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")

	vs := []custody.Vehicle{{ID: "BUS-A", Kind: "bus", Seats: 4}, {ID: "BUS-B", Kind: "bus", Seats: 4}}
	movement := func(manifest []map[string]any, overrides ...map[string]any) map[string]any {
		b := map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy", "vehicles": vs,
			"planned_departure": at(60), "manifest": manifest}, "occurred_at": at(40)}
		if len(overrides) > 0 {
			b["overrides"] = overrides
		}
		return b
	}
	together := []map[string]any{{"person": man, "vehicle": "BUS-A"}, {"person": woman, "vehicle": "BUS-A"}}
	apart := []map[string]any{{"person": man, "vehicle": "BUS-A"}, {"person": woman, "vehicle": "BUS-B"}}
	separation := map[string]any{"rule": "separation", "reason": "one bus left; a female guard rides between them"}

	size := c.size()
	status, _, body := c.do("POST", "/api/v1/movements", movement(together))
	problemOf(t, status, body, 409, "men and women who are not one household", "body.movement.manifest")
	status, _, body = c.do("POST", "/api/v1/movements", movement(apart, separation))
	problemOf(t, status, body, 422, "does not breach the separation rule", "body.overrides[0].rule")
	status, _, body = c.do("POST", "/api/v1/movements", movement(together, map[string]any{"rule": "separation", "reason": " "}))
	problemOf(t, status, body, 422, "is required", "body.overrides[0].reason")
	if c.size() != size {
		t.Fatalf("refused plans changed the ledger: %d → %d", size, c.size())
	}
	var mv movementWritten
	c.json("POST", "/api/v1/movements", movement(together, separation), 201, &mv)
	if len(mv.Overrides) != 1 || mv.Overrides[0].Rule != custody.SeparationRule || len(mv.Breaches) != 1 || mv.Breaches[0].Vehicle != "BUS-A" {
		t.Fatalf("planned with an override: overrides %+v, breaches %+v", mv.Overrides, mv.Breaches)
	}
	if len(mv.Receipt.Events) != 1 || mv.Receipt.Events[0].Type != custody.TypeMovementPlanned {
		t.Errorf("receipt %+v", mv.Receipt)
	}

	// Replacing the manifest: apart needs no override; together again needs one,
	// and the first override stays visible.
	path := "/api/v1/movements/" + mv.ID.String() + "/manifest"
	var set movementWritten
	c.json("PUT", path, map[string]any{"manifest": apart, "occurred_at": at(41)}, 200, &set)
	if len(set.Breaches) != 0 || len(set.Overrides) != 1 || len(set.Manifest) != 2 || set.Manifest[1].Vehicle != "BUS-B" {
		t.Errorf("manifest apart: breaches %+v, overrides %+v", set.Breaches, set.Overrides)
	}
	// If-Match: the version before the last write is stale (412), the current one
	// is taken, and every answer carries the movement's ETag.
	_, posted, _ := c.do("GET", "/api/v1/movements/"+mv.ID.String(), nil)
	current := posted.Get("ETag")
	stale := c.withHeader("If-Match", `"00000000000000000000000000000000"`)
	status, _, body = stale.do("PUT", path, map[string]any{"manifest": apart, "occurred_at": at(41)})
	refusedWith(t, "stale If-Match", status, body, 412, "precondition_failed")
	status, hdr, body := c.withHeader("If-Match", current).do("PUT", path, map[string]any{"manifest": apart, "occurred_at": at(41)})
	if status != 200 || hdr.Get("ETag") == "" {
		t.Fatalf("current If-Match %s: %d %s", current, status, body)
	}
	status, _, body = c.do("PUT", path, map[string]any{"manifest": together, "occurred_at": at(42)})
	problemOf(t, status, body, 409, "not one household", "body.manifest")
	set = movementWritten{}
	c.json("PUT", path, map[string]any{"manifest": together, "overrides": []any{separation}, "occurred_at": at(43)}, 200, &set)
	if len(set.Breaches) != 1 || len(set.Overrides) != 2 || len(set.Receipt.Events) != 1 || set.Receipt.Events[0].Type != custody.TypeManifestSet {
		t.Errorf("manifest together again: breaches %+v, overrides %+v", set.Breaches, set.Overrides)
	}
	// An overfull vehicle cannot be overridden.
	full := []custody.Vehicle{{ID: "CAR", Kind: "car", Seats: 1}}
	b := movement(apart)
	b["movement"].(map[string]any)["vehicles"] = full
	b["movement"].(map[string]any)["manifest"] = []map[string]any{{"person": regs[2], "vehicle": "CAR"}, {"person": regs[3], "vehicle": "CAR"}}
	status, _, body = c.do("POST", "/api/v1/movements", b)
	problemOf(t, status, body, 422, "has 1 seats but 2 persons", "body.movement.manifest")
	// Cancelling: the movement, then the transfer.
	c.json("POST", "/api/v1/movements/"+mv.ID.String()+"/cancellations", map[string]any{"reason": "road closed", "occurred_at": at(44)}, 201, nil)
	status, _, body = c.do("PUT", path, map[string]any{"manifest": apart, "occurred_at": at(45)})
	problemOf(t, status, body, 409, "is cancelled", "path.id")
	c.json("POST", "/api/v1/transfers/"+tr.ID.String()+"/cancellations", map[string]any{"reason": "superseded", "occurred_at": at(46)}, 201, nil)
	c.json("GET", "/api/v1/transfers/"+tr.ID.String(), nil, 200, &tr)
	if tr.Status != custody.CancelledTransfer || tr.People[0].Stage != custody.StageWithdrawn {
		t.Errorf("cancelled transfer: %s, %s", tr.Status, tr.People[0].Stage)
	}

	// Capacity: IQ2 has two places for detainees; three men are sent.
	men := []string{regs[0], regs[2], regs[3]}
	tr2 := c.propose(uuid.Nil, "HSK", "IQ2", men)
	tr2 = c.safeguardAll(tr2.ID, nil)
	c.approveBoth(tr2.ID, "SDF", "IRQ")
	three := seats(men, buses(1, 10))
	plan := map[string]any{"movement": map[string]any{"transfer": tr2.ID, "escort": "USF", "mode": "flight",
		"vehicles": buses(1, 10), "planned_departure": at(90), "manifest": three}, "occurred_at": at(80)}
	status, _, body = c.do("POST", "/api/v1/movements", plan)
	problemOf(t, status, body, 409, "IQ2 has 2 free places for detainee", "body.movement.manifest")
	plan["overrides"] = []any{map[string]any{"rule": "capacity", "reason": "a wing reopens this week"}}
	mv = movementWritten{}
	c.json("POST", "/api/v1/movements", plan, 201, &mv)
	if len(mv.Overrides) != 1 || mv.Overrides[0].Rule != custody.CapacityRule || len(mv.Breaches) != 1 || mv.Breaches[0].Rule != custody.CapacityRule {
		t.Errorf("planned over capacity: overrides %+v, breaches %+v", mv.Overrides, mv.Breaches)
	}
	var got custody.MovementState
	c.json("GET", "/api/v1/movements/"+mv.ID.String(), nil, 200, &got)
	if len(got.Overrides) != 1 || got.Overrides[0].Reason != "a wing reopens this week" {
		t.Errorf("GET movement: overrides %+v", got.Overrides)
	}
	var list struct{ Movements []custody.MovementState }
	c.json("GET", "/api/v1/movements?status=planned&transfer="+tr2.ID.String(), nil, 200, &list)
	if len(list.Movements) != 1 || list.Movements[0].ID != mv.ID {
		t.Errorf("planned movements of the second transfer: %d", len(list.Movements))
	}
	c.verifyLedger()
}
