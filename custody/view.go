package custody

import (
	"time"

	"github.com/google/uuid"
)

// PersonFilter selects persons in a listing. Zero fields do not filter.
type PersonFilter struct {
	Facility    uuid.UUID
	Nationality string // ISO 3166-1 alpha-3; matches any of a person's nationalities
	Category    Category
	Status      Status
	Name        string    // substring of any name, in either script, case-insensitive
	Flag        Flag      // a flag of docs/standards.md §J that stands on the person
	Now         time.Time // the time NotificationOverdue is judged at; default time.Now()
	After       string    // registration number after which the page starts
	Limit       int       // at most MaxPageSize; 0 means DefaultPageSize
	// Visible, when not nil, keeps only the persons it admits: the listing of what
	// one reader may see, filtered by the store in the same query as the rest, so
	// that every page but the last is full. Nil keeps everyone.
	Visible *Visibility
	// IDs, when not empty, keeps only these persons (at most MaxPageSize): one
	// read of the records a page names, such as a movement's manifest.
	IDs []uuid.UUID
}

// Visibility admits the persons who match any one of its clauses; one with no
// clause admits nobody. Each clause is read from the person's custody as it stands
// now; nil ids match nothing. The API builds it from a
// reader's grant: the clauses that make a person concern the reader's party, or
// fall within their monitor's mandate (api/authz.go, personConcerns).
type Visibility struct {
	Custodians []uuid.UUID // held by one of these parties: Custody.Custodian
	Facilities []uuid.UUID // at one of these facilities, or to return to one from hospital: Custody.Facility, Custody.Return
	Transfers  []uuid.UUID // on one of these open transfers: Custody.Transfer
	Movements  []uuid.UUID // carried by one of these movements: Custody.Movement
}

// MaxVisibilityIDs bounds the ids of a Visibility, all clauses together (each is a
// query parameter).
const MaxVisibilityIDs = 10000

// Page sizes of person listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Validate checks the filter's fields and fills in the default limit.
func (f *PersonFilter) Validate() error {
	if f.Nationality != "" {
		if err := validCountry("nationality", f.Nationality); err != nil {
			return err
		}
	}
	if f.Category != "" {
		if err := oneOf("category", f.Category, categories); err != nil {
			return err
		}
	}
	if f.Status != "" {
		if err := oneOf("status", f.Status, Statuses); err != nil {
			return err
		}
	}
	if f.Flag != "" && !IsFlag(f.Flag) {
		return oneOf("flag", f.Flag, ComputedFlags)
	}
	if f.Now.IsZero() {
		f.Now = time.Now()
	}
	if err := optionalText("name", f.Name, 200); err != nil {
		return err
	}
	if v := f.Visible; v != nil {
		if n := len(v.Custodians) + len(v.Facilities) + len(v.Transfers) + len(v.Movements); n > MaxVisibilityIDs {
			return Errorf(Invalid, "visible", "names %d ids; at most %d", n, MaxVisibilityIDs)
		}
	}
	if len(f.IDs) > MaxPageSize {
		return Errorf(Invalid, "id", "names %d persons; at most %d", len(f.IDs), MaxPageSize)
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return Errorf(Invalid, "limit", "must be between 1 and %d; got %d", MaxPageSize, f.Limit)
	}
	return nil
}

// PersonPage is one page of a listing; Next is the After of the following page, or
// "" on the last page.
type PersonPage struct {
	Persons []PersonState `json:"persons"`
	Next    string        `json:"next,omitempty"`
}

// LoggedEvent is an event as the ledger holds it: its index and exact bytes.
type LoggedEvent struct {
	Index uint64 `json:"index"`
	Bytes []byte `json:"-"`
}

// Categories returns every category of person.
func Categories() []Category { return append([]Category(nil), categories...) }
