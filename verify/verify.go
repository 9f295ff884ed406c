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

// Source is what verify reads from a store. Every column of the ledger's tables
// reaches verify through it, and verify checks each: a column it cannot re-derive
// from the event bytes or the signed checkpoints has no place in those tables.
type Source interface {
	// ScanEvents calls fn for every stored event in index order, with every
	// column of its row.
	ScanEvents(ctx context.Context, fn func(e *StoredEvent) error) error
	// EventCount is the number of stored events.
	EventCount(ctx context.Context) (uint64, error)
	// Checkpoints calls fn for every stored checkpoint in order of size, with
	// every column of its row.
	Checkpoints(ctx context.Context, fn func(c *StoredCheckpoint) error) error
	// TreeNodes calls fn for every stored tree node (levels 8, 16, …).
	TreeNodes(ctx context.Context, fn func(level uint, index uint64, hash []byte) error) error
	// CompareProjections compares the stored projections with those of st and
	// describes the first difference.
	CompareProjections(ctx context.Context, st *custody.State) error
}

// StoredEvent is a row of the events table, as stored. Verify derives every field
// but Bytes from Bytes (and Index from the row's place in the ledger) and compares.
type StoredEvent struct {
	Index    uint64
	ID       []byte // the event's id, 16 bytes
	Subject  []byte // the event's subject, 16 bytes (zero when it has none)
	Bytes    []byte // the event exactly as hashed
	LeafHash []byte // the RFC 6962 leaf hash of the event's entry
}

// StoredCheckpoint is a row of the checkpoints table, as stored. Seq numbers the
// checkpoints densely from 1, one per commit, in order of size; Size and Root must
// be those of the signed Note.
type StoredCheckpoint struct {
	Seq, Size  uint64
	Root, Note []byte
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
	seq, size uint64
	root      [ledger.HashSize]byte
}

func (c checkpoint) String() string { return fmt.Sprintf("checkpoint %d (size %d)", c.seq, c.size) }

// checkNumbers checks that the checkpoints, in order of size, are numbered 1, 2, 3…:
// one is signed at every commit, so a gap is a deleted checkpoint.
func checkNumbers(cps []checkpoint) error {
	for i, c := range cps {
		want := uint64(i) + 1
		switch {
		case c.seq > want && i == 0:
			return problem(-1, "checkpoint %d is missing: the first stored one is %s (a checkpoint is signed at every commit; were some deleted?)", want, c)
		case c.seq > want:
			return problem(-1, "checkpoint %d is missing: after %s the next stored one is %s (a checkpoint is signed at every commit; were some deleted?)", want, cps[i-1], c)
		case c.seq < want:
			return problem(-1, "%s is out of order: in order of size it is the checkpoint numbered %d", c, want)
		}
	}
	return nil
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
	err := src.Checkpoints(ctx, func(c *StoredCheckpoint) error {
		if len(c.Root) != ledger.HashSize {
			return problem(-1, "checkpoint %d (size %d): stored root of %d bytes", c.Seq, c.Size, len(c.Root))
		}
		cps = append(cps, checkpoint{seq: c.Seq, size: c.Size, root: [ledger.HashSize]byte(c.Root)})
		notes = append(notes, c.Note)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !sort.SliceIsSorted(cps, func(i, j int) bool { return cps[i].size < cps[j].size }) {
		return nil, fmt.Errorf("verify: the store gave the checkpoints out of order of size")
	}
	if err := checkNumbers(cps); err != nil {
		return nil, err
	}
	sigs := make(chan error, 1)
	go func() { sigs <- checkSignatures(ctx, cps, notes, v, origin) }()
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
					errs[w] = problem(-1, "%s: %v", cps[i], err)
					return
				}
				if c.Size != cps[i].size || c.Root != cps[i].root {
					errs[w] = problem(-1, "%s: the stored size or root differs from the signed note (size %d)", cps[i], c.Size)
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
			return problem(int64(r.prevCP), "%s does not match the tree recomputed from the events: a leaf in [%d, %d) was altered",
				r.cps[r.next], r.prevCP, r.cps[r.next].size)
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
		return problem(int64(r.tree.Size()), "missing: the log holds %d events but %s was signed (the log was truncated)", r.tree.Size(), r.cps[r.next])
	}
	if len(r.cps) == 0 && r.tree.Size() > 0 || len(r.cps) > 0 && r.cps[len(r.cps)-1].size != r.tree.Size() {
		return problem(int64(r.prevCP), "events from %d on are covered by no signed checkpoint", r.prevCP)
	}
	return nil
}

// checkNodes compares the stored tree nodes with the recomputed ones. A node that
// is wrong or missing is named before one stored where the tree has none, so that a
// node whose level or index was changed is named by its true place.
func checkNodes(ctx context.Context, src Source, want map[[2]uint64][ledger.HashSize]byte) error {
	seen := make(map[[2]uint64]bool, len(want))
	var extra *Problem
	err := src.TreeNodes(ctx, func(level uint, index uint64, hash []byte) error {
		key := [2]uint64{uint64(level), index}
		w, ok := want[key]
		if !ok {
			if extra == nil {
				extra = problem(-1, "tree node (level %d, index %d) is stored but not part of the tree", level, index)
			}
			return nil
		}
		if !bytes.Equal(w[:], hash) {
			first := int64(index << level)
			return problem(first, "the stored tree node (level %d, index %d) over leaves [%d, %d) is wrong", level, index, first, (index+1)<<level)
		}
		seen[key] = true
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(want) {
		var missing [][2]uint64
		for k := range want {
			if !seen[k] {
				missing = append(missing, k)
			}
		}
		sort.Slice(missing, func(i, j int) bool {
			return missing[i][0] < missing[j][0] || missing[i][0] == missing[j][0] && missing[i][1] < missing[j][1]
		})
		level, index := missing[0][0], missing[0][1]
		first := int64(index << level)
		return problem(first, "the tree node (level %d, index %d) over leaves [%d, %d) is missing from the store (%d missing in all)",
			level, index, first, (index+1)<<level, len(missing))
	}
	if extra != nil {
		return extra
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
