package api_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/bulk"
)

// TestExportPersons: each party exports what it may see, and only that; the export
// is audited; encrypted to an age recipient, only its identity reads it; and a
// JSON lines export imports into another deployment as the same records.
func TestExportPersons(t *testing.T) {
	c := newServer(t)
	c.world()
	for n := range 3 {
		c.register(n+1, "HSK")
	}
	c.register(9, "IQ1")

	status, h, b := c.as("SDF").do("GET", "/api/v1/exports/persons?format=csv", nil)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s %s", status, h, b)
	}
	rows, rep, err := bulk.ReadCSV(bytes.NewReader(b), bulk.Options{})
	if err != nil || !rep.OK() || len(rows) != 3 {
		t.Fatalf("SDF's export: %v %+v, %d rows\n%s", err, rep, len(rows), b)
	}
	for _, r := range rows {
		if !strings.HasPrefix(r.Person.RegNo, "HSK-") {
			t.Errorf("SDF exported %s", r.Person.RegNo)
		}
	}
	status, _, b = c.as("IRQ").do("GET", "/api/v1/exports/persons?format=jsonl", nil)
	if status != 200 || bytes.Count(b, []byte("\n")) != 1 {
		t.Fatalf("IRQ's export: %d %s", status, b)
	}

	// Encrypted to a recipient: the bytes are age's, and its identity opens them.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	status, h, b = c.as("SDF").do("GET", "/api/v1/exports/persons?format=jsonl&recipient="+id.Recipient().String(), nil)
	if status != 200 || h.Get("Content-Type") != "application/octet-stream" || !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n")) {
		t.Fatalf("%d %s %.80q", status, h, b)
	}
	if bytes.Contains(b, []byte("Khalil")) {
		t.Fatal("the encrypted export holds a name in clear")
	}
	r, err := age.Decrypt(bytes.NewReader(b), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := age.Decrypt(bytes.NewReader(b), other); err == nil {
		t.Fatal("another identity opened the export")
	}
	status, _, b = c.as("SDF").do("GET", "/api/v1/exports/persons?recipient=age1nope", nil)
	if status != 422 || !strings.Contains(string(b), "query.recipient[0]") {
		t.Fatalf("a bad recipient: %d %s", status, b)
	}

	// The export is in the audit log.
	entries, err := c.db.AuditLog(context.Background(), access.AuditFilter{Action: "export-persons", Limit: 100})
	if err != nil || len(entries) < 3 {
		t.Fatalf("%d audit entries for export-persons: %v", len(entries), err)
	}

	// What was exported imports elsewhere as the same records, ids included.
	d := newServer(t)
	d.world()
	status, b = d.importFile("?facility=HOL", "application/jsonl", string(plain))
	if status != 201 {
		t.Fatalf("re-import: %d %s", status, b)
	}
	exported, _, _ := bulk.ReadJSONL(bytes.NewReader(plain), bulk.Options{})
	for _, e := range exported {
		got := d.person(e.Person.ID.String())
		if got.Record.RegNo != e.Person.RegNo || got.Record.Names[1].Text != e.Person.Names[1].Text {
			t.Errorf("%s came back as %+v", e.Person.RegNo, got.Record)
		}
	}
}
