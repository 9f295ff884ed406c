package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carlos7ags/folio/reader"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// events are the events at from and after, decoded, as the user may read them.
func (u *apiUser) events(from uint64) []custody.Event {
	u.t.Helper()
	var out []custody.Event
	for i, size := from, u.ledgerSize(); i < size; i++ {
		res, err := u.c.Get(fmt.Sprintf("%s/api/v1/events/%d", u.base, i))
		if err != nil {
			u.t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			u.t.Fatalf("event %d: %d %v", i, res.StatusCode, err)
		}
		e, err := custody.DecodeEvent(b)
		if err != nil {
			u.t.Fatalf("event %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

// TestWebRegisterDuplicate: a registrar registers in a browser a person already
// registered under the same name. Nothing is saved at first: the form comes back
// with the record as a likely duplicate, its score, why (in the page's language)
// and a link to open it. "Register all the same" with a reason records
// person.registered with the candidate and the reason; in Arabic, "same person:
// register and link" records person.registered and person.linked, and the new
// record's page names the old one. A record linked to one on a planned
// movement is named on the movement page and in the manifest PDF.
func TestWebRegisterDuplicate(t *testing.T) {
	w := startWebDemo(t)
	const user = "sdf-registrar"
	u := w.api(t, user)
	var me api.Me
	u.do("GET", "/api/v1/me", nil, &me)
	var page custody.PersonPage
	u.do("GET", "/api/v1/persons?status=held&limit=200", nil, &page)
	var old *custody.PersonState
	for i := range page.Persons {
		p := &page.Persons[i]
		if p.Custody.Custodian == me.User.Party && p.Record.PrimaryName(custody.Latin) != "" && p.Record.PrimaryName(custody.Arabic) != "" {
			old = p
			break
		}
	}
	if old == nil {
		t.Fatalf("%s holds no held person with a Latin and an Arabic name among %d", user, len(page.Persons))
	}
	rec := old.Record
	// The server builds its names index in the background from start-up; on a
	// loaded machine that outlasts a browser step, so wait for it here: a search
	// by name waits for the index rather than building it again.
	slow := &http.Client{Jar: u.c.Jar, Timeout: 5 * time.Minute}
	res, err := slow.Get(w.base + "/api/v1/persons?name=" + url.QueryEscape(rec.PrimaryName(custody.Latin)))
	if err != nil {
		t.Fatalf("waiting for the names index: %v", err)
	}
	res.Body.Close()
	t.Logf("registering again %s %s / %s, born %s", rec.RegNo, rec.PrimaryName(custody.Latin), rec.PrimaryName(custody.Arabic), rec.Birth.Date)
	fill := func(b *browser, latin, arabic string) {
		b.run("fill the registration of "+latin+arabic,
			chromedp.Navigate(w.base+"/persons/new"),
			chromedp.WaitVisible(`[data-testid=name-latn]`, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=name-latn]`, latin, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=name-arab]`, arabic, chromedp.ByQuery),
			chromedp.SetValue(`select[name=sex]`, string(rec.Sex), chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=birth]`, rec.Birth.Date, chromedp.ByQuery),
			chromedp.SetValue(`select[name=precision]`, string(rec.Birth.Precision), chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=nationality]`, strings.Join(rec.Nationalities, ","), chromedp.ByQuery),
			chromedp.SetValue(`select[name=category]`, string(custody.Detainee), chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=reasons]`, "alleged membership of an armed group (test)", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=ordering-authority]`, "internal security (test)", chromedp.ByQuery),
			chromedp.Click(`[data-testid=register]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=candidates]`, chromedp.ByQuery),
		)
	}
	registered := func(es []custody.Event) (*custody.PersonRegistered, custody.Event) {
		for _, e := range es {
			if r, ok := e.Data.(*custody.PersonRegistered); ok {
				return r, e
			}
		}
		t.Fatalf("no registration among %d events", len(es))
		return nil, custody.Event{}
	}

	t.Run("register all the same", func(t *testing.T) {
		b := w.browser(t)
		b.login(user)
		before := u.ledgerSize()
		fill(b, rec.PrimaryName(custody.Latin), "")
		if u.ledgerSize() != before {
			t.Fatal("the registration was saved before the registrar chose")
		}
		row := `[data-testid="candidate-` + rec.RegNo + `"]`
		if got := b.text(row); !strings.Contains(got, "score") || !strings.Contains(got, "given name") {
			t.Errorf("the candidate row says %q, no score and explanation", got)
		}
		var href string
		b.run("read the candidate's link", chromedp.AttributeValue(`[data-testid="open-`+rec.RegNo+`"]`, "href", &href, nil, chromedp.ByQuery))
		if href != "/persons/"+rec.ID.String() {
			t.Errorf("the candidate opens %q", href)
		}
		b.run("register all the same",
			chromedp.SendKeys(`[data-testid=duplicate-reason]`, "another man: other mother, camp card compared (test)", chromedp.ByQuery),
			chromedp.Click(`[data-testid=register-anyway]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=linked], h1`, chromedp.ByQuery),
			chromedp.WaitNotPresent(`[data-testid=register-form]`, chromedp.ByQuery),
		)
		if got := b.text(`[data-testid=event-summary]`); !strings.Contains(got, "another man: other mother, camp card compared (test)") {
			t.Errorf("the new record's timeline says %q, not the reason the warning was passed", got)
		}
		es := u.events(before)
		reg, e := registered(es)
		if len(es) != 1 || reg.Duplicates == nil || !slices.Contains(reg.Duplicates.Candidates, rec.ID) ||
			reg.Duplicates.Reason != "another man: other mother, camp card compared (test)" || e.Actor != user {
			t.Fatalf("the ledger gained %d events: %+v by %s", len(es), reg.Duplicates, e.Actor)
		}
	})

	t.Run("same person in Arabic", func(t *testing.T) {
		b := w.browser(t)
		b.setLanguage("ar")
		b.login(user)
		before := u.ledgerSize()
		fill(b, "", rec.PrimaryName(custody.Arabic))
		if got := b.text(`[data-testid="candidate-` + rec.RegNo + `"]`); !strings.Contains(got, "الدرجة") {
			t.Errorf("the candidate row is not explained in Arabic: %q", got)
		}
		b.run("register and link",
			chromedp.SendKeys(`[data-testid=duplicate-reason]`, "الشخص نفسه: صورة البطاقة (test)", chromedp.ByQuery),
			chromedp.Click(`[data-testid="link-`+rec.RegNo+`"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=linked]`, chromedp.ByQuery),
		)
		es := u.events(before)
		reg, e := registered(es)
		if len(es) != 2 || es[1].Type != custody.TypePersonLinked || es[1].Subject != e.Subject {
			t.Fatalf("the ledger gained %v", es)
		}
		if l := es[1].Data.(*custody.PersonLinked); l.Other != rec.ID || l.Reason != "الشخص نفسه: صورة البطاقة (test)" {
			t.Fatalf("link %+v", l)
		}
		if reg.Duplicates == nil || !slices.Contains(reg.Duplicates.Candidates, rec.ID) {
			t.Errorf("the warning passed is not recorded: %+v", reg.Duplicates)
		}
		if got := b.text(`[data-testid=linked]`); !strings.Contains(got, rec.RegNo) {
			t.Errorf("the new record's page names %q as the same person, not %s", got, rec.RegNo)
		}
	})

	t.Run("a facility commander registers a new person", func(t *testing.T) {
		const commander = "sdf-facility-commander"
		b := w.browser(t)
		b.login(commander)
		before := u.ledgerSize()
		b.run("register a person nobody holds yet",
			chromedp.Navigate(w.base+"/persons/new"),
			chromedp.WaitVisible(`[data-testid=name-latn]`, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=name-latn]`, "Zubayr Qandalawi Fixturon", chromedp.ByQuery),
			chromedp.SetValue(`select[name=sex]`, "male", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=birth]`, "1991", chromedp.ByQuery),
			chromedp.SetValue(`select[name=precision]`, "year", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=nationality]`, "SYR", chromedp.ByQuery),
			chromedp.SetValue(`select[name=category]`, string(custody.Detainee), chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=reasons]`, "alleged membership of an armed group (test)", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=ordering-authority]`, "internal security (test)", chromedp.ByQuery),
			chromedp.Click(`[data-testid=register]`, chromedp.ByQuery),
			chromedp.WaitNotPresent(`[data-testid=register-form]`, chromedp.ByQuery),
		)
		if got := b.text(`h1`); !strings.Contains(got, "Zubayr Qandalawi Fixturon") {
			t.Errorf("after registering, the page's heading is %q, not the new person", got)
		}
		es := u.events(before)
		reg, e := registered(es)
		if reg.Person.PrimaryName(custody.Latin) != "Zubayr Qandalawi Fixturon" || e.Actor != commander || reg.Duplicates != nil {
			t.Fatalf("the ledger gained %s by %s (warning %+v)", reg.Person.PrimaryName(custody.Latin), e.Actor, reg.Duplicates)
		}
	})

	t.Run("manifests name linked records", func(t *testing.T) {
		fc := w.api(t, "sdf-facility-commander")
		planned, _ := fc.plannedAndDeparted()
		if len(planned.Manifest) == 0 {
			t.Fatal("the demo has no planned movement with a manifest")
		}
		var on custody.PersonState
		fc.do("GET", "/api/v1/persons/"+planned.Manifest[0].Person.String(), nil, &on)
		again := on.Record
		again.ID, again.RegNo, again.Identifiers = uuid.Nil, "", nil
		var second struct{ custody.PersonState }
		u.do("POST", "/api/v1/persons", map[string]any{"person": again, "facility": facilityCode(t, u, on.Custody.Facility), "occurred_at": time.Now().UTC(),
			"link_to": on.Record.ID, "duplicate_reason": "registered again at the camp (test)"}, &second)
		page := fc.get("/movements/" + planned.ID.String())
		if !strings.Contains(page, `data-testid="linked-`+on.Record.RegNo+`"`) || !strings.Contains(page, second.Record.RegNo) {
			t.Errorf("the movement page does not name %s's linked record %s", on.Record.RegNo, second.Record.RegNo)
		}
		pdf := fc.get("/movements/" + planned.ID.String() + "/manifest.pdf")
		r, err := reader.Parse([]byte(pdf))
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for i := range r.PageCount() {
			pg, err := r.Page(i)
			if err != nil {
				t.Fatal(err)
			}
			spans, err := pg.TextSpans()
			if err != nil {
				t.Fatal(err)
			}
			for _, sp := range spans {
				text.WriteString(sp.Text + " ")
			}
		}
		if !strings.Contains(text.String(), "also") || !strings.Contains(text.String(), second.Record.RegNo) {
			t.Errorf("the manifest PDF does not name %s's linked record %s", on.Record.RegNo, second.Record.RegNo)
		}
	})
}

// facilityCode is the code of a facility, by id.
func facilityCode(t *testing.T, u *apiUser, id uuid.UUID) string {
	var f custody.FacilityState
	u.do("GET", "/api/v1/facilities/"+id.String(), nil, &f)
	return f.Code
}

// get reads a page (or file) with the user's session, failing on anything but 200.
func (u *apiUser) get(path string) string {
	u.t.Helper()
	res, err := u.c.Get(u.base + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		u.t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
	}
	return string(b)
}
