package custody

import (
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// PartyKind says what role an authority or organisation plays.
type PartyKind string

const (
	DetainingAuthority PartyKind = "detaining_authority"
	EscortForce        PartyKind = "escort_force"
	ReceivingState     PartyKind = "receiving_state"
	Monitor            PartyKind = "monitor"
)

var partyKinds = []PartyKind{DetainingAuthority, EscortForce, ReceivingState, Monitor}

// Party is an authority or organisation. Its Code is short, upper case and unique
// (for example "SDF", "IRQ", "ICRC"); it is what people type and read.
type Party struct {
	ID   uuid.UUID `json:"id"`
	Code string    `json:"code"`
	Name string    `json:"name"`
	Kind PartyKind `json:"kind"`
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{1,15}$`)

// Validate checks a party's own fields, not its uniqueness.
func (p *Party) Validate() error {
	if p.ID == uuid.Nil {
		return Errorf(Invalid, "id", "is required")
	}
	if !codePattern.MatchString(p.Code) {
		return Errorf(Invalid, "code", "must be 2 to 16 upper-case letters, digits, '-' or '_', starting with a letter; got %q", p.Code)
	}
	if err := requireName("name", p.Name, 200); err != nil {
		return err
	}
	return oneOf("kind", p.Kind, partyKinds)
}

// oneOf checks that v is one of the allowed values.
func oneOf[T ~string](field string, v T, allowed []T) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if v == "" {
		return Errorf(Invalid, field, "is required; one of %s", strings.Join(names, ", "))
	}
	return Errorf(Invalid, field, "%q is not one of %s", v, strings.Join(names, ", "))
}
