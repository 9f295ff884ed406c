package custody

import "github.com/google/uuid"

// PartyRegistered: a party joins the register. Subject: the party.
type PartyRegistered struct {
	Party
}

// FacilityRegistered: a facility joins the register. Subject: the facility.
type FacilityRegistered struct {
	Facility
}

// FacilityControlChanged: control of a facility passes to another party. Each person
// held there gets a CustodianChanged event from the same command. Subject: the facility.
type FacilityControlChanged struct {
	From   uuid.UUID `json:"from"`
	To     uuid.UUID `json:"to"`
	Reason string    `json:"reason"`
	// Unilateral is true when the party giving up control did not take part (for
	// example a withdrawal in disorder); such changes stay flagged.
	Unilateral bool `json:"unilateral"`
	// Document and Signatures: the signed ControlDocument, when both parties signed.
	Document   []byte      `json:"document,omitempty"`
	Signatures []Signature `json:"signatures,omitempty"`
}

// PersonRegistered: a person is registered and, in the same fact, admitted to the
// facility that registers them, in the custody of its controlling party. Subject: the person.
type PersonRegistered struct {
	Person    Person    `json:"person"`
	Facility  uuid.UUID `json:"facility"`
	Custodian uuid.UUID `json:"custodian"`
	// Duplicates, when present, is the warning the registrar passed: the records
	// shown as likely the same person, and why this one was registered all the same.
	Duplicates *DuplicateWarning `json:"duplicates,omitempty"`
}

// DuplicateWarning is a likely-duplicate warning passed at a registration.
type DuplicateWarning struct {
	Candidates []uuid.UUID `json:"candidates"`
	Reason     string      `json:"reason"`
}

// PersonAdmitted: a person already in the register is admitted to a facility.
// Subject: the person.
type PersonAdmitted struct {
	Facility  uuid.UUID `json:"facility"`
	Custodian uuid.UUID `json:"custodian"`
	Note      string    `json:"note,omitempty"`
}

// RecordCorrected: a person's record is replaced by a corrected one. Fields lists
// the top-level fields that changed. Subject: the person.
type RecordCorrected struct {
	Person Person   `json:"person"`
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
}

// CustodianChanged: the party holding a person changes without the person moving,
// because control of the facility changed. Subject: the person.
type CustodianChanged struct {
	Facility uuid.UUID `json:"facility"`
	From     uuid.UUID `json:"from"`
	To       uuid.UUID `json:"to"`
}

// PersonReleased ends custody by release. Subject: the person.
type PersonReleased struct {
	Reason    string `json:"reason"`
	Authority string `json:"authority"`
}

// PersonRepatriated ends custody by handing the person to their country. Subject: the person.
type PersonRepatriated struct {
	Country   string `json:"country"`
	Authority string `json:"authority"`
}

// PersonDied ends custody by death (SMR 8, 71). Subject: the person.
type PersonDied struct {
	Cause         string `json:"cause"`
	Circumstances string `json:"circumstances"`
	Remains       string `json:"remains"` // where the remains went
}

// PersonEscaped: the person is no longer held; the last custodian stays responsible.
// Subject: the person.
type PersonEscaped struct {
	Circumstances string `json:"circumstances"`
}

// PersonRecaptured: an escaped person is held again. Subject: the person.
type PersonRecaptured struct {
	Facility      uuid.UUID `json:"facility"`
	Custodian     uuid.UUID `json:"custodian"`
	Circumstances string    `json:"circumstances,omitempty"`
}

// HospitalAdmitted: a held person is taken to a hospital, still in custody.
// Subject: the person.
type HospitalAdmitted struct {
	Hospital uuid.UUID `json:"hospital"`
	Reason   string    `json:"reason"`
}

// HospitalReturned: a person in hospital returns to a facility. Subject: the person.
type HospitalReturned struct {
	Facility uuid.UUID `json:"facility"`
}

func (PartyRegistered) EventType() Type        { return TypePartyRegistered }
func (FacilityRegistered) EventType() Type     { return TypeFacilityRegistered }
func (FacilityControlChanged) EventType() Type { return TypeFacilityControlChanged }
func (PersonRegistered) EventType() Type       { return TypePersonRegistered }
func (PersonAdmitted) EventType() Type         { return TypePersonAdmitted }
func (RecordCorrected) EventType() Type        { return TypeRecordCorrected }
func (CustodianChanged) EventType() Type       { return TypeCustodianChanged }
func (PersonReleased) EventType() Type         { return TypePersonReleased }
func (PersonRepatriated) EventType() Type      { return TypePersonRepatriated }
func (PersonDied) EventType() Type             { return TypePersonDied }
func (PersonEscaped) EventType() Type          { return TypePersonEscaped }
func (PersonRecaptured) EventType() Type       { return TypePersonRecaptured }
func (HospitalAdmitted) EventType() Type       { return TypeHospitalAdmitted }
func (HospitalReturned) EventType() Type       { return TypeHospitalReturned }
