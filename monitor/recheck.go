package monitor

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/handover-project/handover/ledger"
)

// Recheck fetches again every tile of every level and every entry bundle
// that the copy holds, at the copy's verified size, and compares each with
// the copy: a log must go on serving exactly what it once served, to every
// reader. A poll only fetches what is new; Recheck finds an old tile that was
// changed or removed while the checkpoint stayed the same. A difference or an
// absence is an [*Alert]; a transport error is returned as it is.
func (m *Monitor) Recheck(ctx context.Context) error {
	c := m.Copy
	if s := c.Stopped(); s != "" {
		return fmt.Errorf("monitor: stopped on an earlier alert (%s); remove %s once it is dealt with", s, c.dir+"/"+alertName)
	}
	cp, text := c.Checkpoint()
	if text == nil {
		return nil
	}
	r := &remote{base: c.cfg.URL, client: m.Client, size: cp.Size}
	if r.client == nil {
		r.client = http.DefaultClient
	}
	ev := map[string][]byte{"verified.checkpoint": text}
	for l := uint(0); levelCount(cp.Size, l) > 0; l++ {
		n := levelCount(cp.Size, l)
		for k := uint64(0); k*ledger.TileWidth < n; k++ {
			tp := tilePath(l, k, false, cp.Size)
			theirs, err := r.hashes(ctx, tp)
			if err != nil {
				return m.fetchFailed(err, tp, cp.Size, ev)
			}
			hs, err := c.TileHashes(ctx, l, k*ledger.TileWidth, uint64(tp.Width))
			if err != nil {
				return err
			}
			for i := range hs {
				if !bytes.Equal(theirs[i*ledger.HashSize:(i+1)*ledger.HashSize], hs[i][:]) {
					ev[tp.String()] = theirs
					return m.alert(newAlert(ChangedTile, ev, "%s: hash %d differs from the one verified at size %d", tp, i, cp.Size))
				}
			}
			if l > 0 {
				continue
			}
			bp := tilePath(0, k, true, cp.Size)
			bundle, es, err := r.bundle(ctx, bp)
			if err != nil {
				return m.fetchFailed(err, bp, cp.Size, ev)
			}
			mine, err := c.Entries(ctx, k*ledger.TileWidth, uint64(bp.Width))
			if err != nil {
				return err
			}
			for i := range es {
				if !bytes.Equal(es[i], mine[i]) {
					ev[bp.String()] = bundle
					return m.alert(newAlert(ChangedTile, ev, "leaf %d: %s differs from the entry verified at size %d", k*ledger.TileWidth+uint64(i), bp, cp.Size))
				}
			}
		}
	}
	return nil
}
