package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
)

// TestWebRoles tries the forms role by role, on the demo world and the Chromium
// the package's tests share, each user in a browser context of their own:
//   - own account: every role signs in, switches the language and back, and signs out;
//   - refused: every role the access rules do not let use a form (refusedRoles)
//     is not offered it, and the page and the API both refuse it;
//   - the forms some role that may use them submits nowhere else.
//
// TestEveryFormIsSubmitted (web_forms_walk_test.go) checks that between them and
// the other browser tests, each form is submitted by every role that may use it.
func TestWebRoles(t *testing.T) {
	start := time.Now()
	w, chromium := sharedWeb(t)
	t.Logf("the shared demo: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	rw := newRoleWorld(t, w)
	t.Logf("the records to try: %v", time.Since(start).Round(time.Millisecond))

	t.Run("own account", func(t *testing.T) {
		before := rw.reader.ledgerSize()
		t.Run("roles", func(t *testing.T) {
			for _, role := range access.Roles {
				t.Run(string(role), func(t *testing.T) {
					t.Parallel()
					ownAccount(t, w, chromium, demoUser(accountParty(role), role))
				})
			}
		})
		if after := rw.reader.ledgerSize(); after != before {
			t.Errorf("signing in and out and switching the language changed the ledger: %d → %d", before, after)
		}
	})

	t.Run("refused", func(t *testing.T) {
		<-rw.indexed
		before := rw.reader.ledgerSize()
		rw.offered(t, chromium)
		t.Run("roles", func(t *testing.T) {
			for _, role := range access.Roles {
				t.Run(string(role), func(t *testing.T) {
					t.Parallel()
					rw.refuse(t, chromium, role)
				})
			}
		})
		if after := rw.reader.ledgerSize(); after != before {
			t.Errorf("refused forms changed the ledger: %d → %d", before, after)
		}
	})

	t.Run("escort commander plans a movement", func(t *testing.T) {
		const user = "sdf-escort-commander"
		tr, men := rw.approved, rw.approvedMen
		u := w.api(t, user)
		before := u.ledgerSize()
		b := w.user(t, chromium)
		b.login(user)
		seat := func(p custody.PersonState) string { return `select[data-testid="seat-` + p.Record.RegNo + `"]` }
		b.run("build the manifest",
			chromedp.Navigate(w.base+"/movements/new?transfer="+tr.ID.String()),
			chromedp.WaitVisible(seat(men[0]), chromedp.ByQuery),
			chromedp.SetValue(`select[name=escort]`, "USF", chromedp.ByQuery),
			chromedp.SetValue(seat(men[0]), "BUS-1", chromedp.ByQuery),
			chromedp.SetValue(seat(men[1]), "BUS-1", chromedp.ByQuery),
			chromedp.Click(`[data-testid=plan]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=movement-status]`, chromedp.ByQuery),
		)
		if s := b.text(`[data-testid=movement-status]`); s != "Planned" {
			t.Fatalf("movement status %q after planning", s)
		}
		var loc string
		b.run("read the movement's address", chromedp.Location(&loc))
		var m custody.MovementState
		u.do("GET", "/api/v1/movements/"+loc[strings.LastIndex(loc, "/")+1:], nil, &m)
		if m.Status != custody.PlannedMovement || m.Transfer != tr.ID || len(m.Manifest) != 2 {
			t.Errorf("the movement planned: %s of transfer %s, %d persons", m.Status, m.Transfer, len(m.Manifest))
		}
		if types := u.ledgerTypes(before); !slices.Contains(types, custody.TypeMovementPlanned) {
			t.Errorf("the ledger gained %v, no movement planned", types)
		}
	})
}

// demoUser is the demo's account of a role at a party ("sdf-legal-officer").
func demoUser(party string, role access.Role) string {
	return party + "-" + strings.ReplaceAll(string(role), "_", "-")
}

// ownAccount: user signs in with the sign-in form, switches the pages to Arabic
// and back with the language buttons, and signs out from the menu.
func ownAccount(t *testing.T, w *webWorld, chromium context.Context, user string) {
	b := w.user(t, chromium)
	b.login(user)
	if who := b.text(`[data-testid=who]`); !strings.HasPrefix(who, user) {
		t.Errorf("signed in as %s, the page says %q", user, who)
	}
	var name string
	b.run("who am I", chromedp.Evaluate(`fetch("/api/v1/me").then(r => r.json()).then(j => j.user.name)`, &name, awaitPromise))
	if name != user {
		t.Errorf("signed in as %s, the API says %q", user, name)
	}
	var lang string
	b.run("switch to Arabic",
		chromedp.Click(`form.lang button[value=ar]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[dir=rtl]`, chromedp.ByQuery),
		chromedp.AttributeValue(`html`, "lang", &lang, nil, chromedp.ByQuery),
	)
	if lang != "ar" {
		t.Errorf("after switching to Arabic the page's language is %q", lang)
	}
	b.run("switch back to English",
		chromedp.Click(`form.lang button[value=en]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[dir=ltr]`, chromedp.ByQuery),
		chromedp.AttributeValue(`html`, "lang", &lang, nil, chromedp.ByQuery),
	)
	if lang != "en" {
		t.Errorf("after switching back to English the page's language is %q", lang)
	}
	b.run("sign out",
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#password`, chromedp.ByQuery),
	)
	if got := b.fetchStatus("GET", "/api/v1/me", ""); got != http.StatusUnauthorized {
		t.Errorf("after %s signed out, /api/v1/me answers %d", user, got)
	}
}

// roleWorld is what TestWebRoles tries the forms on: records of the shared demo,
// most of them made for the test, and the parties they concern.
type roleWorld struct {
	w      *webWorld
	reader *apiUser // reads the ledger's size

	proposed     custody.TransferState // SDF → IRQ, awaiting approval, one man blocked: approvals, safeguards, overrides
	approved     custody.TransferState // approved, on no movement: the movement builder, refused, then used
	approvedMen  []custody.PersonState
	movement     custody.MovementState // planned, of SDF escorted by USF: the handover screen
	incident     custody.IncidentState // the demo's open incident, reported at IRQ
	notification api.NotificationView  // an open notification
	notifParty   string                // the party that owes it
	campaign     uuid.UUID             // the demo's campaign, which IRQ runs
	indexed      chan struct{}         // closed once the names index is built
}

func newRoleWorld(t *testing.T, w *webWorld) *roleWorld {
	t.Helper()
	rw := &roleWorld{w: w, reader: w.api(t, "icrc-monitor")}
	rw.proposed, _ = smallTransfer(t, w, 2, 1, false)
	rw.approved, rw.approvedMen = smallTransfer(t, w, 2, 0, true)
	moved, _ := smallTransfer(t, w, 2, 0, true)
	rw.movement = plannedMovement(t, w, moved)

	irq := w.api(t, "irq-facility-commander")
	var incs struct {
		Incidents []custody.IncidentState `json:"incidents"`
	}
	irq.do("GET", "/api/v1/incidents?open=true", nil, &incs)
	if len(incs.Incidents) == 0 {
		t.Fatal("IRQ sees no open incident in the demo")
	}
	rw.incident = incs.Incidents[0]

	var nots struct {
		Notifications []api.NotificationView `json:"notifications"`
	}
	for _, party := range []string{"irq", "sdf", "usf"} {
		w.api(t, demoUser(party, access.Registrar)).do("GET", "/api/v1/notifications?done=false", nil, &nots)
		if len(nots.Notifications) > 0 {
			rw.notification, rw.notifParty = nots.Notifications[0], party
			break
		}
	}
	if rw.notifParty == "" {
		t.Fatal("no registrar sees an open notification")
	}

	var cs struct {
		Campaigns []custody.CampaignView `json:"campaigns"`
	}
	w.api(t, "irq-transfer-approver").do("GET", "/api/v1/campaigns", nil, &cs)
	if len(cs.Campaigns) == 0 {
		t.Fatal("the demo has no campaign")
	}
	rw.campaign = cs.Campaigns[0].ID

	// The review of duplicates reads the names index of every record; the first
	// reading builds it, which takes a minute on a loaded machine and would
	// outlast a page's time: it is built while the accounts are tried.
	rw.indexed = make(chan struct{})
	slow := &http.Client{Jar: rw.reader.c.Jar, Timeout: 5 * time.Minute}
	go func() {
		defer close(rw.indexed)
		if res, err := slow.Get(w.base + "/api/v1/duplicates?limit=1"); err == nil {
			res.Body.Close()
		}
	}()
	return rw
}

// accountParty is the party whose account of role TestWebRoles/own account
// uses: the monitor party's for a monitor, SDF's for the others.
func accountParty(role access.Role) string {
	if role == access.MonitorRole {
		return "icrc"
	}
	return "sdf"
}

// refusedForm is where TestWebRoles/refused tries a form: its record, the page
// that offers it to whom may use it, the API operation it performs, and the party
// whose users try it, one the record concerns (so that only the role refuses).
type refusedForm struct {
	party string
	id    func(*roleWorld) string // the record, filling {} in the form's address
	page  func(*roleWorld) string
	api   func(*roleWorld) string // POST
	body  string                  // a body the page's form would send
}

func (rw *roleWorld) transferID() string   { return rw.proposed.ID.String() }
func (rw *roleWorld) movementID() string   { return rw.movement.ID.String() }
func (rw *roleWorld) incidentID() string   { return rw.incident.ID.String() }
func (rw *roleWorld) notifID() string      { return rw.notification.ID.String() }
func (rw *roleWorld) campaignID() string   { return rw.campaign.String() }
func (rw *roleWorld) transferPage() string { return "/transfers/" + rw.transferID() }
func (rw *roleWorld) handoverPage() string { return "/movements/" + rw.movementID() + "/handover" }

// refusedForms names, for each form whose action some roles may not take, where
// TestWebRoles/refused tries it.
var refusedForms = map[string]refusedForm{
	"/movements": {party: "sdf",
		page: func(rw *roleWorld) string { return "/movements/new?transfer=" + rw.approved.ID.String() },
		api:  func(*roleWorld) string { return "/api/v1/movements" },
		body: "escort=USF&mode=convoy&planned_departure=2026-12-01T08:00&vehicle-id-0=BUS-9&vehicle-seats-0=40"},
	"/movements/{}/handover/draft": {party: "sdf", id: (*roleWorld).movementID, page: (*roleWorld).handoverPage,
		api: func(*roleWorld) string { return "/api/v1/handovers" }, body: "stage=departure"},
	"/movements/{}/handover": {party: "sdf", id: (*roleWorld).movementID, page: (*roleWorld).handoverPage,
		api: func(*roleWorld) string { return "/api/v1/handovers" }, body: "stage=departure"},
	"/incidents/{}/resolutions": {party: "irq", id: (*roleWorld).incidentID,
		page: func(rw *roleWorld) string { return "/incidents/" + rw.incidentID() },
		api:  func(rw *roleWorld) string { return "/api/v1/incidents/" + rw.incidentID() + "/resolutions" },
		body: "resolution=found&facility=NCI&note=test"},
	"/notifications/{}/completions": {party: "", id: (*roleWorld).notifID,
		page: func(rw *roleWorld) string { return "/notifications?show=all&person=" + rw.notification.Person.String() },
		api:  func(rw *roleWorld) string { return "/api/v1/notifications/" + rw.notifID() + "/completions" },
		body: "outcome=told"},
	"/persons": {party: "sdf", page: func(*roleWorld) string { return "/persons/new" },
		api: func(*roleWorld) string { return "/api/v1/persons" }, body: "sex=male&category=detainee"},
	"/duplicates/links": {party: "sdf", page: func(*roleWorld) string { return "/duplicates" },
		api: func(*roleWorld) string { return "/api/v1/persons/" + uuid.Nil.String() + "/links" }, body: "reason=test"},
	"/duplicates/distinctions": {party: "sdf", page: func(*roleWorld) string { return "/duplicates" },
		api: func(*roleWorld) string { return "/api/v1/persons/" + uuid.Nil.String() + "/distinctions" }, body: "reason=test"},
	"/campaigns/{}/plan/accept": {party: "irq", id: (*roleWorld).campaignID,
		page: func(rw *roleWorld) string { return "/campaigns/" + rw.campaignID() + "/plan" },
		api:  func(rw *roleWorld) string { return "/api/v1/campaigns/" + rw.campaignID() + "/plan/acceptances" },
		body: "movement=P001&legal_basis=test&ordered_by=test"},
	"/transfers/{}/approvals": {party: "sdf", id: (*roleWorld).transferID, page: (*roleWorld).transferPage,
		api: func(rw *roleWorld) string { return "/api/v1/transfers/" + rw.transferID() + "/approvals" }},
	"/transfers/{}/safeguards": {party: "sdf", id: (*roleWorld).transferID, page: (*roleWorld).transferPage,
		api:  func(rw *roleWorld) string { return "/api/v1/transfers/" + rw.transferID() + "/safeguards" },
		body: "kind=medical&met=on&finding=fit"},
	"/transfers/{}/overrides": {party: "sdf", id: (*roleWorld).transferID, page: (*roleWorld).transferPage,
		api:  func(rw *roleWorld) string { return "/api/v1/transfers/" + rw.transferID() + "/overrides" },
		body: "kind=medical&reason=none"},
}

// address is the form's address for the record it is tried on.
func (f refusedForm) address(form string, rw *roleWorld) string {
	if f.id == nil {
		return form
	}
	return strings.Replace(form, "{}", f.id(rw), 1)
}

// partyOf is the party whose users try the form.
func (f refusedForm) partyOf(rw *roleWorld, role access.Role) string {
	switch {
	case role == access.MonitorRole:
		return "icrc"
	case f.party == "":
		return rw.notifParty
	}
	return f.party
}

// refuse signs in as role and tries each form the role may not use: the page
// does not offer it, and the page's address and the API both answer 403 (the
// API with its problem). For each form and party, a role that may use it sees it
// offered on the same page first, so that "not offered" means something.
func (rw *roleWorld) refuse(t *testing.T, chromium context.Context, role access.Role) {
	var forms []string
	for form, use := range submittedForms {
		if use.action != "" && !slices.Contains(permittedRoles(use.action), role) {
			forms = append(forms, form)
		}
	}
	slices.Sort(forms)
	if len(forms) == 0 {
		return
	}
	users := map[string]*browser{}
	at := map[string]string{} // the page each user's browser shows
	apis := map[string]*apiUser{}
	as := func(user string) *browser {
		if b := users[user]; b != nil {
			return b
		}
		b := rw.w.user(t, chromium)
		b.login(user)
		users[user] = b
		return b
	}
	// by page, so that each page is opened once for the forms it offers
	slices.SortFunc(forms, func(a, b string) int { return strings.Compare(refusedForms[a].page(rw), refusedForms[b].page(rw)) })
	for _, form := range forms {
		use, where := submittedForms[form], refusedForms[form]
		user := demoUser(where.partyOf(rw, role), role)
		addr, page := where.address(form, rw), where.page(rw)
		b := as(user)
		if at[user] != page {
			b.open(page)
			at[user] = page
		}
		if n := b.count(`form[action="` + addr + `"], form[data-submit="` + addr + `"]`); n != 0 {
			t.Errorf("%s: %s, who may not %s, is offered %d such forms on %s", form, user, use.action, n, page)
		}
		if got := b.fetchStatus("POST", addr, where.body); got != http.StatusForbidden {
			t.Errorf("%s: POST %s as %s answers %d, want 403", form, addr, user, got)
		}
		u := apis[user]
		if u == nil {
			u = rw.w.api(t, user)
			apis[user] = u
		}
		status, p := u.try("POST", where.api(rw), map[string]any{})
		if status != http.StatusForbidden || p.Code != "forbidden" || p.Type == "" {
			t.Errorf("%s: the API's %s as %s answers %d %+v, want a 403 problem with code forbidden", form, where.api(rw), user, status, p)
		}
	}
}

// offered: on the page where TestWebRoles/refused looks for each form, a role
// that may use it is offered it, so that a form's absence there means something.
func (rw *roleWorld) offered(t *testing.T, chromium context.Context) {
	users := map[string]*browser{}
	for form, where := range refusedForms {
		allowed := permittedRoles(submittedForms[form].action)[0]
		user := demoUser(where.partyOf(rw, allowed), allowed)
		b := users[user]
		if b == nil {
			b = rw.w.user(t, chromium)
			b.login(user)
			users[user] = b
		}
		addr, page := where.address(form, rw), where.page(rw)
		if n := b.countOn(page, `form[action="`+addr+`"], form[data-submit="`+addr+`"]`); n == 0 {
			t.Errorf("%s: %s, who may use it, is not offered it on %s", form, user, page)
		}
	}
}

// countOn opens page and counts the elements matching sel.
func (b *browser) countOn(page, sel string) int {
	b.t.Helper()
	b.open(page)
	return b.count(sel)
}

// open opens a page, whatever it answers.
func (b *browser) open(page string) {
	b.t.Helper()
	b.run("open "+page, chromedp.Navigate(b.w.base+page), chromedp.WaitReady(`body`, chromedp.ByQuery))
}

// count counts the elements of the page matching sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	b.run("count "+sel, chromedp.Evaluate(`document.querySelectorAll(`+"`"+sel+"`"+`).length`, &n))
	return n
}

// problemReply is the part of an RFC 9457 problem the tests read.
type problemReply struct {
	Type   string `json:"type"`
	Code   string `json:"code"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// try sends a request and returns the status and, for a refusal, its problem.
func (u *apiUser) try(method, path string, body any) (int, problemReply) {
	u.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, u.base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	res, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	var p problemReply
	if b, _ := io.ReadAll(res.Body); res.StatusCode >= 400 {
		if err := json.Unmarshal(b, &p); err != nil {
			u.t.Errorf("%s %s: %d with a body that is no problem: %s", method, path, res.StatusCode, b)
		}
	}
	return res.StatusCode, p
}
