package access

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func id(name string) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceURL, []byte("handover.test/"+name)) }

var (
	sdf, irq, icrc = id("party/SDF"), id("party/IRQ"), id("party/ICRC")
	hsk, nci, hol  = id("facility/HSK"), id("facility/NCI"), id("facility/HOL")
)

func user(name string, party uuid.UUID, roles ...Role) *User {
	return &User{ID: id("user/" + name), Name: name, FullName: name, Party: party, Roles: roles}
}

func TestNewPolicyRefuses(t *testing.T) {
	for name, table := range map[string][]Rule{
		"unknown role":              {{Action: "get-person", Roles: []Role{"superuser"}, Scope: OwnParty}},
		"unknown role among known":  {{Action: "get-person", Roles: []Role{Registrar, "Registrar"}, Scope: OwnParty}},
		"unknown scope":             {{Action: "get-person", Roles: []Role{Registrar}, Scope: "world"}},
		"no scope":                  {{Action: "get-person", Roles: []Role{Registrar}}},
		"mandate for a registrar":   {{Action: "get-person", Roles: []Role{Registrar}, Scope: Mandate}},
		"mandate for a monitor and": {{Action: "get-person", Roles: []Role{MonitorRole, Auditor}, Scope: Mandate}},
	} {
		if p, err := NewPolicy(table); err == nil {
			t.Errorf("%s: accepted (%v)", name, p.Actions())
		}
	}
	p, err := NewPolicy([]Rule{
		{Action: "get-person", Roles: []Role{MonitorRole}, Scope: Mandate},
		{Action: "get-person", Roles: []Role{Registrar}, Scope: OwnParty},
	})
	if err != nil {
		t.Fatalf("a valid table: %v", err)
	}
	if !p.Known("get-person") || p.Known("get-persons") || !slices.Equal(p.Actions(), []string{"get-person"}) {
		t.Errorf("actions %v", p.Actions())
	}
}

func TestDefaultPolicy(t *testing.T) {
	p, err := NewPolicy(Table)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Actions(), DefaultPolicy.Actions()) {
		t.Error("DefaultPolicy is not Table")
	}
	if !slices.IsSorted(p.Actions()) || len(p.Actions()) < 50 {
		t.Errorf("%d actions", len(p.Actions()))
	}
}

// Every action in the table can be taken by someone, and every rule names a role.
func TestEveryActionHasARole(t *testing.T) {
	for _, r := range Table {
		if len(r.Roles) == 0 {
			t.Errorf("rule %s (%s) names no role", r.Action, r.Scope)
		}
	}
	for _, a := range DefaultPolicy.Actions() {
		var who []Role
		for _, r := range Roles {
			if DefaultPolicy.Grant(user("x", sdf, r), a).Allowed() {
				who = append(who, r)
			}
		}
		if len(who) == 0 {
			t.Errorf("no role may %s", a)
		}
	}
	// And no role is left with nothing to do.
	for _, r := range Roles {
		n := 0
		for _, a := range DefaultPolicy.Actions() {
			if g := DefaultPolicy.Grant(user("x", sdf, r), a); g.Allowed() && !g.Has(Everyone) && !g.Has(Self) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("role %s may do nothing beyond reading reference data and its own account", r)
		}
	}
}

func TestUnknownActionRefused(t *testing.T) {
	admin := user("root", sdf, Roles...)
	if g := DefaultPolicy.Grant(admin, "drop-database"); g.Allowed() || g.Permits(admin, Concerns{Parties: []uuid.UUID{sdf}}, MandateSpec{All: true}) {
		t.Errorf("an action not in the table: %+v", g)
	}
}

func TestRegistrarOwnParty(t *testing.T) {
	reg := user("sdf.registrar", sdf, Registrar)
	atHSK := Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{hsk}}
	atNCI := Concerns{Parties: []uuid.UUID{irq}, Facilities: []uuid.UUID{nci}}
	for _, action := range []string{"get-person", "person-history", "correct-record", "admit-person"} {
		g := DefaultPolicy.Grant(reg, action)
		if !g.Allowed() || !g.Has(OwnParty) || g.Has(Mandate) {
			t.Fatalf("%s: grant %+v", action, g)
		}
		if !g.Permits(reg, atHSK, MandateSpec{}) {
			t.Errorf("an SDF registrar may not %s an SDF-held person", action)
		}
		if g.Permits(reg, atNCI, MandateSpec{}) {
			t.Errorf("an SDF registrar may %s an IRQ-held person", action)
		}
		// A mandate is a monitor's: it gives a registrar nothing.
		if g.Permits(reg, atNCI, MandateSpec{All: true}) {
			t.Errorf("an SDF registrar may %s an IRQ-held person through a mandate", action)
		}
	}
	if g := DefaultPolicy.Grant(reg, "get-person"); !g.Audit {
		t.Error("reads of a person's record are not audited")
	}
	if g := DefaultPolicy.Grant(reg, "list-persons"); !g.Audit {
		t.Error("a listing of persons' records is not audited")
	}
	// Writes a registrar does not make, even for their own party.
	for _, action := range []string{"approve-transfer", "submit-handover", "register-key", "override-safeguard", "create-user", "audit-log"} {
		if g := DefaultPolicy.Grant(reg, action); g.Allowed() {
			t.Errorf("a registrar may %s: %+v", action, g)
		}
	}
}

// A transfer concerns both its sending and receiving parties.
func TestTransferBothParties(t *testing.T) {
	tr := Concerns{Parties: []uuid.UUID{sdf, irq}, Facilities: []uuid.UUID{hsk, nci}}
	for _, u := range []*User{user("a", sdf, TransferApprover), user("b", irq, TransferApprover)} {
		if g := DefaultPolicy.Grant(u, "approve-transfer"); !g.Permits(u, tr, MandateSpec{}) {
			t.Errorf("approver of a concerned party refused: %+v", g)
		}
	}
	stranger := user("c", icrc, TransferApprover)
	if g := DefaultPolicy.Grant(stranger, "approve-transfer"); g.Permits(stranger, tr, MandateSpec{}) {
		t.Error("approver of an unconcerned party allowed")
	}
}

func TestMonitorMandate(t *testing.T) {
	mon := user("icrc.monitor", icrc, MonitorRole)
	overHSK := MandateSpec{Facilities: []uuid.UUID{hsk}}
	atHSK := Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{hsk}}
	atHOL := Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{hol}}
	movement := Concerns{Parties: []uuid.UUID{sdf, irq}, Facilities: []uuid.UUID{hol, hsk}}
	for _, action := range []string{"get-person", "person-history", "list-persons", "get-movement", "get-transfer"} {
		g := DefaultPolicy.Grant(mon, action)
		if !g.Has(Mandate) || g.Has(OwnParty) {
			t.Fatalf("%s: grant %+v", action, g)
		}
		if !g.Permits(mon, atHSK, overHSK) {
			t.Errorf("%s: a monitor with a mandate over HSK does not see a person at HSK", action)
		}
		if g.Permits(mon, atHOL, overHSK) {
			t.Errorf("%s: a monitor with a mandate over HSK sees a person at HOL", action)
		}
		if !g.Permits(mon, movement, overHSK) {
			t.Errorf("%s: a monitor with a mandate over HSK does not see a movement from it", action)
		}
		if !g.Permits(mon, atHOL, MandateSpec{All: true}) {
			t.Errorf("%s: a mandate over all persons does not cover HOL", action)
		}
		if g.Permits(mon, atHSK, MandateSpec{}) {
			t.Errorf("%s: a monitor without a mandate sees a person", action)
		}
		// A resource at no known facility is not covered by a facility mandate.
		if g.Permits(mon, Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{uuid.Nil}}, MandateSpec{Facilities: []uuid.UUID{uuid.Nil}}) {
			t.Errorf("%s: the nil facility is covered", action)
		}
		// Their own party's membership gives a monitor nothing.
		if g.Permits(mon, Concerns{Parties: []uuid.UUID{icrc}, Facilities: []uuid.UUID{hol}}, overHSK) {
			t.Errorf("%s: a monitor sees outside their mandate through their party", action)
		}
	}
}

// Monitors never write: what they may do beyond their own account and reference
// data is reading within their mandate.
func TestMonitorNeverWrites(t *testing.T) {
	mon := user("icrc.monitor", icrc, MonitorRole)
	for _, a := range DefaultPolicy.Actions() {
		g := DefaultPolicy.Grant(mon, a)
		if !g.Allowed() || g.Has(Everyone) || g.Has(Self) {
			continue
		}
		if !slices.Equal(g.Scopes, []Scope{Mandate}) {
			t.Errorf("%s: monitor grant %+v", a, g)
		}
		if !strings.HasPrefix(a, "get-") && !strings.HasPrefix(a, "list-") && !strings.HasPrefix(a, "export-") && !strings.HasPrefix(a, "read-") && a != "person-history" {
			t.Errorf("a monitor may %s, which is not a read", a)
		}
	}
}

func TestAuditorReadsNoPerson(t *testing.T) {
	aud := user("sdf.auditor", sdf, Auditor)
	own := Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{hsk}}
	for _, action := range []string{"get-person", "list-persons", "person-history", "get-event", "get-transfer", "get-movement", "list-movements"} {
		if g := DefaultPolicy.Grant(aud, action); g.Allowed() || g.Permits(aud, own, MandateSpec{All: true}) {
			t.Errorf("an auditor may %s: %+v", action, g)
		}
	}
	for _, action := range []string{"audit-log", "export-audit-log"} {
		g := DefaultPolicy.Grant(aud, action)
		if !g.Has(OwnParty) || !g.Audit {
			t.Errorf("%s: auditor grant %+v", action, g)
		}
		if !g.Permits(aud, Concerns{Parties: []uuid.UUID{sdf}}, MandateSpec{}) || g.Permits(aud, Concerns{Parties: []uuid.UUID{irq}}, MandateSpec{}) {
			t.Errorf("%s: an auditor reaches another party's log, or not their own", action)
		}
		reg := user("sdf.registrar", sdf, Registrar, Administrator)
		if DefaultPolicy.Grant(reg, action).Allowed() {
			t.Errorf("%s: allowed to a registrar and administrator", action)
		}
	}
}

// Roles combine: a user holding two roles gets what either allows.
func TestRolesCombine(t *testing.T) {
	u := user("two.hats", sdf, Auditor, Registrar)
	for _, action := range []string{"get-person", "audit-log", "correct-record"} {
		if !DefaultPolicy.Grant(u, action).Allowed() {
			t.Errorf("%s refused to a registrar and auditor", action)
		}
	}
	if DefaultPolicy.Grant(u, "approve-transfer").Allowed() {
		t.Error("two roles give a third's action")
	}
}

func TestAnyAdministrator(t *testing.T) {
	admin := user("irq.admin", irq, Administrator)
	g := DefaultPolicy.Grant(admin, "register-party")
	if !g.Permits(admin, Concerns{}, MandateSpec{}) {
		t.Errorf("an administrator may not register a party: %+v", g)
	}
	for _, r := range Roles {
		if r == Administrator {
			continue
		}
		if DefaultPolicy.Grant(user("x", irq, r), "register-party").Allowed() {
			t.Errorf("a %s may register a party", r)
		}
	}
	// register-facility is for one's own party only.
	g = DefaultPolicy.Grant(admin, "register-facility")
	if g.Permits(admin, Concerns{Parties: []uuid.UUID{sdf}}, MandateSpec{}) || !g.Permits(admin, Concerns{Parties: []uuid.UUID{irq}}, MandateSpec{}) {
		t.Errorf("register-facility: %+v", g)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("%s: %v %v", r, got, err)
		}
	}
	for _, s := range []string{"", "Registrar", "monitors", "root"} {
		if _, err := ParseRole(s); err == nil {
			t.Errorf("%q accepted as a role", s)
		}
	}
}

func BenchmarkGrantPermits(b *testing.B) {
	u := user("sdf.registrar", sdf, Registrar, FacilityCommander)
	c := Concerns{Parties: []uuid.UUID{sdf}, Facilities: []uuid.UUID{hsk}}
	for b.Loop() {
		if !DefaultPolicy.Grant(u, "get-person").Permits(u, c, MandateSpec{}) {
			b.Fatal("refused")
		}
	}
}
