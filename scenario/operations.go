package scenario

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// CampaignName is the name of the campaign of docs/scenario.md item 2.
const CampaignName = "north-east Syria → Iraq"

// CampaignTarget is how many detainees the campaign means to move.
const CampaignTarget = 7000

// MovementSize is the most persons one movement carries.
const MovementSize = 150

// Operations are docs/scenario.md items 2–6: the campaign and its first four movements,
// each carried as far as the scenario says. New draws them from the world's seed.
type Operations struct {
	Campaign custody.Campaign
	Created  time.Time
	Moves    []Move
}

// Move is one transfer with the one movement that carries it, and how far it has
// come: planned (Departure nil), departed (Arrival nil) or arrived.
type Move struct {
	Name     string // "movement 1"
	Transfer custody.Transfer
	Movement custody.Movement
	// Proposed is when the transfer is proposed; safeguards, approvals and the plan
	// follow within the next day (see Drafter.Prepare).
	Proposed time.Time
	// Blocked lists the persons left waiting on a safeguard.
	Blocked   []Block
	Departure *Leg
	Arrival   *Leg
}

// Block keeps one person of a move from departing on one safeguard.
type Block struct {
	Person uuid.UUID
	Kind   custody.SafeguardKind
	// Recorded, when not nil, is recorded for the person instead of the usual
	// safeguard (and must not be met); nil leaves the safeguard missing.
	Recorded *custody.Safeguard
}

// Leg is one handover of a move.
type Leg struct {
	Document uuid.UUID
	At       time.Time
	Place    string
	Absent   []uuid.UUID // persons listed as absent: a discrepancy incident opens
}

// Officer is an officer who signs handovers for a party with an Ed25519 key.
type Officer struct {
	Party custody.Party
	Name  string
	Key   ed25519.PrivateKey
	User  uuid.UUID // the officer's account, if the caller made one
}

// Public is the officer's public key.
func (o *Officer) Public() ed25519.PublicKey { return o.Key.Public().(ed25519.PublicKey) }

// KeyID is the id of the officer's key (custody.KeyID).
func (o *Officer) KeyID() uuid.UUID { return custody.KeyID(o.Public()) }

// Side is the officer as a handover document names them.
func (o *Officer) Side() custody.Officer {
	return custody.Officer{Party: o.Party.ID, Name: o.Name, Key: o.KeyID()}
}

// Sign signs a handover document's exact bytes.
func (o *Officer) Sign(doc []byte) custody.Signature {
	return custody.Signature{Key: o.KeyID(), Sig: ed25519.Sign(o.Key, doc)}
}

// SigningOfficers names, by party code, the officer of each party who signs the
// demo's handovers: the sending authority, the escort and the receiving state. The
// names are invented.
var SigningOfficers = []struct{ Party, Name string }{
	{SDF, "Lt. Azad Serdem"},
	{USF, "Capt. Dana Whitcombe"},
	{IRQ, "Maj. Qasim Rawandi"},
}

// NewOfficer returns the officer of the party with the given code, signing with key.
func (w *World) NewOfficer(party, name string, key ed25519.PrivateKey) (*Officer, error) {
	p := w.Party(party)
	if p.ID == uuid.Nil {
		return nil, fmt.Errorf("scenario: no party %q", party)
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("scenario: officer %s of %s: not an Ed25519 private key", name, party)
	}
	return &Officer{Party: p, Name: name, Key: key}, nil
}

// HandoverDocument drafts the document of a handover: a row for every person, present
// unless absent says otherwise, with registration numbers from regNo when it knows them.
func HandoverDocument(id, movement uuid.UUID, stage custody.Stage, from, to custody.Officer, at time.Time, place string,
	persons []uuid.UUID, regNo func(uuid.UUID) string, absent []uuid.UUID) *custody.HandoverDocument {
	d := &custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: id, Movement: movement, Stage: stage,
		From: from, To: to, At: at.UTC(), Place: place, Persons: make([]custody.HandoverPerson, 0, len(persons))}
	for _, p := range persons {
		row := custody.HandoverPerson{Person: p, Outcome: custody.OutcomePresent}
		if regNo != nil {
			row.RegNo = regNo(p)
		}
		if slices.Contains(absent, p) {
			row.Outcome, row.Note = custody.OutcomeAbsent, "not present at the head count"
		} else {
			d.HeadCount++
		}
		d.Persons = append(d.Persons, row)
	}
	return d
}

// EncodeHandover gives a handover document its canonical bytes, the ones officers
// read and sign (custody.EncodeHandover).
func EncodeHandover(d *custody.HandoverDocument) ([]byte, error) { return custody.EncodeHandover(d) }

// Drafter turns moves into the commands a user would submit, with handover documents
// signed by the officers' keys. It is safe for concurrent use once made.
type Drafter struct {
	w        *World
	officers map[string]*Officer
	persons  map[uuid.UUID]*custody.Person
	regNos   map[uuid.UUID]string
}

// NewDrafter returns a drafter signing with the officers of SDF, USF and IRQ.
func (w *World) NewDrafter(officers ...*Officer) (*Drafter, error) {
	d := &Drafter{w: w, officers: map[string]*Officer{}, persons: make(map[uuid.UUID]*custody.Person, len(w.Persons)), regNos: w.RegNos()}
	for _, o := range officers {
		d.officers[o.Party.Code] = o
	}
	for _, code := range []string{SDF, USF, IRQ} {
		if d.officers[code] == nil {
			return nil, fmt.Errorf("scenario: no officer of %s to sign handovers", code)
		}
	}
	for i := range w.Persons {
		d.persons[w.Persons[i].Person.ID] = &w.Persons[i].Person
	}
	return d, nil
}

// RegNo is the registration number the ledger gives a person of the world.
func (d *Drafter) RegNo(id uuid.UUID) string { return d.regNos[id] }

// RegNos returns the registration number each person gets when the world's commands
// are submitted in order: the next number of their facility's series.
func (w *World) RegNos() map[uuid.UUID]string {
	series := map[uuid.UUID]string{}
	for _, f := range w.Facilities {
		series[f.ID] = f.Series
	}
	counters := map[string]int{}
	out := make(map[uuid.UUID]string, len(w.Persons))
	for _, p := range w.Persons {
		s := series[p.Facility]
		counters[s]++
		out[p.Person.ID] = fmt.Sprintf("%s-%06d", s, counters[s])
	}
	return out
}

// Keys registers every officer's key, at time at.
func (d *Drafter) Keys(at time.Time) []custody.Command {
	var out []custody.Command
	for _, code := range []string{SDF, USF, IRQ} {
		o := d.officers[code]
		out = append(out, custody.RegisterKey{Meta: custody.Meta{Actor: Actor, Party: o.Party.ID, OccurredAt: at},
			Party: o.Party.ID, Officer: o.Name, User: o.User, PublicKey: o.Public()})
	}
	return out
}

// Opening returns the commands that open the operations: the officers' keys, an
// hour before the campaign, and the campaign.
func (d *Drafter) Opening(ops *Operations) []custody.Command {
	return append(d.Keys(ops.Created.Add(-time.Hour)),
		custody.CreateCampaign{Meta: custody.Meta{Actor: "Iraqi Ministry of Justice, transfer directorate", OccurredAt: ops.Created},
			Campaign: ops.Campaign})
}

// Commands returns every command of the operations: the officers' keys, the
// campaign, and each move as far as it goes.
func (d *Drafter) Commands(ops *Operations) ([]custody.Command, error) {
	cmds := d.Opening(ops)
	for i := range ops.Moves {
		m := &ops.Moves[i]
		c, err := d.Prepare(m)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c...)
		if a, err := d.Arrival(m); err != nil {
			return nil, err
		} else if a != nil {
			cmds = append(cmds, *a)
		}
	}
	return cmds, nil
}

// Prepare returns a move's commands up to its departure: the transfer, every
// safeguard (but the blocked ones), both approvals, the movement and, if the move
// departs, the signed departure handover. They must be submitted in order.
func (d *Drafter) Prepare(m *Move) ([]custody.Command, error) {
	t := m.Transfer
	from, to := d.w.facility(t.From), d.w.facility(t.To)
	if from.ID == uuid.Nil || to.ID == uuid.Nil {
		return nil, fmt.Errorf("scenario: %s: unknown facility", m.Name)
	}
	at := m.Proposed
	meta := func(actor string, party uuid.UUID, after time.Duration) custody.Meta {
		return custody.Meta{Actor: actor, Party: party, OccurredAt: at.Add(after)}
	}
	cmds := []custody.Command{custody.ProposeTransfer{Meta: meta("SDF detention directorate", uuid.Nil, 0), Transfer: t}}

	// Who needs which safeguard, by the default policy.
	need := map[custody.SafeguardKind][]uuid.UUID{}
	dest := &custody.FacilityState{Facility: to}
	for _, id := range t.Persons {
		p := d.persons[id]
		if p == nil {
			return nil, fmt.Errorf("scenario: %s: person %s is not in the world", m.Name, id)
		}
		for _, k := range custody.RequiredSafeguards(p, dest) {
			need[k] = append(need[k], id)
		}
	}
	step := time.Duration(0)
	for _, k := range custody.SafeguardKinds {
		ids := slices.DeleteFunc(slices.Clone(need[k]), func(id uuid.UUID) bool {
			return slices.ContainsFunc(m.Blocked, func(b Block) bool { return b.Person == id && b.Kind == k })
		})
		step += 20 * time.Minute
		if len(ids) > 0 {
			g := standardSafeguard(k, to)
			cmds = append(cmds, custody.RecordSafeguard{Meta: meta(g.Assessor, uuid.Nil, time.Hour+step), Transfer: t.ID, Persons: ids, Safeguard: g})
		}
	}
	for _, b := range m.Blocked {
		if b.Recorded == nil {
			continue
		}
		step += 5 * time.Minute
		cmds = append(cmds, custody.RecordSafeguard{Meta: meta(nonEmpty(b.Recorded.Assessor, "transfer cell legal officer"), uuid.Nil, time.Hour+step),
			Transfer: t.ID, Persons: []uuid.UUID{b.Person}, Safeguard: *b.Recorded})
	}
	sdf, irq := d.w.Party(SDF).ID, d.w.Party(IRQ).ID
	cmds = append(cmds,
		custody.ApproveTransfer{Meta: meta("SDF detention directorate", sdf, 20*time.Hour), Transfer: t.ID},
		custody.ApproveTransfer{Meta: meta("Iraqi Ministry of Justice, transfer directorate", irq, 21*time.Hour), Transfer: t.ID},
		custody.PlanMovement{Meta: meta("USF movement control", uuid.Nil, 22*time.Hour), Movement: m.Movement})
	if m.Departure == nil {
		return cmds, nil
	}
	persons := make([]uuid.UUID, len(m.Movement.Manifest))
	for i, s := range m.Movement.Manifest {
		persons[i] = s.Person
	}
	h, err := d.handover(m, m.Departure, custody.Departure, d.officers[SDF], d.officers[USF], persons)
	if err != nil {
		return nil, err
	}
	return append(cmds, *h), nil
}

// Arrival returns a move's signed arrival handover, or nil if the move does not
// arrive. Every person of the manifest is listed; those of Arrival.Absent as absent.
func (d *Drafter) Arrival(m *Move) (*custody.SubmitHandover, error) {
	if m.Arrival == nil {
		return nil, nil
	}
	if m.Departure == nil {
		return nil, fmt.Errorf("scenario: %s arrives without departing", m.Name)
	}
	persons := make([]uuid.UUID, len(m.Movement.Manifest))
	for i, s := range m.Movement.Manifest {
		persons[i] = s.Person
	}
	return d.handover(m, m.Arrival, custody.Arrival, d.officers[USF], d.officers[IRQ], persons)
}

func (d *Drafter) handover(m *Move, leg *Leg, stage custody.Stage, from, to *Officer, persons []uuid.UUID) (*custody.SubmitHandover, error) {
	doc := HandoverDocument(leg.Document, m.Movement.ID, stage, from.Side(), to.Side(), leg.At, leg.Place, persons, d.RegNo, leg.Absent)
	b, err := EncodeHandover(doc)
	if err != nil {
		return nil, err
	}
	return &custody.SubmitHandover{Meta: custody.Meta{Actor: to.Name, OccurredAt: leg.At}, Document: b,
		Signatures: []custody.Signature{from.Sign(b), to.Sign(b)}}, nil
}

// standardSafeguard is the safeguard recorded, met, for everyone who needs kind on a
// transfer to facility to.
func standardSafeguard(kind custody.SafeguardKind, to custody.Facility) custody.Safeguard {
	g := custody.Safeguard{Kind: kind, Met: true}
	switch kind {
	case custody.Acceptance:
		g.Finding = "accepted by the Iraqi Ministry of Justice for " + to.Name
		g.Evidence, g.Assessor = "Ministry of Justice acceptance list (demo)", "IRQ liaison officer"
	case custody.RiskAssessment:
		g.Finding = "individual assessment of the file and an interview: no real risk of torture, persecution or the death penalty found"
		g.Risk = &custody.Risk{Torture: custody.NoRealRisk, Persecution: custody.NoRealRisk, DeathPenalty: custody.NoRealRisk,
			Monitoring: "ICRC visits to " + to.Name + " within 30 days of arrival, then every three months"}
		g.Evidence, g.Assessor = "transfer cell risk file (demo)", "transfer cell legal officer"
	case custody.Medical:
		g.Finding = "examined by the facility doctor: fit to travel by road"
		g.Assessor = "facility doctor"
	case custody.Informed:
		g.Finding = "informed in Arabic of the transfer, its destination and its legal basis; raised no objection"
		g.Assessor = "transfer cell legal officer"
	case custody.ICRCNotified:
		g.Finding = "ICRC notified of the transfer; a private interview offered"
		g.Interview, g.Assessor = custody.InterviewOffered, "transfer cell legal officer"
	case custody.Consular:
		g.Finding = "the consular post of the person's state notified through the Iraqi Ministry of Foreign Affairs"
		g.Assessor = "IRQ liaison officer"
	case custody.BestInterests:
		g.Finding = "best-interests assessment by a child-protection officer: transfer with the family unit"
		g.Assessor = "child-protection officer"
	}
	return g
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// facility returns the facility with the given id, or the zero Facility.
func (w *World) facility(id uuid.UUID) custody.Facility {
	for _, f := range w.Facilities {
		if f.ID == id {
			return f
		}
	}
	return custody.Facility{}
}

// Convoy returns the vehicles (buses of 40 seats) and the manifest, in the order
// given, of a road movement of persons.
func Convoy(persons []uuid.UUID) ([]custody.Vehicle, []custody.Seat) {
	const seats = 40
	var vs []custody.Vehicle
	var manifest []custody.Seat
	for i, p := range persons {
		if i%seats == 0 {
			vs = append(vs, custody.Vehicle{ID: fmt.Sprintf("BUS-%d", len(vs)+1), Kind: "bus", Seats: seats})
		}
		manifest = append(manifest, custody.Seat{Person: p, Vehicle: vs[len(vs)-1].ID})
	}
	return vs, manifest
}

// Transport conditions recorded on every movement (GCIII 46; SMR 73).
const conditions = "water and rations for 12 hours; a medic on every bus; restraints checked at every stop; no more than 40 to a bus"

// Legal basis and ordering authority of the campaign's transfers (invented text).
const (
	legalBasis = "transfer arrangement between the Government of Iraq and the United States for the transfer of detainees held in north-east Syria (demo text)"
	orderedBy  = "Iraqi Ministry of Justice, at the request of the coalition command (demo)"
)
