package verify

import (
	"bytes"
	"context"
	"errors"
	"runtime"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// decoded is one stored event, decoded and checked on its own: its bytes against its
// stored leaf hash and id. err is the problem found, if any.
type decoded struct {
	idx   uint64
	event custody.Event
	leaf  [ledger.HashSize]byte
	err   error
}

func decodeOne(r *StoredEvent) decoded {
	idx := r.Index
	d := decoded{idx: idx}
	if len(r.LeafHash) != ledger.HashSize {
		d.err = problem(int64(idx), "stored leaf hash of %d bytes", len(r.LeafHash))
		return d
	}
	d.leaf = [ledger.HashSize]byte(r.LeafHash)
	e, err := custody.DecodeEvent(r.Bytes)
	if err != nil {
		d.err = problem(int64(idx), "%v", err)
		return d
	}
	if !bytes.Equal(e.ID[:], r.ID) {
		d.err = problem(int64(idx), "the stored id %x is not the event's id %s", r.ID, e.ID)
		return d
	}
	if !bytes.Equal(e.Subject[:], r.Subject) {
		d.err = problem(int64(idx), "the stored subject %x is not the event's subject %s (the event would show in the wrong history)", r.Subject, e.Subject)
		return d
	}
	if h := ledger.LeafHash(ledger.Entry(e.ID, r.Bytes)); h != d.leaf {
		d.err = problem(int64(idx), "the event's bytes do not match its stored leaf hash")
		return d
	}
	d.event = e
	return d
}

// job is a run of consecutive events, decoded by one worker.
type job struct {
	raw  []*StoredEvent
	out  []decoded
	done chan struct{}
}

const jobSize = 512

var errStop = errors.New("verify: stopped")

// EventScanner is the part of a Source that Replay reads.
type EventScanner interface {
	ScanEvents(ctx context.Context, fn func(e *StoredEvent) error) error
}

// Replay decodes the stored events of src on every core, checking each against its
// stored id and leaf hash, and calls fn with each in ledger order. It returns a
// *Problem for an event that is missing, malformed or does not match its leaf hash,
// and stops at the first error fn returns. Stores use it to load their state.
func Replay(ctx context.Context, src EventScanner, fn func(idx uint64, e *custody.Event, leafHash [ledger.HashSize]byte) error) error {
	next := uint64(0)
	return decodeInParallel(ctx, src, func(d *decoded) error {
		if d.idx != next {
			return problem(int64(next), "missing (the next stored event is %d)", d.idx)
		}
		if d.err != nil {
			return d.err
		}
		next++
		return fn(d.idx, &d.event, d.leaf)
	})
}

// decodeInParallel scans the events of src, decodes them on every core, and calls
// apply for each in ledger order. It stops at the first error apply returns.
func decodeInParallel(ctx context.Context, src EventScanner, apply func(*decoded) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *job, 2*workers)
	order := make(chan *job, 4*workers)
	for range workers {
		go func() {
			for j := range work {
				j.out = make([]decoded, len(j.raw))
				for i, r := range j.raw {
					j.out[i] = decodeOne(r)
				}
				close(j.done)
			}
		}()
	}
	scanned := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		cur := &job{done: make(chan struct{})}
		send := func() bool {
			select {
			case work <- cur:
			case <-ctx.Done():
				return false
			}
			select {
			case order <- cur:
			case <-ctx.Done():
				return false
			}
			cur = &job{done: make(chan struct{})}
			return true
		}
		err := src.ScanEvents(ctx, func(e *StoredEvent) error {
			cur.raw = append(cur.raw, e)
			if len(cur.raw) == jobSize && !send() {
				return errStop
			}
			return nil
		})
		if err == nil && len(cur.raw) > 0 && !send() {
			err = errStop
		}
		scanned <- err
	}()
	for j := range order {
		<-j.done
		for i := range j.out {
			if err := apply(&j.out[i]); err != nil {
				cancel()
				for range order { // let the scanner finish
				}
				return err
			}
		}
	}
	if err := <-scanned; err != nil && !errors.Is(err, errStop) {
		return err
	}
	return ctx.Err()
}
