package api_test

import "testing"

// TestRecaptureByTheCapturingParty: an escapee is recorded as recaptured by the party
// whose facility takes them, and by no other — the last custodian cannot put a
// person into another party's custody.
func TestRecaptureByTheCapturingParty(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 1, "HSK", nil)
	c.as("SDF").json("POST", "/api/v1/persons/"+regs[0]+"/escapes", map[string]any{"circumstances": "over the wall", "occurred_at": at(10)}, 201, nil)
	size := c.size()
	c.as("SDF").json("POST", "/api/v1/persons/"+regs[0]+"/recaptures", map[string]any{"facility": "IQ1", "occurred_at": at(20)}, 403, nil)
	if c.size() != size {
		t.Fatal("a refused recapture was recorded")
	}
	c.as("IRQ").json("POST", "/api/v1/persons/"+regs[0]+"/recaptures", map[string]any{"facility": "IQ1", "circumstances": "stopped at a checkpoint", "occurred_at": at(20)}, 201, nil)
	var p struct {
		Custody struct {
			Status    string
			Custodian string
		}
	}
	c.as("IRQ").json("GET", "/api/v1/persons/"+regs[0], nil, 200, &p)
	if p.Custody.Status != "held" {
		t.Fatalf("after recapture: %+v", p.Custody)
	}
}
