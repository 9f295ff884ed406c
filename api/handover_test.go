package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// TestHandoverRefusals checks that a handover whose signatures do not hold (forged,
// by an unregistered key, by another party's key, by a revoked key, over bytes
// altered after signing) or that replays an accepted document is refused with a
// problem and records nothing.
func TestHandoverRefusals(t *testing.T) {
	c := newServer(t)
	c.opsWorld()
	regs := c.enrol(0, 3, "HSK", nil)
	sdf := c.registerOfficer("SDF", "Officer Rojhat Amed")
	usf := c.registerOfficer("USF", "Lieutenant Dara Sor")
	irq := c.registerOfficer("IRQ", "Captain Samir Haddad")
	gone := c.registerOfficer("SDF", "Officer Baran Kobani")
	var keys struct{ Keys []custody.OfficerKey }
	c.json("GET", "/api/v1/keys?party=SDF", nil, 200, &keys)
	if len(keys.Keys) != 2 {
		t.Fatalf("SDF keys: %+v", keys.Keys)
	}
	c.json("POST", "/api/v1/keys/"+gone.key.String()+"/revocations", map[string]any{"reason": "the officer left the service", "occurred_at": at(3)}, 201, nil)
	var k custody.OfficerKey
	c.json("GET", "/api/v1/keys/"+gone.key.String(), nil, 200, &k)
	if !k.Revoked || k.RevokeReason != "the officer left the service" {
		t.Fatalf("revoked key %+v", k)
	}
	stranger := newOfficer("SDF", "Officer Unregistered") // never registered

	tr := c.propose(uuid.Nil, "HSK", "IQ1", regs)
	tr = c.safeguardAll(tr.ID, nil)
	c.approveBoth(tr.ID, "SDF", "IRQ")
	mv := c.plan(tr.ID, regs, buses(1, 5))
	dep := document(mv, custody.Departure, sdf, usf, people(tr), nil, 60)

	// as builds the departure document with other officers.
	as := func(from, to custody.Officer) []byte {
		var d custody.HandoverDocument
		json.Unmarshal(dep, &d)
		d.From, d.To = from, to
		b, _ := custody.EncodeHandover(&d)
		return b
	}
	forged := usf.sign(dep)
	forged.Sig = bytes.Clone(forged.Sig)
	forged.Sig[5] ^= 0x40
	otherParty := as(custody.Officer{Party: sdf.party, Name: irq.name, Key: irq.key}, usf.side())
	unregistered := as(stranger.side(), usf.side())
	revoked := as(gone.side(), usf.side())
	altered := bytes.Replace(dep, []byte("gate of departure"), []byte("gate of elsewhere"), 1)
	var indented bytes.Buffer
	json.Indent(&indented, dep, "", "  ")

	for _, tc := range []struct {
		name   string
		doc    []byte
		sigs   []custody.Signature
		status int
		says   string
		loc    string
	}{
		{"forged signature", dep, []custody.Signature{sdf.sign(dep), forged}, 409, "does not verify", "body.signatures"},
		{"signed by the wrong officer", dep, []custody.Signature{sdf.sign(dep), {Key: usf.key, Sig: irq.sign(dep).Sig}}, 409, "does not verify", "body.signatures"},
		{"unregistered key", unregistered, []custody.Signature{stranger.sign(unregistered), usf.sign(unregistered)}, 409, "is not registered", "body.document.from.key"},
		{"another party's key", otherParty, []custody.Signature{irq.sign(otherParty), usf.sign(otherParty)}, 409, "is registered to IRQ, not to SDF", "body.document.from.key"},
		{"another party's officer", as(irq.side(), usf.side()), nil, 409, "given by SDF, not IRQ", "body.document.from.party"},
		{"revoked key", revoked, []custody.Signature{gone.sign(revoked), usf.sign(revoked)}, 409, "was revoked", "body.document.from.key"},
		{"bytes altered after signing", altered, []custody.Signature{sdf.sign(dep), usf.sign(dep)}, 409, "does not verify", "body.signatures"},
		{"document re-encoded", indented.Bytes(), []custody.Signature{sdf.sign(indented.Bytes()), usf.sign(indented.Bytes())}, 422, "not in canonical form", "body.document"},
		{"one signature", dep, []custody.Signature{sdf.sign(dep)}, 422, "exactly two signatures", "body.signatures"},
		{"one officer twice", dep, []custody.Signature{sdf.sign(dep), sdf.sign(dep)}, 409, "no signature by the to officer", "body.signatures"},
		{"short signature", dep, []custody.Signature{sdf.sign(dep), {Key: usf.key, Sig: []byte("short")}}, 422, "64 bytes", "body.signatures[1].sig"},
		{"not a document", []byte(`{"type":"invoice"}`), []custody.Signature{sdf.sign(dep), usf.sign(dep)}, 422, "not a handover document", "body.document"},
		{"trailing data", append(bytes.Clone(dep), []byte(` {}`)...), []custody.Signature{sdf.sign(dep), usf.sign(dep)}, 422, "trailing data", "body.document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigs := tc.sigs
			if sigs == nil {
				sigs = []custody.Signature{sdf.sign(tc.doc), usf.sign(tc.doc)}
			}
			size := c.size()
			status, body := c.handover(tc.doc, sigs...)
			p := problemOf(t, status, body, tc.status, tc.says, tc.loc)
			if enc := base64.StdEncoding.EncodeToString(tc.doc); strings.Contains(string(body), enc[:min(len(enc), 40)]) {
				t.Errorf("the problem echoes the document: %+v", p)
			}
			if c.size() != size {
				t.Fatalf("the refused handover changed the ledger: %d → %d", size, c.size())
			}
		})
	}
	var m custody.MovementState
	c.json("GET", "/api/v1/movements/"+mv.ID.String(), nil, 200, &m)
	if m.Status != custody.PlannedMovement || m.Departure != nil {
		t.Fatalf("after the refusals the movement is %s", m.Status)
	}

	// Accepted once. A retry with the request's Idempotency-Key gets the first
	// answer; so does the same signed document sent again without one.
	sigs := []custody.Signature{sdf.sign(dep), usf.sign(dep)}
	keyed := c.withKey("departure-" + mv.ID.String())
	status, first := keyed.handover(dep, sigs...)
	if status != 201 {
		t.Fatalf("departure: %d %s", status, first)
	}
	size := c.size()
	if status, again := keyed.handover(dep, sigs...); status != 201 || !bytes.Equal(again, first) {
		t.Fatalf("retried departure: %d %s", status, again)
	}
	// The same signed bytes again, without the key: the first receipt, and
	// nothing new is written.
	status, body := c.handover(dep, sigs...)
	if status != 201 || !bytes.Equal(receiptIn(t, body), receiptIn(t, first)) || c.size() != size {
		t.Fatalf("the same handover again: %d %s", status, body)
	}
	// The document with other signature bytes is another request: refused.
	status, body = c.handover(dep, usf.sign(dep), sdf.sign(dep))
	problemOf(t, status, body, 409, "already recorded", "body.document.id")
	// Malformed base64 never reaches the handler.
	status, _, body = c.do("POST", "/api/v1/handovers", `{"document":"%%%","signatures":[]}`)
	if status < 400 || status > 499 {
		t.Errorf("malformed base64: %d %s", status, body)
	}
	if c.size() != size {
		t.Fatalf("a replay changed the ledger: %d → %d", size, c.size())
	}
	c.verifyLedger()
}

// receiptIn returns the receipt of a write's answer, as JSON.
func receiptIn(t *testing.T, body []byte) []byte {
	t.Helper()
	var v struct {
		Receipt json.RawMessage `json:"receipt"`
	}
	if err := json.Unmarshal(body, &v); err != nil || len(v.Receipt) == 0 {
		t.Fatalf("no receipt in %s (%v)", body, err)
	}
	return v.Receipt
}
