package ledger

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Golden inputs of format version 1. Never change them: add new ones, with
// new golden files, for a new format version.
var (
	goldenEvent = []byte(`{"v":1,"id":"0190b3e2-7a6c-7d2e-9b1f-3c4d5e6f7a8b","type":"registered",` +
		`"occurred_at":"2025-03-01T08:15:00Z","recorded_at":"2025-03-01T09:00:00Z",` +
		`"actor":"registrar-1","party":"party-a","subject":"person-1","data":{},` +
		`"nonce":"AAECAwQFBgcICQoLDA0ODw=="}`)
	goldenID = [IDSize]byte{0x01, 0x90, 0xb3, 0xe2, 0x7a, 0x6c, 0x7d, 0x2e, 0x9b, 0x1f, 0x3c, 0x4d, 0x5e, 0x6f, 0x7a, 0x8b}
)

// goldenTree is the tree of the golden entry followed by 999 entries whose
// events are the decimal indices 1..999, each with id = 15 zero bytes and the
// index mod 256.
func goldenTree() *Tree {
	t := NewTree()
	t.Append(LeafHash(Entry(goldenID, goldenEvent)))
	for i := 1; i < 1000; i++ {
		var id [IDSize]byte
		id[IDSize-1] = byte(i)
		t.Append(LeafHash(Entry(id, []byte(itoa(i)))))
	}
	return t
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\ngot\n%s\nwant\n%s", name, got, want)
	}
}

func TestGoldenV1(t *testing.T) {
	c := Commitment(goldenEvent)
	golden(t, "commitment-v1.hex", []byte(hex.EncodeToString(c[:])+"\n"))
	golden(t, "entry-v1.hex", []byte(hex.EncodeToString(Entry(goldenID, goldenEvent))+"\n"))

	_, vkey := testKey(t)
	golden(t, "test-vkey-v1.txt", []byte(vkey+"\n"))
	tree := goldenTree()
	text, err := SignCheckpoint(testSigner(t), testOrigin, tree.Size(), tree.Root())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "checkpoint-v1.txt", text)
}

// TestGoldenCheckpointV1Opens checks that the stored version-1 checkpoint
// still opens, whatever the current signing code writes.
func TestGoldenCheckpointV1Opens(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("testdata", "checkpoint-v1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenCheckpoint(text, testVerifier(t), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	tree := goldenTree()
	if want := (Checkpoint{Origin: testOrigin, Size: tree.Size(), Root: tree.Root()}); c != want {
		t.Errorf("opened %+v, want %+v", c, want)
	}
}
