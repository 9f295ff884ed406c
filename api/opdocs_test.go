package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/handover-project/handover/storetest"
)

// openAPIDoc is the OpenAPI document the server serves: TestOpenAPIGolden keeps
// testdata/openapi.json equal to it.
type openAPIDoc struct {
	t   *testing.T
	doc map[string]any
	c   *jsonschema.Compiler
}

const docURL = "https://handover.test/openapi.json"

func readOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	d := &openAPIDoc{t: t, doc: v.(map[string]any), c: jsonschema.NewCompiler()}
	d.c.DefaultDraft(jsonschema.Draft2020)
	d.c.AssertFormat()
	d.c.AssertContent()
	if err := d.c.AddResource(docURL, v); err != nil {
		t.Fatal(err)
	}
	return d
}

// at is the value at a JSON pointer of the document.
func (d *openAPIDoc) at(ptr string) any {
	var cur any = d.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[tok]
	}
	return cur
}

// validate checks v against the schema at ptr.
func (d *openAPIDoc) validate(ptr string, v any) error {
	s, err := d.c.Compile(docURL + ptr)
	if err != nil {
		return fmt.Errorf("compiling %s: %w", ptr, err)
	}
	return s.Validate(v)
}

// operation is one operation of the document and where it is.
type operation struct {
	id, method, path, ptr string
	op                    map[string]any
}

func (d *openAPIDoc) operations() []operation {
	var ops []operation
	for p, item := range d.doc["paths"].(map[string]any) {
		for m, o := range item.(map[string]any) {
			op, ok := o.(map[string]any)
			if !ok || op["operationId"] == nil {
				continue
			}
			ops = append(ops, operation{id: op["operationId"].(string), method: strings.ToUpper(m), path: p,
				ptr: "#/paths/" + pointer(p) + "/" + m, op: op})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	return ops
}

// TestOperationDocs fails when an operation lacks a description of its own, or
// a request or response body lacks an example, or an example does not match its
// schema, or a text field of a schema has no example.
func TestOperationDocs(t *testing.T) {
	d := readOpenAPI(t)
	ops := d.operations()
	if len(ops) < 80 {
		t.Fatalf("only %d operations: the document was not read", len(ops))
	}
	for _, o := range ops {
		desc, _ := o.op["description"].(string)
		first, _, _ := strings.Cut(desc, "\n\n")
		if len(first) < 40 || strings.HasPrefix(first, "**") {
			t.Errorf("%s (%s %s): no description of its own: %q", o.id, o.method, o.path, first)
		}
		if !strings.HasPrefix(o.path, "/api/v1/") {
			continue
		}
		if sec, _ := o.op["security"].([]any); len(sec) > 0 && !strings.Contains(desc, "**Who may call it:**") {
			t.Errorf("%s: the description does not say who may call it", o.id)
		}
		if m := o.method; (m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") && !strings.Contains(desc, "**Retries:**") {
			t.Errorf("%s: a write whose description does not say how it is retried", o.id)
		}
	}

	examples := 0
	checkContent := func(where, ptr string, content map[string]any) {
		for ct, m := range content {
			mt := m.(map[string]any)
			mptr := ptr + "/content/" + pointer(ct)
			var vals []any
			if ex, ok := mt["example"]; ok {
				vals = append(vals, ex)
			}
			if exs, ok := mt["examples"].(map[string]any); ok {
				for _, e := range exs {
					e := e.(map[string]any)
					if ref, ok := e["$ref"].(string); ok {
						e, _ = d.at(ref).(map[string]any)
						if e == nil {
							t.Errorf("%s %s: example %s does not resolve", where, ct, ref)
							continue
						}
					}
					vals = append(vals, e["value"])
				}
			}
			if s, ok := mt["schema"].(map[string]any); ok && len(vals) == 0 {
				if ex, ok := s["examples"].([]any); ok {
					vals = append(vals, ex...)
				}
			}
			if len(vals) == 0 {
				t.Errorf("%s %s: no example", where, ct)
				continue
			}
			if _, ok := mt["schema"]; !ok {
				continue
			}
			for _, v := range vals {
				examples++
				if s, ok := v.(string); ok && !strings.Contains(ct, "json") {
					_ = s // a text or binary body: its example is text, and its schema a string
				}
				if !strings.Contains(ct, "json") {
					continue
				}
				if err := d.validate(mptr+"/schema", v); err != nil {
					t.Errorf("%s %s: the example does not match the schema: %v", where, ct, err)
				}
			}
		}
	}
	for _, o := range ops {
		if rb, ok := o.op["requestBody"].(map[string]any); ok {
			content, _ := rb["content"].(map[string]any)
			checkContent(o.id+" request", o.ptr+"/requestBody", content)
		}
		for status, r := range o.op["responses"].(map[string]any) {
			content, _ := r.(map[string]any)["content"].(map[string]any)
			checkContent(o.id+" "+status, o.ptr+"/responses/"+status, content)
		}
	}
	t.Logf("%d body examples checked against their schemas", examples)

	// Every parameter has an example, which matches its schema.
	params := 0
	for _, o := range ops {
		list, _ := o.op["parameters"].([]any)
		for i, p := range list {
			p := p.(map[string]any)
			where := fmt.Sprintf("%s %s.%s", o.id, p["in"], p["name"])
			s, _ := p["schema"].(map[string]any)
			ex, ok := p["example"]
			if !ok {
				if exs, _ := s["examples"].([]any); len(exs) > 0 {
					ex, ok = exs[0], true
				} else if enum, _ := s["enum"].([]any); len(enum) > 0 {
					ex, ok = enum[0], true
				}
			}
			if !ok {
				t.Errorf("%s: no example", where)
				continue
			}
			params++
			if err := d.validate(fmt.Sprintf("%s/parameters/%d/schema", o.ptr, i), ex); err != nil {
				t.Errorf("%s: the example %v does not match the schema: %v", where, ex, err)
			}
		}
	}
	t.Logf("%d parameter examples checked", params)

	// Every example a schema carries matches it, and every text field has one.
	schemas := d.doc["components"].(map[string]any)["schemas"].(map[string]any)
	fields := 0
	for name, s := range schemas {
		d.walkSchema(t, "#/components/schemas/"+pointer(name), name, s.(map[string]any), &fields)
	}
	t.Logf("%d schema examples checked", fields)
}

// walkSchema checks the examples of a schema and its properties, and that every
// text property has an example, an enumeration or a format.
func (d *openAPIDoc) walkSchema(t *testing.T, ptr, name string, s map[string]any, n *int) {
	if exs, ok := s["examples"].([]any); ok {
		for _, ex := range exs {
			*n++
			if err := d.validate(ptr, ex); err != nil {
				t.Errorf("%s: example %v does not match the schema: %v", name, ex, err)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for p, v := range props {
		ps := v.(map[string]any)
		d.walkSchema(t, ptr+"/properties/"+pointer(p), name+"."+p, ps, n)
		if isText(ps) && ps["examples"] == nil {
			t.Errorf("%s.%s: a text field with no example", name, p)
		}
		if items, ok := ps["items"].(map[string]any); ok {
			d.walkSchema(t, ptr+"/properties/"+pointer(p)+"/items", name+"."+p+"[]", items, n)
			if isText(items) && items["examples"] == nil && ps["examples"] == nil {
				t.Errorf("%s.%s: a list of text with no example", name, p)
			}
		}
	}
}

// isText says a schema is of free text: a string with no enumeration, format or
// encoding to give its example.
func isText(s map[string]any) bool {
	typ := s["type"]
	if l, ok := typ.([]any); ok && slices.Contains(l, any("string")) {
		typ = "string"
	}
	return typ == "string" && s["enum"] == nil && s["format"] == nil && s["contentEncoding"] == nil && s["const"] == nil
}

// enumNames are the names of fields and parameters that take one of a fixed set of
// values the server checks: each must state its enumeration, on itself or on its
// items, unless it is one of enumExceptions.
var enumNames = []string{"sex", "category", "categories", "status", "precision", "flag", "flags", "format", "stage",
	"outcome", "kind", "mode", "rule", "resolution", "script", "interview", "how", "role", "roles", "type", "scope", "finding"}

// enumExceptions are fields of those names that are free text, and why.
var enumExceptions = map[string]string{
	"Vehicle.kind":                          "what the vehicle is, in words: bus, truck, C-130…",
	"Safeguard.finding":                     "what the safeguard found, in words",
	"CompleteNotificationInputBody.outcome": "what was done and with what result, in words",
	"NotificationView.outcome":              "what was done and with what result, in words",
	"ProblemDetails.type":                   "a URI: the code's documentation",
}

// TestEnumerationsDocumented fails when a field or parameter named like an
// enumeration has a free string for its schema.
func TestEnumerationsDocumented(t *testing.T) {
	d := readOpenAPI(t)
	checked := 0
	check := func(where string, s map[string]any) {
		if s == nil {
			return
		}
		if items, ok := s["items"].(map[string]any); ok {
			s = items
		}
		if !isText(s) {
			return
		}
		checked++
		if reason, ok := enumExceptions[where]; ok {
			t.Logf("%s: free text: %s", where, reason)
			return
		}
		t.Errorf("%s: takes a fixed set of values but its schema has no enum", where)
	}
	var walk func(where string, s map[string]any)
	walk = func(where string, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for p, v := range props {
			ps := v.(map[string]any)
			if slices.Contains(enumNames, p) {
				check(where+"."+p, ps)
			}
			walk(where+"."+p, ps)
		}
	}
	for name, s := range d.doc["components"].(map[string]any)["schemas"].(map[string]any) {
		walk(name, s.(map[string]any))
	}
	for _, o := range d.operations() {
		params, _ := o.op["parameters"].([]any)
		for _, p := range params {
			p := p.(map[string]any)
			if slices.Contains(enumNames, p["name"].(string)) {
				s, _ := p["schema"].(map[string]any)
				check(o.id+" "+p["in"].(string)+"."+p["name"].(string), s)
			}
		}
	}
	t.Logf("%d fields and parameters named like enumerations", checked)
}

// TestNestedRequired sends a person's record without each field the document
// says is required: each is refused at the field (422), and nothing is written.
func TestNestedRequired(t *testing.T) {
	c := newServer(t)
	c.world()
	d := readOpenAPI(t)
	req, _ := d.at("#/components/schemas/Person/required").([]any)
	if len(req) == 0 {
		t.Fatal("the Person schema requires nothing")
	}
	for _, f := range req {
		f := f.(string)
		p := personJSON(storetest.Person(1))
		delete(p, f)
		size := c.size()
		status, _, body := c.as("SDF").do("POST", "/api/v1/persons", map[string]any{"person": p, "facility": "HSK", "occurred_at": at(5)})
		var pr struct {
			Code   string
			Errors []struct{ Location, Message string }
		}
		json.Unmarshal(body, &pr)
		if status != 422 || pr.Code != "invalid" || len(pr.Errors) == 0 || pr.Errors[0].Location != "body.person."+f {
			t.Errorf("a person without %s: %d %s", f, status, body)
		}
		if c.size() != size {
			t.Errorf("a person without %s changed the ledger", f)
		}
	}
}
