package custody

import (
	"time"

	"github.com/google/uuid"
)

// ControlDocumentType is the "type" of a signed control-change document.
const ControlDocumentType = "control_change"

// ControlDocument is what the outgoing and the incoming party's officers sign when
// control of a facility passes between them with both present. Its exact bytes are
// signed, as a handover document's are.
type ControlDocument struct {
	Type     string    `json:"type"` // ControlDocumentType
	V        int       `json:"v"`    // 1
	ID       uuid.UUID `json:"id"`
	Facility uuid.UUID `json:"facility"`
	From     Officer   `json:"from"` // the outgoing party's officer
	To       Officer   `json:"to"`   // the incoming party's officer
	At       time.Time `json:"at"`
	Place    string    `json:"place"`
	// HeadCount is the number of persons held at the facility (or in hospital from
	// it) that both officers counted.
	HeadCount int `json:"head_count"`
}

// ParseControlDocument decodes a control-change document strictly.
func ParseControlDocument(b []byte) (*ControlDocument, error) {
	var d ControlDocument
	if err := decodeDocument(b, "control-change document", &d); err != nil {
		return nil, err
	}
	h := documentHeader{what: "control-change document", typ: d.Type, wantType: ControlDocumentType, v: d.V, id: d.ID, at: d.At, place: d.Place, from: d.From, to: d.To}
	if err := h.check(); err != nil {
		return nil, err
	}
	return &d, nil
}

// checkControlDocument checks a signed control change against the facility and the
// parties it names, and the signatures (invariant 6 applies to it as to handovers).
func (s *State) checkControlDocument(f *FacilityState, to uuid.UUID, b []byte, sigs []Signature, held int) (*ControlDocument, error) {
	if err := validUTF8("document", string(b)); err != nil {
		return nil, err
	}
	if err := checkNoDuplicateKeys(b); err != nil {
		return nil, err
	}
	d, err := ParseControlDocument(b)
	if err != nil {
		return nil, err
	}
	if s.handovers[d.ID] {
		return nil, Errorf(Conflict, "document.id", "document %s was already recorded: a document is accepted once", d.ID)
	}
	if d.Facility != f.ID {
		return nil, Errorf(Invalid, "document.facility", "the document is for facility %s, not %s", d.Facility, f.Code)
	}
	if d.From.Party != f.Controller {
		return nil, Errorf(Refused, "document.from.party", "%s controls %s, not %s", s.partyCode(f.Controller), f.Code, s.partyCode(d.From.Party))
	}
	if d.To.Party != to {
		return nil, Errorf(Invalid, "document.to.party", "the document passes control to %s, the command to %s", s.partyCode(d.To.Party), s.partyCode(to))
	}
	if held >= 0 && d.HeadCount != held {
		return nil, Errorf(Refused, "document.head_count", "is %d but the register holds %d persons at %s: reconcile the count first", d.HeadCount, held, f.Code)
	}
	if err := s.checkSignatures("document", d.From, d.To, b, sigs); err != nil {
		return nil, err
	}
	return d, nil
}
