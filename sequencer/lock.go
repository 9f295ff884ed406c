package sequencer

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Locker is an optional interface of a Writer whose store several sequencers share:
// server replicas in front of one database. Each sequencer then appends in turns.
// A turn takes the lock, reads what the others appended since this sequencer last
// saw the ledger (catching up its state and tree), decides and seals every command
// queued meanwhile, and writes them in one transaction, which releases the lock.
// Group commit is kept: a turn writes everything queued while the others held the
// lock. Without a Locker (SQLite: one process owns the file) the sequencer pipelines
// deciding and writing as it always has.
//
// Lock and Unlock are called on the sequencing goroutine, WriteBatch on the write
// goroutine; the sequencer never calls two of them at once.
type Locker interface {
	// Lock waits until no other sequencer holds the ledger's lock, takes it, and
	// returns the events stored at index size and after, in index order: those the
	// others appended since this sequencer's state was at size.
	Lock(ctx context.Context, size uint64) ([]Stored, error)
	// Unlock gives the lock up without writing. The next WriteBatch after a Lock
	// releases the lock itself, whether it commits or fails.
	Unlock(ctx context.Context) error
}

// Stored is an event as read back from the store.
type Stored struct {
	Index    uint64
	ID       []byte
	Bytes    []byte
	LeafHash [ledger.HashSize]byte
}

// takesTurns reports whether the sequencer appends in turns of a Locker's lock. A
// turn's flight is then sent to the writer whole, once: its commit ends the turn.
func (s *Sequencer) takesTurns() bool {
	_, ok := s.w.(Locker)
	return ok
}

// turn decides and writes a batch of requests in one turn of the ledger's lock.
// It waits first for the previous turn's flight to be committed (its lock is then
// released), so that another sequencer may take a turn in between.
func (s *Sequencer) turn(l Locker, batch []request) {
	// The writer is free once the previous flight is done; it gets its token back
	// at once (it is only waiting for the next flight).
	<-s.ready
	s.ready <- struct{}{}
	// Requests that came while the previous turn was written join this one.
	batch = s.fillTurn(batch)
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
	ctx := context.Background()
	stored, err := l.Lock(ctx, s.tree.Size())
	if err != nil {
		s.failAll(batch, fmt.Errorf("sequencer: take the ledger lock: %w", err))
		return
	}
	if err := s.catchUp(stored); err != nil {
		l.Unlock(ctx)
		s.failAll(batch, err)
		s.reload(err) // the state may hold half of what was read
		return
	}
	// Requests that came while the lock was held elsewhere join too: a turn takes
	// everything queued.
	batch = s.fillTurn(batch)
	gen := s.gen
	s.commit(batch)
	if s.pending == nil { // every command refused (or a reload): nothing to write
		l.Unlock(ctx)
		return
	}
	<-s.ready
	s.send()
	if s.gen != gen { // the flight could not be prepared: it was never written
		l.Unlock(ctx)
	}
}

// catchUp applies the events other sequencers appended, as Load would: each must
// come next, be the event its id names and match its leaf hash. Their projections
// are already stored, so what they changed is not tracked for the next flight.
func (s *Sequencer) catchUp(stored []Stored) error {
	if len(stored) == 0 {
		return nil
	}
	for i := range stored {
		st := &stored[i]
		if st.Index != s.state.Size() {
			return fmt.Errorf("sequencer: catch up: read event %d, want %d", st.Index, s.state.Size())
		}
		e, err := custody.DecodeEvent(st.Bytes)
		if err != nil {
			return fmt.Errorf("sequencer: catch up: event %d: %w", st.Index, err)
		}
		if !bytes.Equal(e.ID[:], st.ID) {
			return fmt.Errorf("sequencer: catch up: event %d: the stored id %x is not the event's id %s", st.Index, st.ID, e.ID)
		}
		if h := ledger.LeafHash(ledger.Entry(e.ID, st.Bytes)); h != st.LeafHash {
			return fmt.Errorf("sequencer: catch up: event %d: the bytes do not match the stored leaf hash", st.Index)
		}
		if err := s.state.Apply(&e); err != nil {
			return fmt.Errorf("sequencer: catch up: %w", err)
		}
		s.tree.Append(st.LeafHash)
	}
	s.state.Drain(func(uuid.UUID) {}, func(custody.DocRef) {})
	return nil
}

// fillTurn adds the requests queued, up to MaxBatch.
func (s *Sequencer) fillTurn(batch []request) []request {
	for len(batch) < s.cfg.MaxBatch {
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}
