package witness

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsePolicy: any input either parses into a policy whose quorum check
// never panics, or fails with ErrPolicy.
func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob("testdata/policy/*.policy")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	text := cosigned(f, 3, fixedTime, mustSigner(f, testICRCSKey))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParsePolicy(in)
		if err != nil {
			if !errors.Is(err, ErrPolicy) {
				t.Fatalf("error not ErrPolicy: %v", err)
			}
			return
		}
		p.Satisfied(text)
		p.Cosignatures(text)
	})
}
