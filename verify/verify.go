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
	"sort"

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
}

func (r *Report) String() string {
	return fmt.Sprintf("ok: %d events, %d checkpoints, root %x…; %d persons, %d facilities, %d parties; projections and invariants hold",
		r.Size, r.Checkpoints, r.Root[:6], r.Persons, r.Facilities, r.Parties)
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
func Run(ctx context.Context, src Source, v note.Verifier, origin string, progress func(done, total uint64)) (*Report, error) {
	if progress == nil {
		progress = func(uint64, uint64) {}
	}
	var cps []checkpoint
	err := src.Checkpoints(ctx, func(size uint64, root, text []byte) error {
		c, err := ledger.OpenCheckpoint(text, v, origin)
		if err != nil {
			return problem(-1, "checkpoint of size %d: %v", size, err)
		}
		if c.Size != size || !bytes.Equal(c.Root[:], root) {
			return problem(-1, "checkpoint of size %d: the stored size or root differs from the signed note (size %d)", size, c.Size)
		}
		cps = append(cps, checkpoint{size: c.Size, root: c.Root})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	total, err := src.EventCount(ctx)
	if err != nil {
		return nil, err
	}
	st, tree, tally := custody.NewState(), ledger.NewTree(), custody.NewTally()
	nodes := map[[2]uint64][ledger.HashSize]byte{}
	next, prevCP := 0, uint64(0)
	var entry []byte
	err = src.ScanEvents(ctx, func(idx uint64, idCol, b, leaf []byte) error {
		want := tree.Size()
		if idx != want {
			return problem(int64(want), "missing (the next stored event is %d)", idx)
		}
		e, err := custody.DecodeEvent(b)
		if err != nil {
			return problem(int64(idx), "%v", err)
		}
		if !bytes.Equal(e.ID[:], idCol) {
			return problem(int64(idx), "the stored id %x is not the event's id %s", idCol, e.ID)
		}
		entry = ledger.AppendEntry(entry[:0], e.ID, b)
		if h := ledger.LeafHash(entry); !bytes.Equal(h[:], leaf) {
			return problem(int64(idx), "the event's bytes do not match its stored leaf hash")
		}
		for _, n := range tree.Append([ledger.HashSize]byte(leaf)) {
			nodes[[2]uint64{uint64(n.Level), n.Index}] = n.Hash
		}
		for next < len(cps) && cps[next].size == tree.Size() {
			if cps[next].root != tree.Root() {
				return problem(int64(prevCP), "the checkpoint of size %d does not match the tree recomputed from the events: a leaf in [%d, %d) was altered",
					cps[next].size, prevCP, cps[next].size)
			}
			prevCP = cps[next].size
			next++
		}
		if err := st.Apply(&e); err != nil {
			return problem(int64(idx), "cannot be replayed: %v", err)
		}
		tally.Add(&e)
		if idx%65536 == 0 {
			progress(idx, total)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	progress(tree.Size(), total)
	if next < len(cps) {
		return nil, problem(int64(tree.Size()), "missing: the log holds %d events but a checkpoint of size %d was signed (the log was truncated)", tree.Size(), cps[next].size)
	}
	if len(cps) == 0 && tree.Size() > 0 || len(cps) > 0 && cps[len(cps)-1].size != tree.Size() {
		return nil, problem(int64(prevCP), "events from %d on are covered by no signed checkpoint", prevCP)
	}
	if err := checkNodes(ctx, src, nodes); err != nil {
		return nil, err
	}
	if err := custody.CheckInvariants(st); err != nil {
		return nil, problem(-1, "%v", err)
	}
	if err := tally.Check(st); err != nil {
		return nil, problem(-1, "%v", err)
	}
	if err := src.CompareProjections(ctx, st); err != nil {
		var p *Problem
		if errors.As(err, &p) {
			return nil, p
		}
		return nil, err
	}
	return &Report{Size: tree.Size(), Root: tree.Root(), Checkpoints: len(cps),
		Persons: len(st.Persons()), Facilities: len(st.Facilities()), Parties: len(st.Parties())}, nil
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
