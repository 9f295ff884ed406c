package ledger

import (
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
)

// TileHeight is the number of tree levels a tile spans, and TileWidth the
// number of hashes in a full tile (2^TileHeight).
const (
	TileHeight = 8
	TileWidth  = 1 << TileHeight
)

// rangeFactory builds compact ranges with RFC 6962 node hashing.
var rangeFactory = &compact.RangeFactory{Hash: hashChildrenSlice}

// A Node is a complete node of the tree: its tree level (0 for leaves), its
// index within that level, and its hash.
type Node struct {
	Level uint
	Index uint64
	Hash  [HashSize]byte
}

// A Tree appends leaves to a Merkle tree, keeping only its compact range: the
// hashes of at most 64 perfect subtrees that cover its leaves. It is the
// writer's view of the ledger; readers use a [TileReader].
//
// A Tree is not safe for concurrent use.
type Tree struct {
	rng     *compact.Range
	visit   compact.VisitFn // t.collect, bound once to avoid allocating per Append
	pending []Node
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return newTree(rangeFactory.NewEmptyRange(0))
}

func newTree(rng *compact.Range) *Tree {
	t := &Tree{rng: rng}
	t.visit = t.collect
	return t
}

// collect records the nodes a store must keep besides leaf hashes.
func (t *Tree) collect(id compact.NodeID, hash []byte) {
	if id.Level == 0 || id.Level%TileHeight != 0 {
		return
	}
	t.pending = append(t.pending, Node{Level: id.Level, Index: id.Index, Hash: [HashSize]byte(hash)})
}

// Append adds a leaf, given its leaf hash, at index t.Size(). It returns the
// complete nodes this append completed whose tree level is a positive
// multiple of 8 (8, 16, 24, …), lowest level first; these are the hashes a
// store must keep besides leaf hashes to serve tiles (see [TileReader]). Most
// appends complete no such node, and then Append returns nil.
func (t *Tree) Append(leafHash [HashSize]byte) []Node {
	h := leafHash // copied to the heap: the range keeps the slice
	if err := t.rng.Append(h[:], t.visit); err != nil {
		panic("ledger: corrupt compact range: " + err.Error()) // unreachable for ranges built here
	}
	if len(t.pending) == 0 {
		return nil
	}
	out := append([]Node(nil), t.pending...)
	t.pending = t.pending[:0]
	return out
}

// Size returns the number of leaves in the tree.
func (t *Tree) Size() uint64 { return t.rng.End() }

// Root returns the tree's root hash, SHA-256("") for the empty tree.
func (t *Tree) Root() [HashSize]byte {
	if t.rng.End() == 0 {
		return emptyRoot
	}
	root, err := t.rng.GetRootHash(nil)
	if err != nil {
		panic("ledger: corrupt compact range: " + err.Error())
	}
	return [HashSize]byte(root)
}

// Clone returns an independent copy of the tree.
func (t *Tree) Clone() *Tree {
	// The range never modifies a hash slice in place, so sharing them is safe;
	// only the list of them must be copied.
	hashes := append([][]byte(nil), t.rng.Hashes()...)
	rng, err := rangeFactory.NewRange(0, t.rng.End(), hashes)
	if err != nil {
		panic("ledger: corrupt compact range: " + err.Error())
	}
	return newTree(rng)
}

// ResumeTree returns the tree of the first size leaves of a log, rebuilt from
// the hashes r stores, so that appending can continue where it stopped. It
// reads at most one run of hashes from each tile level.
func ResumeTree(ctx context.Context, r TileReader, size uint64) (*Tree, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := nodeHashes(ctx, r, ids)
	if err != nil {
		return nil, fmt.Errorf("ledger: resuming tree at size %d: %w", size, err)
	}
	rng, err := rangeFactory.NewRange(0, size, toSlices(hashes))
	if err != nil {
		return nil, fmt.Errorf("ledger: resuming tree at size %d: %w", size, err)
	}
	return newTree(rng), nil
}
