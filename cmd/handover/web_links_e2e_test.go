package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// TestWebDuplicates: a registrar reviews the demo's duplicate registrations in a
// browser. "Same person" links a pair: the ledger gains person.linked, the pair
// leaves the review and each record's page names the other. "Different persons"
// records person.distinct and the pair leaves the review.
func TestWebDuplicates(t *testing.T) {
	w := startWebDemo(t)
	const user = "sdf-registrar"
	u := w.api(t, user)
	var me api.Me
	u.do("GET", "/api/v1/me", nil, &me)
	var out struct {
		Pairs []api.DuplicatePair `json:"pairs"`
	}
	// The first call builds the names index of every record: on a loaded machine
	// that can outlast the server's write timeout, and the call is tried again
	// (the index, once built, stays).
	slow := &http.Client{Jar: u.c.Jar, Timeout: 5 * time.Minute}
	for try := 1; ; try++ {
		res, err := slow.Get(w.base + "/api/v1/duplicates?limit=1000")
		if err == nil {
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %s", res.Status)
			}
		}
		if err == nil {
			break
		}
		if try == 4 {
			t.Fatalf("list the duplicates: %v", err)
		}
		t.Logf("list the duplicates (try %d): %v", try, err)
	}
	// The pairs whose first record the registrar's party holds: theirs to decide.
	var mine []api.DuplicatePair
	for _, p := range out.Pairs {
		if me.User.Party == p.A.Custody.Custodian {
			mine = append(mine, p)
		}
	}
	if len(mine) < 2 {
		t.Fatalf("%s sees %d duplicate pairs of their party's records (of %d), want 2", user, len(mine), len(out.Pairs))
	}
	key := func(p api.DuplicatePair) string { return p.A.Record.ID.String() + "-" + p.B.Record.ID.String() }
	gone := func(b *browser, p api.DuplicatePair) bool {
		var absent bool
		b.run("look for "+key(p), chromedp.Navigate(w.base+"/duplicates"), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('[data-testid="pair-`+key(p)+`"]') === null`, &absent))
		return absent
	}

	t.Run("same person", func(t *testing.T) {
		p := mine[0]
		before := u.ledgerSize()
		b := w.browser(t)
		b.login(user)
		form := `[data-testid="pair-` + key(p) + `"] form[action="/duplicates/links"]`
		b.run(user+" links "+key(p),
			chromedp.Navigate(w.base+"/duplicates"),
			chromedp.WaitVisible(form+` input[name=reason]`, chromedp.ByQuery),
			chromedp.SendKeys(form+` input[name=reason]`, "same father and date of birth; photographs compared (test)", chromedp.ByQuery),
			chromedp.Click(form+` button`, chromedp.ByQuery),
			chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		)
		// The page the form was sent from has the same heading as its answer:
		// wait for the write itself.
		eventually(t, "a person.linked event in the ledger", func() bool { return slices.Contains(u.ledgerTypes(before), custody.TypePersonLinked) })
		if !gone(b, p) {
			t.Errorf("the linked pair is still proposed")
		}
		b.run("open "+p.A.Record.RegNo, chromedp.Navigate(w.base+"/persons/"+p.A.Record.ID.String()), chromedp.WaitVisible(`[data-testid=linked]`, chromedp.ByQuery))
		if got := b.text(`[data-testid=linked]`); !strings.Contains(got, p.B.Record.RegNo) {
			t.Errorf("%s's page names %q as the same person, not %s", p.A.Record.RegNo, got, p.B.Record.RegNo)
		}
		var rec custody.PersonState
		u.do("GET", "/api/v1/persons/"+p.B.Record.ID.String(), nil, &rec)
		if !slices.Contains(rec.Custody.Linked, p.A.Record.ID) {
			t.Errorf("%s is not linked back: %v", p.B.Record.RegNo, rec.Custody.Linked)
		}
	})

	t.Run("different persons", func(t *testing.T) {
		p := mine[1]
		before := u.ledgerSize()
		b := w.browser(t)
		b.login(user)
		form := `[data-testid="pair-` + key(p) + `"] form[action="/duplicates/distinctions"]`
		b.run(user+" distinguishes "+key(p),
			chromedp.Navigate(w.base+"/duplicates"),
			chromedp.WaitVisible(form+` input[name=reason]`, chromedp.ByQuery),
			chromedp.SendKeys(form+` input[name=reason]`, "different mothers' names on the camp cards (test)", chromedp.ByQuery),
			chromedp.Click(form+` button`, chromedp.ByQuery),
			chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		)
		// The page the form was sent from has the same heading as its answer:
		// wait for the write itself.
		eventually(t, "a persons.distinct event in the ledger", func() bool { return slices.Contains(u.ledgerTypes(before), custody.TypePersonsDistinct) })
		if !gone(b, p) {
			t.Errorf("the pair found distinct is still proposed")
		}
	})
}
