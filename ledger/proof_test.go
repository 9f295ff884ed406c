package ledger

import (
	"context"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

// flip returns a copy of p with one bit flipped.
func flip(t *rapid.T, p [][HashSize]byte) [][HashSize]byte {
	q := append([][HashSize]byte(nil), p...)
	i := rapid.IntRange(0, len(q)-1).Draw(t, "flip hash")
	bit := rapid.IntRange(0, HashSize*8-1).Draw(t, "flip bit")
	q[i][bit/8] ^= 1 << (bit % 8)
	return q
}

func flipHash(t *rapid.T, h [HashSize]byte) [HashSize]byte {
	bit := rapid.IntRange(0, HashSize*8-1).Draw(t, "flip bit")
	h[bit/8] ^= 1 << (bit % 8)
	return h
}

func TestInclusionProofs(t *testing.T) {
	ctx := context.Background()
	m := newMemLog()
	m.fill(3000)
	leaves := m.hashes[0]
	rapid.Check(t, func(t *rapid.T) {
		size := rapid.Uint64Range(1, 3000).Draw(t, "size")
		index := rapid.Uint64Range(0, size-1).Draw(t, "index")
		root := naiveRoot(leaves[:size])
		p, err := InclusionProof(ctx, m, index, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyInclusion(index, size, leaves[index], p, root); err != nil {
			t.Fatalf("proof of %d in %d: %v", index, size, err)
		}
		if len(p) > 0 {
			if err := VerifyInclusion(index, size, leaves[index], flip(t, p), root); !errors.Is(err, ErrProof) {
				t.Fatalf("flipped proof of %d in %d: err = %v", index, size, err)
			}
		}
		if err := VerifyInclusion(index, size, flipHash(t, leaves[index]), p, root); !errors.Is(err, ErrProof) {
			t.Fatalf("proof of a wrong leaf: err = %v", err)
		}
		if err := VerifyInclusion(index, size, leaves[index], p, flipHash(t, root)); !errors.Is(err, ErrProof) {
			t.Fatalf("proof against a wrong root: err = %v", err)
		}
	})
}

func TestConsistencyProofs(t *testing.T) {
	ctx := context.Background()
	m := newMemLog()
	m.fill(3000)
	leaves := m.hashes[0]
	rapid.Check(t, func(t *rapid.T) {
		size2 := rapid.Uint64Range(0, 3000).Draw(t, "size2")
		size1 := rapid.Uint64Range(0, size2).Draw(t, "size1")
		root1, root2 := naiveRoot(leaves[:size1]), naiveRoot(leaves[:size2])
		p, err := ConsistencyProof(ctx, m, size1, size2)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyConsistency(size1, size2, p, root1, root2); err != nil {
			t.Fatalf("proof from %d to %d: %v", size1, size2, err)
		}
		if len(p) > 0 {
			if err := VerifyConsistency(size1, size2, flip(t, p), root1, root2); !errors.Is(err, ErrProof) {
				t.Fatalf("flipped proof from %d to %d: err = %v", size1, size2, err)
			}
		}
		if size1 < size2 || size1 == 0 {
			if err := VerifyConsistency(size1, size2, p, flipHash(t, root1), root2); !errors.Is(err, ErrProof) {
				t.Fatalf("proof from %d to %d with a wrong root1: err = %v", size1, size2, err)
			}
		}
		if size1 > 0 {
			if err := VerifyConsistency(size1, size2, p, root1, flipHash(t, root2)); !errors.Is(err, ErrProof) {
				t.Fatalf("proof from %d to %d with a wrong root2: err = %v", size1, size2, err)
			}
		}
	})
}

// countingReader counts the reads a proof makes.
type countingReader struct {
	TileReader
	reads int
}

func (c *countingReader) TileHashes(ctx context.Context, level uint, start, n uint64) ([][HashSize]byte, error) {
	c.reads++
	return c.TileReader.TileHashes(ctx, level, start, n)
}

// TestProofReadsPerTile checks that proof nodes are fetched at most once per
// tile: a proof in a tree of fewer than 2^24 leaves touches at most one tile
// at each of tile levels 0, 1, 2 to the left of the path, one to its right.
func TestProofReadsPerTile(t *testing.T) {
	ctx := context.Background()
	m := newMemLog()
	m.fill(70000)
	c := &countingReader{TileReader: m}
	if _, err := InclusionProof(ctx, c, 1234, 69999); err != nil {
		t.Fatal(err)
	}
	t.Logf("inclusion proof: %d reads", c.reads)
	if c.reads > 6 {
		t.Errorf("inclusion proof made %d reads, want <= 6", c.reads)
	}
	c.reads = 0
	if _, err := ResumeTree(ctx, c, 69999); err != nil {
		t.Fatal(err)
	}
	t.Logf("ResumeTree: %d reads", c.reads)
	if c.reads > 3 {
		t.Errorf("ResumeTree made %d reads, want <= 3 (one per tile level)", c.reads)
	}
}

func TestProofErrors(t *testing.T) {
	ctx := context.Background()
	m := newMemLog()
	m.fill(10)
	if _, err := InclusionProof(ctx, m, 10, 10); err == nil {
		t.Error("inclusion proof of index == size succeeded")
	}
	if _, err := InclusionProof(ctx, m, 0, 11); err == nil {
		t.Error("inclusion proof beyond the stored tree succeeded")
	}
	if _, err := ConsistencyProof(ctx, m, 5, 4); err == nil {
		t.Error("consistency proof with size1 > size2 succeeded")
	}
	if _, err := ConsistencyProof(ctx, m, 3, 11); err == nil {
		t.Error("consistency proof beyond the stored tree succeeded")
	}
}
