package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/handover-project/handover/ledger"
)

// growth is what a verified checkpoint adds to the copy.
type growth struct {
	entries [][]byte
	hashes  [][][ledger.HashSize]byte // by tile level: the new hashes
}

// grow fetches the tiles and bundles that take the copy from old to cp and
// checks them: each new entry hashes to its level-0 tile, the tree grown from
// the copy has cp's root (so cp extends old), and every new tile of every
// level holds the hashes computed here.
func (m *Monitor) grow(ctx context.Context, r *remote, old, cp ledger.Checkpoint, ev map[string][]byte) (*growth, error) {
	c := m.Copy
	tree := ledger.NewTree()
	if old.Size > 0 {
		var err error
		if tree, err = ledger.ResumeTree(ctx, c, old.Size); err != nil {
			return nil, err
		}
	}
	g := &growth{hashes: [][][ledger.HashSize]byte{nil}}
	for k := old.Size / ledger.TileWidth; k*ledger.TileWidth < cp.Size; k++ {
		tp, bp := tilePath(0, k, false, cp.Size), tilePath(0, k, true, cp.Size)
		tile, err := r.hashes(ctx, tp)
		if err != nil {
			return nil, m.fetchFailed(err, tp, cp.Size, ev)
		}
		bundle, es, err := r.bundle(ctx, bp)
		if err != nil {
			return nil, m.fetchFailed(err, bp, cp.Size, ev)
		}
		lo := k * ledger.TileWidth
		for i := lo; i < lo+uint64(tp.Width); i++ {
			lh := ledger.LeafHash(es[i-lo])
			if [ledger.HashSize]byte(tile[(i-lo)*ledger.HashSize:]) != lh {
				ev[tp.String()], ev[bp.String()] = tile, bundle
				return nil, m.alert(newAlert(ChangedTile, ev, "leaf %d: the entry in %s does not hash to its leaf hash in %s", i, bp, tp))
			}
			if i < old.Size {
				mine, err := c.TileHashes(ctx, 0, i, 1)
				if err != nil {
					return nil, err
				}
				if mine[0] != lh {
					ev[tp.String()] = tile
					return nil, m.alert(newAlert(ChangedTile, ev, "leaf %d: %s changed a leaf the copy verified at size %d", i, tp, old.Size))
				}
				continue
			}
			g.entries = append(g.entries, es[i-lo])
			g.hashes[0] = append(g.hashes[0], lh)
			for _, n := range tree.Append(lh) {
				l := int(n.Level / ledger.TileHeight)
				for len(g.hashes) <= l {
					g.hashes = append(g.hashes, nil)
				}
				g.hashes[l] = append(g.hashes[l], n.Hash)
			}
		}
	}
	if tree.Root() != cp.Root {
		return nil, m.diverged(ctx, r, old, cp, ev)
	}
	for l := uint(1); levelCount(cp.Size, l) > 0; l++ {
		if err := m.checkLevel(ctx, r, l, old.Size, cp.Size, g, ev); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// checkLevel compares the log's new tiles at tile level l with the hashes computed.
func (m *Monitor) checkLevel(ctx context.Context, r *remote, l uint, oldSize, size uint64, g *growth, ev map[string][]byte) error {
	had, have := levelCount(oldSize, l), levelCount(size, l)
	if had == have {
		return nil
	}
	var fresh [][ledger.HashSize]byte
	if int(l) < len(g.hashes) {
		fresh = g.hashes[l]
	}
	if uint64(len(fresh)) != have-had {
		return fmt.Errorf("monitor: computed %d new hashes at tile level %d, want %d", len(fresh), l, have-had)
	}
	for k := had / ledger.TileWidth; k*ledger.TileWidth < have; k++ {
		tp := tilePath(l, k, false, size)
		tile, err := r.hashes(ctx, tp)
		if err != nil {
			return m.fetchFailed(err, tp, size, ev)
		}
		lo := k * ledger.TileWidth
		for i := lo; i < lo+uint64(tp.Width); i++ {
			var want [ledger.HashSize]byte
			if i < had {
				mine, err := m.Copy.TileHashes(ctx, l, i, 1)
				if err != nil {
					return err
				}
				want = mine[0]
			} else {
				want = fresh[i-had]
			}
			if [ledger.HashSize]byte(tile[(i-lo)*ledger.HashSize:]) != want {
				ev[tp.String()] = tile
				return m.alert(newAlert(ChangedTile, ev, "%s: hash %d is not the hash of the leaves under it", tp, i-lo))
			}
		}
	}
	return nil
}

// fetchFailed turns a failed fetch of a tile into an alert: missing when the
// log does not serve it, changed when it is malformed; a transport error stays an error.
func (m *Monitor) fetchFailed(err error, t ledger.TilePath, size uint64, ev map[string][]byte) error {
	if errors.Is(err, errNotFound) {
		return m.alert(newAlert(MissingTile, ev, "%s is not served, though the checkpoint of size %d covers it", t, size))
	}
	var te *transportError
	if errors.As(err, &te) {
		return err
	}
	return m.alert(newAlert(ChangedTile, ev, "%v", err))
}

// diverged explains a new checkpoint whose root is not the root of the copy
// grown by its new leaves: a fork when the log's own tiles do not prove that
// it extends the verified checkpoint, naming the first leaf where the log's
// tiles differ from the copy; otherwise tiles that do not match the checkpoint.
func (m *Monitor) diverged(ctx context.Context, r *remote, old, cp ledger.Checkpoint, ev map[string][]byte) error {
	proof, err := ledger.ConsistencyProof(ctx, r, old.Size, cp.Size)
	if err == nil && ledger.VerifyConsistency(old.Size, cp.Size, proof, old.Root, cp.Root) == nil {
		return m.alert(newAlert(ChangedTile, ev, "the log's tiles between sizes %d and %d do not hash to its checkpoint's root", old.Size, cp.Size))
	}
	where := ""
	if i, ok := m.firstDifference(ctx, r, old.Size); ok {
		where = fmt.Sprintf("; the log's leaf %d differs from the copy's", i)
	}
	return m.alert(newAlert(Fork, ev, "the checkpoint of size %d does not extend the verified checkpoint of size %d (the log's history was rewritten)%s", cp.Size, old.Size, where))
}

// firstDifference returns the first leaf below size whose hash in the log's
// level-0 tiles differs from the copy's.
func (m *Monitor) firstDifference(ctx context.Context, r *remote, size uint64) (uint64, bool) {
	for lo := uint64(0); lo < size; lo += ledger.TileWidth {
		n := min(ledger.TileWidth, size-lo)
		theirs, err := r.TileHashes(ctx, 0, lo, n)
		if err != nil {
			return 0, false
		}
		mine, err := m.Copy.TileHashes(ctx, 0, lo, n)
		if err != nil {
			return 0, false
		}
		for i := range mine {
			if mine[i] != theirs[i] {
				return lo + uint64(i), true
			}
		}
	}
	return 0, false
}

// extend appends a verified growth to the copy's files, then replaces its
// checkpoint. On failure the files are cut back to the old size.
func (c *Copy) extend(oldSize uint64, entries [][]byte, hashes [][][ledger.HashSize]byte, text []byte, cp ledger.Checkpoint) (err error) {
	defer func() {
		if err != nil {
			c.truncate(oldSize)
		}
	}()
	var b []byte
	for _, e := range entries {
		b = append(b, e...)
	}
	if err := appendSync(filepath.Join(c.dir, entriesName), b); err != nil {
		return err
	}
	for l, hs := range hashes {
		b = b[:0]
		for _, h := range hs {
			b = append(b, h[:]...)
		}
		if err := appendSync(c.hashesPath(uint(l)), b); err != nil {
			return err
		}
	}
	if err := writeFileSync(filepath.Join(c.dir, checkpointName), text); err != nil {
		return err
	}
	c.mu.Lock()
	c.text, c.check = text, cp
	c.mu.Unlock()
	return nil
}

func appendSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("monitor: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("monitor: %w", err)
	}
	return f.Close()
}
