package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A form refused without JavaScript (a plain POST, not htmx) is shown again on
// its own page, as typed, each message beside the field at fault: what htmx and
// app.js do in the browser, done here. The page is served again for the same
// user (formPage), and its form filled in with what was posted.

// keptStatuses are the refusals that keep the form: the request was read and
// found wanting. Other refusals (not allowed, not found) show the error page.
var keptStatuses = []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity}

// keepForm answers a refused plain form POST with its page, the form as typed
// and the problem in it, and reports whether it did.
func (s *site) keepForm(rq *req, p *Problem) bool {
	if rq.r.Method != http.MethodPost || rq.htmx || !slices.Contains(keptStatuses, p.Status) {
		return false
	}
	if rq.r.PostForm == nil {
		return false // the page could not read the form
	}
	for k, vs := range rq.r.PostForm {
		if !utf8.ValidString(k) || slices.ContainsFunc(vs, func(v string) bool { return !utf8.ValidString(v) }) {
			return false // utf8Only's refusal: nothing of it is sent back
		}
	}
	from := formPage(rq.r)
	if from == "" {
		return false
	}
	page, err := s.pageFor(rq.ctx, rq.r, from)
	if err != nil {
		s.log.WarnContext(rq.ctx, "web: a refused form's page", "page", from, "err", err)
		return false
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return false
	}
	form := findForm(doc, rq.r.URL.Path)
	if form == nil {
		return false
	}
	fillForm(form, rq.r.PostForm)
	markProblem(form, p.Lines(rq.loc), p.Status)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		return false
	}
	rq.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	rq.w.WriteHeader(p.Status)
	rq.w.Write(out.Bytes())
	return true
}

// formPage is the page a form was sent from: the page its "next" field returns
// to, when it has one, else the address above the form's ("/transfers/x" for
// "/transfers/x/safeguards").
func formPage(r *http.Request) string {
	if next := r.PostForm.Get("next"); next != "" {
		return safeNext(next)
	}
	dir := path.Dir(r.URL.Path)
	if dir == "/" || dir == "." {
		return ""
	}
	return dir
}

// pageFor serves page again for the user of r (their cookies and language) and
// returns it, if it is a page.
func (s *site) pageFor(ctx context.Context, r *http.Request, page string) ([]byte, error) {
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return nil, err
	}
	get.Host, get.RemoteAddr = r.Host, r.RemoteAddr
	for _, h := range []string{"Cookie", "Accept-Language", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto"} {
		if v, ok := r.Header[h]; ok {
			get.Header[h] = v
		}
	}
	rec := &recorded{header: http.Header{}, status: http.StatusOK}
	s.mux.ServeHTTP(rec, get)
	if rec.status != http.StatusOK || !strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
		return nil, fmt.Errorf("%s answered %d %s", page, rec.status, rec.header.Get("Content-Type"))
	}
	return rec.body.Bytes(), nil
}

// recorded is a response kept in memory.
type recorded struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorded) Header() http.Header { return r.header }
func (r *recorded) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}
func (r *recorded) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

func nodeAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setNodeAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func dropNodeAttr(n *html.Node, key string) {
	n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// eachElement calls f on n and every element under it, in document order, until f
// returns false.
func eachElement(n *html.Node, f func(*html.Node) bool) bool {
	if n.Type == html.ElementNode && !f(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !eachElement(c, f) {
			return false
		}
	}
	return true
}

// findForm is the form that posts to action.
func findForm(doc *html.Node, action string) *html.Node {
	var found *html.Node
	eachElement(doc, func(n *html.Node) bool {
		if n.DataAtom == atom.Form {
			if a, _ := nodeAttr(n, "action"); a == action {
				found = n
				return false
			}
		}
		return true
	})
	return found
}

// fillForm puts the posted values back into the form's fields. Hidden fields
// keep the page's values (a new idempotency key: the corrected form is a new
// request), and passwords and files are never sent back.
func fillForm(form *html.Node, posted url.Values) {
	seen := map[string]int{} // how many fields of a name were filled
	eachElement(form, func(n *html.Node) bool {
		name, ok := nodeAttr(n, "name")
		if !ok {
			return true
		}
		values, sent := posted[name]
		switch n.DataAtom {
		case atom.Input:
			typ, _ := nodeAttr(n, "type")
			switch strings.ToLower(typ) {
			case "hidden", "password", "file", "submit", "button", "reset", "image":
			case "checkbox", "radio":
				v, ok := nodeAttr(n, "value")
				if !ok {
					v = "on"
				}
				if slices.Contains(values, v) {
					setNodeAttr(n, "checked", "")
				} else {
					dropNodeAttr(n, "checked")
				}
			default:
				if sent {
					i := seen[name]
					seen[name]++
					if i < len(values) {
						setNodeAttr(n, "value", values[i])
					}
				}
			}
		case atom.Textarea:
			if sent {
				i := seen[name]
				seen[name]++
				if i < len(values) {
					for c := n.FirstChild; c != nil; c = n.FirstChild {
						n.RemoveChild(c)
					}
					n.AppendChild(&html.Node{Type: html.TextNode, Data: values[i]})
				}
			}
		case atom.Select:
			if sent {
				eachElement(n, func(o *html.Node) bool {
					if o.DataAtom == atom.Option {
						v, ok := nodeAttr(o, "value")
						if !ok {
							v = strings.TrimSpace(nodeText(o))
						}
						if slices.Contains(values, v) {
							setNodeAttr(o, "selected", "")
						} else {
							dropNodeAttr(o, "selected")
						}
					}
					return true
				})
			}
		}
		return true
	})
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// markProblem says the problem in the form, as app.js does after htmx: each
// line naming a visible field beside it (the field aria-invalid, the message
// named by its aria-describedby), the others in a box at the form's head.
func markProblem(form *html.Node, lines []problemLine, status int) {
	formID, _ := nodeAttr(form, "id")
	if formID == "" {
		formID = "f"
	}
	var rest []problemLine
	for i, l := range lines {
		field := l.Field
		var el *html.Node
		if field != "" {
			eachElement(form, func(n *html.Node) bool {
				if name, _ := nodeAttr(n, "name"); name == field && (n.DataAtom == atom.Input || n.DataAtom == atom.Select || n.DataAtom == atom.Textarea) {
					if typ, _ := nodeAttr(n, "type"); typ != "hidden" {
						el = n
						return false
					}
				}
				return true
			})
		}
		if el == nil {
			rest = append(rest, l)
			continue
		}
		id := fmt.Sprintf("err-%s-%s-%d", formID, field, i)
		msg := &html.Node{Type: html.ElementNode, Data: "span", DataAtom: atom.Span, Attr: []html.Attribute{
			{Key: "class", Val: "field-error"}, {Key: "id", Val: id}, {Key: "data-testid", Val: "field-error-" + field}}}
		msg.AppendChild(&html.Node{Type: html.TextNode, Data: l.Text})
		setNodeAttr(el, "aria-invalid", "true")
		setNodeAttr(el, "aria-describedby", id)
		after := el
		for p := el.Parent; p != nil && p != form; p = p.Parent {
			if p.DataAtom == atom.Label {
				after = p
				break
			}
		}
		after.Parent.InsertBefore(msg, after.NextSibling)
	}
	if len(rest) == 0 {
		return
	}
	box := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{
		{Key: "class", Val: "form-problem"}, {Key: "role", Val: "alert"}}}
	prob := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{
		{Key: "class", Val: "problem"}, {Key: "data-status", Val: fmt.Sprint(status)}}}
	ul := &html.Node{Type: html.ElementNode, Data: "ul", DataAtom: atom.Ul}
	for _, l := range rest {
		li := &html.Node{Type: html.ElementNode, Data: "li", DataAtom: atom.Li}
		li.AppendChild(&html.Node{Type: html.TextNode, Data: l.Text})
		ul.AppendChild(li)
	}
	prob.AppendChild(ul)
	box.AppendChild(prob)
	form.InsertBefore(box, form.FirstChild)
}
