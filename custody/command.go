package custody

import (
	"time"

	"github.com/google/uuid"
)

// Meta is what every command carries: who gives it, for which party, and when the
// fact it records happened in the field.
type Meta struct {
	Actor      string    `json:"actor"`
	Party      uuid.UUID `json:"party,omitzero"` // the acting party; defaults to the custodian or controller concerned
	OccurredAt time.Time `json:"occurred_at"`
}

// Command is something a user asks the system to record. Decide turns it into events.
type Command interface {
	meta() Meta
}

func (m Meta) meta() Meta { return m }

// RegisterParty adds an authority or organisation.
type RegisterParty struct {
	Meta
	Party Party
}

// RegisterFacility adds a facility.
type RegisterFacility struct {
	Meta
	Facility Facility
}

// ChangeFacilityControl passes control of a facility to another party. Every person
// held there passes to the new party's custody in the same command.
type ChangeFacilityControl struct {
	Meta
	Facility   uuid.UUID
	To         uuid.UUID
	Reason     string
	Unilateral bool
	// Document and Signatures: a ControlDocument signed by an officer of each
	// party, when both are present. A change that is not unilateral and not signed
	// is recorded, and shows in the control history as unsigned.
	Document   []byte
	Signatures []Signature
}

// RegisterPerson registers a person and admits them to a facility. An empty RegNo is
// given the next number of the facility's series.
type RegisterPerson struct {
	Meta
	Person   Person
	Facility uuid.UUID
	// Duplicates are the registered persons the registrar was shown as likely the
	// same person before saving (the names index's candidates), and DuplicateReason
	// why the record is registered all the same; both are recorded in the event.
	// LinkTo, if set, is one of them (or another record) that the new record is
	// linked to in the same decision, with DuplicateReason as the link's reason.
	Duplicates      []uuid.UUID
	DuplicateReason string
	LinkTo          uuid.UUID
}

// AdmitPerson moves a person to a facility of the same custodian, or admits a person
// arriving in transit.
type AdmitPerson struct {
	Meta
	Person   uuid.UUID
	Facility uuid.UUID
	Note     string
	found    bool // a person in transit, found after a discrepancy (see ResolveIncident)
}

// CorrectRecord replaces a person's record with a corrected one.
type CorrectRecord struct {
	Meta
	Person Person
	Reason string
}

// ReleasePerson ends custody by release.
type ReleasePerson struct {
	Meta
	Person    uuid.UUID
	Reason    string
	Authority string
}

// RepatriatePerson ends custody by handing the person to a country.
type RepatriatePerson struct {
	Meta
	Person    uuid.UUID
	Country   string
	Authority string
}

// RecordDeath ends custody by death.
type RecordDeath struct {
	Meta
	Person        uuid.UUID
	Cause         string
	Circumstances string
	Remains       string
}

// RecordEscape records that a person is no longer held.
type RecordEscape struct {
	Meta
	Person        uuid.UUID
	Circumstances string
}

// RecordRecapture holds an escaped person again at a facility.
type RecordRecapture struct {
	Meta
	Person        uuid.UUID
	Facility      uuid.UUID
	Circumstances string
}

// AdmitToHospital takes a held person to a hospital facility.
type AdmitToHospital struct {
	Meta
	Person   uuid.UUID
	Hospital uuid.UUID
	Reason   string
}

// ReturnFromHospital brings a hospitalised person back to a facility; a nil Facility
// means the one they came from.
type ReturnFromHospital struct {
	Meta
	Person   uuid.UUID
	Facility uuid.UUID
}
