package custody

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Signed documents — handovers and control changes — are JSON whose exact bytes two
// officers sign. They are read strictly: unknown fields, trailing data, a wrong type
// or version are refused.

// decodeDocument decodes b into v, refusing unknown fields and trailing data.
func decodeDocument(b []byte, what string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errorf(Invalid, "document", "is not a %s: %v", what, err)
	}
	if dec.More() {
		return Errorf(Invalid, "document", "has trailing data after the object")
	}
	return nil
}

// documentHeader is what every signed document carries.
type documentHeader struct {
	what, typ, wantType string
	v                   int
	id                  uuid.UUID
	at                  time.Time
	place               string
	from, to            Officer
}

// check refuses a header with a wrong type or version, or a missing id, time,
// place or officer's name.
func (h documentHeader) check() error {
	if h.typ != h.wantType || h.v != 1 {
		return Errorf(Invalid, "document", "type %q version %d is not a %s of version 1", h.typ, h.v, h.what)
	}
	if h.id == uuid.Nil {
		return Errorf(Invalid, "document.id", "is required")
	}
	if h.at.IsZero() {
		return Errorf(Invalid, "document.at", "is required")
	}
	if err := requireText("document.place", h.place, 400); err != nil {
		return err
	}
	if err := requireName("document.from.name", h.from.Name, 200); err != nil {
		return err
	}
	return requireName("document.to.name", h.to.Name, 200)
}
