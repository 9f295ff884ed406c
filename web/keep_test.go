package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"pgregory.net/rapid"
)

// keptPage is a page with two forms; the second is the one refused.
const keptPage = `<!doctype html><html><body><main>
<form method="post" action="/other"><input name="finding" value="other form"></form>
<form method="post" action="/transfers/x/safeguards" id="sg">
<input type="hidden" name="idem" value="fresh-key">
<input type="checkbox" name="person" value="a"><input type="checkbox" name="person" value="b" checked>
<select name="kind"><option value="medical" selected>Medical</option><option value="risk">Risk</option></select>
<label><input type="checkbox" name="met" checked> Met</label>
<textarea name="finding">old</textarea>
<label>Monitoring <input name="monitoring"></label>
<input type="password" name="password">
</form></main></body></html>`

// keep fills the refused form of keptPage with posted and the problem lines,
// and returns the page read back.
func keep(t interface{ Fatal(...any) }, posted url.Values, lines []problemLine) *html.Node {
	doc, err := html.Parse(strings.NewReader(keptPage))
	if err != nil {
		t.Fatal(err)
	}
	form := findForm(doc, "/transfers/x/safeguards")
	if form == nil {
		t.Fatal("the form is not found by its action")
	}
	fillForm(form, posted)
	markProblem(form, lines, http.StatusUnprocessableEntity)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		t.Fatal(err)
	}
	back, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// field is the first element named name in the form posting to action.
func field(doc *html.Node, action, name string) *html.Node {
	var found *html.Node
	eachElement(findForm(doc, action), func(n *html.Node) bool {
		if v, _ := nodeAttr(n, "name"); v == name {
			found = n
			return false
		}
		return true
	})
	return found
}

func has(n *html.Node, key string) bool { _, ok := nodeAttr(n, key); return ok }

func TestKeepForm(t *testing.T) {
	posted := url.Values{"person": {"a"}, "kind": {"risk"}, "finding": {"<b>fit</b> & well"},
		"monitoring": {""}, "password": {"secret"}, "idem": {"spent-key"}}
	doc := keep(t, posted, []problemLine{{Field: "monitoring", Text: "Required: please fill this in."}, {Text: "validation failed"}})
	const action = "/transfers/x/safeguards"
	var people []bool
	eachElement(findForm(doc, action), func(n *html.Node) bool {
		if v, _ := nodeAttr(n, "name"); v == "person" {
			people = append(people, has(n, "checked"))
		}
		return true
	})
	if len(people) != 2 || !people[0] || people[1] {
		t.Errorf("the persons checked: %v, want only the first", people)
	}
	if has(field(doc, action, "met"), "checked") {
		t.Error("met was not posted, and is still checked")
	}
	if got := nodeText(field(doc, action, "finding")); got != "<b>fit</b> & well" {
		t.Errorf("the finding reads %q", got)
	}
	eachElement(field(doc, action, "kind"), func(n *html.Node) bool {
		if v, _ := nodeAttr(n, "value"); n.Data == "option" && has(n, "selected") != (v == "risk") {
			t.Errorf("option %s selected: %v", v, has(n, "selected"))
		}
		return true
	})
	if v, _ := nodeAttr(field(doc, action, "idem"), "value"); v != "fresh-key" {
		t.Errorf("the idempotency key is %q, not the page's new one", v)
	}
	if v, _ := nodeAttr(field(doc, action, "password"), "value"); v != "" {
		t.Errorf("the password came back: %q", v)
	}
	if v, _ := nodeAttr(field(doc, "/other", "finding"), "value"); v != "other form" {
		t.Errorf("the other form was filled too: %q", v)
	}
	mon := field(doc, action, "monitoring")
	if v, _ := nodeAttr(mon, "aria-invalid"); v != "true" {
		t.Errorf("the monitoring field's aria-invalid is %q", v)
	}
	id, _ := nodeAttr(mon, "aria-describedby")
	var msg, box string
	eachElement(doc, func(n *html.Node) bool {
		if v, _ := nodeAttr(n, "id"); v == id && id != "" {
			msg = nodeText(n)
		}
		if v, _ := nodeAttr(n, "class"); v == "form-problem" {
			box = nodeText(n)
		}
		return true
	})
	if msg != "Required: please fill this in." {
		t.Errorf("the message the field names reads %q", msg)
	}
	if strings.TrimSpace(box) != "validation failed" {
		t.Errorf("the form's problem box reads %q, want only the line naming no field", box)
	}
}

// TestKeepFormProperty: whatever was typed comes back exactly as the field's
// value, never as markup of the page.
func TestKeepFormProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		monitoring := rapid.String().Draw(rt, "monitoring")
		finding := rapid.String().Draw(rt, "finding")
		// What HTML itself rewrites in any page: NUL, and carriage returns.
		if !strings.ContainsAny(monitoring+finding, "\x00\r\uFFFD") {
			doc := keep(rt, url.Values{"monitoring": {monitoring}, "finding": {finding}}, nil)
			const action = "/transfers/x/safeguards"
			if v, _ := nodeAttr(field(doc, action, "monitoring"), "value"); v != monitoring {
				rt.Fatalf("monitoring %q came back as %q", monitoring, v)
			}
			if got := nodeText(field(doc, action, "finding")); got != finding {
				rt.Fatalf("finding %q came back as %q", finding, got)
			}
			n := 0
			eachElement(doc, func(e *html.Node) bool {
				if e.Data == "form" {
					n++
				}
				return true
			})
			if n != 2 {
				rt.Fatalf("the page has %d forms after filling in %q and %q", n, monitoring, finding)
			}
		}
	})
}
