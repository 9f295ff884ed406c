package web

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestTogether: a search's rows reordered so that linked records follow the first
// of them are the same rows, each once, and every row's linked records listed
// among them sit right after it or before it.
func TestTogether(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "rows")
		rows := make([]personRow, n)
		for i := range rows {
			rows[i].P.Record.ID = uuid.New()
		}
		// links are symmetric, as custody keeps them
		for range rapid.IntRange(0, n).Draw(t, "links") {
			if n < 2 {
				break
			}
			a, b := rapid.IntRange(0, n-1).Draw(t, "a"), rapid.IntRange(0, n-1).Draw(t, "b")
			ia, ib := rows[a].P.Record.ID, rows[b].P.Record.ID
			if a == b || slices.Contains(rows[a].P.Custody.Linked, ib) {
				continue
			}
			rows[a].P.Custody.Linked = append(rows[a].P.Custody.Linked, ib)
			rows[b].P.Custody.Linked = append(rows[b].P.Custody.Linked, ia)
		}
		out := together(slices.Clone(rows))
		if len(out) != len(rows) {
			t.Fatalf("%d rows became %d", len(rows), len(out))
		}
		pos := map[uuid.UUID]int{}
		for i, r := range out {
			if _, dup := pos[r.P.Record.ID]; dup {
				t.Fatalf("row %s twice", r.P.Record.ID)
			}
			pos[r.P.Record.ID] = i
		}
		// each group of records linked among the rows (transitively) is contiguous
		group := map[uuid.UUID]int{} // row → the smallest output index reachable
		for i, r := range out {
			seen, queue, least := map[uuid.UUID]bool{r.P.Record.ID: true}, []uuid.UUID{r.P.Record.ID}, i
			for len(queue) > 0 {
				id := queue[0]
				queue = queue[1:]
				least = min(least, pos[id])
				for _, l := range out[pos[id]].P.Custody.Linked {
					if _, ok := pos[l]; ok && !seen[l] {
						seen[l] = true
						queue = append(queue, l)
					}
				}
			}
			group[r.P.Record.ID] = least
		}
		for i := 1; i < len(out); i++ {
			g, prev := group[out[i].P.Record.ID], group[out[i-1].P.Record.ID]
			if g != prev && g != i {
				t.Fatalf("row %d belongs to the group starting at %d, but follows another group", i, g)
			}
		}
	})
}
