package scenario

import (
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// gen is the seeded source of every random choice in the world. Everything New
// draws goes through one gen, in a fixed order, so the same seed gives the same world.
type gen struct {
	r *rand.Rand
}

func newGen(seed int64) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x68616e646f766572))} // "handover"
}

// idAt returns a UUIDv7-shaped id: the 48-bit Unix millisecond time of t, then
// random bits from the seeded source, with the version (7) and variant (10) bits set.
func (g *gen) idAt(t time.Time) uuid.UUID {
	var id uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		id[i] = byte(ms >> (40 - 8*i))
	}
	a, b := g.r.Uint64(), g.r.Uint64()
	for i := 6; i < 16; i++ {
		if i < 11 {
			id[i] = byte(a >> (8 * (i - 6)))
		} else {
			id[i] = byte(b >> (8 * (i - 11)))
		}
	}
	id[6] = id[6]&0x0f | 0x70
	id[8] = id[8]&0x3f | 0x80
	return id
}

// n returns a uniform integer in [0, n).
func (g *gen) n(n int) int { return g.r.IntN(n) }

// between returns a uniform integer in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// pick returns a uniformly chosen element of xs.
func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// weighted returns an index into ws drawn with probability proportional to ws[i].
func (g *gen) weighted(ws []int, total int) int {
	x := g.r.IntN(total)
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

// shuffle permutes xs in place.
func shuffle[T any](g *gen, xs []T) {
	g.r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}
