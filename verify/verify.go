// Package verify checks a stored handover ledger from first principles: it
// recomputes every commitment and the whole Merkle tree from the stored event bytes,
// checks every stored checkpoint's signature and that its root is the root of the
// recomputed tree at its size (which makes every checkpoint consistent with every
// earlier one), compares the stored tree nodes, replays the events into a fresh
// custody state, checks the invariants, and has the store compare its projections
// with the replayed state. It names the first leaf, checkpoint or invariant that is
// wrong. It is engine-independent: each store implements Source.
package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Source is what verify reads from a store.
type Source interface {
	// ScanEvents calls fn for every stored event in index order, with its
	// 16-byte id as stored beside it.
	ScanEvents(ctx context.Context, fn func(idx uint64, id, bytes, leafHash []byte) error) error
	// EventCount is the number of stored events.
	EventCount(ctx context.Context) (uint64, error)
	// Checkpoints calls fn for every stored checkpoint in order of size.
	Checkpoints(ctx context.Context, fn func(size uint64, root, note []byte) error) error
	// TreeNodes calls fn for every stored tree node (levels 8, 16, …).
	TreeNodes(ctx context.Context, fn func(level uint, index uint64, hash []byte) error) error
	// CompareProjections compares the stored projections with those of st and
	// describes the first difference.
	CompareProjections(ctx context.Context, st *custody.State) error
}

// Report sums up a ledger that verified.
type Report struct {
	Size        uint64
	Root        [ledger.HashSize]byte
	Checkpoints int
	Persons     int
	Facilities  int
	Parties     int
	Movements   int // movements that departed, each with its departure handover checked
	Alerts      int // open disappearance alerts
}

func (r *Report) String() string {
	return fmt.Sprintf("ok: %d events, %d checkpoints, root %x…; %d persons, %d facilities, %d parties, %d movements departed, %d open disappearance alerts; projections and invariants hold",
		r.Size, r.Checkpoints, r.Root[:6], r.Persons, r.Facilities, r.Parties, r.Movements, r.Alerts)
}

// Problem is a failed check. Leaf is the index of the first wrong leaf, or -1
// when the problem is not one leaf's.
type Problem struct {
	Leaf int64
	Msg  string
}

func (p *Problem) Error() string {
	if p.Leaf >= 0 {
		return fmt.Sprintf("leaf %d: %s", p.Leaf, p.Msg)
	}
	return p.Msg
}

func problem(leaf int64, format string, args ...any) *Problem {
	return &Problem{Leaf: leaf, Msg: fmt.Sprintf(format, args...)}
}

type checkpoint struct {
	size uint64
	root [ledger.HashSize]byte
}

// Run verifies the ledger of src against the log's public key. progress, if not
// nil, is called now and then with the number of events checked and the total.
// It returns a *Problem when the ledger is wrong, another error when it could not
// be read.
//
// The work that does not depend on order — checkpoint signatures, decoding events
// and recomputing their leaf hashes — runs on every core; the tree and the replay
// run in ledger order.
func Run(ctx context.Context, src Source, v note.Verifier, origin string, progress func(done, total uint64)) (*Report, error) {
	if progress == nil {
		progress = func(uint64, uint64) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var cps []checkpoint
	var notes [][]byte
	err := src.Checkpoints(ctx, func(size uint64, root, text []byte) error {
		if len(root) != ledger.HashSize {
			return problem(-1, "checkpoint of size %d: stored root of %d bytes", size, len(root))
		}
		cps = append(cps, checkpoint{size: size, root: [ledger.HashSize]byte(root)})
		notes = append(notes, text)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sigs := make(chan error, 1)
	go func() { sigs <- checkSignatures(ctx, cps, notes, v, origin) }()
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	total, err := src.EventCount(ctx)
	if err != nil {
		return nil, err
	}
	r := &replay{st: custody.NewState(), tree: ledger.NewTree(), tally: custody.NewTally(),
		nodes: map[[2]uint64][ledger.HashSize]byte{}, cps: cps}
	scanErr := decodeInParallel(ctx, src, func(d *decoded) error {
		if err := r.add(d); err != nil {
			return err
		}
		if d.idx%65536 == 0 {
			progress(d.idx, total)
		}
		return nil
	})
	// A bad signature is the first thing to report: it says which checkpoints
	// cannot be trusted to judge the events by.
	if err := <-sigs; err != nil {
		return nil, err
	}
	if scanErr != nil {
		return nil, scanErr
	}
	progress(r.tree.Size(), total)
	if err := r.finish(); err != nil {
		return nil, err
	}
	if err := checkNodes(ctx, src, r.nodes); err != nil {
		return nil, err
	}
	if err := custody.CheckInvariants(r.st); err != nil {
		return nil, problem(-1, "%v", err)
	}
	if err := r.tally.Check(r.st); err != nil {
		return nil, problem(-1, "%v", err)
	}
	if err := src.CompareProjections(ctx, r.st); err != nil {
		var p *Problem
		if errors.As(err, &p) {
			return nil, p
		}
		return nil, err
	}
	return &Report{Size: r.tree.Size(), Root: r.tree.Root(), Checkpoints: len(cps),
		Persons: len(r.st.Persons()), Facilities: len(r.st.Facilities()), Parties: len(r.st.Parties()),
		Movements: departed(r.st), Alerts: len(r.st.Alerts())}, nil
}

// checkSignatures opens every checkpoint note with the log's key, on every core.
func checkSignatures(ctx context.Context, cps []checkpoint, notes [][]byte, v note.Verifier, origin string) error {
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(cps) && ctx.Err() == nil; i += workers {
				c, err := ledger.OpenCheckpoint(notes[i], v, origin)
				if err != nil {
					errs[w] = problem(-1, "checkpoint of size %d: %v", cps[i].size, err)
					return
				}
				if c.Size != cps[i].size || c.Root != cps[i].root {
					errs[w] = problem(-1, "checkpoint of size %d: the stored size or root differs from the signed note (size %d)", cps[i].size, c.Size)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// replay is the in-order part of verification.
type replay struct {
	st     *custody.State
	tree   *ledger.Tree
	tally  *custody.Tally
	nodes  map[[2]uint64][ledger.HashSize]byte
	cps    []checkpoint
	next   int    // the next checkpoint to reach
	prevCP uint64 // the size of the last checkpoint reached
}

func (r *replay) add(d *decoded) error {
	if want := r.tree.Size(); d.idx != want {
		return problem(int64(want), "missing (the next stored event is %d)", d.idx)
	}
	if d.err != nil {
		return d.err
	}
	for _, n := range r.tree.Append(d.leaf) {
		r.nodes[[2]uint64{uint64(n.Level), n.Index}] = n.Hash
	}
	for r.next < len(r.cps) && r.cps[r.next].size == r.tree.Size() {
		if r.cps[r.next].root != r.tree.Root() {
			return problem(int64(r.prevCP), "the checkpoint of size %d does not match the tree recomputed from the events: a leaf in [%d, %d) was altered",
				r.cps[r.next].size, r.prevCP, r.cps[r.next].size)
		}
		r.prevCP = r.cps[r.next].size
		r.next++
	}
	if err := custody.CheckEvent(r.st, &d.event); err != nil {
		return problem(int64(d.idx), "%v", err)
	}
	if err := r.st.Apply(&d.event); err != nil {
		return problem(int64(d.idx), "cannot be replayed: %v", err)
	}
	r.tally.Add(&d.event)
	return nil
}

// finish checks that the events and the checkpoints end together.
func (r *replay) finish() error {
	if r.next < len(r.cps) {
		return problem(int64(r.tree.Size()), "missing: the log holds %d events but a checkpoint of size %d was signed (the log was truncated)", r.tree.Size(), r.cps[r.next].size)
	}
	if len(r.cps) == 0 && r.tree.Size() > 0 || len(r.cps) > 0 && r.cps[len(r.cps)-1].size != r.tree.Size() {
		return problem(int64(r.prevCP), "events from %d on are covered by no signed checkpoint", r.prevCP)
	}
	return nil
}

// checkNodes compares the stored tree nodes with the recomputed ones.
func checkNodes(ctx context.Context, src Source, want map[[2]uint64][ledger.HashSize]byte) error {
	seen := 0
	err := src.TreeNodes(ctx, func(level uint, index uint64, hash []byte) error {
		w, ok := want[[2]uint64{uint64(level), index}]
		if !ok {
			return problem(-1, "tree node (level %d, index %d) is stored but not part of the tree", level, index)
		}
		if !bytes.Equal(w[:], hash) {
			first := int64(index << level)
			return problem(first, "the stored tree node (level %d, index %d) over leaves [%d, %d) is wrong", level, index, first, (index+1)<<level)
		}
		seen++
		return nil
	})
	if err != nil {
		return err
	}
	if seen != len(want) {
		return problem(-1, "%d tree nodes are missing from the store", len(want)-seen)
	}
	return nil
}

func departed(st *custody.State) int {
	n := 0
	for _, m := range st.Movements() {
		if m.Departure != nil {
			n++
		}
	}
	return n
}
