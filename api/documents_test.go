package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// jsonNames are the JSON names of a struct type's fields, in their order.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// schemaNames are a component schema's properties: the required in their order,
// then the optional ones sorted.
func (d *openAPIDoc) schemaNames(t *testing.T, name string) (required, all []string) {
	t.Helper()
	s, ok := d.at("#/components/schemas/" + name).(map[string]any)
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	for _, r := range s["required"].([]any) {
		required = append(required, r.(string))
	}
	for p := range s["properties"].(map[string]any) {
		all = append(all, p)
	}
	slices.Sort(all)
	if s["additionalProperties"] != false {
		t.Errorf("%s allows fields it does not name: the parser refuses them", name)
	}
	return required, all
}

// TestSignedDocumentSchemas checks the schemas of the signed documents against
// the custody types the server parses (the same fields, in the same order), and
// documents that the code produces against the schemas: a handover drafted with
// custody.EncodeHandover and a control-change document, each then accepted by
// the server. The handover example of the OpenAPI document is kept in
// testdata/handover-document.json.
func TestSignedDocumentSchemas(t *testing.T) {
	d := readOpenAPI(t)
	for name, typ := range map[string]reflect.Type{
		"HandoverDocument":       reflect.TypeFor[custody.HandoverDocument](),
		"ControlChangeDocument":  reflect.TypeFor[custody.ControlDocument](),
		"DocumentOfficer":        reflect.TypeFor[custody.Officer](),
		"HandoverDocumentPerson": reflect.TypeFor[custody.HandoverPerson](),
	} {
		required, all := d.schemaNames(t, name)
		want := jsonNames(typ)
		var wantRequired []string
		for i, n := range want {
			if !strings.Contains(typ.Field(i).Tag.Get("json"), "omitempty") {
				wantRequired = append(wantRequired, n)
			}
		}
		if !slices.Equal(required, wantRequired) {
			t.Errorf("%s: required %v, but %s's fields are %v", name, required, typ, wantRequired)
		}
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Errorf("%s: properties %v, but %s's fields are %v", name, all, typ, want)
		}
	}

	// The example of POST /api/v1/handovers: canonical, and kept as a golden file.
	ex, _ := d.at("#/components/schemas/HandoverBody/properties/document/examples").([]any)
	if len(ex) != 1 {
		t.Fatal("HandoverBody.document has no example")
	}
	doc, err := base64.StdEncoding.DecodeString(ex[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := custody.ParseSignedHandover(doc); err != nil {
		t.Fatalf("the example document is refused: %v\n%s", err, doc)
	}
	golden := filepath.Join("testdata", "handover-document.json")
	if *update {
		os.WriteFile(golden, doc, 0o644)
	}
	if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(doc, want) {
		t.Errorf("the example handover document differs from %s (rerun with -update and review): %v\n%s", golden, err, doc)
	}
	validateDoc := func(schema string, b []byte) error {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		return d.validate("#/components/schemas/"+schema, v)
	}
	if err := validateDoc("HandoverDocument", doc); err != nil {
		t.Errorf("the example document does not match its schema: %v", err)
	}

	// What the schema refuses, the parser refuses.
	for name, bad := range map[string][]byte{
		"unknown field": bytes.Replace(doc, []byte(`"head_count"`), []byte(`"witness": "none", "head_count"`), 1),
		"bad stage":     bytes.Replace(doc, []byte(`"stage": "departure"`), []byte(`"stage": "leaving"`), 1),
		"no place":      bytes.Replace(doc, []byte(`"place": "Hasakah facility, east gate"`), []byte(`"place": ""`), 1),
		"version 2":     bytes.Replace(doc, []byte(`"v": 1`), []byte(`"v": 2`), 1),
		"bad outcome":   bytes.Replace(doc, []byte(`"outcome":"present"`), []byte(`"outcome":"here"`), 1),
	} {
		if bytes.Equal(bad, doc) {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		if validateDoc("HandoverDocument", bad) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, err := custody.ParseHandover(bad); err == nil {
			t.Errorf("%s: the parser accepts it", name)
		}
	}

	// Documents produced by the code, accepted by the server.
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 2, "HSK", nil)
	sdf := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usf := c.registerOfficer("USF", "Lieutenant Dara Sor")
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	tr = c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, regs, buses(1, 5))
	dep := document(mv, custody.Departure, sdf, usf, people(tr), nil, 60)
	if err := validateDoc("HandoverDocument", dep); err != nil {
		t.Errorf("a drafted handover document does not match the schema: %v\n%s", err, dep)
	}
	if status, body := c.handover(dep, sdf.sign(dep), usf.sign(dep)); status != 201 {
		t.Fatalf("the departure handover: %d %s", status, body)
	}

	c2 := newServer(t)
	c2.opsWorld()
	c2.enrol(0, 3, "HSK", nil)
	from, to := c2.registerOfficer("SDF", "Officer Rojhat"), c2.registerOfficer("IRQ", "Officer Karim")
	ctl, err := json.MarshalIndent(custody.ControlDocument{Type: custody.ControlDocumentType, V: 1, ID: storetest.ID("control document"),
		Facility: storetest.ID("HSK"), From: from.side(), To: to.side(), At: t0.Add(20 * time.Minute), Place: "HSK main gate", HeadCount: 3}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := validateDoc("ControlChangeDocument", ctl); err != nil {
		t.Errorf("a control-change document does not match the schema: %v\n%s", err, ctl)
	}
	c2.json("POST", "/api/v1/facilities/HSK/control-changes", map[string]any{"to": "IRQ", "reason": "agreed handover", "occurred_at": at(20),
		"document": ctl, "signatures": []custody.Signature{from.sign(ctl), to.sign(ctl)}}, 201, nil)
	ctlEx, _ := d.at("#/components/schemas/ControlChangeInputBody/properties/document/examples").([]any)
	if len(ctlEx) != 1 {
		t.Fatal("ControlChangeInputBody.document has no example")
	}
	b, _ := base64.StdEncoding.DecodeString(ctlEx[0].(string))
	if _, err := custody.ParseControlDocument(b); err != nil {
		t.Errorf("the example control-change document is refused: %v", err)
	}
}
