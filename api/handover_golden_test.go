package api_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// TestHandoverBindingGolden records, for every way a signed handover or a key
// registration fails to bind people and time, the request and the problem it gets
// (testdata/handover-binding/*.txt; go test -run TestHandoverBindingGolden -update
// rewrites them), and checks that each refusal leaves the ledger as it was.
func TestHandoverBindingGolden(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 2, "HSK", nil)
	sdf := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usf := c.registerOfficer("USF", "Lieutenant Dara Sor")
	irq := c.registerOfficer("IRQ", "Captain Samir Haddad")
	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	tr = c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, regs, buses(1, 5))
	dep := document(mv, custody.Departure, sdf, usf, people(tr), nil, 60)
	depDoc, _ := custody.ParseHandover(dep)
	arr := document(mv, custody.Arrival, usf, irq, people(tr), nil, 200)
	arrDoc, _ := custody.ParseHandover(arr)
	labels := map[string]string{mv.ID.String(): "<movement>", tr.ID.String(): "<transfer>",
		depDoc.ID.String(): "<departure document>", arrDoc.ID.String(): "<arrival document>"}
	for _, tp := range tr.People {
		labels[tp.Person.String()] = "<person " + tp.RegNo + ">"
	}

	edit := func(b []byte, f func(d *custody.HandoverDocument)) []byte {
		d, err := custody.ParseHandover(b)
		if err != nil {
			t.Fatal(err)
		}
		f(d)
		out, err := custody.EncodeHandover(d)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	type handoverCase struct {
		name   string
		doc    []byte
		by     [2]officer
		status int
	}
	run := func(tc handoverCase) {
		t.Run(tc.name, func(t *testing.T) {
			size := c.size()
			status, body := c.handover(tc.doc, tc.by[0].sign(tc.doc), tc.by[1].sign(tc.doc))
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if c.size() != size {
				t.Fatalf("the refused handover changed the ledger: %d → %d", size, c.size())
			}
			req := fmt.Sprintf("POST /api/v1/handovers\nsigned by: %s (%s), %s (%s)\ndocument:\n%s", tc.by[0].name, tc.by[0].key, tc.by[1].name, tc.by[1].key, tc.doc)
			bindingGolden(t, tc.name, req, status, body, labels)
		})
	}
	for _, tc := range []handoverCase{
		{"name-not-the-keys", edit(dep, func(d *custody.HandoverDocument) { d.From.Name = "Colonel Someone Else" }), [2]officer{sdf, usf}, 409},
		{"duplicate-key", bytes.Replace(dep, []byte(`"stage": "departure",`), []byte(`"stage": "arrival", "stage": "departure",`), 1), [2]officer{sdf, usf}, 422},
		{"unknown-field", bytes.Replace(dep, []byte(`"head_count"`), []byte(`"witness": "none", "head_count"`), 1), [2]officer{sdf, usf}, 422},
		{"not-canonical", bytes.Replace(dep, []byte("\n}\n"), []byte("}"), 1), [2]officer{sdf, usf}, 422},
		{"in-the-future", edit(dep, func(d *custody.HandoverDocument) { d.At = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC) }), [2]officer{sdf, usf}, 422},
	} {
		run(tc)
	}

	// The attack: an IRQ administrator registers an IRQ key under the USF
	// officer's name, to sign both sides. Refused; so is an account of another party.
	forged := newOfficer("IRQ", "lieutenant dara  sor")
	for _, tc := range []struct {
		name, as string
		body     map[string]any
		status   int
	}{
		{"key-name-of-another-party", "IRQ", map[string]any{"party": "IRQ", "officer": forged.name, "public_key": forged.pub(), "occurred_at": at(3)}, 409},
		{"key-account-of-another-party", "IRQ", map[string]any{"party": "IRQ", "officer": "Officer Rami Nasr", "user": officerName("SDF"),
			"public_key": newOfficer("IRQ", "Officer Rami Nasr").pub(), "occurred_at": at(3)}, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := c.size()
			status, _, body := c.as(tc.as).do("POST", "/api/v1/keys", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if c.size() != size {
				t.Fatalf("the refused registration changed the ledger: %d → %d", size, c.size())
			}
			req, _ := json.MarshalIndent(tc.body, "", "  ")
			bindingGolden(t, tc.name, "POST /api/v1/keys as "+tc.as+"\n"+string(req)+"\n", status, body, labels)
		})
	}

	if status, body := c.handover(dep, sdf.sign(dep), usf.sign(dep)); status != 201 {
		t.Fatalf("departure: %d %s", status, body)
	}
	run(handoverCase{"arrival-before-departure", edit(arr, func(d *custody.HandoverDocument) { d.At = time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC) }), [2]officer{usf, irq}, 409})
	run(handoverCase{"arrival-at-departure-time", edit(arr, func(d *custody.HandoverDocument) { d.At = depDoc.At }), [2]officer{usf, irq}, 409})
	if status, body := c.handover(arr, usf.sign(arr), irq.sign(arr)); status != 201 {
		t.Fatalf("arrival: %d %s", status, body)
	}
}

// pub is the officer's public key.
func (o officer) pub() []byte { return o.priv.Public().(ed25519.PublicKey) }

// serverTime is the server's clock in a refusal's detail, which changes run to run.
var serverTime = regexp.MustCompile(`server time [0-9TZ:-]+`)

// bindingGolden compares a request and its problem with a golden file, after
// replacing run-dependent identifiers by their labels.
func bindingGolden(t *testing.T, name, req string, status int, body []byte, labels map[string]string) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	got := fmt.Sprintf("%s\n→ %d\n%s\n", req, status, pretty.String())
	for id, l := range labels {
		got = strings.ReplaceAll(got, id, l)
	}
	got = serverTime.ReplaceAllString(got, "server time <now>")
	path := filepath.Join("testdata", "handover-binding", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
