package api_test

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestCreatesAnswerLocation makes one record of each kind that has a URL of its
// own and checks the answer: 201, a Location that reads back the record the body
// holds, and, for a record of the ledger, the write's receipt. A write that
// records events without making such a record locates its first event. A party
// field takes a code or an id alike.
func TestCreatesAnswerLocation(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	sdf, irq := c.as("SDF"), c.as("IRQ")
	regs := c.enrol(0, 2, "HSK", nil)
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	o := newOfficer("SDF", "Officer Berivan Kurd")

	cases := []struct {
		name, path string
		as         *client
		body       map[string]any
		ledger     bool // a record of the ledger: the answer holds its receipt
	}{
		{"party", "/api/v1/parties", sdf, map[string]any{"party": map[string]any{"code": "UNM", "name": "A United Nations monitor", "kind": "monitor"}}, true},
		{"facility by party code", "/api/v1/facilities", sdf, map[string]any{"facility": map[string]any{"code": "HS2", "name": "Second prison", "kind": "prison",
			"country": "SYR", "series": "HSB", "capacities": map[string]int{"detainee": 50}, "controlling_party": "SDF"}}, true},
		{"facility by party id", "/api/v1/facilities", sdf, map[string]any{"facility": map[string]any{"code": "HS3", "name": "Third prison", "kind": "prison",
			"country": "SYR", "controlling_party": storetest.ID("SDF")}}, true},
		{"person", "/api/v1/persons", sdf, map[string]any{"person": personJSON(storetest.Person(30)), "facility": "HSK"}, true},
		{"key", "/api/v1/keys", sdf, map[string]any{"party": "SDF", "officer": o.name, "public_key": []byte(o.priv.Public().(ed25519.PublicKey))}, true},
		{"campaign", "/api/v1/campaigns", irq, map[string]any{"campaign": map[string]any{"name": "c", "target": 5, "receiving": "IRQ"}}, true},
		{"transfer", "/api/v1/transfers", sdf, map[string]any{"transfer": map[string]any{"from": "HSK", "to": "IQ1", "legal_basis": "an agreement",
			"ordered_by": "the court", "persons": []string{c.enrol(3, 4, "HSK", nil)[0]}}}, true},
		{"movement", "/api/v1/movements", c.as("USF"), map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy",
			"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs, buses(1, 5))}}, true},
		{"incident", "/api/v1/incidents", irq, map[string]any{"incident": map[string]any{"type": "medical_emergency", "facility": "IQ1", "description": "a fall"}}, true},
		{"token", "/api/v1/tokens", sdf, map[string]any{"name": "nightly export"}, false},
		{"user", "/api/v1/users", sdf, map[string]any{"name": "new-registrar", "full_name": "A new registrar", "roles": []string{"registrar"}}, false},
	}
	for _, tc := range cases {
		if tc.ledger {
			tc.body["occurred_at"] = at(50)
		}
		status, h, b := tc.as.do("POST", tc.path, tc.body)
		if status != 201 {
			t.Fatalf("%s: %d %s", tc.name, status, b)
		}
		loc := h.Get("Location")
		if !strings.HasPrefix(loc, tc.path+"/") {
			t.Fatalf("%s: Location %q", tc.name, loc)
		}
		var created struct {
			ID      string `json:"id"`
			Person  *struct{ ID string }
			Receipt *api.Receipt    `json:"receipt"`
			Events  json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(b, &created); err != nil {
			t.Fatal(err)
		}
		id := created.ID
		if created.Person != nil {
			id = created.Person.ID
		}
		if id == "" || loc != tc.path+"/"+id {
			t.Errorf("%s: Location %s, answer's id %q", tc.name, loc, id)
		}
		if tc.ledger && (created.Receipt == nil || len(created.Receipt.Events) == 0 || created.Receipt.Events[0].Subject.String() != id) {
			t.Errorf("%s: no receipt of the record's event: %s", tc.name, b)
		}
		if created.Events != nil {
			t.Errorf("%s: a bare receipt, not the record: %s", tc.name, b)
		}
		status, _, got := tc.as.do("GET", loc, nil)
		if status != 200 || !strings.Contains(string(got), id) {
			t.Errorf("%s: GET %s: %d %s", tc.name, loc, status, got)
		}
	}

	// A write that records an event: its Location is the event.
	var r api.Receipt
	freed := c.enrol(5, 6, "HSK", nil)[0]
	status, h, b := sdf.do("POST", "/api/v1/persons/"+freed+"/releases", map[string]any{"reason": "sentence served", "authority": "the court", "occurred_at": at(51)})
	if status != 201 || json.Unmarshal(b, &r) != nil || len(r.Events) == 0 {
		t.Fatalf("release: %d %s", status, b)
	}
	if want := "/api/v1/events/" + jsonNumber(r.Events[0].Index); h.Get("Location") != want {
		t.Errorf("release: Location %q, want %q", h.Get("Location"), want)
	}
	if status, _, _ := sdf.do("GET", h.Get("Location"), nil); status != 200 {
		t.Errorf("GET the release's Location: %d", status)
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// TestReplayKeepsHeaders: a write retried with its Idempotency-Key is answered
// with the first answer's Location and ETag, not only its body, from this
// server and from one restarted over the same store.
func TestReplayKeepsHeaders(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 2, "HSK", nil)
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	usf := c.as("USF")
	usf.key = "plan-the-convoy"
	body := map[string]any{"movement": map[string]any{"transfer": tr.ID, "escort": "USF", "mode": "convoy",
		"vehicles": buses(1, 5), "planned_departure": at(60), "manifest": seats(regs, buses(1, 5))}, "occurred_at": at(40)}
	status, first, b1 := usf.do("POST", "/api/v1/movements", body)
	if status != 201 || first.Get("Location") == "" || first.Get("ETag") == "" || first.Get(api.ReplayedHeader) != "" {
		t.Fatalf("first: %d %v %s", status, first, b1)
	}
	again := usf.restarted()
	again.key = usf.key
	for name, cl := range map[string]*client{"same server": usf, "restarted": again} {
		status, h, b := cl.do("POST", "/api/v1/movements", body)
		if status != 201 || h.Get(api.ReplayedHeader) != "true" || string(b) != string(b1) {
			t.Fatalf("%s: %d %v %s", name, status, h, b)
		}
		for _, k := range []string{"Location", "ETag", "Content-Type"} {
			if h.Get(k) != first.Get(k) {
				t.Errorf("%s: replayed %s %q, first %q", name, k, h.Get(k), first.Get(k))
			}
		}
	}
}

// TestUserIfMatch: an account is read with its ETag; a PATCH with a stale
// If-Match is refused with 412 and changes nothing; with the current one it is
// made and answers the new version. Without If-Match the change is made.
func TestUserIfMatch(t *testing.T) {
	c := newServer(t)
	c.world()
	c.user("sdf-clerk", "SDF", access.Registrar)
	path := "/api/v1/users/sdf-clerk"
	status, h, b := c.do("GET", path, nil)
	v1 := h.Get("ETag")
	if status != 200 || v1 == "" {
		t.Fatalf("GET: %d %v %s", status, h, b)
	}
	status, h, b = c.withHeader("If-Match", v1).do("PATCH", path, map[string]any{"full_name": "Clerk, second desk"})
	v2 := h.Get("ETag")
	if status != 200 || v2 == "" || v2 == v1 {
		t.Fatalf("PATCH with the current ETag: %d %v %s", status, h, b)
	}
	status, _, b = c.withHeader("If-Match", v1).do("PATCH", path, map[string]any{"full_name": "Clerk, lost update"})
	refusedWith(t, "stale If-Match", status, b, 412, "precondition_failed")
	var u api.UserView
	c.json("GET", path, nil, 200, &u)
	if u.FullName != "Clerk, second desk" {
		t.Errorf("a refused PATCH changed the account: %q", u.FullName)
	}
	c.withHeader("If-Match", "*").json("PATCH", path, map[string]any{"full_name": "Clerk, any version"}, 200, nil)
	c.json("PATCH", path, map[string]any{"full_name": "Clerk, no If-Match"}, 200, nil)
}

// TestManifestIfMatchAtomic sends many manifest replacements at once, all with
// the movement's one current ETag: the version is checked in the ledger's
// decision, so exactly one is made and every other is refused with 412 (a
// check before the decision would let several through).
func TestManifestIfMatchAtomic(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 2, "HSK", nil)
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, regs, buses(2, 5))
	path := "/api/v1/movements/" + mv.ID.String() + "/manifest"
	_, h, _ := c.do("GET", "/api/v1/movements/"+mv.ID.String(), nil)
	etag := h.Get("ETag")
	const n = 12
	statuses := make([]int, n)
	var wg sync.WaitGroup
	usf := c.as("USF").withHeader("If-Match", etag)
	usf.credentials() // the account and token, made before the race
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// All to the second bus: the plan put both on the first.
			manifest := []map[string]any{{"person": regs[0], "vehicle": "BUS-B"}, {"person": regs[1], "vehicle": "BUS-B"}}
			statuses[i], _, _ = usf.do("PUT", path, map[string]any{"manifest": manifest, "occurred_at": at(41)})
		}()
	}
	wg.Wait()
	made := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			made++
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("status %d", s)
		}
	}
	if made != 1 {
		t.Fatalf("%d of %d replacements with one ETag were made, want 1: %v", made, n, statuses)
	}
	var m custody.MovementState
	c.json("GET", "/api/v1/movements/"+mv.ID.String(), nil, 200, &m)
	if len(m.Manifest) != 2 {
		t.Errorf("manifest %+v", m.Manifest)
	}
}
