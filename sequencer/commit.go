package sequencer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Encoder is an optional interface of a Writer: EncodeBatch prepares a batch for
// writing (for example, encodes its rows) on the sequencing goroutine, while the
// write goroutine is busy with the previous flight, so that the writer never waits
// for it.
//
// EncodeBatch is called once for every group of commands the sequencing goroutine
// seals into a flight, so several times per flight under load: each time, b holds
// only the events sealed and the projections changed since the previous call, and
// b.Encoded is what the previous call of the same flight left (nil at the first).
// EncodeBatch must add to it, a projection encoded later replacing the same one
// encoded earlier, and set b.Encoded. The Batch that WriteBatch then receives holds
// every event, node and the checkpoint of the flight, and b.Encoded as the last
// call left it; its projection fields are empty.
type Encoder interface {
	EncodeBatch(b *Batch) error
}

// flight is what the write goroutine commits in one transaction.
type flight struct {
	gen      uint64
	batch    Batch
	dirty    dirty
	encoded  int // events of batch already passed to the Encoder
	accepted []pending
	synced   chan struct{} // if set, the flight only marks a point in the pipeline
}

type pending struct {
	r       request
	receipt Receipt
}

func (f *flight) requests() []request {
	var rs []request
	for _, p := range f.accepted {
		rs = append(rs, p.r)
	}
	return rs
}

// commit decides and seals a batch of requests into the pending flight.
func (s *Sequencer) commit(batch []request) {
	select {
	case err := <-s.failures:
		s.reload(err)
	default:
	}
	if s.broken != nil {
		for _, r := range batch {
			r.reply <- result{err: s.broken}
		}
		return
	}
	now := s.cfg.Now()
	stored, err := s.lookupKeys(batch)
	if err != nil {
		batch = s.failKeyed(batch, fmt.Errorf("sequencer: look up idempotency keys: %w", err))
	}
	var entry []byte
	for bi, r := range batch {
		if s.broken != nil { // a flight sent from this loop failed to prepare, and the reload too
			r.reply <- result{err: s.broken}
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.reply <- result{err: err} // the caller has gone: append nothing for it
			continue
		}
		if s.answered(r, stored) {
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
		if s.pending == nil {
			s.pending = &flight{gen: s.gen, dirty: newDirty()}
		}
		f := s.pending
		var rec Receipt
		for i := range sealed {
			e := &sealed[i]
			e.Index = s.state.Size()
			f.dirty.before(s.state, &e.Event)
			if err := s.state.Apply(&e.Event); err != nil {
				// Decide accepted what Apply cannot take: a bug. The pending
				// flight is dropped and the state reloaded from the store.
				err = fmt.Errorf("sequencer: %w", err)
				s.failAll(append(batch[bi:], f.requests()...), err)
				s.pending = nil
				s.reload(err)
				return
			}
			f.dirty.after(s.state, &e.Event)
			entry = ledger.AppendEntry(entry[:0], e.Event.ID, e.Bytes)
			e.LeafHash = ledger.LeafHash(entry)
			f.batch.Nodes = append(f.batch.Nodes, s.tree.Append(e.LeafHash)...)
			rec.Events = append(rec.Events, Recorded{Index: e.Index, ID: e.Event.ID, Type: e.Event.Type, Subject: e.Event.Subject})
		}
		f.batch.Events = append(f.batch.Events, sealed...)
		f.accepted = append(f.accepted, pending{r: r, receipt: rec})
		s.fly(r)
		if len(f.batch.Events) > 0 && !s.takesTurns() {
			// A writer that has become free takes what is sealed so far rather
			// than wait for the rest of the batch (send encodes what is left).
			select {
			case <-s.ready:
				s.send()
			default:
			}
		}
	}
	if s.pending == nil {
		return
	}
	if len(s.pending.batch.Events) == 0 {
		s.pending = nil
		return
	}
	if err := s.encode(s.pending); err != nil {
		s.failPending(err)
	}
}

// encode passes what was sealed into f since the last call to the Writer's
// Encoder, if it has one: the rows are built here, while the write goroutine is
// busy, rather than when the flight is handed over. Without an Encoder, the
// projections are collected once, when the flight is sent.
func (s *Sequencer) encode(f *flight) error {
	enc, ok := s.w.(Encoder)
	if !ok || (f.encoded == len(f.batch.Events) && f.dirty.empty()) {
		return nil
	}
	part := Batch{Events: f.batch.Events[f.encoded:], Encoded: f.batch.Encoded}
	if err := f.dirty.collect(s.state, &part); err != nil {
		return err
	}
	if err := enc.EncodeBatch(&part); err != nil {
		return err
	}
	f.dirty.clear()
	f.encoded = len(f.batch.Events)
	f.batch.Encoded = part.Encoded
	return nil
}

// failPending fails the pending flight, which could not be prepared, and reloads.
func (s *Sequencer) failPending(err error) {
	err = fmt.Errorf("sequencer: prepare batch: %w", err)
	s.failAll(s.pending.requests(), err)
	s.pending = nil
	s.reload(err)
}

// send finishes the pending flight — projections, checkpoint, encoding — and hands
// it to the write goroutine, which has just said it is free.
func (s *Sequencer) send() {
	f := s.pending
	s.pending = nil
	if len(f.batch.Events) > 0 {
		b := &f.batch
		root := s.tree.Root()
		text, err := ledger.SignCheckpoint(s.cfg.Signer, s.cfg.Origin, s.tree.Size(), root)
		if err == nil {
			b.Checkpoint = Checkpoint{Size: s.tree.Size(), Root: root, Note: text}
			b.Keys, err = keyRecords(f, s.cfg.Now())
		}
		if err == nil {
			if _, ok := s.w.(Encoder); ok {
				err = s.encode(f) // normally done already, at the end of commit
			} else {
				err = f.dirty.collect(s.state, b)
			}
		}
		if err != nil {
			err = fmt.Errorf("sequencer: prepare batch: %w", err)
			s.failAll(f.requests(), err)
			s.flights <- &flight{synced: make(chan struct{})} // the writer's token is spent
			s.reload(err)
			return
		}
	}
	s.flights <- f
}

// write is the write goroutine: it commits flights in order and answers their
// requests. It says it is free before it answers the requests of the flight it has
// just committed, so that the next flight is made ready meanwhile.
func (s *Sequencer) write() {
	defer close(s.written)
	failedGen := ^uint64(0)
	var done *flight // committed, its requests not yet answered
	for {
		s.ready <- struct{}{}
		if done != nil {
			for _, p := range done.accepted {
				p.receipt.Checkpoint = done.batch.Checkpoint
				p.r.reply <- result{receipt: p.receipt}
				s.settle(p.r, p.receipt, nil)
			}
			if s.cfg.OnCommit != nil {
				s.cfg.OnCommit(done.batch.Checkpoint)
			}
			done = nil
		}
		f, ok := <-s.flights
		if !ok {
			return
		}
		if f.synced != nil {
			close(f.synced)
			continue
		}
		var err error
		switch {
		case f.gen == failedGen:
			err = errors.New("sequencer: an earlier batch failed to write")
		case len(f.batch.Events) > 0:
			if err = s.w.WriteBatch(context.Background(), &f.batch); err != nil {
				err = fmt.Errorf("sequencer: write batch: %w", err)
				failedGen = f.gen
				select {
				case s.failures <- err:
				default:
				}
			}
		}
		if err != nil {
			s.failAll(f.requests(), err)
			continue
		}
		done = f
	}
}

// sync waits until the write goroutine has finished every flight sent so far.
func (s *Sequencer) sync() {
	done := make(chan struct{})
	<-s.ready
	s.flights <- &flight{synced: done}
	<-done
}

// reload forgets what failed batches applied: it waits for the pipeline to drain,
// reads the state and tree back from the store and starts a new generation.
func (s *Sequencer) reload(cause error) {
	if s.pending != nil { // sealed against the state being forgotten
		s.failAll(s.pending.requests(), fmt.Errorf("sequencer: an earlier batch failed: %w", cause))
		s.pending = nil
	}
	s.sync()
	select {
	case <-s.failures: // a failure reported meanwhile is covered by this reload
	default:
	}
	st, tree, err := s.w.Load(context.Background())
	if err != nil {
		s.broken = fmt.Errorf("sequencer: reload after a failed write: %w (after %v)", err, cause)
		return
	}
	st.Track()
	s.state, s.tree = st, tree
	s.gen++
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

// failAll answers requests that could not be recorded, and those waiting on their keys.
func (s *Sequencer) failAll(rs []request, err error) {
	for _, r := range rs {
		e := &custody.Error{Code: custody.Internal, Message: "the ledger could not record this; nothing was written", Err: err}
		r.reply <- result{err: e}
		s.settle(r, Receipt{}, e)
	}
}

// failKeyed fails the keyed requests of batch and returns the others.
func (s *Sequencer) failKeyed(batch []request, err error) []request {
	var rest []request
	var keyed []request
	for _, r := range batch {
		if len(r.keys) > 0 {
			keyed = append(keyed, r)
		} else {
			rest = append(rest, r)
		}
	}
	s.failAll(keyed, err)
	return rest
}

// dirty collects the projections a flight changed. persons maps a person to
// whether their record (not just their custody) changed.
type dirty struct {
	persons, facilities, parties map[uuid.UUID]bool
	docs                         map[custody.DocRef]bool
}

func newDirty() dirty {
	return dirty{persons: map[uuid.UUID]bool{}, facilities: map[uuid.UUID]bool{}, parties: map[uuid.UUID]bool{},
		docs: map[custody.DocRef]bool{}}
}

func (d *dirty) empty() bool {
	return len(d.persons) == 0 && len(d.facilities) == 0 && len(d.parties) == 0 && len(d.docs) == 0
}

func (d *dirty) clear() {
	clear(d.persons)
	clear(d.facilities)
	clear(d.parties)
	clear(d.docs)
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
	case *custody.FacilityRegistered, *custody.FacilityControlChanged, *custody.FacilityRiskSet:
		d.facilities[e.Subject] = true
	case *custody.PersonRegistered, *custody.RecordCorrected:
		d.persons[e.Subject] = true
	}
	if p, ok := st.Person(e.Subject); ok && p.Custody.Status.AtFacility() {
		d.facilities[p.Custody.Facility] = true
	}
	st.Drain(func(id uuid.UUID) {
		if _, ok := d.persons[id]; !ok {
			d.persons[id] = false // custody (or flags) only
		}
	}, func(ref custody.DocRef) { d.docs[ref] = true })
}

// collect copies the changed projections into the batch: the write goroutine reads
// them while this goroutine goes on changing the state.
func (d *dirty) collect(st *custody.State, b *Batch) error {
	for id, record := range d.persons {
		st.Refresh(id)
		p, _ := st.Person(id)
		c := p.Custody
		c.Flags = slices.Clone(c.Flags)
		if record {
			b.Persons = append(b.Persons, custody.PersonState{Record: p.Record, Custody: c}) // records are replaced, never changed in place
		} else {
			b.Custodies = append(b.Custodies, PersonCustody{Person: id, Custody: c})
		}
	}
	for id := range d.facilities {
		if f, ok := st.Facility(id); ok {
			c := *f
			c.History = slices.Clone(f.History)
			c.Population = maps.Clone(f.Population)
			b.Facilities = append(b.Facilities, c)
		}
	}
	for id := range d.parties {
		p, _ := st.Party(id)
		b.Parties = append(b.Parties, *p)
	}
	for ref := range d.docs {
		v, ok := st.Doc(ref)
		if !ok {
			continue
		}
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", ref.Kind, ref.ID, err)
		}
		b.Docs = append(b.Docs, Doc{Kind: ref.Kind, ID: ref.ID, JSON: j})
	}
	return nil
}
