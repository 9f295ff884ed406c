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

func decodeOne(idx uint64, id, b, leaf []byte) decoded {
	d := decoded{idx: idx}
	if len(leaf) != ledger.HashSize {
		d.err = problem(int64(idx), "stored leaf hash of %d bytes", len(leaf))
		return d
	}
	d.leaf = [ledger.HashSize]byte(leaf)
	e, err := custody.DecodeEvent(b)
	if err != nil {
		d.err = problem(int64(idx), "%v", err)
		return d
	}
	if !bytes.Equal(e.ID[:], id) {
		d.err = problem(int64(idx), "the stored id %x is not the event's id %s", id, e.ID)
		return d
	}
	if h := ledger.LeafHash(ledger.Entry(e.ID, b)); h != d.leaf {
		d.err = problem(int64(idx), "the event's bytes do not match its stored leaf hash")
		return d
	}
	d.event = e
	return d
}

// job is a run of consecutive events, decoded by one worker.
type job struct {
	raw  []rawEvent
	out  []decoded
	done chan struct{}
}

type rawEvent struct {
	idx             uint64
	id, bytes, leaf []byte
}

const jobSize = 512

var errStop = errors.New("verify: stopped")

// EventScanner is the part of a Source that Replay reads.
type EventScanner interface {
	ScanEvents(ctx context.Context, fn func(idx uint64, id, bytes, leafHash []byte) error) error
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
					j.out[i] = decodeOne(r.idx, r.id, r.bytes, r.leaf)
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
		err := src.ScanEvents(ctx, func(idx uint64, id, b, leaf []byte) error {
			cur.raw = append(cur.raw, rawEvent{idx, id, b, leaf})
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
