// Package web is handover's interface for people: server-rendered HTML pages in
// English and Arabic (html/template, htmx), served at / by `handover serve` beside
// the JSON API.
//
// The pages are a client of the API, called in process with the browser's own
// session (client.go): the API authenticates, authorises by its table, validates,
// audits and records; the pages choose what to show and how. So a page can
// neither show nor change anything the API would refuse to the same user, and a
// monitor who types the address of a form is refused by the server, not merely
// spared the link. Everything the pages need — templates, catalogues, styles,
// scripts — is embedded in the binary; no page asks anything of another host.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/api"
)

//go:embed static
var staticFiles embed.FS

// Config configures the interface.
type Config struct {
	// API is the JSON API's handler: the pages call it in process, and requests
	// for /api/, /log/, /healthz and /openapi.json go to it.
	API    http.Handler
	Logger *slog.Logger
	Now    func() time.Time
	// PublicURL is the address people reach the server at (required; see
	// ParsePublicURL). Every absolute link the interface makes — the QR codes and
	// links printed on manifests — starts with it, never with a request's Host
	// header, which whoever sends the request chooses.
	PublicURL string
	// Origin and Verifier are the log's name and key: the pages check inclusion
	// proofs against checkpoints opened with them.
	Origin   string
	Verifier note.Verifier
	// VerifierKey is the log's public key as text (C2SP vkey): the person page
	// gives it to the browser, which checks checkpoints and proofs itself.
	VerifierKey string
	// Secure marks the language cookie Secure (the server is reached over HTTPS).
	Secure bool
	// OnMissingMessage is called with a message id no catalogue holds; tests fail
	// on it. Default: logged.
	OnMissingMessage func(id string)
}

// site is the interface's state.
type site struct {
	cfg   Config
	log   *slog.Logger
	cats  map[string]*catalogue
	pages *pages
	mux   *http.ServeMux
}

// New returns the handler serving the pages at / and the API under its own paths.
func New(cfg Config) (http.Handler, error) {
	if cfg.API == nil {
		return nil, errors.New("web: Config.API is required")
	}
	u, err := ParsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("web: Config.PublicURL: %w", err)
	}
	cfg.PublicURL = u
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cats, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &site{cfg: cfg, log: cfg.Logger, cats: cats, pages: pg, mux: http.NewServeMux()}
	if s.cfg.OnMissingMessage == nil {
		s.cfg.OnMissingMessage = func(id string) { s.log.Warn("web: no message in the catalogue", "id", id) }
	}
	s.routes()
	return s.mux, nil
}

// routes is the route table of the pages: one line per page or form.
func (s *site) routes() {
	for _, p := range []string{"/api/", "/log/", "GET /healthz", "GET /openapi.json"} {
		s.mux.Handle(p, s.cfg.API)
	}
	static, _ := fs.Sub(staticFiles, "static")
	s.mux.Handle("GET /static/", s.headers(http.StripPrefix("/static/", staticHandler(static))))
	// Browsers ask for /favicon.ico whatever the page says: the icon is an SVG.
	s.mux.Handle("GET /favicon.ico", s.headers(http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently)))

	s.public("GET /login", s.loginPage)
	s.public("POST /login", s.login)
	s.public("POST /language", s.setLanguage)
	s.page("POST /logout", s.logout)

	s.page("GET /{$}", s.dashboard)
	s.page("GET /persons", s.persons)
	s.page("GET /persons/new", s.newPerson)
	s.page("POST /persons", s.registerPerson)
	s.page("GET /persons/{id}", s.person)
	s.page("GET /duplicates", s.duplicates)
	s.page("POST /duplicates/links", s.decidePair("links", "link-persons"))
	s.page("POST /duplicates/distinctions", s.decidePair("distinctions", "distinguish-persons"))
	s.page("GET /persons/{id}/events/{index}/verify", s.verifyEvent)
	s.page("GET /facilities", s.facilities)
	s.page("GET /facilities/{id}", s.facility)

	s.page("GET /campaigns/{id}/plan", s.planPage)
	s.page("POST /campaigns/{id}/plan/accept", s.acceptPlan)

	s.page("GET /transfers", s.transfers)
	s.page("GET /transfers/{id}", s.transfer)
	s.page("POST /transfers/{id}/safeguards", s.recordSafeguard)
	s.page("POST /transfers/{id}/overrides", s.overrideSafeguard)
	s.page("POST /transfers/{id}/approvals", s.approveTransfer)

	s.page("GET /movements", s.movements)
	s.page("GET /movements/new", s.newMovement)
	s.page("POST /movements", s.planMovement)
	s.page("GET /movements/{id}", s.movement)
	s.page("GET /movements/{id}/manifest.pdf", s.manifestPDF)
	s.page("GET /movements/{id}/handover", s.handoverPage)
	s.page("POST /movements/{id}/handover/draft", s.draftHandover)
	s.page("POST /movements/{id}/handover", s.submitHandover)

	s.page("GET /incidents", s.incidents)
	s.page("GET /incidents/{id}", s.incident)
	s.page("POST /incidents/{id}/resolutions", s.resolveIncident)
	s.page("GET /notifications", s.notifications)
	s.page("POST /notifications/{id}/completions", s.completeNotification)
	s.page("GET /ledger", s.ledger)
	s.page("GET /audit", s.audit)

	s.mux.Handle("/", s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := s.request(w, r)
		s.fail(rq, &Problem{Status: http.StatusNotFound, Detail: rq.loc.T("error.not_found_detail"), Local: true})
	})))
}

// req is one browser request being served: who asks, in which language, and the
// API client acting for them.
type req struct {
	w   http.ResponseWriter
	r   *http.Request
	ctx context.Context
	api *client
	loc *Loc
	me  *api.Me // nil on the public pages
	// htmx is set when htmx asked for a fragment rather than a page.
	htmx bool
}

// can reports whether the user's roles grant action somewhere (the API still
// checks it against each resource).
func (rq *req) can(action string) bool { return granted(rq.me, action) }

// granted reports whether a signed-in user's roles grant action somewhere.
func granted(me *api.Me, action string) bool {
	return me != nil && slices.Contains(me.Actions, action)
}

func (s *site) request(w http.ResponseWriter, r *http.Request) *req {
	c := s.cats[pickLang(r)]
	return &req{w: w, r: r, ctx: r.Context(), api: &client{api: s.cfg.API, from: r},
		loc:  &Loc{c: c, missing: s.cfg.OnMissingMessage},
		htmx: r.Header.Get("HX-Request") == "true"}
}

type handler func(rq *req) error

// public serves a page that needs nobody signed in.
func (s *site) public(pattern string, h handler) {
	s.mux.Handle(pattern, s.headers(s.protect(s.utf8Only(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := s.request(w, r)
		if err := h(rq); err != nil {
			s.fail(rq, err)
		}
	})))))
}

// page serves a page for a signed-in user: anybody else is sent to sign in.
func (s *site) page(pattern string, h handler) {
	s.mux.Handle(pattern, s.headers(s.protect(s.utf8Only(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := s.request(w, r)
		var me api.Me
		if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/me", nil, nil, &me, ""); err != nil {
			s.fail(rq, err)
			return
		}
		rq.me = &me
		if err := h(rq); err != nil {
			s.fail(rq, err)
		}
	})))))
}

// protect refuses a state-changing request from another origin.
func (s *site) protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := s.request(w, r)
		s.fail(rq, &Problem{Status: http.StatusForbidden, Detail: rq.loc.T("error.cross_origin"), Local: true})
	}))
	return cop.Handler(next)
}

// contentSecurityPolicy lets pages load only this server's own scripts, styles
// and images (and data: images, for QR codes and charts drawn inline).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func (s *site) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store") // pages show persons' records
		}
		next.ServeHTTP(w, r)
	})
}

// fail answers an error: a sign-in page for a user not signed in, an error page
// (or, for htmx, a fragment) saying what the API refused, or a 500 that says
// nothing of the fault but logs it.
func (s *site) fail(rq *req, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		s.log.ErrorContext(rq.ctx, "web: page failed", "path", rq.r.URL.Path, "err", err)
		p = &Problem{Status: http.StatusInternalServerError, Detail: rq.loc.T("error.internal"), Local: true}
	}
	// The API's refusals of access name its internal actions and ids: the pages
	// say them in the user's words.
	switch {
	case p.Local:
	case p.Status == http.StatusForbidden:
		p = &Problem{Status: p.Status, Detail: rq.loc.T("error.forbidden_detail"), Local: true}
	case p.Status == http.StatusNotFound:
		p = &Problem{Status: p.Status, Detail: rq.loc.T("error.not_found_detail"), Local: true}
	}
	if wantsJSON(rq.r) { // the handover screen's script: it shows the problem in place
		if p.Status == http.StatusUnauthorized { // in the user's words, not the API's
			p = &Problem{Status: p.Status, Title: p.Title, Detail: rq.loc.T("handover.session_ended")}
		}
		if err := jsonProblem(rq, p); err != nil {
			s.log.ErrorContext(rq.ctx, "web: answering a script", "path", rq.r.URL.Path, "err", err)
		}
		return
	}
	if p.Status == http.StatusUnauthorized {
		if rq.htmx {
			rq.w.Header().Set("HX-Redirect", "/login")
			rq.w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next := rq.r.URL.RequestURI()
		if rq.r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(rq.w, rq.r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	if rq.htmx {
		rq.w.Header().Set("HX-Retarget", "#problem")
		rq.w.Header().Set("HX-Reswap", "innerHTML")
		s.fragment(rq, p.Status, "error", "problem", p)
		return
	}
	if s.keepForm(rq, p) {
		return
	}
	s.render(rq, p.Status, "error", statusTitle(rq.loc, p.Status), p)
}

// wantsJSON reports whether a page's script asked for JSON (Accept: application/json)
// rather than a page: it is answered a problem, never a redirect to the sign-in page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func statusTitle(l *Loc, status int) string {
	switch status {
	case http.StatusForbidden:
		return l.T("error.forbidden")
	case http.StatusNotFound:
		return l.T("error.not_found")
	case http.StatusConflict:
		return l.T("error.conflict")
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return l.T("error.invalid")
	case http.StatusTooManyRequests:
		return l.T("error.too_many")
	}
	return l.T("error.title", status)
}

// staticHandler serves the embedded assets; they change only with the binary.
func staticHandler(fsys fs.FS) http.Handler {
	fh := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fh.ServeHTTP(w, r)
	})
}

// back sends the browser to path after a form: 303 for a page, HX-Redirect for htmx.
func back(rq *req, path string) error {
	if rq.htmx {
		rq.w.Header().Set("HX-Redirect", path)
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(rq.w, rq.r, path, http.StatusSeeOther)
	return nil
}

// forbidden is the refusal of a form page whose action the user's roles do not grant.
func forbidden(rq *req, action string) error {
	return &Problem{Status: http.StatusForbidden, Detail: rq.loc.T("error.not_granted", rq.loc.T("action."+action)), Local: true}
}

// badForm is a refusal of a form the page itself could not read.
func badForm(rq *req, field, msg string) error {
	return &Problem{Status: http.StatusBadRequest, Errors: []ProblemItem{{Location: field, Message: msg}}, Local: true}
}
