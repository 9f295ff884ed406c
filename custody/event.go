package custody

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Version is the event format version written in every event's "v" field.
const Version = 1

// Type names the kind of fact an event records. Types are part of the ledger format:
// never rename one.
type Type string

const (
	TypePartyRegistered        Type = "party.registered"
	TypeFacilityRegistered     Type = "facility.registered"
	TypeFacilityControlChanged Type = "facility.control_changed"
	TypeFacilityRiskSet        Type = "facility.risk_set"
	TypePersonRegistered       Type = "person.registered"
	TypePersonAdmitted         Type = "person.admitted"
	TypeRecordCorrected        Type = "person.record_corrected"
	TypeCustodianChanged       Type = "person.custodian_changed"
	TypePersonReleased         Type = "person.released"
	TypePersonRepatriated      Type = "person.repatriated"
	TypePersonDied             Type = "person.died"
	TypePersonEscaped          Type = "person.escaped"
	TypePersonRecaptured       Type = "person.recaptured"
	TypeHospitalAdmitted       Type = "person.hospital_admitted"
	TypeHospitalReturned       Type = "person.hospital_returned"
	TypePersonDeparted         Type = "person.departed"
	TypePersonArrived          Type = "person.arrived"
	TypeKeyRegistered          Type = "key.registered"
	TypeKeyRevoked             Type = "key.revoked"
	TypeCampaignCreated        Type = "campaign.created"
	TypeTransferProposed       Type = "transfer.proposed"
	TypeSafeguardRecorded      Type = "transfer.safeguard_recorded"
	TypeSafeguardOverridden    Type = "transfer.safeguard_overridden"
	TypeTransferApproved       Type = "transfer.approved"
	TypeTransferCancelled      Type = "transfer.cancelled"
	TypeMovementPlanned        Type = "movement.planned"
	TypeManifestSet            Type = "movement.manifest_set"
	TypeMovementCancelled      Type = "movement.cancelled"
	TypeHandedOver             Type = "movement.handed_over"
	TypeMovementReconciled     Type = "movement.reconciled"
	TypeIncidentOpened         Type = "incident.opened"
	TypeIncidentResolved       Type = "incident.resolved"
	TypeNotificationCompleted  Type = "notification.completed"
	TypeMandateSet             Type = "party.mandate_set"
	TypePersonLinked           Type = "person.linked"
	TypePersonUnlinked         Type = "person.unlinked"
	TypePersonsDistinct        Type = "person.distinct"
)

// Payload is the "data" of an event; each event type has one payload type.
type Payload interface {
	EventType() Type
}

// payloads maps each type to a constructor of its payload, for decoding.
var payloads = map[Type]func() Payload{
	TypePartyRegistered:        func() Payload { return new(PartyRegistered) },
	TypeFacilityRegistered:     func() Payload { return new(FacilityRegistered) },
	TypeFacilityControlChanged: func() Payload { return new(FacilityControlChanged) },
	TypeFacilityRiskSet:        func() Payload { return new(FacilityRiskSet) },
	TypePersonRegistered:       func() Payload { return new(PersonRegistered) },
	TypePersonAdmitted:         func() Payload { return new(PersonAdmitted) },
	TypeRecordCorrected:        func() Payload { return new(RecordCorrected) },
	TypeCustodianChanged:       func() Payload { return new(CustodianChanged) },
	TypePersonReleased:         func() Payload { return new(PersonReleased) },
	TypePersonRepatriated:      func() Payload { return new(PersonRepatriated) },
	TypePersonDied:             func() Payload { return new(PersonDied) },
	TypePersonEscaped:          func() Payload { return new(PersonEscaped) },
	TypePersonRecaptured:       func() Payload { return new(PersonRecaptured) },
	TypeHospitalAdmitted:       func() Payload { return new(HospitalAdmitted) },
	TypeHospitalReturned:       func() Payload { return new(HospitalReturned) },
	TypePersonDeparted:         func() Payload { return new(PersonDeparted) },
	TypePersonArrived:          func() Payload { return new(PersonArrived) },
	TypeKeyRegistered:          func() Payload { return new(KeyRegistered) },
	TypeKeyRevoked:             func() Payload { return new(KeyRevoked) },
	TypeCampaignCreated:        func() Payload { return new(CampaignCreated) },
	TypeTransferProposed:       func() Payload { return new(TransferProposed) },
	TypeSafeguardRecorded:      func() Payload { return new(SafeguardRecorded) },
	TypeSafeguardOverridden:    func() Payload { return new(SafeguardOverridden) },
	TypeTransferApproved:       func() Payload { return new(TransferApproved) },
	TypeTransferCancelled:      func() Payload { return new(TransferCancelled) },
	TypeMovementPlanned:        func() Payload { return new(MovementPlanned) },
	TypeManifestSet:            func() Payload { return new(ManifestSet) },
	TypeMovementCancelled:      func() Payload { return new(MovementCancelled) },
	TypeHandedOver:             func() Payload { return new(HandedOver) },
	TypeMovementReconciled:     func() Payload { return new(MovementReconciled) },
	TypeIncidentOpened:         func() Payload { return new(IncidentOpened) },
	TypeIncidentResolved:       func() Payload { return new(IncidentResolved) },
	TypeNotificationCompleted:  func() Payload { return new(NotificationCompleted) },
	TypeMandateSet:             func() Payload { return new(MandateSet) },
	TypePersonLinked:           func() Payload { return new(PersonLinked) },
	TypePersonUnlinked:         func() Payload { return new(PersonUnlinked) },
	TypePersonsDistinct:        func() Payload { return new(PersonsDistinct) },
}

// Types returns every known event type.
func Types() []Type {
	ts := make([]Type, 0, len(payloads))
	for t := range payloads {
		ts = append(ts, t)
	}
	return ts
}

// Draft is an event that Decide produced and the sequencer has not yet sealed: it
// lacks the identifier, the recording time and the nonce.
type Draft struct {
	Subject    uuid.UUID // the person, facility or party the event is about
	Party      uuid.UUID // the party on whose behalf it is recorded
	Actor      string    // who recorded it: a user, an officer, or "system"
	OccurredAt time.Time // when it happened in the field
	Data       Payload
}

// Event is one fact in the ledger. Its JSON form is
//
//	{"v":1,"id":…,"type":…,"occurred_at":…,"recorded_at":…,"actor":…,"party":…,
//	 "subject":…,"data":{…},"nonce":…}
//
// and the bytes stored in the ledger are exactly the bytes that were hashed: an event
// is never re-encoded to be verified.
type Event struct {
	ID         uuid.UUID
	Type       Type
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      string
	Party      uuid.UUID
	Subject    uuid.UUID
	Data       Payload
	Nonce      [16]byte
}

// envelope fixes the field order of the JSON form.
type envelope struct {
	V          int             `json:"v"`
	ID         uuid.UUID       `json:"id"`
	Type       Type            `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      string          `json:"actor"`
	Party      uuid.UUID       `json:"party"`
	Subject    uuid.UUID       `json:"subject"`
	Data       json.RawMessage `json:"data"`
	Nonce      []byte          `json:"nonce"`
}

// MaxOccurredAhead is how far in the future of its recording an event may say it
// occurred: field clocks drift, but not by hours.
const MaxOccurredAhead = 10 * time.Minute

// Seal turns a draft into an event with the given identifier, recording time and
// nonce, and returns it with its bytes. It refuses a draft that claims to have
// occurred after it was recorded (beyond MaxOccurredAhead) or that has no occurrence time.
func Seal(d Draft, id uuid.UUID, recordedAt time.Time, nonce [16]byte) (Event, []byte, error) {
	if d.OccurredAt.IsZero() {
		return Event{}, nil, Errorf(Invalid, "occurred_at", "is required")
	}
	if d.OccurredAt.After(recordedAt.Add(MaxOccurredAhead)) {
		return Event{}, nil, Errorf(Invalid, "occurred_at", "%s is in the future (server time %s)",
			d.OccurredAt.UTC().Format(time.RFC3339), recordedAt.UTC().Format(time.RFC3339))
	}
	e := Event{
		ID: id, Type: d.Data.EventType(),
		OccurredAt: d.OccurredAt.UTC(), RecordedAt: recordedAt.UTC(),
		Actor: d.Actor, Party: d.Party, Subject: d.Subject, Data: d.Data, Nonce: nonce,
	}
	b, err := e.MarshalJSON()
	return e, b, err
}

// MarshalJSON encodes the event in its ledger form.
//
// It writes the envelope by hand, byte for byte as encoding/json would write the
// envelope struct (the golden files hold it to that), because it runs once for every
// event on the sequencer's hot path.
func (e Event) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, fmt.Errorf("encode %s data: %w", e.Type, err)
	}
	b := make([]byte, 0, 320+len(e.Actor)+len(data))
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, Version, 10)
	b = appendUUID(append(b, `,"id":`...), e.ID)
	b = appendString(append(b, `,"type":`...), string(e.Type))
	if b, err = appendTime(append(b, `,"occurred_at":`...), e.OccurredAt); err != nil {
		return nil, err
	}
	if b, err = appendTime(append(b, `,"recorded_at":`...), e.RecordedAt); err != nil {
		return nil, err
	}
	b = appendString(append(b, `,"actor":`...), e.Actor)
	b = appendUUID(append(b, `,"party":`...), e.Party)
	b = appendUUID(append(b, `,"subject":`...), e.Subject)
	b = append(append(b, `,"data":`...), data...)
	b = append(b, `,"nonce":"`...)
	b = base64.StdEncoding.AppendEncode(b, e.Nonce[:])
	return append(b, `"}`...), nil
}

func appendUUID(b []byte, id uuid.UUID) []byte {
	var s [36]byte
	hex.Encode(s[0:8], id[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], id[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], id[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], id[8:10])
	s[23] = '-'
	hex.Encode(s[24:], id[10:])
	return append(append(append(b, '"'), s[:]...), '"')
}

func appendTime(b []byte, t time.Time) ([]byte, error) {
	j, err := t.MarshalJSON()
	return append(b, j...), err
}

// appendString appends s as a JSON string, escaped as encoding/json escapes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			j, _ := json.Marshal(s) // the rare string that needs escaping, or is not ASCII
			return append(b, j...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// DecodeEvent parses the ledger form of an event. It refuses unknown versions and
// types, a missing or malformed field, and data that does not fit the type.
func DecodeEvent(b []byte) (Event, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	if dec.More() {
		return Event{}, fmt.Errorf("decode event: trailing data after the object")
	}
	if env.V != Version {
		return Event{}, fmt.Errorf("decode event: version %d is not %d", env.V, Version)
	}
	newPayload, ok := payloads[env.Type]
	if !ok {
		return Event{}, fmt.Errorf("decode event: unknown type %q", env.Type)
	}
	if env.ID == uuid.Nil {
		return Event{}, fmt.Errorf("decode event: no id")
	}
	if len(env.Nonce) != 16 {
		return Event{}, fmt.Errorf("decode event: nonce has %d bytes, not 16", len(env.Nonce))
	}
	if env.OccurredAt.IsZero() || env.RecordedAt.IsZero() {
		return Event{}, fmt.Errorf("decode event: occurred_at and recorded_at are required")
	}
	p := newPayload()
	dd := json.NewDecoder(bytes.NewReader(env.Data))
	dd.DisallowUnknownFields()
	if err := dd.Decode(p); err != nil {
		return Event{}, fmt.Errorf("decode %s data: %w", env.Type, err)
	}
	e := Event{
		ID: env.ID, Type: env.Type, OccurredAt: env.OccurredAt, RecordedAt: env.RecordedAt,
		Actor: env.Actor, Party: env.Party, Subject: env.Subject, Data: p,
	}
	copy(e.Nonce[:], env.Nonce)
	return e, nil
}

// EventTypes lists every type of event, sorted.
func EventTypes() []Type {
	out := make([]Type, 0, len(payloads))
	for t := range payloads {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
