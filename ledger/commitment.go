package ledger

import (
	"crypto/sha256"
	"errors"
	"fmt"
)

// Sizes of the values defined by this package.
const (
	HashSize  = sha256.Size // a Merkle tree hash or a commitment
	IDSize    = 16          // an event identifier
	EntrySize = IDSize + HashSize
)

// commitmentPrefix separates event commitments from every other use of SHA-256.
const commitmentPrefix = "handover/event/v1\n"

// ErrMalformed is wrapped by errors for input that is not in the form this
// package defines: an entry of the wrong size, an unparsable checkpoint.
var ErrMalformed = errors.New("ledger: malformed")

// emptyRoot is MTH({}) = SHA-256("").
var emptyRoot = sha256.Sum256(nil)

// Commitment returns SHA-256("handover/event/v1\n" || event), the commitment
// to an event's stored bytes. It does not allocate.
func Commitment(event []byte) [HashSize]byte {
	h := sha256.New()
	h.Write([]byte(commitmentPrefix))
	h.Write(event)
	var c [HashSize]byte
	h.Sum(c[:0])
	return c
}

// Entry returns the 48-byte leaf entry of an event: id || Commitment(event).
func Entry(id [IDSize]byte, event []byte) []byte {
	return AppendEntry(make([]byte, 0, EntrySize), id, event)
}

// AppendEntry appends the leaf entry of an event to dst and returns the
// extended slice. It does not allocate if dst has room for EntrySize bytes.
func AppendEntry(dst []byte, id [IDSize]byte, event []byte) []byte {
	c := Commitment(event)
	dst = append(dst, id[:]...)
	return append(dst, c[:]...)
}

// ParseEntry splits a leaf entry into the event identifier and commitment.
func ParseEntry(b []byte) (id [IDSize]byte, commitment [HashSize]byte, err error) {
	if len(b) != EntrySize {
		return id, commitment, fmt.Errorf("%w: entry is %d bytes, want %d", ErrMalformed, len(b), EntrySize)
	}
	copy(id[:], b[:IDSize])
	copy(commitment[:], b[IDSize:])
	return id, commitment, nil
}

// LeafHash returns the RFC 6962 leaf hash SHA-256(0x00 || entry).
func LeafHash(entry []byte) [HashSize]byte {
	if len(entry) <= EntrySize {
		var buf [1 + EntrySize]byte
		n := 1 + copy(buf[1:], entry)
		return sha256.Sum256(buf[:n])
	}
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(entry)
	var lh [HashSize]byte
	h.Sum(lh[:0])
	return lh
}

// hashChildren returns the RFC 6962 interior node hash SHA-256(0x01 || l || r).
func hashChildren(l, r *[HashSize]byte) [HashSize]byte {
	var buf [1 + 2*HashSize]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[1+HashSize:], r[:])
	return sha256.Sum256(buf[:])
}

// hashChildrenSlice is hashChildren for the compact and proof packages, which
// work on slices. It panics if a hash is not HashSize bytes.
func hashChildrenSlice(l, r []byte) []byte {
	h := hashChildren((*[HashSize]byte)(l), (*[HashSize]byte)(r))
	return h[:]
}

// toSlices returns byte slices aliasing hs.
func toSlices(hs [][HashSize]byte) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// toArrays copies hs, which must each be HashSize bytes, into arrays.
func toArrays(hs [][]byte) ([][HashSize]byte, error) {
	out := make([][HashSize]byte, len(hs))
	for i, h := range hs {
		if len(h) != HashSize {
			return nil, fmt.Errorf("ledger: hash %d is %d bytes, want %d", i, len(h), HashSize)
		}
		out[i] = [HashSize]byte(h)
	}
	return out, nil
}
