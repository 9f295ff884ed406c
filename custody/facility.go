package custody

import (
	"maps"
	"regexp"
	"slices"

	"github.com/google/uuid"
)

// FacilityKind is what sort of place a facility is.
type FacilityKind string

const (
	Prison                  FacilityKind = "prison"
	Camp                    FacilityKind = "camp"
	CorrectionalInstitution FacilityKind = "correctional_institution"
	JuvenileInstitution     FacilityKind = "juvenile_institution"
	TransitPoint            FacilityKind = "transit_point"
	Hospital                FacilityKind = "hospital"
)

var facilityKinds = []FacilityKind{Prison, Camp, CorrectionalInstitution, JuvenileInstitution, TransitPoint, Hospital}

// Facility is a place where people are held. Its controlling party can change over
// time (see FacilityControlChanged); the rest is fixed at registration.
type Facility struct {
	ID      uuid.UUID    `json:"id"`
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Kind    FacilityKind `json:"kind"`
	Country string       `json:"country"` // ISO 3166-1 alpha-3
	// Series is the prefix of the registration numbers this facility gives out,
	// e.g. "HSK" for HSK-000150. Facilities that register nobody may leave it empty.
	Series string `json:"series,omitempty"`
	// Capacities is the number of places by category of person. A category that is
	// absent has no places.
	Capacities map[Category]int `json:"capacities"`
	// ControllingParty is the party in control when the facility was registered.
	ControllingParty uuid.UUID `json:"controlling_party"`
}

var seriesPattern = regexp.MustCompile(`^[A-Z]{2,6}$`)

// Validate checks a facility's own fields, not its references or uniqueness.
func (f *Facility) Validate() error {
	if f.ID == uuid.Nil {
		return Errorf(Invalid, "id", "is required")
	}
	if !codePattern.MatchString(f.Code) {
		return Errorf(Invalid, "code", "must be 2 to 16 upper-case letters, digits, '-' or '_', starting with a letter; got %q", f.Code)
	}
	if err := requireName("name", f.Name, 200); err != nil {
		return err
	}
	if err := oneOf("kind", f.Kind, facilityKinds); err != nil {
		return err
	}
	if err := validCountry("country", f.Country); err != nil {
		return err
	}
	if f.Series != "" && !seriesPattern.MatchString(f.Series) {
		return Errorf(Invalid, "series", "must be 2 to 6 upper-case letters; got %q", f.Series)
	}
	for _, c := range slices.Sorted(maps.Keys(f.Capacities)) {
		if err := oneOf("capacities", c, categories); err != nil {
			return err
		}
		if n := f.Capacities[c]; n < 0 || n > 1_000_000 {
			return Errorf(Invalid, "capacities."+string(c), "must be between 0 and 1000000; got %d", n)
		}
	}
	if f.ControllingParty == uuid.Nil {
		return Errorf(Invalid, "controlling_party", "is required")
	}
	return nil
}

// Capacity returns the total number of places.
func (f *Facility) Capacity() int {
	n := 0
	for _, c := range f.Capacities {
		n += c
	}
	return n
}
