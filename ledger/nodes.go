package ledger

import (
	"context"
	"fmt"
	"sort"

	"github.com/transparency-dev/merkle/compact"
)

// TileReader reads hashes a store keeps. level is the TILE level L: level 0 returns
// leaf hashes [start, start+n); level L>0 returns hashes of complete tree nodes at tree
// level 8L, indices [start, start+n). It returns an error if any is missing.
//
// A store fills a TileReader from [Tree.Append]: the leaf hash of every leaf,
// and every node Append returns, at tile level Node.Level/8.
type TileReader interface {
	TileHashes(ctx context.Context, level uint, start, n uint64) ([][HashSize]byte, error)
}

// NodeHash returns the hash of the complete node at tree level level and
// index index. A node at tree level l, with 8k <= l < 8k+8, is computed from
// the 2^(l-8k) hashes under it that tile level k stores, all in one tile.
func NodeHash(ctx context.Context, r TileReader, level uint, index uint64) ([HashSize]byte, error) {
	if level >= 64 || index > (^uint64(0))>>level {
		return [HashSize]byte{}, fmt.Errorf("ledger: no node at level %d index %d", level, index)
	}
	hs, err := nodeHashes(ctx, r, []compact.NodeID{compact.NewNodeID(level, index)})
	if err != nil {
		return [HashSize]byte{}, err
	}
	return hs[0], nil
}

// RootAt returns the root hash of the tree of the first size leaves, from
// the hashes r stores.
func RootAt(ctx context.Context, r TileReader, size uint64) ([HashSize]byte, error) {
	if size == 0 {
		return emptyRoot, nil
	}
	hs, err := nodeHashes(ctx, r, compact.RangeNodes(0, size, nil))
	if err != nil {
		return [HashSize]byte{}, fmt.Errorf("ledger: root at size %d: %w", size, err)
	}
	root := hs[len(hs)-1]
	for i := len(hs) - 2; i >= 0; i-- {
		root = hashChildren(&hs[i], &root)
	}
	return root, nil
}

// span is the run of stored hashes a node is computed from.
type span struct {
	tileLevel uint   // the tile level k the hashes are read from
	start, n  uint64 // their indices at tree level 8k
}

func spanOf(id compact.NodeID) span {
	k := id.Level / TileHeight
	shift := id.Level - k*TileHeight
	return span{tileLevel: k, start: id.Index << shift, n: 1 << shift}
}

// nodeHashes returns the hashes of the complete nodes ids, in order. Nodes
// whose hashes lie in the same tile are served by a single read of the run
// that spans them all; every hash in such a run is complete, because a store
// holds at each level a contiguous run of complete hashes starting at 0.
func nodeHashes(ctx context.Context, r TileReader, ids []compact.NodeID) ([][HashSize]byte, error) {
	spans := make([]span, len(ids))
	order := make([]int, len(ids)) // indices of ids, grouped by tile
	for i, id := range ids {
		if id.Level >= 64 {
			return nil, fmt.Errorf("ledger: no node at level %d", id.Level)
		}
		spans[i] = spanOf(id)
		order[i] = i
	}
	tileOf := func(s span) uint64 { return s.start / TileWidth }
	sort.Slice(order, func(a, b int) bool {
		sa, sb := spans[order[a]], spans[order[b]]
		if sa.tileLevel != sb.tileLevel {
			return sa.tileLevel < sb.tileLevel
		}
		return tileOf(sa) < tileOf(sb)
	})

	out := make([][HashSize]byte, len(ids))
	var scratch [TileWidth / 2][HashSize]byte
	for g := 0; g < len(order); {
		// The group order[g:e] shares one tile; read the run covering it.
		first := spans[order[g]]
		lo, hi := first.start, first.start+first.n
		e := g + 1
		for ; e < len(order); e++ {
			s := spans[order[e]]
			if s.tileLevel != first.tileLevel || tileOf(s) != tileOf(first) {
				break
			}
			lo, hi = min(lo, s.start), max(hi, s.start+s.n)
		}
		run, err := r.TileHashes(ctx, first.tileLevel, lo, hi-lo)
		if err != nil {
			return nil, err
		}
		if uint64(len(run)) != hi-lo {
			return nil, fmt.Errorf("ledger: store returned %d hashes at tile level %d from %d, want %d",
				len(run), first.tileLevel, lo, hi-lo)
		}
		for _, i := range order[g:e] {
			s := spans[i]
			out[i] = subtreeHash(run[s.start-lo:s.start-lo+s.n], &scratch)
		}
		g = e
	}
	return out, nil
}

// subtreeHash returns MTH of a perfect subtree given the hashes of its nodes
// at one level; len(hs) is a power of two, at most TileWidth/2.
func subtreeHash(hs [][HashSize]byte, scratch *[TileWidth / 2][HashSize]byte) [HashSize]byte {
	if len(hs) == 1 {
		return hs[0]
	}
	n := len(hs) / 2
	for i := 0; i < n; i++ {
		scratch[i] = hashChildren(&hs[2*i], &hs[2*i+1])
	}
	for ; n > 1; n /= 2 {
		for i := 0; i < n/2; i++ {
			scratch[i] = hashChildren(&scratch[2*i], &scratch[2*i+1])
		}
	}
	return scratch[0]
}
