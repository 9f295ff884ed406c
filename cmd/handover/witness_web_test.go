package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/custody"
)

// TestWebWitnesses: the demo served with its ICRC witness. The ledger page
// shows the witness and the size it cosigned, to a monitor and to a
// registrar; when the witness stops and the ledger grows, the dashboard
// raises an alert.
func TestWebWitnesses(t *testing.T) {
	var ws *witnessServer
	w := startWebDemoWith(t, func(d *dataDirectory) serveFlags {
		var policy string
		var err error
		ws, policy, err = startDemoWitness(d, "127.0.0.1:0", io.Discard, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		return serveFlags{listen: "127.0.0.1:0", witnessPolicy: policy, witnessSilent: time.Nanosecond}
	})
	ctx := context.Background()
	_, size, err := w.d.db.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ICRC witness cosigns the demo ledger", func() bool {
		r, err := w.s.wit.Report(ctx)
		return err == nil && r.Witnessed != nil && r.Witnessed.Size == size
	})
	for _, user := range []string{"icrc-monitor", "irq-registrar"} {
		b := w.browser(t)
		b.login(user)
		b.run("open the ledger", chromedp.Navigate(w.base+"/ledger"), chromedp.WaitVisible(`[data-testid=witness-icrc]`, chromedp.ByQuery))
		if got := b.text(`[data-testid=witness-icrc] [data-testid=witness-size]`); strings.ReplaceAll(got, ",", "") != strconv.FormatUint(size, 10) {
			t.Errorf("%s: the ICRC witness cosigned %q, want %d", user, got, size)
		}
		if got := b.text(`[data-testid=witness-icrc] [data-testid=witness-state]`); got != "cosigning" {
			t.Errorf("%s: witness state %q", user, got)
		}
		if got := b.text(`[data-testid=witnessed]`); !strings.Contains(got, "cosigned by icrc") {
			t.Errorf("%s: %q does not say the checkpoint is witnessed", user, got)
		}
	}

	// The witness stops; the ledger grows without it.
	ws.Close()
	fs, err := w.d.db.Facilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fac := fs[0]
	for _, f := range fs {
		if f.Code == "HSK" {
			fac = f
		}
	}
	if _, err := w.d.db.Submit(ctx, custody.RegisterPerson{Meta: custody.Meta{Actor: "test", OccurredAt: time.Now()},
		Person: benchPerson(77), Facility: fac.ID}); err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	b.login("irq-registrar")
	b.run("open the dashboard", chromedp.Navigate(w.base+"/"), chromedp.WaitVisible(`[data-testid=witness-alert]`, chromedp.ByQuery))
	if got := b.text(`[data-testid=witness-alert]`); !strings.Contains(got, "Witness icrc is silent") {
		t.Errorf("dashboard alert %q", got)
	}
}
