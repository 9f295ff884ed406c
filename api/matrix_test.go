package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// The authorisation matrix: every route of the API, tried by every role of every
// party (and by nobody), against records owned by different parties, compared
// with an expectation written here from the words of issue 4 — not from
// access.Table:
//
//   - a party sees and acts on the persons it holds, the movements it escorts,
//     the transfers it sends or receives; monitors see what their mandate covers;
//     nobody edits another party's records;
//   - the roles: an administrator keeps the party's accounts, keys and reference
//     data; a registrar registers and corrects persons and records custody events;
//     a facility commander runs a facility (custody events, control changes,
//     handovers); an escort commander runs movements (manifests, handovers,
//     incidents on the road); a legal officer records safeguards and overrides; a
//     transfer approver proposes and approves transfers; a monitor only reads; an
//     auditor reads and exports the audit log.

// The parties of the fixture: SDF holds persons at HSK (and its hospital HOS), IRQ
// holds persons at IQ1 and receives the transfer, USF escorts its movement, ICRC is
// a monitor whose mandate covers HSK only.
var matrixParties = []string{"SDF", "USF", "IRQ", "ICRC"}

// future is when every write of the matrix says it happened: the ledger refuses
// an event from the future (422) after the request was authorised, so that a
// write let through records nothing and the next cell finds the same fixture.
// (Account writes are refused by their own checks the same way: a wrong current
// password, an unknown role. revoke-token alone really acts, on a spare token.)
const future = "2999-01-01T00:00:00Z"

// matrixFixture is the world the matrix runs against.
type matrixFixture struct {
	c *client
	// Persons: held by SDF at HSK; SDF's, in HOS, returning to HSK; on the road
	// with USF on transfer T (SDF → IRQ); on the proposed transfer T2; held by IRQ.
	atHSK, inHospital, inTransit, onT2, atIQ1 string
	transfer, transfer2, movement             uuid.UUID
	roadIncident, iq1Incident, notification   uuid.UUID
	campaign, sdfKey                          uuid.UUID
	hskEvent, iq1Event                        uint64
	arrival                                   []byte
	arrivalSigs                               []custody.Signature
	spareToken                                uuid.UUID // a second token of SDF's registrar
	tokens                                    map[string]string
}

func userName(party string, role access.Role) string {
	return strings.ToLower(party) + "-" + strings.ReplaceAll(string(role), "_", "-")
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	c := newServer(t)
	c.opsWorld()
	c.as("SDF").json("POST", "/api/v1/parties", map[string]any{"party": custody.Party{ID: storetest.ID("ICRC"), Code: "ICRC",
		Name: "International Committee of the Red Cross", Kind: custody.Monitor}, "occurred_at": at(0)}, 201, nil)
	c.as("SDF").json("POST", "/api/v1/facilities", map[string]any{"facility": map[string]any{"id": storetest.ID("HOS"), "code": "HOS",
		"name": "Hasakah hospital", "kind": "hospital", "country": "SYR", "controlling_party": storetest.ID("SDF")}, "occurred_at": at(1)}, 201, nil)
	// The mandate is the ledger's: set through its command, as the route would.
	if _, err := c.db.Submit(context.Background(), custody.SetMandate{Meta: custody.Meta{Actor: "icrc-administrator", Party: storetest.ID("ICRC"), OccurredAt: t0.Add(2 * time.Minute)},
		Party: storetest.ID("ICRC"), Facilities: []uuid.UUID{storetest.ID("HSK")}}); err != nil {
		t.Fatal(err)
	}
	f := &matrixFixture{c: c, tokens: map[string]string{}}
	hsk := c.enrol(0, 5, "HSK", nil)
	f.atHSK, f.inHospital, f.inTransit, f.onT2 = hsk[0], hsk[1], hsk[2], hsk[4]
	f.atIQ1 = c.enrol(5, 6, "IQ1", nil)[0]
	sdf := c.as("SDF")
	sdf.json("POST", "/api/v1/persons/"+f.inHospital+"/hospital-admissions", map[string]any{"hospital": "HOS", "reason": "fever", "occurred_at": at(6)}, 201, nil)
	var ns struct{ Notifications []api_NotificationView }
	sdf.json("GET", "/api/v1/notifications?person="+f.inHospital, nil, 200, &ns)
	if len(ns.Notifications) != 1 {
		t.Fatalf("notifications of the hospitalised person: %+v", ns.Notifications)
	}
	f.notification = ns.Notifications[0].ID

	sdfOfficer := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usfOfficer := c.registerOfficer("USF", "Lieutenant Dara Sor")
	irqOfficer := c.registerOfficer("IRQ", "Captain Samir Haddad")
	f.sdfKey = sdfOfficer.key
	var cp custody.CampaignView
	c.as("IRQ").json("POST", "/api/v1/campaigns", map[string]any{"campaign": map[string]any{"name": "north-east Syria to Iraq", "target": 100, "receiving": "IRQ"},
		"occurred_at": at(9)}, 201, &cp)
	f.campaign = cp.ID

	travellers := []string{f.inTransit, hsk[3]}
	tr := c.propose(cp.ID, "HSK", "IQ1", travellers)
	tr = c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, travellers, buses(1, 5))
	dep := document(mv, custody.Departure, sdfOfficer, usfOfficer, people(tr), nil, 60)
	if status, b := c.handover(dep, sdfOfficer.sign(dep), usfOfficer.sign(dep)); status != 201 {
		t.Fatalf("departure: %d %s", status, b)
	}
	f.transfer, f.movement = tr.ID, mv.ID
	f.transfer2 = c.propose(uuid.Nil, "HSK", "IQ1", []string{f.onT2}).ID
	// The arrival the matrix submits: well signed, dated ten years ahead.
	f.arrival = document(mv, custody.Arrival, usfOfficer, irqOfficer, people(tr), nil, 10*365*24*60)
	f.arrivalSigs = []custody.Signature{usfOfficer.sign(f.arrival), irqOfficer.sign(f.arrival)}

	var in custody.IncidentState
	c.as("USF").json("POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "vehicle_failure", "movement": mv.ID,
		"description": "the bus broke down on the road"}, "occurred_at": at(70)}, 201, &in)
	f.roadIncident = in.ID
	c.as("IRQ").json("POST", "/api/v1/incidents", map[string]any{"incident": map[string]any{"type": "medical_emergency", "facility": "IQ1",
		"persons": []string{f.atIQ1}, "description": "collapsed in the yard"}, "occurred_at": at(70)}, 201, &in)
	f.iq1Incident = in.ID
	f.hskEvent = c.as("SDF").person(f.atHSK).Custody.Event
	f.iq1Event = c.as("IRQ").person(f.atIQ1).Custody.Event

	// One user per role per party, each with a token; and the users and tokens
	// some routes act on.
	for _, p := range matrixParties {
		for _, r := range access.Roles {
			name := userName(p, r)
			c.user(name, p, r)
			f.tokens[name] = c.tokenOf(name)
		}
	}
	c.user("sdf-target", "SDF", access.Registrar)
	u, err := c.db.UserByName(context.Background(), userName("SDF", access.Registrar))
	if err != nil {
		t.Fatal(err)
	}
	_, hash, _ := access.NewSecret(access.TokenPrefix)
	f.spareToken = uuid.Must(uuid.NewV7())
	if err := c.db.CreateToken(context.Background(), access.Token{ID: f.spareToken, User: u.ID, Name: "spare", Hash: hash, Created: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	return f
}

// api_NotificationView is the part of a notification the fixture reads.
type api_NotificationView struct {
	ID uuid.UUID `json:"id"`
}

// allow says which (party, role) may pass a route's authorisation.
type allow func(party string, role access.Role) bool

// roles allows some roles of one party.
func roles(party string, rs ...access.Role) allow {
	return func(p string, r access.Role) bool { return p == party && slices.Contains(rs, r) }
}

// rolesOf allows some roles of several parties.
func rolesOf(parties []string, rs ...access.Role) allow {
	return func(p string, r access.Role) bool { return slices.Contains(parties, p) && slices.Contains(rs, r) }
}

// anywhere allows some roles in every party.
func anywhere(rs ...access.Role) allow {
	return func(_ string, r access.Role) bool { return slices.Contains(rs, r) }
}

// either allows what any of its parts allows.
func either(as ...allow) allow {
	return func(p string, r access.Role) bool {
		for _, a := range as {
			if a(p, r) {
				return true
			}
		}
		return false
	}
}

var (
	everyone = anywhere(access.Roles...)
	// reads of party records: the roles that act for a party, in the parties
	// concerned; monitors by their mandate (ICRC's covers HSK).
	icrcMonitor = roles("ICRC", access.MonitorRole)
	listers     = anywhere(append(slices.Clone(partyRoles), access.MonitorRole)...)
)

func partiesRead(parties ...string) allow { return rolesOf(parties, partyRoles...) }

// matrixCase is one request of the matrix: the route is found by its action in
// the OpenAPI description, so that the request reaches that route.
type matrixCase struct {
	action  string
	id      string // the path's {id} or {index}
	query   string
	body    any
	allowed allow
}

func (f *matrixFixture) cases() []matrixCase {
	const (
		admin     = access.Administrator
		registrar = access.Registrar
		facility  = access.FacilityCommander
		escort    = access.EscortCommander
		legal     = access.LegalOfficer
		approver  = access.TransferApprover
		auditor   = access.Auditor
	)
	commanders := []access.Role{facility, escort}
	movementParties := []string{"SDF", "USF", "IRQ"}
	transferParties := []string{"SDF", "IRQ"}
	at := func(m map[string]any) map[string]any { m["occurred_at"] = future; return m }
	pub := make([]byte, ed25519.PublicKeySize)
	copy(pub, "a public key nobody registered..")
	vs := buses(1, 5)
	return []matrixCase{
		// One's own account: anyone signed in. (A token's logout, a wrong current
		// password and a blank token name are refused after authorisation.)
		{action: "whoami", allowed: everyone},
		{action: "change-password", body: map[string]any{"current": "not the password at all", "new": "a brand new password"}, allowed: everyone},
		{action: "logout", allowed: everyone},
		{action: "create-token", body: map[string]any{"name": " "}, allowed: everyone},
		{action: "list-tokens", allowed: everyone},
		{action: "get-token", id: f.spareToken.String(), allowed: roles("SDF", registrar)},    // its owner only
		{action: "revoke-token", id: f.spareToken.String(), allowed: roles("SDF", registrar)}, // its owner only
		// The accounts of one's party: its administrators. The audit log: auditors.
		{action: "list-users", allowed: anywhere(admin)},
		{action: "create-user", body: map[string]any{"name": "new-user", "full_name": "New User", "roles": []string{"nobody"}}, allowed: anywhere(admin)},
		{action: "get-user", id: "sdf-target", allowed: roles("SDF", admin)},
		{action: "update-user", id: "sdf-target", body: map[string]any{"roles": []string{"nobody"}}, allowed: roles("SDF", admin)},
		{action: "audit-log", allowed: anywhere(auditor)},
		{action: "export-audit-log", query: "?format=jsonl", allowed: anywhere(auditor)},

		// Reference data and the ledger's commitments: everyone signed in. A party
		// is registered by any administrator; a facility by its controller's.
		{action: "register-party", body: at(map[string]any{"party": map[string]any{"code": "NEW", "name": "New monitor", "kind": "monitor"}}), allowed: anywhere(admin)},
		{action: "list-parties", allowed: everyone},
		{action: "get-party", id: "SDF", allowed: everyone},
		{action: "register-facility", body: at(map[string]any{"facility": map[string]any{"code": "UFB", "name": "Escort base", "kind": "prison", "country": "SYR",
			"controlling_party": storetest.ID("USF")}}), allowed: roles("USF", admin)},
		{action: "list-facilities", allowed: everyone},
		{action: "get-facility", id: "HSK", allowed: everyone},
		{action: "set-facility-risk", id: "IQ1", body: at(map[string]any{"kind": "breakout", "by": future}), allowed: roles("IRQ", admin, facility, approver)},
		{action: "change-facility-control", id: "IQ1", body: at(map[string]any{"to": "SDF", "reason": "r"}), allowed: roles("IRQ", admin, facility)},
		{action: "list-keys", allowed: everyone},
		{action: "get-key", id: f.sdfKey.String(), allowed: everyone},
		{action: "register-key", body: at(map[string]any{"party": "USF", "officer": "Sergeant Nobody", "public_key": pub}), allowed: roles("USF", admin)},
		{action: "revoke-key", id: f.sdfKey.String(), body: at(map[string]any{"reason": "lost"}), allowed: roles("SDF", admin)},
		{action: "list-campaigns", allowed: everyone},
		{action: "get-campaign", id: f.campaign.String(), allowed: everyone},
		// A campaign's plan: those who plan transfers and movements, of any party;
		// accepting it, the receiving party's transfer approvers.
		{action: "plan-campaign", id: f.campaign.String(), allowed: anywhere(admin, approver, facility, escort, legal)},
		{action: "accept-plan", id: f.campaign.String(), body: at(map[string]any{"movements": []string{"P999"}, "legal_basis": "b", "ordered_by": "o"}), allowed: roles("IRQ", approver)},
		{action: "create-campaign", body: at(map[string]any{"campaign": map[string]any{"name": "c", "target": 5, "receiving": "IRQ"}}), allowed: roles("IRQ", admin, approver)},
		{action: "checkpoint", allowed: everyone},
		{action: "inclusion-proof", query: "?index=1", allowed: everyone},
		{action: "consistency-proof", query: "?from=1", allowed: everyone},
		{action: "witnesses", allowed: everyone},
		{action: "witnessed-event", id: "1", allowed: everyone},

		// Persons: their custodian sees and acts; the parties of their open transfer
		// and the escort carrying them see; a monitor sees those at, coming from or
		// going to a facility of its mandate.
		{action: "list-persons", allowed: listers},
		{action: "export-persons", allowed: listers},
		{action: "list-duplicates", allowed: listers},
		{action: "read-feed", allowed: listers},
		{action: "register-person", body: at(map[string]any{"person": personJSON(storetest.Person(50)), "facility": "IQ1"}), allowed: roles("IRQ", registrar, facility)},
		{action: "import-persons", query: "?facility=IQ1&format=jsonl", body: map[string]any{"sex": "x"}, allowed: roles("IRQ", registrar, facility)},
		{action: "get-person", id: f.atHSK, allowed: either(partiesRead("SDF"), icrcMonitor)},
		{action: "get-person", id: f.inHospital, allowed: either(partiesRead("SDF"), icrcMonitor)},
		{action: "get-person", id: f.inTransit, allowed: either(partiesRead("USF", "SDF", "IRQ"), icrcMonitor)},
		{action: "get-person", id: f.onT2, allowed: either(partiesRead("SDF", "IRQ"), icrcMonitor)},
		{action: "get-person", id: f.atIQ1, allowed: partiesRead("IRQ")},
		{action: "person-history", id: f.atHSK, allowed: either(partiesRead("SDF"), icrcMonitor)},
		{action: "person-history", id: f.atIQ1, allowed: partiesRead("IRQ")},
		{action: "admit-person", id: f.atHSK, body: at(map[string]any{"facility": "HSK"}), allowed: roles("SDF", registrar, facility)},
		{action: "correct-record", id: f.atHSK, body: at(map[string]any{"reason": "spelling", "patch": map[string]any{"notes": "x"}}), allowed: roles("SDF", registrar)},
		{action: "correct-record", id: f.atIQ1, body: at(map[string]any{"reason": "spelling", "patch": map[string]any{"notes": "x"}}), allowed: roles("IRQ", registrar)},
		{action: "link-persons", id: f.atHSK, body: at(map[string]any{"other": f.inHospital, "reason": "same father"}), allowed: roles("SDF", registrar)},
		{action: "unlink-persons", id: f.atHSK, body: at(map[string]any{"other": f.inHospital, "reason": "mistake"}), allowed: roles("SDF", registrar)},
		{action: "distinguish-persons", id: f.atHSK, body: at(map[string]any{"other": f.inHospital, "reason": "different mother"}), allowed: roles("SDF", registrar)},
		{action: "link-persons", id: f.atIQ1, body: at(map[string]any{"other": f.onT2, "reason": "same father"}), allowed: roles("IRQ", registrar)},
		{action: "release-person", id: f.atHSK, body: at(map[string]any{"reason": "r", "authority": "a"}), allowed: roles("SDF", registrar, facility)},
		{action: "release-person", id: f.onT2, body: at(map[string]any{"reason": "r", "authority": "a"}), allowed: roles("SDF", registrar, facility)},
		{action: "repatriate-person", id: f.atHSK, body: at(map[string]any{"country": "IRQ", "authority": "a"}), allowed: roles("SDF", registrar, facility)},
		{action: "record-death", id: f.atHSK, body: at(map[string]any{"cause": "c", "circumstances": "c"}), allowed: roles("SDF", registrar, facility, escort)},
		{action: "record-death", id: f.inTransit, body: at(map[string]any{"cause": "c", "circumstances": "c"}), allowed: roles("USF", registrar, facility, escort)},
		{action: "record-escape", id: f.atHSK, body: at(map[string]any{"circumstances": "c"}), allowed: roles("SDF", registrar, facility, escort)},
		{action: "record-escape", id: f.inTransit, body: at(map[string]any{"circumstances": "c"}), allowed: roles("USF", registrar, facility, escort)},
		{action: "record-recapture", id: f.atHSK, body: at(map[string]any{"facility": "HSK"}), allowed: roles("SDF", registrar, facility)},
		{action: "admit-to-hospital", id: f.atHSK, body: at(map[string]any{"hospital": "HOS", "reason": "r"}), allowed: roles("SDF", registrar, facility)},
		{action: "admit-to-hospital", id: f.atIQ1, body: at(map[string]any{"hospital": "HOS", "reason": "r"}), allowed: roles("IRQ", registrar, facility)},
		{action: "return-from-hospital", id: f.inHospital, body: at(map[string]any{}), allowed: roles("SDF", registrar, facility)},
		{action: "get-event", id: fmt.Sprint(f.hskEvent), allowed: either(partiesRead("SDF"), icrcMonitor)},
		{action: "get-event", id: fmt.Sprint(f.iq1Event), allowed: partiesRead("IRQ")},
		{action: "event-proof", id: fmt.Sprint(f.iq1Event), allowed: everyone}, // commitments only, as /log/

		// Transfers: the sending and receiving parties act; the escorts of their
		// movements also see; the monitor of either facility sees.
		{action: "propose-transfer", body: at(transferBody("HSK", "IQ1", f.atHSK)), allowed: roles("SDF", approver)},
		{action: "propose-transfer", body: at(transferBody("IQ1", "HSK", f.atIQ1)), allowed: roles("IRQ", approver)},
		{action: "list-transfers", allowed: listers},
		{action: "get-transfer", id: f.transfer.String(), allowed: either(partiesRead("SDF", "IRQ", "USF"), icrcMonitor)},
		{action: "get-transfer", id: f.transfer2.String(), allowed: either(partiesRead("SDF", "IRQ"), icrcMonitor)},
		{action: "record-safeguard", id: f.transfer.String(), body: at(map[string]any{"persons": []string{f.inTransit}, "safeguard": safeguard(custody.Medical)}),
			allowed: rolesOf(transferParties, legal)},
		{action: "override-safeguard", id: f.transfer2.String(), body: at(map[string]any{"person": f.onT2, "kind": "medical", "reason": "r"}), allowed: rolesOf(transferParties, legal)},
		{action: "approve-transfer", id: f.transfer2.String(), body: at(map[string]any{}), allowed: rolesOf(transferParties, approver)},
		{action: "cancel-transfer", id: f.transfer2.String(), body: at(map[string]any{"reason": "r"}), allowed: rolesOf(transferParties, approver)},

		// Movements: the escort, the sending and the receiving parties; their
		// commanders act on them. Handovers: the parties of the two officers.
		{action: "plan-movement", body: at(map[string]any{"movement": map[string]any{"transfer": f.transfer2, "escort": "USF", "mode": "convoy", "vehicles": vs,
			"planned_departure": future, "manifest": seats([]string{f.onT2}, vs)}}), allowed: rolesOf(movementParties, commanders...)},
		{action: "list-movements", allowed: listers},
		{action: "get-movement", id: f.movement.String(), allowed: either(partiesRead(movementParties...), icrcMonitor)},
		{action: "set-manifest", id: f.movement.String(), body: at(map[string]any{"manifest": seats([]string{f.inTransit}, vs)}), allowed: rolesOf(movementParties, commanders...)},
		{action: "cancel-movement", id: f.movement.String(), body: at(map[string]any{"reason": "r"}), allowed: rolesOf(movementParties, commanders...)},
		{action: "submit-handover", body: map[string]any{"document": f.arrival, "signatures": f.arrivalSigs}, allowed: rolesOf([]string{"USF", "IRQ"}, commanders...)},

		// Incidents: the reporting party, the parties of the movement, the
		// controller of the facility. Notifications: the party that owes them.
		{action: "open-incident", body: at(map[string]any{"incident": map[string]any{"type": "vehicle_failure", "movement": f.movement, "description": "d"}}),
			allowed: rolesOf(movementParties, commanders...)},
		{action: "open-incident", body: at(map[string]any{"incident": map[string]any{"type": "use_of_force", "facility": "IQ1", "description": "d"}}),
			allowed: roles("IRQ", commanders...)},
		{action: "list-incidents", allowed: listers},
		{action: "get-incident", id: f.roadIncident.String(), allowed: either(partiesRead(movementParties...), icrcMonitor)},
		{action: "get-incident", id: f.iq1Incident.String(), allowed: partiesRead("IRQ")},
		{action: "resolve-incident", id: f.roadIncident.String(), body: at(map[string]any{"resolution": "closed", "note": "n"}), allowed: rolesOf(movementParties, commanders...)},
		{action: "resolve-incident", id: f.iq1Incident.String(), body: at(map[string]any{"resolution": "closed", "note": "n"}), allowed: roles("IRQ", commanders...)},
		{action: "list-alerts", allowed: listers},
		{action: "list-notifications", allowed: listers},
		{action: "get-notification", id: f.notification.String(), allowed: either(partiesRead("SDF"), icrcMonitor)},
		{action: "complete-notification", id: f.notification.String(), body: at(map[string]any{"outcome": "o"}), allowed: roles("SDF", registrar, facility)},

		// A monitor's mandate: set by the monitor party's administrators.
		{action: "set-mandate", id: "ICRC", body: at(map[string]any{"all": true}), allowed: roles("ICRC", admin)},
	}
}

// publicActions need nobody signed in; every other route must have a case.
var publicActions = []string{"login", "log-key", "health", "log-checkpoint", "log-tile", "log-entries"}

// route is an operation of the OpenAPI description.
type route struct {
	method, path string
	security     []map[string][]string
}

// routesOf reads the operations of the server's OpenAPI description, by action.
func routesOf(t *testing.T, c *client) map[string]route {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                `json:"operationId"`
			Security    []map[string][]string `json:"security"`
		}
	}
	c.anonymous().json("GET", "/openapi.json", nil, 200, &doc)
	out := map[string]route{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if _, dup := out[op.OperationID]; dup || op.OperationID == "" {
				t.Fatalf("operation id %q of %s %s is missing or not unique", op.OperationID, method, path)
			}
			out[op.OperationID] = route{strings.ToUpper(method), path, op.Security}
		}
	}
	return out
}

// send sends one request with a token ("" for none); safe in goroutines.
func send(base, token, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// TestAuthorisationMatrix tries every route with every role of every party and
// with no credentials, and asserts the exact set allowed past authorisation: a
// status other than 401 and 403 (a write let through is then refused by the
// ledger: see future). Denials must be 403 problems (404 for a record the user
// may not see: TestHiddenIsMissing), requests without credentials 401 problems. A route without a case here fails the test.
func TestAuthorisationMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	routes := routesOf(t, c)
	cases := f.cases()

	// Every route is tried, and every case names a route.
	tried := map[string]bool{}
	for _, tc := range cases {
		tried[tc.action] = true
		if _, ok := routes[tc.action]; !ok && tc.action != "set-mandate" {
			t.Errorf("the matrix tries %s, which no route serves", tc.action)
		}
	}
	if _, ok := routes["set-mandate"]; !ok {
		t.Log("no route sets a monitor's mandate yet: access.Table does not name set-mandate")
	}
	for action, r := range routes {
		switch {
		case slices.Contains(publicActions, action):
			if len(r.security) != 0 {
				t.Errorf("public route %s %s documents security %v", r.method, r.path, r.security)
			}
		case !tried[action]:
			t.Errorf("route %s %s (%s) is not in the authorisation matrix: add its expectation", r.method, r.path, action)
		case len(r.security) == 0:
			t.Errorf("route %s %s (%s) documents no security", r.method, r.path, action)
		}
	}
	size := c.size()

	type user struct {
		party string
		role  access.Role
		token string
	}
	var users []user
	for _, p := range matrixParties {
		for _, r := range access.Roles {
			users = append(users, user{p, r, f.tokens[userName(p, r)]})
		}
	}
	users = append(users, user{}) // nobody signed in

	type result struct {
		status int
		body   []byte
		err    error
	}
	results := make([][]result, len(cases))
	for i := range results {
		results[i] = make([]result, len(users))
	}
	var wg sync.WaitGroup
	for j, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, tc := range cases {
				r, ok := routes[tc.action]
				if !ok {
					continue
				}
				path := strings.NewReplacer("{id}", tc.id, "{index}", tc.id).Replace(r.path) + tc.query
				var body any
				if r.method != "GET" {
					body = tc.body
					if body == nil {
						body = map[string]any{}
					}
				}
				st, b, err := send(c.url, u.token, r.method, path, body)
				results[i][j] = result{st, b, err}
			}
		}()
	}
	wg.Wait()

	var wrong []string
	allowedCells, deniedCells := 0, 0
	for i, tc := range cases {
		r, ok := routes[tc.action]
		if !ok {
			continue
		}
		for j, u := range users {
			res := results[i][j]
			who := u.party + " " + string(u.role)
			if u.token == "" {
				who = "nobody"
			}
			where := fmt.Sprintf("%s %s (%s %s) by %s", r.method, r.path, tc.action, tc.id, who)
			if res.err != nil {
				t.Fatalf("%s: %v", where, res.err)
			}
			if res.status >= 500 {
				t.Errorf("%s: %d %s", where, res.status, res.body)
			}
			switch want := u.token != "" && tc.allowed(u.party, u.role); {
			case u.token == "":
				if res.status != 401 {
					wrong = append(wrong, fmt.Sprintf("%s: %d, want 401", where, res.status))
				}
			case want && (res.status == 401 || res.status == 403):
				wrong = append(wrong, fmt.Sprintf("%s: %d, want allowed: %s", where, res.status, res.body))
			case !want && res.status != 403 && res.status != 404:
				wrong = append(wrong, fmt.Sprintf("%s: %d, want 403 (or 404 for a record out of sight): %s", where, res.status, clipped(res.body)))
			case want:
				allowedCells++
			default:
				deniedCells++
				var p problemBody
				if json.Unmarshal(res.body, &p) != nil || p.Status != res.status {
					t.Errorf("%s: the denial is not a problem: %s", where, res.body)
				}
			}
		}
	}
	sort.Strings(wrong)
	for i, w := range wrong {
		if i == 60 {
			t.Errorf("… and %d more", len(wrong)-i)
			break
		}
		t.Error(w)
	}
	t.Logf("%d cases × %d users: %d allowed, %d denied, %d unauthenticated", len(cases), len(users), allowedCells, deniedCells, len(cases))
	if after := c.size(); after != size {
		t.Errorf("the matrix changed the ledger: %d → %d events", size, after)
	}
}

func clipped(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// TestListsFiltered: each list shows a user the rows their party is concerned by,
// or their mandate covers — and pages over the rows it hides.
func TestListsFiltered(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	as := func(party string, role access.Role) *client { return c.withToken(f.tokens[userName(party, role)]) }
	hsk := []string{f.atHSK, f.inHospital, f.inTransit, "HSK-000004", f.onT2}
	persons := map[string][]string{
		"SDF":  hsk,                                          // it holds them, or sends them
		"IRQ":  {f.inTransit, "HSK-000004", f.onT2, f.atIQ1}, // it receives T and T2, holds IQA-000001
		"USF":  {f.inTransit, "HSK-000004"},                  // it carries them
		"ICRC": hsk,                                          // its mandate covers HSK
	}
	for party, want := range persons {
		role := access.Registrar
		if party == "ICRC" {
			role = access.MonitorRole
		}
		for _, limit := range []int{1, 2, 50} {
			var got []string
			after := ""
			for range 10 {
				var page custody.PersonPage
				as(party, role).json("GET", fmt.Sprintf("/api/v1/persons?limit=%d&after=%s", limit, after), nil, 200, &page)
				if len(page.Persons) > limit || len(page.Persons) == 0 && page.Next != "" {
					t.Fatalf("%s, limit %d: page of %d, next %q", party, limit, len(page.Persons), page.Next)
				}
				for _, p := range page.Persons {
					got = append(got, p.Record.RegNo)
				}
				if after = page.Next; after == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s's %s lists %v (pages of %d), want %v", party, role, got, limit, want)
			}
		}
	}
	// A monitor role in a party without a mandate sees nothing.
	var page custody.PersonPage
	as("SDF", access.MonitorRole).json("GET", "/api/v1/persons", nil, 200, &page)
	if len(page.Persons) != 0 {
		t.Errorf("SDF's monitor lists %d persons", len(page.Persons))
	}

	ids := func(party string, role access.Role, path, field string) []uuid.UUID {
		t.Helper()
		var body map[string][]struct{ ID uuid.UUID }
		as(party, role).json("GET", path, nil, 200, &body)
		var out []uuid.UUID
		for _, r := range body[field] {
			out = append(out, r.ID)
		}
		slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		return out
	}
	sorted := func(ids ...uuid.UUID) []uuid.UUID {
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		return ids
	}
	for _, tc := range []struct {
		path, field string
		want        map[string][]uuid.UUID
	}{
		{"/api/v1/transfers", "transfers", map[string][]uuid.UUID{
			"SDF": sorted(f.transfer, f.transfer2), "IRQ": sorted(f.transfer, f.transfer2), "USF": {f.transfer}, "ICRC": sorted(f.transfer, f.transfer2)}},
		{"/api/v1/movements", "movements", map[string][]uuid.UUID{
			"SDF": {f.movement}, "IRQ": {f.movement}, "USF": {f.movement}, "ICRC": {f.movement}}},
		{"/api/v1/incidents", "incidents", map[string][]uuid.UUID{
			"SDF": {f.roadIncident}, "IRQ": sorted(f.roadIncident, f.iq1Incident), "USF": {f.roadIncident}, "ICRC": {f.roadIncident}}},
		{"/api/v1/notifications", "notifications", map[string][]uuid.UUID{
			"SDF": {f.notification}, "IRQ": nil, "USF": nil, "ICRC": {f.notification}}},
	} {
		for party, want := range tc.want {
			role := access.FacilityCommander
			if party == "ICRC" {
				role = access.MonitorRole
			}
			if got := ids(party, role, tc.path, tc.field); !slices.Equal(got, want) {
				t.Errorf("%s %s: %v, want %v", party, tc.path, got, want)
			}
		}
	}
	// Accounts and the audit log: one's own party's.
	var users struct{ Users []struct{ Party uuid.UUID } }
	as("IRQ", access.Administrator).json("GET", "/api/v1/users", nil, 200, &users)
	if len(users.Users) != len(access.Roles)+1 { // and the IRQ officer of the fixture
		t.Errorf("IRQ's administrator lists %d users", len(users.Users))
	}
	for _, u := range users.Users {
		if u.Party != storetest.ID("IRQ") {
			t.Errorf("IRQ's administrator lists a user of %s", u.Party)
		}
	}
	var log struct{ Entries []access.AuditEntry }
	as("USF", access.Auditor).json("GET", "/api/v1/audit?limit=1000", nil, 200, &log)
	if len(log.Entries) == 0 {
		t.Error("USF's auditor sees no entry")
	}
	for _, e := range log.Entries {
		if e.Party != storetest.ID("USF") {
			t.Errorf("USF's auditor sees %+v", e)
		}
	}
}
