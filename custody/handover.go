package custody

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Stage says which handover of a movement a document records.
type Stage string

const (
	Departure Stage = "departure" // sending facility → escort
	Arrival   Stage = "arrival"   // escort → receiving facility
)

var stages = []Stage{Departure, Arrival}

// Outcome is what a handover found for one person.
type Outcome string

const (
	OutcomePresent  Outcome = "present"  // present and identity confirmed
	OutcomeAbsent   Outcome = "absent"   // not there
	OutcomeDisputed Outcome = "disputed" // someone is there, but their identity is disputed
	OutcomeRefused  Outcome = "refused"  // the receiving side refused to take the person
	OutcomeMedical  Outcome = "medical"  // present, in need of medical care
)

var outcomes = []Outcome{OutcomePresent, OutcomeAbsent, OutcomeDisputed, OutcomeRefused, OutcomeMedical}

// Officer is one side of a handover: the party, the officer and the key they sign with.
type Officer struct {
	Party uuid.UUID `json:"party"`
	Name  string    `json:"name"`
	Key   uuid.UUID `json:"key"`
}

// HandoverPerson is one row of a handover document.
type HandoverPerson struct {
	Person  uuid.UUID `json:"person"`
	RegNo   string    `json:"reg_no,omitempty"` // for the people reading the paper; checked if given
	Outcome Outcome   `json:"outcome"`
	Note    string    `json:"note,omitempty"`
}

// HandoverDocumentType is the "type" of every handover document.
const HandoverDocumentType = "handover"

// HandoverDocument is what both officers sign: the exact bytes of its JSON form are
// signed by each officer's Ed25519 key, and stored in the ledger as they were signed.
type HandoverDocument struct {
	Type      string           `json:"type"` // HandoverDocumentType
	V         int              `json:"v"`    // 1
	ID        uuid.UUID        `json:"id"`   // chosen by whoever drafts it; a document is accepted once
	Movement  uuid.UUID        `json:"movement"`
	Stage     Stage            `json:"stage"`
	From      Officer          `json:"from"`
	To        Officer          `json:"to"`
	At        time.Time        `json:"at"`
	Place     string           `json:"place"`
	HeadCount int              `json:"head_count"` // persons present and handed over
	Persons   []HandoverPerson `json:"persons"`
}

// Signature is one officer's Ed25519 signature over a handover document's bytes.
type Signature struct {
	Key uuid.UUID `json:"key"`
	Sig []byte    `json:"sig"`
}

// ParseHandover decodes a handover document strictly: unknown fields, a wrong type
// or version, and trailing data are refused.
func ParseHandover(b []byte) (*HandoverDocument, error) {
	var d HandoverDocument
	if err := decodeDocument(b, "handover document", &d); err != nil {
		return nil, err
	}
	h := documentHeader{what: "handover document", typ: d.Type, wantType: HandoverDocumentType, v: d.V, id: d.ID, at: d.At, place: d.Place, from: d.From, to: d.To}
	if err := h.check(); err != nil {
		return nil, err
	}
	if err := oneOf("document.stage", d.Stage, stages); err != nil {
		return nil, err
	}
	for i, p := range d.Persons {
		f := fieldAt("document.persons", i)
		if err := oneOf(f+".outcome", p.Outcome, outcomes); err != nil {
			return nil, err
		}
		if err := optionalText(f+".note", p.Note, 2000); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// SubmitHandover records a signed handover: the document's exact bytes and both
// officers' signatures over them.
type SubmitHandover struct {
	Meta
	Document   []byte
	Signatures []Signature
}

// HandedOver: a signed handover was accepted. It carries the document's exact bytes
// and the signatures, so that anyone can check them (invariant 6). Subject: the movement.
type HandedOver struct {
	Stage      Stage       `json:"stage"`
	Document   []byte      `json:"document"`
	Signatures []Signature `json:"signatures"`
}

// PersonDeparted: the person left the sending facility in the escort's custody.
// Subject: the person.
type PersonDeparted struct {
	Movement uuid.UUID `json:"movement"`
	Transfer uuid.UUID `json:"transfer"`
	From     uuid.UUID `json:"from"` // facility
	Escort   uuid.UUID `json:"escort"`
}

// PersonArrived: the person was received at the destination. Subject: the person.
type PersonArrived struct {
	Movement  uuid.UUID `json:"movement"`
	Transfer  uuid.UUID `json:"transfer"`
	Facility  uuid.UUID `json:"facility"`
	Custodian uuid.UUID `json:"custodian"`
}

// MovementReconciled: every person who departed on the movement has arrived or is
// named in an open incident (invariant 2). Subject: the movement.
type MovementReconciled struct {
	Departed  int         `json:"departed"`
	Arrived   int         `json:"arrived"`
	Incidents []uuid.UUID `json:"incidents,omitempty"`
}

func (HandedOver) EventType() Type         { return TypeHandedOver }
func (PersonDeparted) EventType() Type     { return TypePersonDeparted }
func (PersonArrived) EventType() Type      { return TypePersonArrived }
func (MovementReconciled) EventType() Type { return TypeMovementReconciled }

// CheckHandoverSignatures checks invariant 6 for a document against the state at the
// moment of the handover: both officers' keys are registered to their parties and
// not revoked, and each signed the exact bytes.
func (s *State) CheckHandoverSignatures(doc *HandoverDocument, b []byte, sigs []Signature) error {
	return s.checkSignatures("document", doc.From, doc.To, b, sigs)
}

// checkSignatures checks that two officers of their parties signed b, with keys
// registered and not revoked.
func (s *State) checkSignatures(prefix string, from, to Officer, b []byte, sigs []Signature) error {
	if len(sigs) != 2 {
		return Errorf(Invalid, "signatures", "a signed document carries exactly two signatures, one per officer; got %d", len(sigs))
	}
	if from.Key == to.Key {
		return Errorf(Refused, prefix+".to.key", "both officers name the same key: a handover needs two officers")
	}
	if foldOfficer(from.Name) == foldOfficer(to.Name) {
		return Errorf(Refused, prefix+".to.name", "both sides are signed by %q: one officer may not give and take the same custody", to.Name)
	}
	for _, side := range []struct {
		name string
		o    Officer
	}{{"from", from}, {"to", to}} {
		field := prefix + "." + side.name
		k, ok := s.keys[side.o.Key]
		if !ok {
			return Errorf(Refused, field+".key", "key %s is not registered", side.o.Key)
		}
		if k.Party != side.o.Party {
			return Errorf(Refused, field+".key", "key %s is registered to %s, not to %s", k.ID, s.partyCode(k.Party), s.partyCode(side.o.Party))
		}
		if k.Revoked {
			return Errorf(Refused, field+".key", "key %s was revoked at event %d", k.ID, k.RevokedAt)
		}
		if side.o.Name != k.Officer {
			return Errorf(Refused, field+".name", "is %q, but key %s was registered for officer %q: the name signed must be the key's",
				side.o.Name, k.ID, k.Officer)
		}
		var sig []byte
		for _, g := range sigs {
			if g.Key == k.ID {
				sig = g.Sig
			}
		}
		if sig == nil {
			return Errorf(Refused, "signatures", "no signature by the %s officer's key %s", side.name, k.ID)
		}
		if !ed25519.Verify(ed25519.PublicKey(k.PublicKey), b, sig) {
			return Errorf(Refused, "signatures", "the signature by key %s (%s, %s) does not verify over the document's bytes",
				k.ID, k.Officer, s.partyCode(k.Party))
		}
	}
	if fk, tk := s.keys[from.Key], s.keys[to.Key]; fk.User != uuid.Nil && fk.User == tk.User {
		return Errorf(Refused, prefix+".to.key", "keys %s and %s belong to the same account: one officer may not give and take the same custody", fk.ID, tk.ID)
	}
	for i, g := range sigs {
		if g.Key != from.Key && g.Key != to.Key {
			return Errorf(Invalid, fieldAt("signatures", i), "key %s is neither officer's", g.Key)
		}
	}
	return nil
}

func decideHandover(s *State, c SubmitHandover) ([]Draft, error) {
	if err := requireText("actor", c.Actor, 200); err != nil {
		return nil, err
	}
	if len(c.Document) == 0 {
		return nil, Errorf(Invalid, "document", "is required")
	}
	if len(c.Document) > 4<<20 {
		return nil, Errorf(Invalid, "document", "is %d bytes; at most 4 MiB", len(c.Document))
	}
	doc, err := ParseSignedHandover(c.Document)
	if err != nil {
		return nil, err
	}
	if s.handovers[doc.ID] {
		return nil, Errorf(Conflict, "document.id", "handover document %s was already recorded: a document is accepted once", doc.ID)
	}
	m, ok := s.movements[doc.Movement]
	if !ok {
		return nil, Errorf(NotFound, "document.movement", "no movement %s", doc.Movement)
	}
	t := s.transfers[m.Transfer]
	var want Status
	var fromParty, toParty uuid.UUID
	switch doc.Stage {
	case Departure:
		if m.Status != PlannedMovement {
			return nil, Errorf(Conflict, "document.stage", "movement %s is %s: its departure handover is done", m.ID, m.Status)
		}
		if !t.Approved() {
			return nil, Errorf(Refused, "document.movement", "transfer %s is not approved by both the sending and the receiving party", t.ID)
		}
		fromParty, toParty, want = t.Sending, m.Escort, Held
	case Arrival:
		if m.Status != DepartedMovement {
			return nil, Errorf(Conflict, "document.stage", "movement %s is %s: an arrival handover needs a departed movement", m.ID, m.Status)
		}
		if d := m.Departure; d != nil && !doc.At.After(d.At) {
			return nil, Errorf(Refused, "document.at", "%s is not after the departure handover of movement %s (%s): an arrival follows its departure",
				doc.At.UTC().Format(time.RFC3339), m.ID, d.At.UTC().Format(time.RFC3339))
		}
		to := s.facilities[m.To]
		fromParty, toParty, want = m.Escort, to.Controller, InTransit
	}
	if doc.From.Party != fromParty {
		return nil, Errorf(Refused, "document.from.party", "the %s handover of movement %s is given by %s, not %s",
			doc.Stage, m.ID, s.partyCode(fromParty), s.partyCode(doc.From.Party))
	}
	if doc.To.Party != toParty {
		return nil, Errorf(Refused, "document.to.party", "the %s handover of movement %s is taken by %s, not %s",
			doc.Stage, m.ID, s.partyCode(toParty), s.partyCode(doc.To.Party))
	}
	if err := s.CheckHandoverSignatures(doc, c.Document, c.Signatures); err != nil {
		return nil, err
	}
	// The rows must be exactly the manifest (departure) or those who departed (arrival).
	expected := map[uuid.UUID]bool{}
	if doc.Stage == Departure {
		for _, st := range m.Manifest {
			expected[st.Person] = true
		}
	} else {
		// Those who left transit on the road (an escape, a death) are accounted
		// for by their own events.
		for _, id := range m.Departure.Present {
			if c := s.persons[id].Custody; c.Status == InTransit && c.Movement == m.ID {
				expected[id] = true
			}
		}
	}
	listed := map[uuid.UUID]bool{}
	present := 0
	for i, row := range doc.Persons {
		f := fieldAt("document.persons", i)
		if !expected[row.Person] {
			return nil, Errorf(Refused, f+".person", "person %s is not on movement %s's %s list", row.Person, m.ID, doc.Stage)
		}
		if listed[row.Person] {
			return nil, Errorf(Invalid, f+".person", "person %s is listed twice", row.Person)
		}
		listed[row.Person] = true
		p := s.persons[row.Person]
		if row.RegNo != "" && row.RegNo != p.Record.RegNo {
			return nil, Errorf(Invalid, f+".reg_no", "person %s has registration number %s, not %s", row.Person, p.Record.RegNo, row.RegNo)
		}
		arrives := row.Outcome == OutcomePresent || doc.Stage == Arrival && row.Outcome == OutcomeMedical
		if arrives {
			present++
		}
		if !arrives {
			continue
		}
		if p.Custody.Status != want || want == InTransit && p.Custody.Movement != m.ID {
			return nil, Errorf(Refused, f+".person", "person %s is %s and cannot be handed over on movement %s", p.Record.RegNo, describeCustody(s, p), m.ID)
		}
		if doc.Stage == Departure {
			if p.Custody.Facility != m.From {
				return nil, Errorf(Refused, f+".person", "person %s is %s, not at the sending facility", p.Record.RegNo, describeCustody(s, p))
			}
			if p.Custody.Custodian != doc.From.Party {
				return nil, Errorf(Refused, f+".person", "person %s is in the custody of %s, not of %s (did control of the facility change?)",
					p.Record.RegNo, s.partyCode(p.Custody.Custodian), s.partyCode(doc.From.Party))
			}
			tp := t.byPerson[row.Person]
			if len(tp.Missing) > 0 {
				return nil, Errorf(Refused, f+".person", "person %s cannot depart: safeguards missing: %v (record them, or an authorised override with a reason)", p.Record.RegNo, tp.Missing)
			}
		}
	}
	if len(listed) != len(expected) {
		for id := range expected {
			if !listed[id] {
				return nil, Errorf(Invalid, "document.persons", "person %s (%s) is on the %s list but not in the document: every person is accounted for",
					s.persons[id].Record.RegNo, id, doc.Stage)
			}
		}
	}
	if doc.HeadCount != present {
		return nil, Errorf(Invalid, "document.head_count", "is %d but %d persons are marked present", doc.HeadCount, present)
	}
	if doc.Stage == Departure && present == 0 {
		return nil, Errorf(Refused, "document.persons", "nobody is present: cancel the movement instead")
	}

	meta := c.Meta
	meta.OccurredAt = doc.At
	meta.Party = doc.To.Party
	out := []Draft{draft(meta, m.ID, doc.To.Party, &HandedOver{Stage: doc.Stage, Document: c.Document, Signatures: c.Signatures})}
	var missing, medical []uuid.UUID
	for _, row := range doc.Persons {
		switch {
		case row.Outcome == OutcomePresent || doc.Stage == Arrival && row.Outcome == OutcomeMedical:
			if doc.Stage == Departure {
				out = append(out, draft(meta, row.Person, m.Escort, &PersonDeparted{Movement: m.ID, Transfer: t.ID, From: m.From, Escort: m.Escort}))
			} else {
				out = append(out, draft(meta, row.Person, doc.To.Party, &PersonArrived{Movement: m.ID, Transfer: t.ID, Facility: m.To, Custodian: doc.To.Party}))
			}
			if row.Outcome == OutcomeMedical {
				medical = append(medical, row.Person)
			}
		case row.Outcome == OutcomeAbsent || row.Outcome == OutcomeDisputed || doc.Stage == Arrival:
			missing = append(missing, row.Person)
		}
	}
	var opened []uuid.UUID
	if len(missing) > 0 {
		in := Incident{ID: derive(doc.ID[:], []byte("discrepancy")), Type: Discrepancy, Movement: m.ID, Persons: missing,
			Description: fmt.Sprintf("%d person(s) on the %s list of movement %s not handed over at %s", len(missing), doc.Stage, m.ID, doc.Place)}
		if doc.Stage == Arrival {
			in.Facility = m.To
		} else {
			in.Facility = m.From
		}
		out = append(out, draft(meta, in.ID, doc.To.Party, &IncidentOpened{in}))
		opened = append(opened, in.ID)
	}
	if len(medical) > 0 {
		in := Incident{ID: derive(doc.ID[:], []byte("medical")), Type: MedicalEmergency, Movement: m.ID, Facility: m.To, Persons: medical,
			Description: fmt.Sprintf("%d person(s) arrived in need of medical care", len(medical))}
		out = append(out, draft(meta, in.ID, doc.To.Party, &IncidentOpened{in}))
		opened = append(opened, in.ID)
	}
	if doc.Stage == Arrival {
		rec := &MovementReconciled{Departed: len(expected), Arrived: present}
		// Incidents already open on this movement (escapes on the road, say) also
		// account for persons.
		rec.Incidents = append(append(rec.Incidents, m.Incidents...), opened...)
		out = append(out, draft(meta, m.ID, doc.To.Party, rec))
	}
	return out, nil
}
