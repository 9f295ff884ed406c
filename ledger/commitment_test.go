package ledger

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

func TestCommitmentDefinition(t *testing.T) {
	for _, n := range []int{0, 1, 100, 4096, 20000} {
		event := bytes.Repeat([]byte{'e'}, n)
		want := sha256.Sum256(append([]byte("handover/event/v1\n"), event...))
		if got := Commitment(event); got != want {
			t.Errorf("Commitment(%d bytes) = %x, want %x", n, got, want)
		}
	}
}

func TestEntryRoundTrip(t *testing.T) {
	id := [IDSize]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	event := []byte(`{"v":1}`)
	e := Entry(id, event)
	if len(e) != EntrySize {
		t.Fatalf("entry is %d bytes", len(e))
	}
	if got := AppendEntry([]byte("prefix"), id, event); !bytes.Equal(got[6:], e) || string(got[:6]) != "prefix" {
		t.Errorf("AppendEntry = %x", got)
	}
	gotID, gotC, err := ParseEntry(e)
	if err != nil || gotID != id || gotC != Commitment(event) {
		t.Errorf("ParseEntry = %x, %x, %v", gotID, gotC, err)
	}
	for _, n := range []int{0, 47, 49} {
		if _, _, err := ParseEntry(make([]byte, n)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseEntry(%d bytes) error = %v, want ErrMalformed", n, err)
		}
	}
}

func TestHashesMatchRFC6962(t *testing.T) {
	h := rfc6962.DefaultHasher
	for _, n := range []int{0, 1, EntrySize - 1, EntrySize, EntrySize + 1, 1000} {
		entry := bytes.Repeat([]byte{7}, n)
		if got, want := LeafHash(entry), h.HashLeaf(entry); !bytes.Equal(got[:], want) {
			t.Errorf("LeafHash(%d bytes) = %x, want %x", n, got, want)
		}
	}
	l, r := LeafHash([]byte("l")), LeafHash([]byte("r"))
	if got, want := hashChildren(&l, &r), h.HashChildren(l[:], r[:]); !bytes.Equal(got[:], want) {
		t.Errorf("hashChildren = %x, want %x", got, want)
	}
	if got, want := NewTree().Root(), h.EmptyRoot(); !bytes.Equal(got[:], want) {
		t.Errorf("empty root = %x, want %x", got, want)
	}
}

func TestHotPathAllocations(t *testing.T) {
	event := bytes.Repeat([]byte{'e'}, 600)
	buf := make([]byte, 0, EntrySize)
	var id [IDSize]byte
	if n := testing.AllocsPerRun(100, func() {
		buf = AppendEntry(buf[:0], id, event)
		_ = LeafHash(buf)
		_ = LeafHash(event)
	}); n != 0 {
		t.Errorf("AppendEntry+LeafHash allocate %v times, want 0", n)
	}
}
