package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	merkleproof "github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// ErrProof is wrapped by the errors of [VerifyInclusion] and
// [VerifyConsistency] when a proof does not prove what it is claimed to.
var ErrProof = errors.New("ledger: proof does not verify")

// InclusionProof returns the RFC 6962 proof that the leaf at index is in the
// tree of the first size leaves, from the hashes r stores.
func InclusionProof(ctx context.Context, r TileReader, index, size uint64) ([][HashSize]byte, error) {
	nodes, err := merkleproof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof: %w", err)
	}
	p, err := buildProof(ctx, r, nodes)
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof of %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size1 leaves
// is a prefix of the tree of size2 leaves, from the hashes r stores. The
// proof is empty if size1 is 0 or size1 == size2.
func ConsistencyProof(ctx context.Context, r TileReader, size1, size2 uint64) ([][HashSize]byte, error) {
	nodes, err := merkleproof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof: %w", err)
	}
	p, err := buildProof(ctx, r, nodes)
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof from %d to %d: %w", size1, size2, err)
	}
	return p, nil
}

// buildProof fetches the hashes of nodes and folds the ephemeral node.
func buildProof(ctx context.Context, r TileReader, nodes merkleproof.Nodes) ([][HashSize]byte, error) {
	if len(nodes.IDs) == 0 {
		return [][HashSize]byte{}, nil
	}
	hs, err := nodeHashes(ctx, r, nodes.IDs)
	if err != nil {
		return nil, err
	}
	p, err := nodes.Rehash(toSlices(hs), hashChildrenSlice)
	if err != nil {
		return nil, err
	}
	return toArrays(p)
}

// VerifyInclusion checks that proof proves the leaf with hash leafHash is at
// index in the tree of size leaves whose root is root.
func VerifyInclusion(index, size uint64, leafHash [HashSize]byte, proof [][HashSize]byte, root [HashSize]byte) error {
	err := merkleproof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash[:], toSlices(proof), root[:])
	if err != nil {
		return fmt.Errorf("%w: inclusion of %d in %d: %v", ErrProof, index, size, err)
	}
	return nil
}

// VerifyConsistency checks that proof proves the tree of size1 leaves with
// root root1 is a prefix of the tree of size2 leaves with root root2. The
// tree of size 0 must have the empty root, SHA-256("").
func VerifyConsistency(size1, size2 uint64, proof [][HashSize]byte, root1, root2 [HashSize]byte) error {
	if size1 == 0 && !bytes.Equal(root1[:], emptyRoot[:]) {
		return fmt.Errorf("%w: root of the empty tree is %x, want %x", ErrProof, root1, emptyRoot)
	}
	err := merkleproof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, toSlices(proof), root1[:], root2[:])
	if err != nil {
		return fmt.Errorf("%w: consistency from %d to %d: %v", ErrProof, size1, size2, err)
	}
	return nil
}
