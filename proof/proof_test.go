package proof

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/witness"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Fixed synthetic test keys (those of the witness package's tests).
const (
	testLogSKey  = "PRIVATE+KEY+handover.example/test+f71ff945+AXTGLxTUPzTynx8WjMDovymyQAjkg2UnmvSLQAyEA2vr"
	testICRCSKey = "PRIVATE+KEY+witness.icrc.example+9d0765f4+BL6t/r1N0LK2qHtONgu/LTxyKg0v3/vqFlRXcVG7kchn"
	testUNSKey   = "PRIVATE+KEY+witness.un.example+ebc4a4d4+BGeERXGFj0k8EgTGoZQBJMXJrcfsm21KMFhC50BdkA9x"
)

// hashes is a tile reader over a slice of leaf hashes and the nodes a Tree reported.
type hashes map[uint][][ledger.HashSize]byte

func (h hashes) TileHashes(_ context.Context, level uint, start, n uint64) ([][ledger.HashSize]byte, error) {
	if start+n > uint64(len(h[level])) {
		return nil, fmt.Errorf("no hashes [%d, %d) at level %d", start, start+n, level)
	}
	return h[level][start : start+n], nil
}

// fixture builds a log of n synthetic events, cosigned by the ICRC and UN
// test witnesses at a fixed time, and returns the events, the checkpoint and
// a reader of the tree.
func fixture(t testing.TB, n int) ([][]byte, []byte, hashes) {
	t.Helper()
	tree := ledger.NewTree()
	h := hashes{}
	var events [][]byte
	for i := range n {
		id := uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "handover.example/test/%d", i))
		// Ending in a newline, so that the event file can sit in a txtar archive.
		ev := fmt.Appendf(nil, "{\"v\":1,\"id\":\"%s\",\"type\":\"person_registered\",\"data\":{\"note\":\"synthetic %d\"}}\n", id, i)
		events = append(events, ev)
		lh := ledger.LeafHash(ledger.Entry(id, ev))
		h[0] = append(h[0], lh)
		for _, nd := range tree.Append(lh) {
			h[nd.Level/ledger.TileHeight] = append(h[nd.Level/ledger.TileHeight], nd.Hash)
		}
	}
	ls, err := ledger.NewSigner(testLogSKey)
	if err != nil {
		t.Fatal(err)
	}
	text, err := ledger.SignCheckpoint(ls, "handover.example/test", tree.Size(), tree.Root())
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := bytes.Cut(text, []byte("\n\n"))
	for _, sk := range []string{testICRCSKey, testUNSKey} {
		w, err := witness.NewSigner(sk)
		if err != nil {
			t.Fatal(err)
		}
		line, err := w.Cosign(append(body, '\n'), time.Unix(1796270400, 0))
		if err != nil {
			t.Fatal(err)
		}
		text = append(text, line...)
	}
	return events, text, h
}

func build(t testing.TB, events [][]byte, text []byte, h hashes, index uint64) *Proof {
	t.Helper()
	size := uint64(len(events))
	ps, err := ledger.InclusionProof(context.Background(), h, index, size)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ ID uuid.UUID }
	mustJSON(t, events[index], &e)
	return &Proof{Index: index, Entry: [ledger.EntrySize]byte(ledger.Entry(e.ID, events[index])), Hashes: ps, Checkpoint: text}
}

func policy(t testing.TB) *witness.Policy {
	t.Helper()
	p, err := witness.LoadPolicy("testdata/policy.txt")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGolden(t *testing.T) {
	events, text, h := fixture(t, 13)
	p := build(t, events, text, h, 5)
	got := p.Marshal()
	if *update {
		os.WriteFile("testdata/event-5.tlog-proof", got, 0o644)
		os.WriteFile("testdata/event-5.json", events[5], 0o644)
	}
	want, err := os.ReadFile("testdata/event-5.tlog-proof")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("proof file changed:\n%s\nwant\n%s", got, want)
	}
	parsed, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	event, _ := os.ReadFile("testdata/event-5.json")
	v, err := parsed.Verify(policy(t), event)
	if err != nil {
		t.Fatal(err)
	}
	if v.Index != 5 || v.Checkpoint.Size != 13 || len(v.Cosignatures) != 2 {
		t.Errorf("verified %+v", v)
	}
	// Another event's bytes are refused.
	if _, err := parsed.Verify(policy(t), events[6]); !errors.Is(err, ErrInvalid) {
		t.Errorf("another event: %v", err)
	}
}

// TestEveryIndex checks proofs of every event of trees of several sizes.
func TestEveryIndex(t *testing.T) {
	for _, n := range []int{1, 2, 7, 256, 300} {
		events, text, h := fixture(t, n)
		for i := range events {
			p, err := Parse(build(t, events, text, h, uint64(i)).Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Verify(policy(t), events[i]); err != nil {
				t.Fatalf("size %d, index %d: %v", n, i, err)
			}
		}
	}
}

// TestOneByteChanged changes each byte of the golden proof in turn: no
// changed file verifies.
func TestOneByteChanged(t *testing.T) {
	good, err := os.ReadFile("testdata/event-5.tlog-proof")
	if err != nil {
		t.Fatal(err)
	}
	pol := policy(t)
	for i := range good {
		for _, delta := range []byte{1, 2, 4, 0x20} {
			bad := bytes.Clone(good)
			bad[i] ^= delta
			p, err := Parse(bad)
			if err == nil {
				_, err = p.Verify(pol, nil)
			}
			if err == nil {
				t.Fatalf("byte %d ^ %#x (%q → %q): the changed proof verifies", i, delta, good[i], bad[i])
			}
		}
	}
}

func TestQuorum(t *testing.T) {
	events, text, h := fixture(t, 9)
	// Only the log's signature and the ICRC's cosignature: the policy wants both witnesses.
	cut := bytes.LastIndex(text[:len(text)-1], []byte("\n")) + 1
	p := build(t, events, text[:cut], h, 3)
	if _, err := p.Verify(policy(t), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("one cosignature of two: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	good, _ := os.ReadFile("testdata/event-5.tlog-proof")
	f.Add(good)
	f.Add([]byte("c2sp.org/tlog-proof@v1\nindex 0\n\n"))
	pol := policy(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if !bytes.Equal(p.Marshal(), b) {
			t.Fatal("a parsed proof does not marshal back to its bytes")
		}
		if _, err := p.Verify(pol, nil); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
	})
}
