package main

import (
	"bufio"
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

	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/custody"
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
}

func startWebDemo(t *testing.T) *webWorld {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("HANDOVER_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("Chromium is required (HANDOVER_REQUIRE_CHROMIUM is set) but %s is missing: apt-get install chromium", chromiumPath)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium); set HANDOVER_REQUIRE_CHROMIUM=1 to fail instead", chromiumPath)
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := loadDemo(ctx, d, 1, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, err := startServer(d, serveFlags{listen: "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w := &webWorld{base: "http://" + s.Addr(), dir: dir, passwords: map[string]string{}}
	f, err := os.Open(filepath.Join(dir, demoUsersFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && fs[0] != "LOGIN" {
			w.passwords[fs[0]] = fs[3]
		}
	}
	return w
}

// browser is one Chromium with its own profile (so its own cookies), watching
// that no page asks anything of another host.
type browser struct {
	t   *testing.T
	ctx context.Context
	w   *webWorld

	mu      sync.Mutex
	outside []string // requests to another host
}

func (w *webWorld) browser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	b := &browser{t: t, ctx: ctx, w: w}
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
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
		path := filepath.Join(t.ArtifactDir(), "failure.png")
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
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) login(user string) {
	b.t.Helper()
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
	for _, q := range []string{arabic, latin} {
		b.run("search "+q,
			chromedp.Navigate(w.base+"/persons"),
			chromedp.WaitVisible(`#q`, chromedp.ByQuery),
			chromedp.SendKeys(`#q`, q, chromedp.ByQuery),
			chromedp.Submit(`#q`, chromedp.ByQuery),
			chromedp.WaitVisible(`a[href="/persons/`+p.Record.ID.String()+`"]`, chromedp.ByQuery),
		)
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
}
