package ledger

import (
	"context"
	"testing"

	"pgregory.net/rapid"
)

// leafHashes returns the leaf hashes of the first n test entries.
func leafHashes(n int) [][HashSize]byte {
	hs := make([][HashSize]byte, n)
	for i := range hs {
		hs[i] = LeafHash(testEntry(uint64(i)))
	}
	return hs
}

func TestTreeRootMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3000).Draw(t, "size")
		leaves := leafHashes(n)
		tree := NewTree()
		check := rapid.IntRange(0, n).Draw(t, "intermediate size")
		for i, lh := range leaves {
			if i == check {
				if got, want := tree.Root(), naiveRoot(leaves[:i]); got != want {
					t.Fatalf("root at size %d = %x, want %x", i, got, want)
				}
			}
			tree.Append(lh)
		}
		if tree.Size() != uint64(n) {
			t.Fatalf("size = %d, want %d", tree.Size(), n)
		}
		if got, want := tree.Root(), naiveRoot(leaves); got != want {
			t.Fatalf("root at size %d = %x, want %x", n, got, want)
		}
	})
}

// TestTreeNodes checks that Append returns exactly the complete nodes at
// levels 8, 16, 24, with their naive hashes.
func TestTreeNodes(t *testing.T) {
	const n = 1<<16 + 300
	leaves := leafHashes(n)
	tree := NewTree()
	var got []Node
	for _, lh := range leaves {
		got = append(got, tree.Append(lh)...)
	}
	var want []Node
	for size := 1; size <= n; size++ {
		for level := uint(TileHeight); size%(1<<level) == 0; level += TileHeight {
			idx := uint64(size>>level) - 1
			want = append(want, Node{Level: level, Index: idx, Hash: naiveRoot(leaves[size-1<<level : size])})
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d nodes, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("node %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCloneIsIndependent(t *testing.T) {
	tree := NewTree()
	for _, lh := range leafHashes(300) {
		tree.Append(lh)
	}
	clone := tree.Clone()
	root := tree.Root()
	for _, lh := range leafHashes(77) {
		clone.Append(lh)
	}
	if tree.Size() != 300 || tree.Root() != root {
		t.Fatal("appending to a clone changed the original")
	}
	tree.Append(LeafHash(nil))
	if clone.Size() != 377 || clone.Root() != naiveRoot(append(leafHashes(300), leafHashes(77)...)) {
		t.Fatal("appending to the original changed the clone")
	}
}

func TestResumeTreeContinues(t *testing.T) {
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3000).Draw(t, "size")
		k := rapid.IntRange(0, n).Draw(t, "resume at")
		m := newMemLog()
		m.fill(n)
		tree, err := ResumeTree(ctx, m, uint64(k))
		if err != nil {
			t.Fatal(err)
		}
		if tree.Size() != uint64(k) || tree.Root() != naiveRoot(m.hashes[0][:k]) {
			t.Fatalf("resumed tree at %d has size %d, wrong root", k, tree.Size())
		}
		// Replay the rest on a fresh log: same nodes, same roots.
		fresh := newMemLog()
		fresh.fill(k)
		for i := k; i < n; i++ {
			got := tree.Append(m.hashes[0][i])
			want := fresh.tree.Append(m.hashes[0][i])
			if len(got) != len(want) {
				t.Fatalf("append %d: %d nodes, want %d", i, len(got), len(want))
			}
			for j := range got {
				if got[j] != want[j] {
					t.Fatalf("append %d: node %+v, want %+v", i, got[j], want[j])
				}
			}
		}
		if tree.Root() != m.tree.Root() {
			t.Fatalf("resumed at %d and continued to %d: root differs", k, n)
		}
	})
}

func TestResumeTreeMissingHashes(t *testing.T) {
	m := newMemLog()
	m.fill(10)
	if _, err := ResumeTree(context.Background(), m, 11); err == nil {
		t.Fatal("ResumeTree beyond the stored hashes succeeded")
	}
}

func TestNodeHashAndRootAt(t *testing.T) {
	ctx := context.Background()
	m := newMemLog()
	const n = 70000
	m.fill(n)
	leaves := m.hashes[0]
	rapid.Check(t, func(t *rapid.T) {
		level := rapid.UintRange(0, 16).Draw(t, "level")
		index := rapid.Uint64Range(0, n>>level-1).Draw(t, "index")
		got, err := NodeHash(ctx, m, level, index)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveRoot(leaves[index<<level : (index+1)<<level]); got != want {
			t.Fatalf("NodeHash(%d, %d) = %x, want %x", level, index, got, want)
		}
		size := rapid.IntRange(0, n).Draw(t, "size")
		root, err := RootAt(ctx, m, uint64(size))
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveRoot(leaves[:size]); root != want {
			t.Fatalf("RootAt(%d) = %x, want %x", size, root, want)
		}
	})
	if _, err := NodeHash(ctx, m, 17, 0); err == nil {
		t.Error("NodeHash of an incomplete node succeeded")
	}
	if _, err := NodeHash(ctx, m, 64, 0); err == nil {
		t.Error("NodeHash at level 64 succeeded")
	}
	if _, err := NodeHash(ctx, m, 60, 16); err == nil {
		t.Error("NodeHash beyond 2^64 leaves succeeded")
	}
}
