package sequencer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Exactly once. A command may carry keys (Key): an idempotency key its caller
// chose (WithKey), and, for a signed handover, a key the sequencer derives from
// the document itself. The outcome of a keyed command that is accepted — its
// receipt — is written by the Writer in the same transaction as its events
// (Batch.Keys), so it is stored if and only if the events are. Before deciding a
// keyed command, the sequencer looks its keys up: in the flights not yet
// committed (a command with the same key waits for that flight and gets its
// receipt) and in the store (KeyStore). A key found there is answered with the
// stored receipt, marked Replayed, and nothing is decided or written. A command
// refused by custody.Decide writes nothing and stores nothing: deciding it again
// is safe.
//
// Submit never abandons a request once the sequencing goroutine may have taken
// it: it returns either the outcome, or ctx.Err() when the request was dropped
// before anything was decided. So a caller that holds its key while it waits
// (the API does, across replicas) never has two commands with one key in flight.

// Key identifies one intended write: ID is unique to it (the API uses the
// signed-in user's id and the client's Idempotency-Key), Fingerprint identifies
// the request that carried it. The same ID with another fingerprint is refused.
type Key struct {
	ID          string
	Fingerprint []byte
	// Checked says the caller found nothing stored under the key while holding
	// it exclusively (the API does, with its key locks), so the sequencer need not
	// look in the store: only in the flights in hand. A sequencer that takes turns
	// with others looks regardless, after taking the ledger lock: a replica killed
	// after its commit may have released the key before its commit was seen.
	Checked bool
	derived bool // from the command itself: another fingerprint is simply decided
}

type keyContext struct{}

// WithKey returns a context that makes the commands submitted with it
// idempotent under k.
func WithKey(ctx context.Context, k Key) context.Context {
	return context.WithValue(ctx, keyContext{}, k)
}

// KeyOf returns the key WithKey put in ctx.
func KeyOf(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(keyContext{}).(Key)
	return k, ok
}

// Outcome is what a store keeps under a key. Answered is set once the API has
// stored its own answer under the key (Receipt is then empty).
type Outcome struct {
	Fingerprint []byte
	Receipt     Receipt
	Answered    bool
}

// KeyStore is an optional interface of a Writer that keeps the outcomes of keyed
// commands (a Writer without it keeps none: keys are then only checked among the
// flights in hand).
type KeyStore interface {
	// Outcomes returns the outcomes stored under the given keys; keys with none
	// are absent from the map. It must see every batch committed before it is
	// called (by any sequencer sharing the store, when called in a turn).
	Outcomes(ctx context.Context, keys []string) (map[string]Outcome, error)
}

// KeyRecord is one key a batch stores with its events: the receipt of the
// command that carried it, encoded with EncodeReceipt.
type KeyRecord struct {
	ID          string
	Fingerprint []byte
	Receipt     []byte
	Created     time.Time
}

// handoverKey derives the key of a signed handover from its exact bytes: the same
// document submitted again gets the receipt of its first submission.
func handoverKey(cmd custody.Command) (Key, bool) {
	c, ok := cmd.(custody.SubmitHandover)
	if !ok || len(c.Document) == 0 {
		return Key{}, false
	}
	doc := sha256.Sum256(c.Document)
	h := sha256.New()
	h.Write(doc[:])
	for _, g := range c.Signatures {
		h.Write(g.Key[:])
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(g.Sig))))
		h.Write(g.Sig)
	}
	return Key{ID: "handover-document/" + hex.EncodeToString(doc[:]), Fingerprint: h.Sum(nil), derived: true}, true
}

// keysOf are the keys of a request: the caller's, then the command's own.
func keysOf(ctx context.Context, cmd custody.Command) []Key {
	var ks []Key
	if k, ok := KeyOf(ctx); ok {
		ks = append(ks, k)
	}
	if k, ok := handoverKey(cmd); ok {
		ks = append(ks, k)
	}
	return ks
}

// receiptJSON is the stored form of a receipt.
type receiptJSON struct {
	Events     []Recorded `json:"events"`
	Size       uint64     `json:"size"`
	Root       []byte     `json:"root"`
	Checkpoint string     `json:"checkpoint"`
}

// EncodeReceipt encodes a receipt as stored under its keys.
func EncodeReceipt(r Receipt) ([]byte, error) {
	return json.Marshal(receiptJSON{Events: r.Events, Size: r.Checkpoint.Size, Root: r.Checkpoint.Root[:], Checkpoint: string(r.Checkpoint.Note)})
}

// DecodeReceipt decodes what EncodeReceipt encoded.
func DecodeReceipt(b []byte) (Receipt, error) {
	var j receiptJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return Receipt{}, fmt.Errorf("sequencer: stored receipt: %w", err)
	}
	if len(j.Root) != ledger.HashSize {
		return Receipt{}, fmt.Errorf("sequencer: stored receipt: root of %d bytes", len(j.Root))
	}
	return Receipt{Events: j.Events, Checkpoint: Checkpoint{Size: j.Size, Root: [ledger.HashSize]byte(j.Root), Note: []byte(j.Checkpoint)}}, nil
}

// flying are the keys of the commands sealed into flights not yet committed.
// The sequencing goroutine adds to it; whoever answers a flight settles its keys.
type flying struct {
	mu sync.Mutex
	m  map[string]*flyingKey
}

type flyingKey struct {
	fingerprint []byte
	owner       chan result // the reply channel of the command that carried it
	followers   []chan result
}

// lookupKeys finds the outcomes stored under the keys of batch that are not in
// flight. It runs before the batch is decided, so that a key settled meanwhile
// is found in the store.
func (s *Sequencer) lookupKeys(batch []request) (map[string]Outcome, error) {
	ks, ok := s.w.(KeyStore)
	if !ok {
		return nil, nil
	}
	var ids []string
	turns := s.takesTurns()
	s.keys.mu.Lock()
	for _, r := range batch {
		for _, k := range r.keys {
			if s.keys.m[k.ID] == nil && (!k.Checked || turns) {
				ids = append(ids, k.ID)
			}
		}
	}
	s.keys.mu.Unlock()
	if len(ids) == 0 {
		return nil, nil
	}
	return ks.Outcomes(context.Background(), ids)
}

// answered answers r without deciding it if one of its keys has an outcome: in a
// flight (r then waits for it) or in the store. It reports whether it did.
func (s *Sequencer) answered(r request, stored map[string]Outcome) bool {
	for _, k := range r.keys {
		s.keys.mu.Lock()
		if f := s.keys.m[k.ID]; f != nil {
			same := bytes.Equal(f.fingerprint, k.Fingerprint)
			if same {
				f.followers = append(f.followers, r.reply)
			}
			s.keys.mu.Unlock()
			if same {
				return true
			}
			if !k.derived {
				r.reply <- result{err: reused(k)}
				return true
			}
			continue
		}
		s.keys.mu.Unlock()
		o, ok := stored[k.ID]
		switch {
		case !ok:
		case !bytes.Equal(o.Fingerprint, k.Fingerprint):
			if !k.derived {
				r.reply <- result{err: reused(k)}
				return true
			}
		case o.Answered:
			r.reply <- result{err: custody.Errorf(custody.Conflict, "idempotency_key", "a request with this key was answered already: ask again to get that answer")}
			return true
		default:
			rc := o.Receipt
			rc.Replayed = true
			r.reply <- result{receipt: rc}
			return true
		}
	}
	return false
}

func reused(k Key) error {
	return custody.Errorf(custody.Invalid, "idempotency_key", "idempotency key reused with a different request")
}

// fly records the keys of an accepted request as in flight.
func (s *Sequencer) fly(r request) {
	if len(r.keys) == 0 {
		return
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.m == nil {
		s.keys.m = map[string]*flyingKey{}
	}
	for _, k := range r.keys {
		s.keys.m[k.ID] = &flyingKey{fingerprint: k.Fingerprint, owner: r.reply}
	}
}

// settle answers the requests waiting on r's keys, with r's receipt (replayed)
// or, if err is set, with err, and forgets the keys. Requests that carried the
// same keys and came later are then looked up in the store.
func (s *Sequencer) settle(r request, rc Receipt, err error) {
	if len(r.keys) == 0 {
		return
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	for _, k := range r.keys {
		f := s.keys.m[k.ID]
		if f == nil || f.owner != r.reply {
			continue
		}
		for _, w := range f.followers {
			if err != nil {
				w <- result{err: err}
				continue
			}
			again := rc
			again.Replayed = true
			w <- result{receipt: again}
		}
		delete(s.keys.m, k.ID)
	}
}

// keyRecords are the keys a flight stores, each with its command's receipt.
func keyRecords(f *flight, now time.Time) ([]KeyRecord, error) {
	var out []KeyRecord
	for _, p := range f.accepted {
		if len(p.r.keys) == 0 {
			continue
		}
		rc := p.receipt
		rc.Checkpoint = f.batch.Checkpoint
		b, err := EncodeReceipt(rc)
		if err != nil {
			return nil, err
		}
		for _, k := range p.r.keys {
			out = append(out, KeyRecord{ID: k.ID, Fingerprint: k.Fingerprint, Receipt: b, Created: now})
		}
	}
	return out, nil
}
