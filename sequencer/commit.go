package sequencer

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// commit decides, seals and appends a batch of requests, writes it in one
// transaction and answers every request.
func (s *Sequencer) commit(batch []request) {
	if s.broken != nil {
		for _, r := range batch {
			s.answer(r, result{err: s.broken})
		}
		return
	}
	now := s.cfg.Now()
	b := &Batch{}
	d := dirty{persons: map[uuid.UUID]bool{}, facilities: map[uuid.UUID]bool{}, parties: map[uuid.UUID]bool{}}
	type pending struct {
		r       request
		receipt Receipt
	}
	var accepted []pending
	var sizes []request
	var entry []byte
	for bi, r := range batch {
		if r.size != nil {
			sizes = append(sizes, r)
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.reply <- result{err: err} // the caller has gone: append nothing for it
			continue
		}
		drafts, err := custody.Decide(s.state, r.cmd)
		if err != nil {
			r.reply <- result{err: err}
			continue
		}
		sealed, err := s.seal(drafts, now)
		if err != nil {
			r.reply <- result{err: err}
			continue
		}
		var rec Receipt
		for i := range sealed {
			e := &sealed[i]
			e.Index = s.state.Size()
			d.before(s.state, &e.Event)
			if err := s.state.Apply(&e.Event); err != nil {
				// Decide accepted what Apply cannot take: a bug. Nothing of this
				// batch is written; the state is reloaded from the store.
				rs := append(sizes, batch[bi:]...)
				for _, p := range accepted {
					rs = append(rs, p.r)
				}
				s.fail(rs, fmt.Errorf("sequencer: %w", err))
				return
			}
			d.after(s.state, &e.Event)
			entry = ledger.AppendEntry(entry[:0], e.Event.ID, e.Bytes)
			e.LeafHash = ledger.LeafHash(entry)
			b.Nodes = append(b.Nodes, s.tree.Append(e.LeafHash)...)
			rec.Events = append(rec.Events, Recorded{Index: e.Index, ID: e.Event.ID, Type: e.Event.Type, Subject: e.Event.Subject})
		}
		b.Events = append(b.Events, sealed...)
		accepted = append(accepted, pending{r: r, receipt: rec})
	}
	if len(b.Events) > 0 {
		root := s.tree.Root()
		text, err := ledger.SignCheckpoint(s.cfg.Signer, s.cfg.Origin, s.tree.Size(), root)
		if err == nil {
			b.Checkpoint = Checkpoint{Size: s.tree.Size(), Root: root, Note: text}
			d.collect(s.state, b)
			err = s.w.WriteBatch(context.Background(), b)
		}
		if err != nil {
			var rs []request
			for _, p := range accepted {
				rs = append(rs, p.r)
			}
			s.fail(append(rs, sizes...), fmt.Errorf("sequencer: write batch: %w", err))
			return
		}
	}
	for _, p := range accepted {
		p.receipt.Checkpoint = b.Checkpoint
		p.r.reply <- result{receipt: p.receipt}
	}
	for _, r := range sizes {
		r.size <- s.tree.Size()
	}
}

// seal gives each draft of one command its identity; a command is sealed whole or refused.
func (s *Sequencer) seal(drafts []custody.Draft, now time.Time) ([]Sealed, error) {
	out := make([]Sealed, len(drafts))
	for i, d := range drafts {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("sequencer: event id: %w", err)
		}
		ev, bytes, err := custody.Seal(d, id, now, s.nonces.next())
		if err != nil {
			return nil, err
		}
		out[i] = Sealed{Event: ev, Bytes: bytes}
	}
	return out, nil
}

// fail answers every request of a failed batch with err and reloads the state and
// tree from the store, forgetting what the batch applied.
func (s *Sequencer) fail(batch []request, err error) {
	for _, r := range batch {
		s.answer(r, result{err: &custody.Error{Code: custody.Internal, Message: "the ledger could not record this; nothing was written", Err: err}})
	}
	st, tree, lerr := s.w.Load(context.Background())
	if lerr != nil {
		s.broken = fmt.Errorf("sequencer: reload after failed write: %w (after %v)", lerr, err)
		return
	}
	s.state, s.tree = st, tree
}

func (s *Sequencer) answer(r request, res result) {
	if r.size != nil {
		r.size <- s.tree.Size()
		return
	}
	r.reply <- res
}

// dirty collects the projections a batch changed.
type dirty struct {
	persons, facilities, parties map[uuid.UUID]bool
}

func (d *dirty) before(st *custody.State, e *custody.Event) {
	if p, ok := st.Person(e.Subject); ok && p.Custody.Status.AtFacility() {
		d.facilities[p.Custody.Facility] = true
	}
}

func (d *dirty) after(st *custody.State, e *custody.Event) {
	switch e.Data.(type) {
	case *custody.PartyRegistered:
		d.parties[e.Subject] = true
	case *custody.FacilityRegistered, *custody.FacilityControlChanged:
		d.facilities[e.Subject] = true
	default:
		d.persons[e.Subject] = true
		if p, ok := st.Person(e.Subject); ok && p.Custody.Status.AtFacility() {
			d.facilities[p.Custody.Facility] = true
		}
	}
}

func (d *dirty) collect(st *custody.State, b *Batch) {
	for id := range d.persons {
		p, _ := st.Person(id)
		b.Persons = append(b.Persons, p)
	}
	for id := range d.facilities {
		if f, ok := st.Facility(id); ok {
			b.Facilities = append(b.Facilities, f)
		}
	}
	for id := range d.parties {
		p, _ := st.Party(id)
		b.Parties = append(b.Parties, p)
	}
}
