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

// FuzzAddCheckpoint: any request body is answered with a status of the
// spec, never a panic; a 200 only for a checkpoint signed by the log whose
// size is at least the one cosigned before, and then the witness's size is
// that checkpoint's.
func FuzzAddCheckpoint(f *testing.F) {
	l := newTestLog(f)
	l.grow(3, "a")
	f.Add(l.request(0))
	l.grow(5, "a")
	f.Add(l.request(3))
	f.Add([]byte("old 0\n\n"))
	f.Add([]byte("old 3\nAAAA\n\nhandover.example/test\n8\n"))
	w := newTestWitness(f, f.TempDir(), nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := w.logs[testOrigin]
		var size uint64
		if before != nil {
			before.mu.Lock()
			size = before.size
			before.mu.Unlock()
		}
		a := w.AddCheckpoint(body)
		switch a.Status {
		case 200:
			f := w.logs[testOrigin]
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.size < size {
				t.Fatalf("cosigned size went from %d to %d", size, f.size)
			}
		case 400, 403, 404, 409, 422:
		default:
			t.Fatalf("status %d", a.Status)
		}
	})
}
