package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/handover-project/handover/monitor"
	"github.com/handover-project/handover/verify"
)

// verifyAgainst compares the data directory's store with a monitor's copy of
// its log: a monitor directory, or the URL of a server of one (or of any
// tiled log), fetched and verified into a temporary copy with the key in
// log.pub. It returns a *verify.Problem naming the first leaf that differs.
func verifyAgainst(ctx context.Context, d *dataDirectory, against string) (*verify.AgainstReport, error) {
	var c *monitor.Copy
	if strings.HasPrefix(against, "http://") || strings.HasPrefix(against, "https://") {
		tmp, err := os.MkdirTemp("", "handover-against-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir := filepath.Join(tmp, "copy")
		if err := monitor.Init(dir, monitor.Config{URL: strings.TrimSuffix(against, "/"), LogKey: d.vkey}); err != nil {
			return nil, err
		}
		if c, err = monitor.Open(dir); err != nil {
			return nil, err
		}
		m := &monitor.Monitor{Copy: c, Client: &http.Client{Timeout: time.Minute}}
		if _, err := m.Poll(ctx); err != nil {
			var a *monitor.Alert
			if errors.As(err, &a) {
				return nil, &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("the copy at %s does not verify with %s: %s %s", against, filepath.Join(d.dir, pubFile), a.Kind, a.Msg)}
			}
			return nil, fmt.Errorf("--against %s: %w", against, err)
		}
	} else {
		var err error
		if c, err = monitor.Open(against); err != nil {
			return nil, fmt.Errorf("--against: %w", err)
		}
	}
	cp, text := c.Checkpoint()
	if text == nil {
		return nil, fmt.Errorf("--against %s: the copy holds no checkpoint yet", against)
	}
	rep, err := verify.Against(ctx, d.db, c, cp.Size)
	if err != nil {
		return nil, err
	}
	if k := c.Config().LogKey; k != d.vkey {
		return nil, &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("%s holds the key %s, but the copy at %s pinned the log's key %s: the log's key was changed",
			filepath.Join(d.dir, pubFile), d.vkey, against, k)}
	}
	return rep, nil
}
