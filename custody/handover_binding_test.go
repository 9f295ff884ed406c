package custody

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/google/uuid"
)

// legacyKey registers an officer's key by applying its event without deciding it,
// as a ledger written before the name and account bindings were checked may hold.
func (w *world) legacyKey(name, party string, user uuid.UUID) officer {
	w.tb.Helper()
	h := testID("legacy key:" + name + party)
	priv := ed25519.NewKeyFromSeed(append(h[:], h[:]...))
	pub := priv.Public().(ed25519.PublicKey)
	d := draft(w.meta(), KeyID(pub), testID(party), &KeyRegistered{Party: testID(party), Officer: name, User: user, PublicKey: pub})
	e, b, err := Seal(d, testID("legacy event "+name+party), d.OccurredAt.Add(time.Second), [16]byte{})
	if err != nil {
		w.tb.Fatal(err)
	}
	back, err := DecodeEvent(b)
	if err != nil {
		w.tb.Fatal(err)
	}
	if err := w.s.Apply(&back); err != nil {
		w.tb.Fatal(err)
	}
	w.events = append(w.events, e)
	return officer{name: name, party: testID(party), priv: priv, id: KeyID(pub)}
}

// redate returns doc with its time changed, in canonical form.
func redate(t *testing.T, doc []byte, at time.Time) []byte {
	t.Helper()
	d, err := ParseHandover(doc)
	if err != nil {
		t.Fatal(err)
	}
	d.At = at
	b, err := EncodeHandover(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandoverBindsPeopleAndTime checks that a handover's signatures bind the
// officers named in it and its time: each refusal names what was wrong and
// changes nothing.
func TestHandoverBindsPeopleAndTime(t *testing.T) {
	w := newTransferWorld(t, 2)
	w.safeguards(w.persons)
	w.approve()
	w.plan(w.persons)
	twin := w.legacyKey("officer  ROJHAT", "USF", uuid.Nil)
	acct := testID("account of two parties")
	alpha, beta := w.legacyKey("Officer Alpha", "SDF", acct), w.legacyKey("Officer Beta", "USF", acct)
	size := w.s.Size()
	submit := func(doc []byte, o ...officer) error {
		_, err := w.run(SubmitHandover{Meta: w.meta(), Document: doc, Signatures: sign(doc, o...)})
		return err
	}
	t.Run("ErrNameNotTheKeys", func(t *testing.T) {
		impostor := w.sdf
		impostor.name = "Colonel Someone Else"
		doc := w.document(Departure, impostor, w.usf, nil, w.persons)
		wantCode(t, submit(doc, w.sdf, w.usf), Refused, `key `+w.sdf.id.String()+` was registered for officer "Officer Rojhat"`)
	})
	t.Run("ErrOneNameBothSides", func(t *testing.T) {
		doc := w.document(Departure, w.sdf, twin, nil, w.persons)
		wantCode(t, submit(doc, w.sdf, twin), Refused, "one officer may not give and take")
	})
	t.Run("ErrOneAccountBothSides", func(t *testing.T) {
		doc := w.document(Departure, alpha, beta, nil, w.persons)
		wantCode(t, submit(doc, alpha, beta), Refused, "belong to the same account")
	})
	t.Run("ErrNotCanonical", func(t *testing.T) {
		doc := bytes.Replace(w.document(Departure, w.sdf, w.usf, nil, w.persons), []byte(`"v": 1`), []byte(`"v":1`), 1)
		wantCode(t, submit(doc, w.sdf, w.usf), Invalid, "not in canonical form")
	})
	t.Run("ErrDuplicateKey", func(t *testing.T) {
		doc := bytes.Replace(w.document(Departure, w.sdf, w.usf, nil, w.persons), []byte(`"v": 1,`), []byte(`"v": 1, "v": 1,`), 1)
		wantCode(t, submit(doc, w.sdf, w.usf), Invalid, "document.v: is given twice")
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		doc := bytes.Replace(w.document(Departure, w.sdf, w.usf, nil, w.persons), []byte(`"v": 1,`), []byte(`"v": 1, "witness": "none",`), 1)
		wantCode(t, submit(doc, w.sdf, w.usf), Invalid, `unknown field "witness"`)
	})
	if w.s.Size() != size {
		t.Fatalf("refusals changed the ledger: %d → %d", size, w.s.Size())
	}
	dep := w.document(Departure, w.sdf, w.usf, nil, w.persons)
	if err := submit(dep, w.sdf, w.usf); err != nil {
		t.Fatal(err)
	}
	departed, _ := ParseHandover(dep)
	size = w.s.Size()
	t.Run("ErrArrivalBeforeDeparture", func(t *testing.T) {
		for _, at := range []time.Time{departed.At.AddDate(-7, 0, 0), departed.At} {
			doc := redate(t, w.document(Arrival, w.usf, w.irq, nil, w.persons), at)
			wantCode(t, submit(doc, w.usf, w.irq), Refused, "is not after the departure handover")
		}
	})
	if w.s.Size() != size {
		t.Fatalf("refusals changed the ledger: %d → %d", size, w.s.Size())
	}
	if _, err := w.handover(Arrival, nil, w.persons); err != nil {
		t.Fatal(err)
	}
}

// TestRegisterKeyBindsOfficer checks that an officer's name and account are bound
// to one party: another party cannot register a key in the same name (the issue's
// attack: an administrator registering their party's key under the other side's
// officer's name), nor for the same account.
func TestRegisterKeyBindsOfficer(t *testing.T) {
	w := newTransferWorld(t, 0)
	pub := func(seed string) []byte {
		h := testID(seed)
		return ed25519.NewKeyFromSeed(append(h[:], h[:]...)).Public().(ed25519.PublicKey)
	}
	size := w.s.Size()
	_, err := w.run(RegisterKey{Meta: w.meta(), Party: testID("IRQ"), Officer: " officer   dale ", PublicKey: pub("forged")})
	wantCode(t, err, Refused, `is already the officer of key `+w.usf.id.String()+` of USF`)
	acct := testID("account")
	w.must(RegisterKey{Meta: w.meta(), Party: testID("SDF"), Officer: "Officer Newroz", User: acct, PublicKey: pub("a")})
	_, err = w.run(RegisterKey{Meta: w.meta(), Party: testID("IRQ"), Officer: "Officer Other", User: acct, PublicKey: pub("b")})
	wantCode(t, err, Refused, "an account signs for one party")
	if w.s.Size() != size+1 {
		t.Fatalf("ledger size %d, want %d", w.s.Size(), size+1)
	}
	// The same party may register another key for its officer.
	w.must(RegisterKey{Meta: w.meta(), Party: testID("USF"), Officer: "Officer Dale", PublicKey: pub("second")})
}

// BenchmarkParseHandover compares reading a convoy's document (150 persons) as
// stored (ParseHandover) with reading it for recording (ParseSignedHandover:
// UTF-8, duplicate keys, canonical form): go test ./custody -bench ParseHandover.
func BenchmarkParseHandover(b *testing.B) {
	d := HandoverDocument{Type: HandoverDocumentType, V: 1, ID: testID("doc"), Movement: testID("movement"), Stage: Departure,
		From: Officer{Party: testID("SDF"), Name: "Officer Rojhat", Key: testID("a")}, To: Officer{Party: testID("USF"), Name: "Officer Dale", Key: testID("b")},
		At: t0, Place: "Hasakah gate", HeadCount: 150}
	for i := range 150 {
		d.Persons = append(d.Persons, HandoverPerson{Person: testID(string(rune(i))), RegNo: "HSK-000150", Outcome: OutcomePresent})
	}
	doc, err := EncodeHandover(&d)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct {
		name  string
		parse func([]byte) (*HandoverDocument, error)
	}{{"stored", ParseHandover}, {"signed", ParseSignedHandover}} {
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := p.parse(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
