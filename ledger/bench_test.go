package ledger

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// benchEvent is an event of a typical size (about 400 bytes).
var benchEvent = []byte(`{"v":1,"id":"0190b3e2-7a6c-7d2e-9b1f-3c4d5e6f7a8b","type":"handed_over",` +
	`"occurred_at":"2025-03-01T08:15:00Z","recorded_at":"2025-03-01T09:00:00Z",` +
	`"actor":"0190b3e2-0000-7d2e-9b1f-3c4d5e6f7a8b","party":"0190b3e2-1111-7d2e-9b1f-3c4d5e6f7a8b",` +
	`"subject":"0190b3e2-2222-7d2e-9b1f-3c4d5e6f7a8b","data":{"movement":"0190b3e2-3333-7d2e-9b1f-3c4d5e6f7a8b",` +
	`"from":"party-a","to":"party-b","facility":"HSK"},"nonce":"AAECAwQFBgcICQoLDA0ODw=="}`)

// BenchmarkAppend measures the hot append path: commitment, entry, leaf hash
// and tree append.
func BenchmarkAppend(b *testing.B) {
	tree := NewTree()
	entry := make([]byte, 0, EntrySize)
	var id [IDSize]byte
	b.SetBytes(int64(len(benchEvent)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(id[8:], uint64(i))
		entry = AppendEntry(entry[:0], id, benchEvent)
		tree.Append(LeafHash(entry))
	}
}

func BenchmarkCommitment(b *testing.B) {
	for _, n := range []int{len(benchEvent), 16 << 10} {
		event := bytes.Repeat([]byte{'e'}, n)
		b.Run(itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				Commitment(event)
			}
		})
	}
}

func BenchmarkTreeRoot(b *testing.B) {
	tree := NewTree()
	for _, lh := range leafHashes(1<<20 - 1) {
		tree.Append(lh)
	}
	b.ReportAllocs()
	for b.Loop() {
		tree.Root()
	}
}

func BenchmarkSignCheckpoint(b *testing.B) {
	s := testSigner(b)
	root := naiveRoot(leafHashes(10))
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		if _, err := SignCheckpoint(s, testOrigin, i, root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenCheckpoint(b *testing.B) {
	text, err := SignCheckpoint(testSigner(b), testOrigin, 1234567, naiveRoot(leafHashes(10)))
	if err != nil {
		b.Fatal(err)
	}
	v := testVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenCheckpoint(text, v, testOrigin); err != nil {
			b.Fatal(err)
		}
	}
}
