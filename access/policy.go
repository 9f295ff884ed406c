package access

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Scope says which resources a rule's roles reach.
type Scope string

const (
	// Everyone: reference data and the ledger's commitments; any signed-in user.
	Everyone Scope = "everyone"
	// AnyAdministrator: deployment-wide acts (registering a party) by an
	// administrator of any party.
	AnyAdministrator Scope = "any_administrator"
	// OwnParty: the resource concerns the user's party — it holds the person,
	// controls the facility, sends, receives or escorts the transfer or movement,
	// reported the incident, owes the notification, owns the key. Lists are
	// filtered to such resources.
	OwnParty Scope = "own_party"
	// Mandate: monitors read what their party's mandate covers (all persons, or the
	// persons at and movements through a list of facilities). Never a write.
	Mandate Scope = "mandate"
	// Self: the user's own account, sessions and tokens.
	Self Scope = "self"
)

// Rule grants an action to roles within a scope.
type Rule struct {
	Action string // the API operation id, e.g. "get-person"
	Roles  []Role
	Scope  Scope
	// Audit: every use is written to the audit log (reads of a person's record,
	// exports), besides every denial and every write, which always are.
	Audit bool
}

// partyRoles are the roles that act for a party on its own records.
var partyRoles = []Role{Administrator, Registrar, FacilityCommander, EscortCommander, LegalOfficer, TransferApprover}

func rules(action string, scope Scope, audit bool, roles ...Role) []Rule {
	return []Rule{{Action: action, Roles: roles, Scope: scope, Audit: audit}}
}

// reads grants a read of party records to the party's own roles and to monitors
// within their mandate.
func reads(action string, audit bool) []Rule {
	return []Rule{
		{Action: action, Roles: partyRoles, Scope: OwnParty, Audit: audit},
		{Action: action, Roles: []Role{MonitorRole}, Scope: Mandate, Audit: audit},
	}
}

// Table is the authorisation table: every action the API offers, who may take it,
// and over what. Issue 4 is the specification it is checked against; an action not
// in the table is refused to everyone (and fails the matrix test).
var Table = concat(
	// Reference data and the ledger's commitments.
	rules("list-parties", Everyone, false, Roles...),
	rules("get-party", Everyone, false, Roles...),
	rules("list-facilities", Everyone, false, Roles...),
	rules("get-facility", Everyone, false, Roles...),
	rules("list-keys", Everyone, false, Roles...),
	rules("get-key", Everyone, false, Roles...),
	rules("list-campaigns", Everyone, false, Roles...),
	rules("get-campaign", Everyone, false, Roles...),
	rules("checkpoint", Everyone, false, Roles...),
	rules("inclusion-proof", Everyone, false, Roles...),
	rules("consistency-proof", Everyone, false, Roles...),
	rules("event-proof", Everyone, false, Roles...),
	rules("witnesses", Everyone, false, Roles...),
	rules("witnessed-event", Everyone, false, Roles...),

	// The register.
	rules("register-party", AnyAdministrator, false, Administrator),
	rules("register-facility", OwnParty, false, Administrator),
	rules("change-facility-control", OwnParty, false, Administrator, FacilityCommander),
	rules("set-facility-risk", OwnParty, false, Administrator, FacilityCommander, TransferApprover),
	rules("register-person", OwnParty, false, Registrar, FacilityCommander),
	rules("import-persons", OwnParty, false, Registrar, FacilityCommander),
	reads("list-persons", true),
	reads("list-duplicates", true),
	reads("export-persons", true),
	reads("get-person", true),
	reads("person-history", true),
	rules("admit-person", OwnParty, false, Registrar, FacilityCommander),
	rules("correct-record", OwnParty, false, Registrar),
	rules("link-persons", OwnParty, false, Registrar),
	rules("unlink-persons", OwnParty, false, Registrar),
	rules("distinguish-persons", OwnParty, false, Registrar),
	rules("release-person", OwnParty, false, Registrar, FacilityCommander),
	rules("repatriate-person", OwnParty, false, Registrar, FacilityCommander),
	rules("record-death", OwnParty, false, Registrar, FacilityCommander, EscortCommander),
	rules("record-escape", OwnParty, false, Registrar, FacilityCommander, EscortCommander),
	rules("record-recapture", OwnParty, false, Registrar, FacilityCommander),
	rules("admit-to-hospital", OwnParty, false, Registrar, FacilityCommander),
	rules("return-from-hospital", OwnParty, false, Registrar, FacilityCommander),
	reads("get-event", true),
	reads("read-feed", true),

	// Officer keys.
	rules("register-key", OwnParty, false, Administrator),
	rules("revoke-key", OwnParty, false, Administrator),

	// Transfers and movements.
	rules("create-campaign", OwnParty, false, Administrator, TransferApprover),
	// A campaign's plan names persons of every sending site: the roles that plan
	// transfers and movements of any party may read it (audited); the receiving
	// party's transfer approvers, who run the campaign, accept it.
	rules("plan-campaign", Everyone, true, Administrator, TransferApprover, FacilityCommander, EscortCommander, LegalOfficer),
	rules("accept-plan", OwnParty, false, TransferApprover),
	rules("propose-transfer", OwnParty, false, TransferApprover),
	reads("list-transfers", false),
	reads("get-transfer", true),
	rules("record-safeguard", OwnParty, false, LegalOfficer),
	rules("override-safeguard", OwnParty, false, LegalOfficer),
	rules("approve-transfer", OwnParty, false, TransferApprover),
	rules("cancel-transfer", OwnParty, false, TransferApprover),
	rules("plan-movement", OwnParty, false, FacilityCommander, EscortCommander),
	rules("set-manifest", OwnParty, false, FacilityCommander, EscortCommander),
	rules("cancel-movement", OwnParty, false, FacilityCommander, EscortCommander),
	reads("list-movements", false),
	reads("get-movement", true),
	rules("submit-handover", OwnParty, false, FacilityCommander, EscortCommander),
	rules("open-incident", OwnParty, false, FacilityCommander, EscortCommander),
	rules("resolve-incident", OwnParty, false, FacilityCommander, EscortCommander),
	reads("list-incidents", false),
	reads("get-incident", false),
	reads("list-alerts", false),
	reads("list-notifications", false),
	reads("get-notification", false),
	rules("complete-notification", OwnParty, false, Registrar, FacilityCommander),

	// Accounts and the audit log.
	rules("whoami", Self, false, Roles...),
	rules("change-password", Self, false, Roles...),
	rules("logout", Self, false, Roles...),
	rules("create-token", Self, false, Roles...),
	rules("list-tokens", Self, false, Roles...),
	rules("get-token", Self, false, Roles...),
	rules("revoke-token", Self, false, Roles...),
	rules("list-users", OwnParty, false, Administrator),
	rules("get-user", OwnParty, false, Administrator),
	rules("create-user", OwnParty, false, Administrator),
	rules("update-user", OwnParty, false, Administrator),
	rules("audit-log", OwnParty, true, Auditor),
	rules("export-audit-log", OwnParty, true, Auditor),
)

func concat(rs ...[]Rule) []Rule {
	var out []Rule
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

// Policy is the table indexed for lookups at request time.
type Policy struct {
	byAction map[string][]Rule
}

// NewPolicy indexes a table. It refuses a table with an unknown role or scope.
func NewPolicy(table []Rule) (*Policy, error) {
	p := &Policy{byAction: map[string][]Rule{}}
	for _, r := range table {
		for _, role := range r.Roles {
			if !slices.Contains(Roles, role) {
				return nil, fmt.Errorf("access: rule %s names unknown role %q", r.Action, role)
			}
		}
		switch r.Scope {
		case Everyone, AnyAdministrator, OwnParty, Mandate, Self:
		default:
			return nil, fmt.Errorf("access: rule %s has unknown scope %q", r.Action, r.Scope)
		}
		if r.Scope == Mandate && slices.ContainsFunc(r.Roles, func(x Role) bool { return x != MonitorRole }) {
			return nil, fmt.Errorf("access: rule %s grants a mandate scope to a role other than monitor", r.Action)
		}
		p.byAction[r.Action] = append(p.byAction[r.Action], r)
	}
	return p, nil
}

// DefaultPolicy is Table, indexed.
var DefaultPolicy = func() *Policy {
	p, err := NewPolicy(Table)
	if err != nil {
		panic(err)
	}
	return p
}()

// Known reports whether the table names an action.
func (p *Policy) Known(action string) bool { _, ok := p.byAction[action]; return ok }

// Actions lists the actions of the table.
func (p *Policy) Actions() []string {
	out := make([]string, 0, len(p.byAction))
	for a := range p.byAction {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Rules returns the rules of an action, in the table's order (a copy): who may
// take it, under which scope, audited or not. The API documents each operation
// with them.
func (p *Policy) Rules(action string) []Rule {
	rs := make([]Rule, len(p.byAction[action]))
	for i, r := range p.byAction[action] {
		r.Roles = slices.Clone(r.Roles)
		rs[i] = r
	}
	return rs
}

// Grant is what the policy allows one user for one action: the scopes under which
// they may act (empty: refused), and whether the act is audited.
type Grant struct {
	Scopes []Scope
	Audit  bool
}

// Allowed reports whether the grant lets the user act at all.
func (g Grant) Allowed() bool { return len(g.Scopes) > 0 }

// Has reports whether the grant includes a scope.
func (g Grant) Has(s Scope) bool { return slices.Contains(g.Scopes, s) }

// Grant returns what a user may do for an action, before looking at the resource.
func (p *Policy) Grant(u *User, action string) Grant {
	var g Grant
	for _, r := range p.byAction[action] {
		if slices.ContainsFunc(r.Roles, u.Has) {
			if !slices.Contains(g.Scopes, r.Scope) {
				g.Scopes = append(g.Scopes, r.Scope)
			}
			g.Audit = g.Audit || r.Audit
		}
	}
	return g
}

// MandateSpec is what a monitor party may see: every person, or those at a list of
// facilities (and the movements and transfers to and from them).
type MandateSpec struct {
	All        bool
	Facilities []uuid.UUID
}

// Covers reports whether a mandate covers any of the facilities a resource concerns.
func (m MandateSpec) Covers(facilities ...uuid.UUID) bool {
	if m.All {
		return true
	}
	for _, f := range facilities {
		if f != uuid.Nil && slices.Contains(m.Facilities, f) {
			return true
		}
	}
	return false
}

// Concerns is what the API knows of a resource when it authorises an act on it:
// the parties it concerns, the facilities it touches, and for a user's own
// account, sessions and tokens, the user it belongs to.
type Concerns struct {
	Parties    []uuid.UUID
	Facilities []uuid.UUID
	User       uuid.UUID // the owner, for Self-scoped resources; Nil: the caller's own
}

// Permits decides a grant against a resource's concerns: the user's party must be
// concerned (OwnParty), the resource within the monitor's mandate (Mandate), or
// the scope needs no resource.
func (g Grant) Permits(u *User, c Concerns, mandate MandateSpec) bool {
	for _, s := range g.Scopes {
		switch s {
		case Everyone, AnyAdministrator:
			return true
		case Self:
			if c.User == uuid.Nil || c.User == u.ID {
				return true
			}
		case OwnParty:
			if slices.Contains(c.Parties, u.Party) {
				return true
			}
		case Mandate:
			if mandate.Covers(c.Facilities...) {
				return true
			}
		}
	}
	return false
}
