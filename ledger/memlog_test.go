package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// fataler is the part of testing.TB that helpers need; *rapid.T has it too.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// memLog is an in-memory store for tests: it keeps what a real store keeps
// (entries, leaf hashes, the nodes Tree.Append returns, the latest
// checkpoint) and implements Reader.
type memLog struct {
	mu      sync.Mutex
	tree    *Tree
	entries [][]byte
	hashes  [][][HashSize]byte // by tile level; [0] holds leaf hashes
	cpText  []byte
	cpSize  uint64
	maxRead uint64 // the largest leaf count any read so far depended on
}

func newMemLog() *memLog {
	return &memLog{tree: NewTree(), hashes: make([][][HashSize]byte, 1)}
}

// appendEntry logs an entry and returns its index.
func (m *memLog) appendEntry(e []byte) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return m.appendLeafHash(LeafHash(e))
}

func (m *memLog) appendLeafHash(lh [HashSize]byte) uint64 {
	idx := m.tree.Size()
	m.hashes[0] = append(m.hashes[0], lh)
	for _, n := range m.tree.Append(lh) {
		k := n.Level / TileHeight
		for uint(len(m.hashes)) <= k {
			m.hashes = append(m.hashes, nil)
		}
		if uint64(len(m.hashes[k])) != n.Index {
			panic(fmt.Sprintf("node (%d, %d) out of order: have %d", n.Level, n.Index, len(m.hashes[k])))
		}
		m.hashes[k] = append(m.hashes[k], n.Hash)
	}
	return idx
}

// fill appends n test entries.
func (m *memLog) fill(n int) {
	for i := 0; i < n; i++ {
		m.appendEntry(testEntry(uint64(len(m.entries))))
	}
}

// sign makes the current tree the latest checkpoint.
func (m *memLog) sign(t fataler, s note.Signer) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	text, err := SignCheckpoint(s, s.Name(), m.tree.Size(), m.tree.Root())
	if err != nil {
		t.Fatal(err)
	}
	m.cpText, m.cpSize = text, m.tree.Size()
}

func (m *memLog) TileHashes(ctx context.Context, level uint, start, n uint64) ([][HashSize]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if level >= uint(len(m.hashes)) || start+n < start || start+n > uint64(len(m.hashes[level])) {
		return nil, fmt.Errorf("memlog: no hashes [%d, %d) at tile level %d", start, start+n, level)
	}
	m.maxRead = max(m.maxRead, (start+n)<<(level*TileHeight))
	return append([][HashSize]byte(nil), m.hashes[level][start:start+n]...), nil
}

func (m *memLog) LatestCheckpoint(ctx context.Context) ([]byte, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cpText, m.cpSize, nil
}

func (m *memLog) Entries(ctx context.Context, start, n uint64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start+n < start || start+n > uint64(len(m.entries)) {
		return nil, fmt.Errorf("memlog: no entries [%d, %d)", start, start+n)
	}
	m.maxRead = max(m.maxRead, start+n)
	return m.entries[start : start+n], nil
}

// testEntry returns a deterministic entry for index i.
func testEntry(i uint64) []byte {
	var id [IDSize]byte
	binary.BigEndian.PutUint64(id[8:], i)
	return Entry(id, fmt.Appendf(nil, `{"v":1,"n":%d}`, i))
}

// naiveRoot is MTH of RFC 6962, Section 2.1, computed by its definition.
func naiveRoot(leaves [][HashSize]byte) [HashSize]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := naiveRoot(leaves[:k]), naiveRoot(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

const testOrigin = "handover.example/test"

// testKey returns a fixed Ed25519 note key pair named testOrigin, derived
// from a fixed seed so that golden signatures are stable.
func testKey(t testing.TB) (skey, vkey string) {
	t.Helper()
	seed := sha256.Sum256([]byte("handover/ledger test key v1"))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(testOrigin, pub)
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Split(vkey, "+")[1]
	skey = "PRIVATE+KEY+" + testOrigin + "+" + hash + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, seed[:]...))
	return skey, vkey
}

func testSigner(t testing.TB) note.Signer {
	skey, _ := testKey(t)
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testVerifier(t testing.TB) note.Verifier {
	_, vkey := testKey(t)
	v, err := NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
