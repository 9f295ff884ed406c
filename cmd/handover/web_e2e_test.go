package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// End-to-end tests of the web interface: a real server on port 0 with the demo
// world, driven by Debian's Chromium through chromedp. Outside CI they are skipped
// when Chromium is missing; with HANDOVER_REQUIRE_CHROMIUM=1 (set by .ci/run)
// they fail instead. On failure each test saves a screenshot of the page in its
// artifact directory (go test -artifacts keeps it).

const chromiumPath = "/usr/bin/chromium"

// webWorld is a served demo: its address, data directory and the demo accounts'
// passwords.
type webWorld struct {
	base      string
	dir       string
	passwords map[string]string
	d         *dataDirectory
	s         *server
}

func startWebDemo(t *testing.T) *webWorld {
	t.Helper()
	return startWebDemoWith(t, func(*dataDirectory) serveFlags { return serveFlags{listen: "127.0.0.1:0"} })
}

// startWebDemoWith is startWebDemo serving with the flags flags returns
// for the loaded data directory.
func startWebDemoWith(t *testing.T, flags func(*dataDirectory) serveFlags) *webWorld {
	t.Helper()
	needChromium(t)
	w, closeAll, err := loadWebDemo(filepath.Join(t.TempDir(), "data"), flags)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return w
}

// needChromium skips the test when Chromium is missing, or fails it when
// HANDOVER_REQUIRE_CHROMIUM is set.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("HANDOVER_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("Chromium is required (HANDOVER_REQUIRE_CHROMIUM is set) but %s is missing: apt-get install chromium", chromiumPath)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium); set HANDOVER_REQUIRE_CHROMIUM=1 to fail instead", chromiumPath)
	}
}

// loadWebDemo loads the demo into a new data directory dir and serves it;
// closeAll stops the server and closes the directory.
func loadWebDemo(dir string, flags func(*dataDirectory) serveFlags) (w *webWorld, closeAll func(), err error) {
	ctx := context.Background()
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		return nil, nil, err
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	if err := loadDemo(ctx, d, 1, io.Discard, io.Discard); err != nil {
		d.Close()
		return nil, nil, err
	}
	s, err := startServer(d, flags(d), io.Discard)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	closeAll = func() { s.Close(); d.Close() }
	pw, err := readDemoPasswords(dir)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return &webWorld{base: "http://" + s.Addr(), dir: dir, passwords: pw, d: d, s: s}, closeAll, nil
}

// shared is the demo world and the Chromium that tests which only read the demo,
// or write only to records of their own making, share: each started once per
// run of the package's tests, when the first of them asks, and closed after the
// last (TestMain).
var shared struct {
	demo, browser sync.Once
	w             *webWorld
	demoErr       error
	chromium      context.Context // a Chromium without a page; each user gets a browser context of their own
	chromiumErr   error
	mu            sync.Mutex
	closers       []func()
}

// atEnd has f run once the package's tests are done.
func atEnd(f func()) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.closers = append(shared.closers, f)
}

// sharedDemo returns the shared demo world.
func sharedDemo(t *testing.T) *webWorld {
	t.Helper()
	shared.demo.Do(func() {
		base, err := os.MkdirTemp("", "handover-web-")
		if err != nil {
			shared.demoErr = err
			return
		}
		atEnd(func() { os.RemoveAll(base) })
		w, closeAll, err := loadWebDemo(filepath.Join(base, "data"), func(*dataDirectory) serveFlags { return serveFlags{listen: "127.0.0.1:0"} })
		if err != nil {
			shared.demoErr = err
			return
		}
		atEnd(closeAll)
		shared.w = w
	})
	if shared.demoErr != nil {
		t.Fatal(shared.demoErr)
	}
	return shared.w
}

// sharedWeb returns the shared demo world and Chromium.
func sharedWeb(t *testing.T) (*webWorld, context.Context) {
	t.Helper()
	needChromium(t)
	w := sharedDemo(t)
	shared.browser.Do(func() {
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromiumOptions()...)
		ctx, cancelB := chromedp.NewContext(actx)
		atEnd(cancelA)
		atEnd(cancelB)
		if err := chromedp.Run(ctx); err != nil {
			shared.chromiumErr = fmt.Errorf("starting Chromium: %w", err)
			return
		}
		shared.chromium = ctx
	})
	if shared.chromiumErr != nil {
		t.Fatal(shared.chromiumErr)
	}
	return w, shared.chromium
}

// closeShared closes what sharedDemo and sharedWeb opened, last first.
func closeShared() {
	for i := len(shared.closers) - 1; i >= 0; i-- {
		shared.closers[i]()
	}
}

// browser is one Chromium page with its own profile or browser context (so its
// own cookies and storage), watching that no page asks anything of another host.
type browser struct {
	t   *testing.T
	ctx context.Context
	w   *webWorld

	who     string // the user signed in
	mu      sync.Mutex
	outside []string // requests to another host
}

func chromiumOptions() []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 1000))
}

// browser starts a Chromium of its own.
func (w *webWorld) browser(t *testing.T) *browser {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromiumOptions()...)
	ctx, cancelB := chromedp.NewContext(actx)
	return w.watch(t, ctx, func() { cancelB(); cancelA() })
}

// user opens a browser context of its own (its cookies and storage) in a
// running Chromium, as a private window would.
func (w *webWorld) user(t *testing.T, chromium context.Context) *browser {
	t.Helper()
	// chromedp.WithNewBrowserContext opens its tab without a window, which a
	// headless Chromium of today refuses ("no browser is open").
	on := cdp.WithExecutor(chromium, chromedp.FromContext(chromium).Browser)
	id, err := target.CreateBrowserContext().Do(on)
	if err != nil {
		t.Fatalf("a browser context: %v", err)
	}
	tab, err := target.CreateTarget("about:blank").WithBrowserContextID(id).WithNewWindow(true).Do(on)
	if err != nil {
		t.Fatalf("a tab: %v", err)
	}
	ctx, cancel := chromedp.NewContext(chromium, chromedp.WithTargetID(tab))
	return w.watch(t, ctx, func() {
		cancel()
		if err := target.DisposeBrowserContext(id).Do(on); err != nil {
			t.Logf("closing the browser context: %v", err)
		}
	})
}

// watch sets up a browser on ctx: requests to other hosts fail the test, and a
// failed test keeps a screenshot of the page; cancel ends it.
func (w *webWorld) watch(t *testing.T, ctx context.Context, cancel func()) *browser {
	t.Helper()
	b := &browser{t: t, ctx: ctx, w: w}
	// Asked first, so that the directory is removed (when go test keeps no
	// artifacts) only after every browser of the test kept its screenshot.
	artifacts := t.ArtifactDir()
	t.Cleanup(cancel)
	host := strings.TrimPrefix(w.base, "http://")
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err == nil && u.Scheme != "data" && u.Host != host {
				b.mu.Lock()
				b.outside = append(b.outside, e.Request.URL)
				b.mu.Unlock()
			}
		}
	})
	if err := chromedp.Run(ctx, network.Enable()); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// Registered after the cancellations, so it runs before them.
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.outside) > 0 {
			t.Errorf("pages asked other hosts: %v", b.outside)
		}
		if !t.Failed() {
			return
		}
		var png []byte
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		path := filepath.Join(artifacts, "failure-"+b.who+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		t.Logf("screenshot of the page at failure: %s", path)
	})
	return b
}

// run runs browser actions, failing the test with what was being done.
func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) login(user string) {
	b.t.Helper()
	b.who = user
	pw, ok := b.w.passwords[user]
	if !ok {
		b.t.Fatalf("no demo account %s", user)
	}
	b.run("sign in as "+user,
		chromedp.Navigate(b.w.base+"/login"),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, user, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, pw, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=who]`, chromedp.ByQuery),
	)
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s
}

// fetchStatus sends a request from the page (with its session cookie, from its
// origin) and returns the status the server answered.
func (b *browser) fetchStatus(method, path, body string) int {
	b.t.Helper()
	var status int
	js := fmt.Sprintf(`fetch(%q, {method: %q, credentials: "same-origin", redirect: "manual", headers: {"Content-Type": "application/x-www-form-urlencoded"}%s}).then(r => r.status)`,
		path, method, map[bool]string{true: fmt.Sprintf(", body: %q", body), false: ""}[method != "GET"])
	b.run(method+" "+path, chromedp.Evaluate(js, &status, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return status
}

// apiUser is a demo user speaking to the JSON API, for setting up a test's world.
type apiUser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (w *webWorld) api(t *testing.T, user string) *apiUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &apiUser{t: t, base: w.base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	u.do("POST", "/api/v1/login", map[string]string{"name": user, "password": w.passwords[user]}, nil)
	return u
}

func (u *apiUser) do(method, path string, body, out any) {
	u.t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	res, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		u.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			u.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestWebRegistarFindsAndVerifies: a registrar finds a person by an Arabic-script
// name and by a Latin spelling, opens the timeline and verifies an event.
func TestWebRegistrarFindsAndVerifies(t *testing.T) {
	w := startWebDemo(t)
	var p custody.PersonState
	w.api(t, "sdf-registrar").do("GET", "/api/v1/persons/HSK-000150", nil, &p)
	arabic, latin := p.Record.PrimaryName(custody.Arabic), ""
	for _, n := range p.Record.Names {
		if n.Script == custody.Latin && n.Kind == custody.Spelling {
			latin = n.Text
		}
	}
	if latin == "" {
		latin = p.Record.PrimaryName(custody.Latin)
	}
	b := w.browser(t)
	b.login("sdf-registrar")
	// the names in either script, and the Latin one family name first: each search
	// ranks the person among the results and says why
	words := strings.Fields(latin)
	reversed := strings.ToUpper(words[len(words)-1]) + " " + strings.Join(words[:len(words)-1], " ")
	for _, q := range []string{arabic, latin, reversed} {
		b.run("search "+q,
			chromedp.Navigate(w.base+"/persons"),
			chromedp.WaitVisible(`#q`, chromedp.ByQuery),
			chromedp.SendKeys(`#q`, q, chromedp.ByQuery),
			chromedp.Submit(`#q`, chromedp.ByQuery),
			chromedp.WaitVisible(`a[href="/persons/`+p.Record.ID.String()+`"]`, chromedp.ByQuery),
		)
		if why := b.text(`[data-testid=why]`); !strings.HasPrefix(why, "score ") {
			t.Errorf("search %q: the first result says %q, not why it matched", q, why)
		}
	}
	b.run("open the person",
		chromedp.Click(`a[href="/persons/`+p.Record.ID.String()+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=timeline] li`, chromedp.ByQuery),
	)
	if h := b.text(`h1`); !strings.Contains(h, arabic) || !strings.Contains(h, p.Record.PrimaryName(custody.Latin)) {
		t.Errorf("person page heading %q lacks the names %q and %q", h, arabic, p.Record.PrimaryName(custody.Latin))
	}
	b.run("verify the first event",
		chromedp.Click(`[data-testid=timeline] li a.verify`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=verified]`, chromedp.ByQuery),
	)
	if v := b.text(`[data-testid=verified]`); !strings.Contains(v, "Verified") {
		t.Errorf("verification says %q", v)
	}
	b.run("verify the first event in the browser",
		chromedp.Click(`[data-testid=timeline] li button.verify-here`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=verified-here], [data-testid=not-verified-here]`, chromedp.ByQuery),
	)
	if v := b.text(`[data-testid=timeline] li .verdict`); !strings.Contains(v, "Verified in this browser") {
		t.Errorf("verification in the browser says %q", v)
	}
	// Under another log's key the same checkpoint does not verify.
	_, other, err := ledger.GenerateKey(DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	b.run("verify under a key that is not the log's",
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector("[data-vkey]").dataset.vkey = %q`, other), nil),
		chromedp.Click(`[data-testid=timeline] li button.verify-here`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=not-verified-here]`, chromedp.ByQuery),
	)
}

// TestWebMovementHandover: an escort officer builds a manifest and sees the
// separation warning, runs the departure handover; the receiving officer runs the
// arrival handover with one person absent; the dashboard shows the disappearance
// alert.
func TestWebMovementHandover(t *testing.T) {
	w := startWebDemo(t)
	// The transfer is set up through the API: two men and a boy from Hasakah to the
	// Northern Correctional Institution, every safeguard recorded, both sides approved.
	approver, legal, irq := w.api(t, "sdf-transfer-approver"), w.api(t, "sdf-legal-officer"), w.api(t, "irq-transfer-approver")
	pick := func(category string, n int) []custody.PersonState {
		var page custody.PersonPage
		approver.do("GET", "/api/v1/persons?facility=HSK&status=held&category="+category+"&limit=200", nil, &page)
		var out []custody.PersonState
		for _, p := range page.Persons {
			if p.Custody.Transfer == uuid.Nil && len(out) < n {
				out = append(out, p)
			}
		}
		if len(out) < n {
			t.Fatalf("only %d %s at Hasakah free of transfers", len(out), category)
		}
		return out
	}
	men, boy := pick("detainee", 2), pick("minor", 1)[0]
	now := time.Now().UTC().Truncate(time.Second)
	var tr custody.TransferState
	approver.do("POST", "/api/v1/transfers", map[string]any{"occurred_at": now, "transfer": map[string]any{
		"from": "HSK", "to": "NCI", "legal_basis": "bilateral transfer agreement (synthetic)", "ordered_by": "SDF detention directorate",
		"persons": []string{men[0].Record.RegNo, men[1].Record.RegNo, boy.Record.RegNo}}}, &tr)
	for _, tp := range tr.People {
		for _, k := range tp.Required {
			g := map[string]any{"kind": k, "met": true, "finding": "checked for the test"}
			switch k {
			case custody.RiskAssessment:
				g["risk"] = map[string]any{"torture": "no_real_risk", "persecution": "no_real_risk", "death_penalty": "no_real_risk", "monitoring": "ICRC visits after transfer"}
			case custody.ICRCNotified:
				g["interview"] = "held"
			}
			legal.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/safeguards", map[string]any{"occurred_at": now, "persons": []string{tp.RegNo}, "safeguard": g}, nil)
		}
	}
	approver.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/approvals", map[string]any{"occurred_at": now}, nil)
	irq.do("POST", "/api/v1/transfers/"+tr.ID.String()+"/approvals", map[string]any{"occurred_at": now}, nil)

	// The sending facility's commander builds the manifest, naming USF the escort:
	// an escort force sees a transfer only once it escorts one of its movements.
	planner := w.browser(t)
	planner.login("sdf-facility-commander")
	seat := func(p custody.PersonState) string { return `select[data-testid="seat-` + p.Record.RegNo + `"]` }
	planner.run("build the manifest with everyone in one bus",
		chromedp.Navigate(w.base+"/movements/new?transfer="+tr.ID.String()),
		chromedp.WaitVisible(seat(boy), chromedp.ByQuery),
		chromedp.SetValue(`select[name=escort]`, "USF", chromedp.ByQuery),
		chromedp.SetValue(seat(men[0]), "BUS-1", chromedp.ByQuery),
		chromedp.SetValue(seat(men[1]), "BUS-1", chromedp.ByQuery),
		chromedp.SetValue(seat(boy), "BUS-1", chromedp.ByQuery),
		chromedp.Click(`[data-testid=plan]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=manifest-problem]`, chromedp.ByQuery),
	)
	if warning := planner.text(`[data-testid=manifest-problem]`); !strings.Contains(warning, "child "+boy.Record.RegNo+" with unrelated adult") {
		t.Fatalf("the separation warning is missing: %q", warning)
	}
	planner.run("move the boy to his own bus and accept the capacity breach",
		chromedp.SetValue(seat(boy), "BUS-2", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=override-capacity]`, "the boy goes on to the juvenile institution the next day", chromedp.ByQuery),
		chromedp.Click(`[data-testid=plan]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=movement-status]`, chromedp.ByQuery),
	)
	if s := planner.text(`[data-testid=movement-status]`); s != "Planned" {
		t.Fatalf("movement status %q after planning", s)
	}
	movement := ""
	planner.run("read the movement's address", chromedp.Location(&movement))
	if got := planner.fetchStatus("GET", strings.TrimPrefix(movement, w.base)+"/manifest.pdf", ""); got != http.StatusOK {
		t.Errorf("the manifest PDF: %d", got)
	}

	escort := w.browser(t)
	escort.login("usf-escort-commander")
	keys := func(b *browser, from, to string) {
		b.run("open both officers' key files",
			chromedp.SetUploadFiles(`[data-testid=from-key]`, []string{filepath.Join(w.dir, "officers", from)}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=to-key]`, []string{filepath.Join(w.dir, "officers", to)}, chromedp.ByQuery),
			chromedp.WaitVisible(`#from-key-id:not(:empty)`, chromedp.ByQuery),
			chromedp.WaitVisible(`#to-key-id:not(:empty)`, chromedp.ByQuery),
		)
	}
	escort.run("departure: mark everyone present",
		chromedp.Navigate(movement),
		chromedp.Click(`[data-testid=start-handover]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#all-present`, chromedp.ByQuery),
		chromedp.Click(`#all-present`, chromedp.ByQuery),
	)
	if c := escort.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "3 / 3") {
		t.Errorf("head count %q after marking everyone present", c)
	}
	keys(escort, "sdf.key", "usf.key")
	escort.run("departure: sign and record",
		chromedp.Click(`[data-testid=prepare]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=confirm-summary]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=sign-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=tally]`, chromedp.ByQuery),
	)
	if s := escort.text(`[data-testid=movement-status]`); s != "Departed" {
		t.Fatalf("movement status %q after the departure handover", s)
	}
	receiver := w.browser(t)
	receiver.login("irq-facility-commander")
	absent := men[1]
	receiver.run("arrival: one man absent, the others present",
		chromedp.Navigate(movement+"/handover"),
		chromedp.WaitVisible(`[data-testid="absent-`+absent.Record.RegNo+`"]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid="absent-`+absent.Record.RegNo+`"]`, chromedp.ByQuery),
		chromedp.Click(`#all-present`, chromedp.ByQuery),
	)
	if c := receiver.text(`[data-testid=headcount]`); !strings.HasPrefix(c, "2 / 3") {
		t.Errorf("head count %q with one absent", c)
	}
	keys(receiver, "usf.key", "irq.key")
	receiver.run("arrival: sign and record",
		chromedp.Click(`[data-testid=prepare]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=confirm-summary]`, chromedp.ByQuery),
	)
	if s := receiver.text(`[data-testid=confirm-summary]`); !strings.Contains(s, "2 of 3") {
		t.Errorf("confirmation says %q", s)
	}
	receiver.run("arrival: record",
		chromedp.Click(`[data-testid=sign-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=tally]`, chromedp.ByQuery),
	)
	if s := receiver.text(`[data-testid=tally]`); !strings.Contains(s, "1 not handed over") {
		t.Errorf("reconciliation tally %q", s)
	}
	receiver.run("the dashboard shows the alert",
		chromedp.Navigate(w.base+"/"),
		chromedp.WaitVisible(`[data-testid=alert] a[href="/persons/`+absent.Record.ID.String()+`"]`, chromedp.ByQuery),
	)
}

// TestWebArabic: switching to Arabic lays the page out right to left, and the
// dashboard speaks Arabic.
func TestWebArabic(t *testing.T) {
	w := startWebDemo(t)
	var ar map[string]string
	raw, err := os.ReadFile("../../web/locales/ar.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ar); err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	b.login("irq-registrar")
	var dir, lang, direction string
	b.run("switch to Arabic",
		chromedp.Click(`form.lang button[value=ar]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[dir=rtl]`, chromedp.ByQuery),
		chromedp.AttributeValue(`html`, "dir", &dir, nil, chromedp.ByQuery),
		chromedp.AttributeValue(`html`, "lang", &lang, nil, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.body).direction`, &direction),
	)
	if dir != "rtl" || lang != "ar" || direction != "rtl" {
		t.Fatalf("after switching to Arabic: dir=%q lang=%q computed direction=%q", dir, lang, direction)
	}
	// Right to left: the main menu's first entry sits right of its second.
	var first, second float64
	b.run("measure the menu",
		chromedp.Evaluate(`document.querySelectorAll("header nav li")[0].getBoundingClientRect().left`, &first),
		chromedp.Evaluate(`document.querySelectorAll("header nav li")[1].getBoundingClientRect().left`, &second),
	)
	if first <= second {
		t.Errorf("the menu runs left to right: first entry at %v, second at %v", first, second)
	}
	for sel, id := range map[string]string{"h1": "dashboard.title", "#alerts-h": "dashboard.alerts", "#campaigns-h": "dashboard.campaigns", "#fac-h": "dashboard.facilities"} {
		if got := b.text(sel); got != ar[id] {
			t.Errorf("%s says %q, want the Arabic %q", sel, got, ar[id])
		}
	}
	// The choice stays with the user's browser across pages; numbers use Arabic-Indic digits.
	b.run("open the ledger", chromedp.Navigate(w.base+"/ledger"), chromedp.WaitVisible(`[data-testid=ledger-size]`, chromedp.ByQuery))
	if size := b.text(`[data-testid=ledger-size]`); strings.ContainsAny(size, "0123456789") || !strings.ContainsAny(size, "٠١٢٣٤٥٦٧٨٩") {
		t.Errorf("ledger size %q is not written in Arabic-Indic digits", size)
	}
}

// TestWebMonitorRefused: a monitor reaches no page that changes data: the server
// refuses each form page and each write, whatever the menu shows.
func TestWebMonitorRefused(t *testing.T) {
	w := startWebDemo(t)
	reader := w.api(t, "icrc-monitor")
	planned, departed := reader.plannedAndDeparted()
	var incs struct {
		Incidents []custody.IncidentState `json:"incidents"`
	}
	reader.do("GET", "/api/v1/incidents?open=true", nil, &incs)
	var nots struct {
		Notifications []struct {
			ID uuid.UUID `json:"id"`
		} `json:"notifications"`
	}
	reader.do("GET", "/api/v1/notifications?done=false", nil, &nots)
	if planned.ID == uuid.Nil || departed.ID == uuid.Nil || len(incs.Incidents) == 0 || len(nots.Notifications) == 0 {
		t.Fatalf("the demo lacks a planned or departed movement, an open incident or an open notification to try")
	}
	b := w.browser(t)
	b.login("icrc-monitor")
	// What a monitor may see, it sees.
	for _, page := range []string{"/", "/persons", "/movements/" + departed.ID.String(), "/transfers/" + planned.Transfer.String(), "/incidents/" + incs.Incidents[0].ID.String()} {
		if got := b.fetchStatus("GET", page, ""); got != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", page, got)
		}
	}
	tr, mv := planned.Transfer.String(), planned.ID.String()
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/movements/new?transfer=" + tr, ""},
		{"GET", "/movements/" + mv + "/handover", ""},
		{"GET", "/movements/" + departed.ID.String() + "/handover", ""},
		{"GET", "/audit", ""},
		{"POST", "/movements", "transfer=" + tr + "&escort=USF&mode=convoy&planned_departure=2026-12-01T08:00&vehicle-id-0=BUS-9&vehicle-seats-0=40"},
		{"POST", "/transfers/" + tr + "/approvals", "idem=x"},
		{"POST", "/transfers/" + tr + "/safeguards", "kind=medical&met=on&finding=fit&person=" + planned.Manifest[0].Person.String()},
		{"POST", "/transfers/" + tr + "/overrides", "kind=medical&reason=none&person=" + planned.Manifest[0].Person.String()},
		{"POST", "/movements/" + mv + "/handover/draft", "stage=departure"},
		{"POST", "/incidents/" + incs.Incidents[0].ID.String() + "/resolutions", "resolution=found&facility=NCI&person=" + incs.Incidents[0].Persons[0].String()},
		{"POST", "/notifications/" + nots.Notifications[0].ID.String() + "/completions", "outcome=told"},
	} {
		if got := b.fetchStatus(c.method, c.path, c.body); got != http.StatusForbidden {
			t.Errorf("%s %s as a monitor: %d, want 403", c.method, c.path, got)
		}
	}
	// And the pages offer the monitor no such form.
	var forms int
	b.run("count write forms", chromedp.Navigate(w.base+"/transfers/"+tr), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("main form[method=post]").length`, &forms))
	if forms != 0 {
		t.Errorf("the transfer page offers a monitor %d forms that write", forms)
	}
}

// plannedAndDeparted finds, among the movements the user sees, the demo's planned
// one and its departed one.
func (u *apiUser) plannedAndDeparted() (planned, departed custody.MovementState) {
	var ms struct {
		Movements []custody.MovementState `json:"movements"`
	}
	u.do("GET", "/api/v1/movements", nil, &ms)
	for _, m := range ms.Movements {
		switch m.Status {
		case custody.PlannedMovement:
			planned = m
		case custody.DepartedMovement:
			departed = m
		}
	}
	return planned, departed
}
