package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/handover-project/handover/ledger"
)

// Entries reads a copy of the log's entries, [start, start+n), each
// [ledger.EntrySize] bytes; for example a monitor's copy.
type Entries interface {
	Entries(ctx context.Context, start, n uint64) ([][]byte, error)
}

// AgainstReport sums up a store that matched a copy.
type AgainstReport struct {
	Size   uint64 // leaves compared: the copy's verified size
	Beyond uint64 // events the store holds beyond the copy's size, not compared
}

func (r *AgainstReport) String() string {
	s := fmt.Sprintf("ok: the store's first %d events match the copy's %d leaves", r.Size, r.Size)
	if r.Beyond > 0 {
		s += fmt.Sprintf("; %d later events are beyond the copy's checkpoint", r.Beyond)
	}
	return s
}

// Against compares the events of src with the first size entries of a copy
// of the log kept by someone else (a monitor), which the caller has verified
// against a checkpoint of that size. Each event's entry is recomputed from
// its stored id and bytes, so the comparison holds even when the store's
// own leaf hashes, tree nodes and checkpoints were recomputed to match a
// rewritten event. It returns a [*Problem] naming the first leaf that
// differs, or that the store lacks.
func Against(ctx context.Context, src Source, copy Entries, size uint64) (*AgainstReport, error) {
	const batch = ledger.TileWidth
	var theirs [][]byte
	var base, n uint64
	errStop := errors.New("stop")
	var prob *Problem
	err := src.ScanEvents(ctx, func(e *StoredEvent) error {
		idx, id, event := e.Index, e.ID, e.Bytes
		if idx != n {
			prob = problem(int64(n), "missing from the store (the next stored event is %d); the copy holds it", idx)
			return errStop
		}
		n++
		if idx >= size {
			return nil
		}
		if idx >= base+uint64(len(theirs)) {
			var err error
			base = idx
			if theirs, err = copy.Entries(ctx, idx, min(batch, size-idx)); err != nil {
				return fmt.Errorf("verify: reading the copy: %w", err)
			}
		}
		if len(id) != ledger.IDSize {
			prob = problem(int64(idx), "the stored event id is %d bytes", len(id))
			return errStop
		}
		mine := ledger.Entry([ledger.IDSize]byte(id), event)
		if t := theirs[idx-base]; !bytes.Equal(mine, t) {
			prob = problem(int64(idx), "differs from the copy: the store's event %x has commitment %x…, the copy's leaf is event %x with commitment %x…",
				mine[:ledger.IDSize], mine[ledger.IDSize:ledger.IDSize+8], t[:ledger.IDSize], t[ledger.IDSize:ledger.IDSize+8])
			return errStop
		}
		return nil
	})
	if prob != nil {
		return nil, prob
	}
	if err != nil {
		return nil, err
	}
	if n < size {
		return nil, problem(int64(n), "missing: the store holds %d events, the copy %d leaves (the log was truncated)", n, size)
	}
	return &AgainstReport{Size: size, Beyond: n - size}, nil
}
