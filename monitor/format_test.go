package monitor

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/ledger"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestConfigGolden keeps the format of monitor.json, the pinned key and policy.
func TestConfigGolden(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{URL: "https://handover.example", LogKey: "handover.example/test+f71ff945+AV3M6vN1y0I4QWuQKIbttv3aZ2i5Tna1wij2DVm7DR9k",
		Policy: "log handover.example/test+f71ff945+AV3M6vN1y0I4QWuQKIbttv3aZ2i5Tna1wij2DVm7DR9k\nwitness icrc witness.icrc.example+9d0765f4+BLtjhP1A4L5tuPEuMFeU9cF6eDOXYIo58gud3cLtE/i6\nquorum icrc\n"}
	if err := Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, configName))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "monitor.json")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("monitor.json:\n%s\nwant\n%s", got, want)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Config() != cfg || c.Origin() != "handover.example/test" {
		t.Errorf("reopened %+v", c.Config())
	}
}

func FuzzSplitBundle(f *testing.F) {
	var good []byte
	for i := range 3 {
		good = binary.BigEndian.AppendUint16(good, ledger.EntrySize)
		good = append(good, bytes.Repeat([]byte{byte(i)}, ledger.EntrySize)...)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := splitBundle(b)
		if err != nil {
			return
		}
		var back []byte
		for _, e := range es {
			if len(e) != ledger.EntrySize {
				t.Fatalf("an entry of %d bytes", len(e))
			}
			back = binary.BigEndian.AppendUint16(back, uint16(len(e)))
			back = append(back, e...)
		}
		if !bytes.Equal(back, b) {
			t.Fatal("the entries do not make the bundle again")
		}
	})
}
