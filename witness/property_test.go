package witness

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// TestWitnessNeverRollsBack: whatever mix of honest growth, stale requests,
// replays of old checkpoints and forks reaches it, and across restarts, a
// witness's cosigned size never decreases, and every checkpoint it cosigns
// is consistent with the honest log (it never cosigns a fork).
func TestWitnessNeverRollsBack(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		w := newTestWitness(t, dir, nil)
		honest := newTestLog(t)
		var sizes []uint64 // sizes the honest log signed
		var cosigned uint64
		forks := 0
		for range rapid.IntRange(1, 10).Draw(rt, "steps") {
			switch rapid.IntRange(0, 4).Draw(rt, "action") {
			case 0: // the log grows and asks from what it believes the witness holds
				honest.grow(rapid.IntRange(1, 40).Draw(rt, "grow"), "a")
				sizes = append(sizes, honest.tree.Size())
				old := cosigned
				if rapid.Bool().Draw(rt, "stale") {
					old = rapid.Uint64Range(0, honest.tree.Size()).Draw(rt, "old")
				}
				a := w.AddCheckpoint(honest.request(old))
				if a.Status == 200 {
					if old != cosigned {
						rt.Fatalf("cosigned with old %d while holding %d", old, cosigned)
					}
					cosigned = honest.tree.Size()
				}
			case 1: // an older honest checkpoint replayed
				if len(sizes) == 0 {
					continue
				}
				s := sizes[rapid.IntRange(0, len(sizes)-1).Draw(rt, "replay")]
				p := FormatRequest(0, nil, signCheckpoint(t, honest.s, s, honest.tree.HashAt(s)))
				if a := w.AddCheckpoint(p); a.Status == 200 && s < cosigned {
					rt.Fatalf("cosigned size %d after %d", s, cosigned)
				} else if a.Status == 200 {
					cosigned = s
				}
			case 2: // a fork: another tree of some size, signed by the log's key
				forks++
				fork := newTestLog(t)
				fork.grow(rapid.IntRange(1, 60).Draw(rt, "forksize"), fmt.Sprintf("fork %d", forks))
				for _, old := range []uint64{0, cosigned} {
					if a := w.AddCheckpoint(fork.request(old)); a.Status == 200 && cosigned > 0 {
						rt.Fatalf("cosigned a fork of size %d over %d", fork.tree.Size(), cosigned)
					} else if a.Status == 200 {
						cosigned = fork.tree.Size()
						// The witness now follows the fork; start the honest log over as it.
						honest, sizes = fork, []uint64{cosigned}
					}
				}
			case 3: // restart
				w = newTestWitness(t, dir, nil)
			case 4: // the witness answers with what it holds
				a := w.AddCheckpoint(FormatRequest(0, nil, signCheckpoint(t, honest.s, 0, rfc6962Empty())))
				if cosigned > 0 && (a.Status != 409 || string(a.Body) != uintLine(cosigned)) {
					rt.Fatalf("holding %d, answered %d %q", cosigned, a.Status, a.Body)
				}
			}
		}
	})
}
