package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/handover-project/handover/api"
)

// Signing in and out, and the choice of language.

type loginData struct {
	Name  string
	Next  string
	Error string
}

func (s *site) loginPage(rq *req) error {
	s.render(rq, http.StatusOK, "login", rq.loc.T("login.title"), loginData{Next: safeNext(rq.r.URL.Query().Get("next"))})
	return nil
}

// login signs in through the API and passes its session cookie on to the browser.
func (s *site) login(rq *req) error {
	if err := rq.r.ParseForm(); err != nil {
		return badForm(rq, "form", err.Error())
	}
	name, next := strings.TrimSpace(rq.r.PostForm.Get("name")), safeNext(rq.r.PostForm.Get("next"))
	body := map[string]string{"name": name, "password": rq.r.PostForm.Get("password")}
	_, h, err := rq.api.send(rq.ctx, http.MethodPost, "/api/v1/login", nil, body, "")
	if p, ok := err.(*Problem); ok && (p.Status == http.StatusUnauthorized || p.Status == http.StatusTooManyRequests || p.Status == http.StatusUnprocessableEntity) {
		msg := rq.loc.T("login.refused")
		if p.Status == http.StatusTooManyRequests {
			msg = rq.loc.T("login.too_many")
		}
		s.render(rq, p.Status, "login", rq.loc.T("login.title"), loginData{Name: name, Next: next, Error: msg})
		return nil
	}
	if err != nil {
		return err
	}
	for _, c := range h.Values("Set-Cookie") {
		rq.w.Header().Add("Set-Cookie", c)
	}
	http.Redirect(rq.w, rq.r, next, http.StatusSeeOther)
	return nil
}

func (s *site) logout(rq *req) error {
	_, h, err := rq.api.send(rq.ctx, http.MethodPost, "/api/v1/logout", nil, nil, "")
	if err != nil {
		return err
	}
	for _, c := range h.Values("Set-Cookie") {
		rq.w.Header().Add("Set-Cookie", c)
	}
	http.Redirect(rq.w, rq.r, "/login", http.StatusSeeOther)
	return nil
}

// setLanguage keeps the chosen language in a cookie and returns to the page.
func (s *site) setLanguage(rq *req) error {
	if err := rq.r.ParseForm(); err != nil {
		return badForm(rq, "form", err.Error())
	}
	lang := rq.r.PostForm.Get("lang")
	if !slices.Contains(Languages, lang) {
		return badForm(rq, "lang", "must be one of "+strings.Join(Languages, ", "))
	}
	http.SetCookie(rq.w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.Secure})
	http.Redirect(rq.w, rq.r, safeNext(rq.r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

// safeNext keeps a return address on this server: a path, never another host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

var _ = api.SessionCookie
