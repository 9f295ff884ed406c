package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kinds of [Alert].
const (
	Shrink       = "shrink"        // the log's checkpoint is smaller than the verified one
	Fork         = "fork"          // a checkpoint that does not extend the verified one
	BadSignature = "bad-signature" // a checkpoint not validly signed by the pinned key
	KeyChanged   = "key-changed"   // a checkpoint signed by another key of the log's name
	NoQuorum     = "no-quorum"     // a checkpoint whose cosignatures do not meet the policy
	MissingTile  = "missing-tile"  // a tile or entry bundle the checkpoint covers is not served
	ChangedTile  = "changed-tile"  // a tile whose hashes are not those the monitor computed
)

// An Alert is what stops a monitor: evidence that the log did something a
// log must never do. Evidence names the directory where its files were kept.
type Alert struct {
	Kind     string
	Msg      string
	Evidence string
	files    map[string][]byte // kept as evidence, by file name
}

func (a *Alert) Error() string {
	s := fmt.Sprintf("ALERT %s: %s", a.Kind, a.Msg)
	if a.Evidence != "" {
		s += " (evidence in " + a.Evidence + ")"
	}
	return s
}

func newAlert(kind string, files map[string][]byte, format string, args ...any) *Alert {
	return &Alert{Kind: kind, Msg: fmt.Sprintf(format, args...), files: files}
}

// keep writes the alert's evidence into a new directory under the copy's
// evidence directory and marks the copy as stopped.
func (c *Copy) keep(a *Alert, now time.Time) error {
	dir := filepath.Join(c.dir, evidenceDir, now.UTC().Format("20060102T150405.000000000Z")+"-"+a.Kind)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("monitor: keeping evidence: %w", err)
	}
	a.Evidence = dir
	for name, b := range a.files {
		if err := writeFileSync(filepath.Join(dir, strings.ReplaceAll(name, "/", "_")), b); err != nil {
			return err
		}
	}
	msg := a.Error() + "\n"
	if err := writeFileSync(filepath.Join(dir, "alert.txt"), []byte(msg)); err != nil {
		return err
	}
	return writeFileSync(filepath.Join(c.dir, alertName), []byte(msg))
}

// Stopped returns the alert a previous poll stopped on, if the operator has
// not yet removed it, or "".
func (c *Copy) Stopped() string {
	b, err := os.ReadFile(filepath.Join(c.dir, alertName))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
