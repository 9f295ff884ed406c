package ledger

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// anySig verifies every signature: with it the fuzzer reaches the body parser
// whatever it does to the text.
type anySig struct{ note.Verifier }

func (anySig) Verify(msg, sig []byte) bool { return true }

func FuzzOpenCheckpoint(f *testing.F) {
	s, v := testSigner(f), testVerifier(f)
	golden, err := os.ReadFile(filepath.Join("testdata", "checkpoint-v1.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	for _, size := range []uint64{0, 1, 255, 1 << 40} {
		text, err := SignCheckpoint(s, testOrigin, size, emptyRoot)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	for _, body := range []string{
		testOrigin + "\n1\nAAAA\n",
		testOrigin + "\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		testOrigin + "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextension\n",
	} {
		text, err := note.Sign(&note.Note{Text: body}, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add([]byte("not a note"))

	verifiers := []note.Verifier{v, anySig{v}}
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, v := range verifiers {
			c, err := OpenCheckpoint(text, v, testOrigin)
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrWrongOrigin) {
					t.Fatalf("error %v wraps no sentinel", err)
				}
				continue
			}
			body := text[:bytes.LastIndex(text, []byte("\n\n"))+1]
			if got := c.Marshal(); !bytes.Equal(got, body) {
				t.Fatalf("accepted body %q re-marshals to %q", body, got)
			}
			if c.Origin != testOrigin {
				t.Fatalf("accepted origin %q", c.Origin)
			}
		}
	})
}

func FuzzParseTilePath(f *testing.F) {
	for _, p := range []string{
		"tile/0/000", "tile/1/x001/234", "tile/2/x001/x234/067.p/255", "tile/entries/000.p/1",
		"tile/63/x018/x446/x744/x073/x709/x551/615", "tile/0/x000/001", "tile/00/000", "tile/0/000.p/0",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		tp, err := ParseTilePath(p)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if s := tp.String(); s != p {
			t.Fatalf("ParseTilePath(%q) = %+v, which prints as %q", p, tp, s)
		}
		if tp.Level > MaxTileLevel || tp.Width < 1 || tp.Width > TileWidth || tp.Entries && tp.Level != 0 {
			t.Fatalf("ParseTilePath(%q) = invalid %+v", p, tp)
		}
	})
}
