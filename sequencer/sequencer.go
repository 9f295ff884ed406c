// Package sequencer is the one writer of a handover ledger. It takes commands from
// any number of goroutines, decides them in order against the current custody state,
// seals the resulting events, appends them to the Merkle tree, and hands each batch
// to a storage engine to write in one transaction together with the projections and
// a freshly signed checkpoint (group commit). A command is acknowledged only after
// that transaction has committed, so every acknowledged event is durable and covered
// by a signed checkpoint when its caller hears of it.
//
// The sequencer owns its custody.State and ledger.Tree: nothing else may touch them
// while it runs. Storage engines implement Writer.
package sequencer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Sealed is an event as written to the ledger.
type Sealed struct {
	Index    uint64
	Event    custody.Event
	Bytes    []byte // exactly as hashed
	LeafHash [ledger.HashSize]byte
}

// Checkpoint is a signed statement of the tree's size and root.
type Checkpoint struct {
	Size uint64
	Root [ledger.HashSize]byte
	Note []byte // the signed note text
}

// Batch is what one transaction writes: the new events, the tree nodes they
// completed, the projections they changed and the checkpoint that covers them.
// Persons, Facilities and Parties are copies, taken when the batch was sealed.
type Batch struct {
	Events  []Sealed
	Nodes   []ledger.Node
	Persons []custody.PersonState // persons whose record changed (or who are new)
	// Custodies are persons whose custody alone changed.
	Custodies  []PersonCustody
	Facilities []custody.FacilityState
	Parties    []custody.Party
	// Docs are the operational records (transfers, movements…) the batch changed,
	// encoded as JSON.
	Docs []Doc
	// Keys are the idempotency keys of the batch's commands, each with its
	// command's receipt: the Writer stores them in the same transaction (see
	// KeyStore), so that a key is stored if and only if its events are.
	Keys       []KeyRecord
	Checkpoint Checkpoint
	// Encoded is the Writer's own, if it implements Encoder.
	Encoded any
}

// Writer is a storage engine's side of the sequencer.
type Writer interface {
	// WriteBatch writes the batch in one transaction: all of it or none of it.
	// The first event's index is the number of events already stored.
	WriteBatch(ctx context.Context, b *Batch) error
	// Load reads the stored ledger back into a state and a tree, as at start-up;
	// the sequencer calls it again after a failed WriteBatch, to forget what the
	// failed batch had applied.
	Load(ctx context.Context) (*custody.State, *ledger.Tree, error)
}

// Doc is one operational record as a batch left it.
type Doc struct {
	Kind custody.DocKind
	ID   uuid.UUID
	JSON []byte
}

// PersonCustody is a person's custody as a batch left it.
type PersonCustody struct {
	Person  uuid.UUID
	Custody custody.Custody
}

// Receipt is the acknowledgement of an accepted command.
type Receipt struct {
	Events     []Recorded
	Checkpoint Checkpoint
	// Replayed says the command was recorded earlier, under one of its keys
	// (WithKey, or a signed handover's own bytes): this is that first receipt,
	// and nothing new was written.
	Replayed bool
}

// Recorded names one event of a receipt.
type Recorded struct {
	Index   uint64       `json:"index"`
	ID      uuid.UUID    `json:"id"`
	Type    custody.Type `json:"type"`
	Subject uuid.UUID    `json:"subject"`
}

// Config sets up a sequencer.
type Config struct {
	Origin   string      // the log's name, first line of every checkpoint
	Signer   note.Signer // the log's key
	Now      func() time.Time
	MaxBatch int // most commands in one transaction; default 1024
	// OnCommit, if set, is called by the writer with each new checkpoint once
	// its batch is durable and answered. It must return at once (signal a
	// goroutine, never wait on I/O): it runs on the write path.
	OnCommit func(Checkpoint)
}

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("sequencer: closed")

type request struct {
	ctx   context.Context
	cmd   custody.Command
	keys  []Key
	reply chan result
}

type result struct {
	receipt Receipt
	err     error
}

// Sequencer serialises commands into the ledger. Its methods are safe for concurrent use.
//
// Two goroutines do the work. The sequencing goroutine (run) decides and seals
// requests as they come and appends them to the pending flight; the write goroutine
// (write) commits one flight per transaction. Whenever the writer is free, the whole
// pending flight goes to it: under load, everything sealed while one transaction
// commits goes into the next (group commit), and deciding overlaps with writing.
type Sequencer struct {
	w     Writer
	cfg   Config
	state *custody.State
	tree  *ledger.Tree
	reqs  chan request
	done  chan struct{}
	stop  chan struct{}

	nonces nonces
	keys   flying
	broken error // set when the state could not be reloaded; every request then fails

	// The pipeline: the run goroutine decides and seals batch k+1 while the write
	// goroutine commits batch k. A failed write fails every flight of its
	// generation; the run goroutine then reloads and starts a new generation.
	flights  chan *flight
	ready    chan struct{} // the write goroutine's token: it is free to take a flight
	pending  *flight       // sealed, waiting for the write goroutine
	failures chan error
	gen      uint64
	written  chan struct{} // closed when the write goroutine has stopped
}

// New loads the ledger through w and starts the sequencer.
func New(ctx context.Context, w Writer, cfg Config) (*Sequencer, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1024
	}
	if err := ledger.ValidateOrigin(cfg.Origin); err != nil {
		return nil, err
	}
	st, tree, err := w.Load(ctx)
	if st != nil {
		st.Track()
	}
	if err != nil {
		return nil, err
	}
	s := &Sequencer{w: w, cfg: cfg, state: st, tree: tree,
		reqs: make(chan request, 4*cfg.MaxBatch), done: make(chan struct{}), stop: make(chan struct{}),
		flights: make(chan *flight), ready: make(chan struct{}, 1), failures: make(chan error, 1), written: make(chan struct{})}
	go s.write()
	go s.run()
	return s, nil
}

// Submit decides cmd, and if it is accepted, appends its events and waits until they
// are committed and covered by a signed checkpoint. A refusal is a *custody.Error and
// changes nothing. If ctx ends before the sequencer takes the command, Submit returns
// ctx.Err() and nothing is written; once the command is taken, Submit waits for its
// outcome whatever ctx does, so that an error never hides a write. A command whose
// key (WithKey, or a signed handover's bytes) was recorded before gets that first
// receipt, with Replayed set, and writes nothing: retrying a keyed command is safe.
func (s *Sequencer) Submit(ctx context.Context, cmd custody.Command) (Receipt, error) {
	select {
	case <-s.stop:
		return Receipt{}, ErrClosed
	default:
	}
	r := request{ctx: ctx, cmd: cmd, keys: keysOf(ctx, cmd), reply: make(chan result, 1)}
	select {
	case s.reqs <- r:
	case <-s.stop:
		return Receipt{}, ErrClosed
	case <-ctx.Done():
		return Receipt{}, ctx.Err()
	}
	// The request is the sequencer's now: it answers every request it takes
	// (a caller gone before the decision is answered with its ctx.Err()).
	select {
	case res := <-r.reply:
		return res.receipt, res.err
	case <-s.done:
		// The sequencer stopped; it answered the request, or never saw it.
		select {
		case res := <-r.reply:
			return res.receipt, res.err
		default:
			return Receipt{}, ErrClosed
		}
	}
}

// Close stops taking commands, finishes the batch in hand and returns.
func (s *Sequencer) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
}

// run is the sequencing goroutine. It decides and seals requests as they come, and
// hands what it has sealed to the write goroutine whenever that one is free: under
// load, everything sealed while a transaction commits goes into the next one.
// run is the sequencing goroutine: it seals requests into the pending flight and
// hands that flight to the write goroutine whenever the writer says it is free.
func (s *Sequencer) run() {
	defer close(s.done)
	defer func() {
		if s.pending != nil {
			<-s.ready
			s.send()
		}
		close(s.flights)
		<-s.written
	}()
	batch := make([]request, 0, s.cfg.MaxBatch)
	for {
		var ready chan struct{}
		if s.pending != nil {
			ready = s.ready // only wait for the writer when there is something to write
		}
		batch = batch[:0]
		if ready != nil { // a writer waiting comes first: it has nothing else to do
			select {
			case <-ready:
				s.send()
				continue
			default:
			}
		}
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		case <-ready:
			s.send()
			continue
		case <-s.stop:
			s.drainClosed()
			return
		}
	fill:
		for len(batch) < s.cfg.MaxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if l, ok := s.w.(Locker); ok {
			s.turn(l, batch) // replicas share the store: append in turns of its lock
			continue
		}
		s.commit(batch)
	}
}

// drainClosed refuses whatever is still queued after Close.
func (s *Sequencer) drainClosed() {
	for {
		select {
		case r := <-s.reqs:
			r.reply <- result{err: ErrClosed}
		default:
			return
		}
	}
}

// nonces hands out 16-byte nonces from one random read per batch.
type nonces struct{ buf []byte }

func (n *nonces) next() (out [16]byte) {
	if len(n.buf) < 16 {
		n.buf = make([]byte, 16*256)
		if _, err := rand.Read(n.buf); err != nil {
			panic(fmt.Sprintf("sequencer: no randomness: %v", err))
		}
	}
	copy(out[:], n.buf)
	n.buf = n.buf[16:]
	return out
}
