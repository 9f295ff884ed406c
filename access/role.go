package access

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a user may do for their party.
type Role string

const (
	Administrator     Role = "administrator"      // the party's accounts, keys and reference data
	Registrar         Role = "registrar"          // registers and corrects persons, records custody events
	FacilityCommander Role = "facility_commander" // runs a facility: custody events, control changes, handovers
	EscortCommander   Role = "escort_commander"   // runs movements: manifests, handovers, incidents on the road
	LegalOfficer      Role = "legal_officer"      // records risk assessments and other safeguards, and overrides
	TransferApprover  Role = "transfer_approver"  // proposes and approves transfers
	MonitorRole       Role = "monitor"            // reads what the party's mandate covers (e.g. ICRC); never writes
	Auditor           Role = "auditor"            // reads and exports the audit log
)

// Roles lists every role, in the order tables show them.
var Roles = []Role{Administrator, Registrar, FacilityCommander, EscortCommander, LegalOfficer, TransferApprover, MonitorRole, Auditor}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if !slices.Contains(Roles, r) {
		names := make([]string, len(Roles))
		for i, x := range Roles {
			names[i] = string(x)
		}
		return "", fmt.Errorf("%q is not a role; one of %s", s, strings.Join(names, ", "))
	}
	return r, nil
}
