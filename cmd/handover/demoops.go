package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

// officersDir is where the demo keeps its officers' signing keys, in the data directory.
const officersDir = "officers"

// officerKeyPath is the key file of a party's demo officer: officers/sdf.key.
func officerKeyPath(dir, party string) string {
	return filepath.Join(dir, officersDir, strings.ToLower(party)+".key")
}

// demoOfficers makes (or, after a load that failed, reuses) the signing keys of the
// demo's officers, in DATA/officers/ with mode 0600.
func demoOfficers(dir string, w *scenario.World) ([]*scenario.Officer, error) {
	if err := os.MkdirAll(filepath.Join(dir, officersDir), 0o700); err != nil {
		return nil, err
	}
	var out []*scenario.Officer
	for _, s := range scenario.SigningOfficers {
		path := officerKeyPath(dir, s.Party)
		k, err := readOfficerKey(path)
		if errors.Is(err, fs.ErrNotExist) {
			_, k, err = ed25519.GenerateKey(rand.Reader)
			if err == nil {
				err = writeOfficerKey(path, k, false)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("officer key of %s: %w", s.Party, err)
		}
		o, err := w.NewOfficer(s.Party, s.Name, k)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// demoSummary prints where the campaign and each demo movement stand, as the store
// reports them, the officers' keys, and how to receive movement 3.
func demoSummary(ctx context.Context, d *dataDirectory, w *scenario.World, server string, out io.Writer) error {
	ops := &w.Operations
	var cv custody.CampaignView
	if err := readDoc(ctx, d, custody.CampaignDoc, ops.Campaign.ID, &cv); err != nil {
		return err
	}
	pr := cv.Progress
	var blockedBy []string
	for _, k := range custody.SafeguardKinds {
		if n := pr.BlockedBy[k]; n > 0 {
			blockedBy = append(blockedBy, fmt.Sprintf("%d %s", n, k))
		}
	}
	fmt.Fprintf(out, "campaign %q: target %d; arrived %d, in transit %d, missing %d, waiting %d (%d blocked: %s)\n",
		cv.Name, pr.Target, pr.Arrived, pr.InTransit, pr.Missing, pr.Planned, pr.Blocked, strings.Join(blockedBy, ", "))
	code := map[uuid.UUID]string{}
	for _, f := range w.Facilities {
		code[f.ID] = f.Code
	}
	for _, mv := range ops.Moves {
		var m custody.MovementState
		if err := readDoc(ctx, d, custody.MovementDoc, mv.Movement.ID, &m); err != nil {
			return err
		}
		var t custody.TransferState
		if err := readDoc(ctx, d, custody.TransferDoc, m.Transfer, &t); err != nil {
			return err
		}
		var state string
		switch {
		case m.Arrival != nil:
			state = fmt.Sprintf("%d arrived", m.Arrival.HeadCount)
			if n := len(m.Arrival.NotPresent); n > 0 {
				state += fmt.Sprintf(", %d not present", n)
			}
		case m.Departure != nil:
			state = fmt.Sprintf("%d in transit", m.Departure.HeadCount)
		default:
			blocked := 0
			for _, p := range t.People {
				if len(p.Missing) > 0 {
					blocked++
				}
			}
			state = fmt.Sprintf("%d on the manifest, %d blocked on safeguards", len(m.Manifest), blocked)
		}
		for _, id := range m.Incidents {
			var in custody.IncidentState
			if err := readDoc(ctx, d, custody.IncidentDoc, id, &in); err != nil {
				return err
			}
			if in.Alert() {
				state += fmt.Sprintf(" (incident %s: disappearance alert)", in.ID)
			}
		}
		fmt.Fprintf(out, "%s %s: %s → %s, %s: %s\n", mv.Name, m.ID, code[m.From], code[m.To], m.Status, state)
	}
	var keys []string
	for _, s := range scenario.SigningOfficers {
		keys = append(keys, fmt.Sprintf("%s (%s, %s)", filepath.Base(officerKeyPath(d.dir, s.Party)), s.Name, s.Party))
	}
	fmt.Fprintf(out, "officers' signing keys (mode 0600) in %s: %s\n", filepath.Join(d.dir, officersDir), strings.Join(keys, ", "))
	if m3 := ops.Moves[2]; m3.Departure != nil && m3.Arrival == nil {
		usf, irq := officerKeyPath(d.dir, scenario.USF), officerKeyPath(d.dir, scenario.IRQ)
		fmt.Fprintf(out, "to receive %s yourself:\n", m3.Name)
		fmt.Fprintf(out, "  handover handover draft --data %s --movement %s --stage arrival --from-key %s.pub --to-key %s.pub --out arrival.json\n",
			d.dir, m3.Movement.ID, usf, irq)
		fmt.Fprintf(out, "  handover sign arrival.json --key %s --out usf.sig\n", usf)
		fmt.Fprintf(out, "  handover sign arrival.json --key %s --out irq.sig\n", irq)
		fmt.Fprintf(out, "  handover handover submit arrival.json --sig usf.sig --sig irq.sig --server %s --token-file %s\n",
			server, demoTokenPath(d.dir, "irq-facility-commander"))
	}
	return nil
}
