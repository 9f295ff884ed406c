package monitor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/witness"
)

// ErrNoQuorum is wrapped by a poll's error when the log's latest checkpoint
// is validly signed but its cosignatures do not meet the policy: the monitor
// does not follow it, and tries again at the next poll.
var ErrNoQuorum = errors.New("monitor: the log's checkpoint does not meet the policy's quorum")

// A Monitor follows a log into a [Copy].
type Monitor struct {
	Copy   *Copy
	Client *http.Client     // nil: http.DefaultClient
	Now    func() time.Time // nil: time.Now
}

// Progress is what one poll did: the copy went from size From to size To.
type Progress struct{ From, To uint64 }

// Poll fetches the log's latest checkpoint and, if it verifies, extends the
// copy to it. It returns an [*Alert] (after keeping its evidence) when the
// log did what a log must never do; any other error (the log unreachable,
// [ErrNoQuorum]) leaves the copy as it was, and the next poll tries again.
// A copy stopped on an alert is not polled until the alert file is removed.
func (m *Monitor) Poll(ctx context.Context) (Progress, error) {
	c := m.Copy
	if s := c.Stopped(); s != "" {
		return Progress{}, fmt.Errorf("monitor: stopped on an earlier alert (%s); remove %s once it is dealt with", s, c.dir+"/"+alertName)
	}
	old, oldText := c.Checkpoint()
	p := Progress{From: old.Size, To: old.Size}
	r := &remote{base: c.cfg.URL, client: m.Client}
	if r.client == nil {
		r.client = http.DefaultClient
	}
	text, err := r.get(ctx, "checkpoint")
	if errors.Is(err, errNotFound) && oldText == nil {
		return p, nil // an empty log: nothing to follow yet
	}
	if errors.Is(err, errNotFound) {
		return p, m.alert(newAlert(MissingTile, map[string][]byte{"verified.checkpoint": oldText},
			"the log no longer serves a checkpoint; the last verified one has size %d", old.Size))
	}
	if err != nil {
		return p, err
	}
	ev := map[string][]byte{"verified.checkpoint": oldText, "observed.checkpoint": text}
	cp, a := c.open(text, ev)
	if a != nil && a.Kind == NoQuorum {
		return p, fmt.Errorf("%w: %s", ErrNoQuorum, a.Msg)
	}
	if a != nil {
		return p, m.alert(a)
	}
	if cp.Size == 0 && oldText == nil && cp.Root != ledger.NewTree().Root() {
		return p, m.alert(newAlert(ChangedTile, ev, "the checkpoint of size 0 has root %x, not the empty tree's", cp.Root))
	}
	switch {
	case oldText != nil && cp.Size < old.Size:
		return p, m.alert(newAlert(Shrink, ev, "the log shrank: its checkpoint has size %d, the last verified one %d (the log was truncated)", cp.Size, old.Size))
	case oldText != nil && cp.Size == old.Size && cp.Root != old.Root:
		return p, m.alert(newAlert(Fork, ev, "two checkpoints of size %d with different roots (%x…, verified %x…): both are signed by the log's key", cp.Size, cp.Root[:6], old.Root[:6]))
	case oldText != nil && cp.Size == old.Size:
		if !bytes.Equal(text, oldText) { // more cosignatures on the same tree
			return p, writeFileSync(c.dir+"/"+checkpointName, text)
		}
		return p, nil
	}
	r.size = cp.Size
	g, err := m.grow(ctx, r, old, cp, ev)
	if err != nil {
		return p, err
	}
	if err := c.extend(old.Size, g.entries, g.hashes, text, cp); err != nil {
		return p, err
	}
	p.To = cp.Size
	return p, nil
}

// alert keeps the alert's evidence and returns it.
func (m *Monitor) alert(a *Alert) error {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	if err := m.Copy.keep(a, now()); err != nil {
		return errors.Join(a, err)
	}
	return a
}

// open checks a checkpoint's signature by the pinned key and its quorum.
func (c *Copy) open(text []byte, ev map[string][]byte) (ledger.Checkpoint, *Alert) {
	cp, err := ledger.OpenCheckpoint(text, c.verifier, c.origin)
	if errors.Is(err, ledger.ErrBadSignature) {
		if other := otherKey(text, c.verifier); other != "" {
			return cp, newAlert(KeyChanged, ev, "the log's checkpoint is signed by another key of %q (key hash %s), not the pinned key %s", c.origin, other, c.cfg.LogKey)
		}
	}
	if err != nil {
		return cp, newAlert(BadSignature, ev, "the log's checkpoint does not verify with the pinned key: %v", err)
	}
	if c.policy != nil {
		if _, _, err := c.policy.Check(text, c.verifier); errors.Is(err, witness.ErrQuorum) {
			return cp, &Alert{Kind: NoQuorum, Msg: err.Error()}
		} else if err != nil {
			return cp, newAlert(BadSignature, ev, "%v", err)
		}
	}
	return cp, nil
}

// otherKey returns the key hash of a signature on the note by a key named
// like v but not v, or "".
func otherKey(text []byte, v note.Verifier) string {
	_, err := note.Open(text, note.VerifierList())
	var un *note.UnverifiedNoteError
	if !errors.As(err, &un) {
		return ""
	}
	for _, s := range un.Note.UnverifiedSigs {
		if s.Name == v.Name() && s.Hash != v.KeyHash() {
			return fmt.Sprintf("%08x", s.Hash)
		}
	}
	return ""
}
