package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds each page's template: the layout with the page's own "content",
// and every fragment ("frag-…") htmx asks for.
type pages struct {
	byName map[string]*template.Template
}

// view is what every template gets: the language, the user, which menu entry is
// current, the page's title and its own data.
type view struct {
	L     *Loc
	Me    *api.Me
	Nav   string
	Title string
	Data  any
}

// Can reports whether the user's roles grant action, for showing a form or not
// (the server refuses it anyway).
func (v view) Can(action string) bool { return granted(v.Me, action) }

var funcs = template.FuncMap{
	"join": strings.Join,
	// dict builds a map for passing several values to a sub-template.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"pct": func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return min(100, n*100/of)
	},
	"str":  func(v any) string { return fmt.Sprint(v) },
	"list": func(xs ...string) []string { return xs },
	// safeguards names safeguards in the user's words.
	"safeguards": safeguardList,
	"int":        func(v uint64) int { return int(v) },
	// set reports whether an id is given (not the nil UUID).
	"set": func(id uuid.UUID) bool { return id != uuid.Nil },
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(funcs)
	var own []string
	for _, n := range names {
		b := path.Base(n)
		if b == "layout.html" || strings.HasPrefix(b, "_") {
			if _, err := base.ParseFS(templateFiles, n); err != nil {
				return nil, err
			}
			continue
		}
		own = append(own, n)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range own {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFiles, n); err != nil {
			return nil, err
		}
		p.byName[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// render writes a whole page: the layout around the page's "content".
func (s *site) render(rq *req, status int, name, title string, data any) {
	s.execute(rq, status, name, "layout", title, data)
}

// fragment writes one named template of a page, for htmx to swap in.
func (s *site) fragment(rq *req, status int, page, name string, data any) {
	s.execute(rq, status, page, name, "", data)
}

func (s *site) execute(rq *req, status int, page, tmpl, title string, data any) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.log.ErrorContext(rq.ctx, "web: no such page template", "page", page)
		http.Error(rq.w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{L: rq.loc, Me: rq.me, Nav: page, Title: title, Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, v); err != nil {
		s.log.ErrorContext(rq.ctx, "web: template failed", "page", page, "template", tmpl, "err", err)
		http.Error(rq.w, rq.loc.T("error.internal"), http.StatusInternalServerError)
		return
	}
	rq.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	rq.w.WriteHeader(status)
	rq.w.Write(buf.Bytes())
}
