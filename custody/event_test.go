package custody

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenEvent is one event of each kind whose encoding is fixed by a golden file.
func goldenEvents() map[string]Draft {
	p := testPerson("Golden Person")
	p.RegNo = "HSK-000150"
	p.Names = append(p.Names, Name{Text: "Abu Omar", Script: Latin, Kind: Kunya})
	p.Identifiers = []Identifier{{Kind: ICRCNumber, Value: "SY-000123"}}
	p.Reconstructed = &Provenance{Sources: []string{"camp office ledger photo"}}
	p.Demo = true
	at := time.Date(2026, 1, 21, 9, 30, 0, 0, time.UTC)
	m := func(d Payload, subject string) Draft {
		return Draft{Subject: testID(subject), Party: testID("SDF"), Actor: "registrar-1", OccurredAt: at, Data: d}
	}
	return map[string]Draft{
		"person_registered": m(&PersonRegistered{Person: p, Facility: testID("HSK"), Custodian: testID("SDF")}, "Golden Person"),
		"person_registered_duplicates": m(&PersonRegistered{Person: p, Facility: testID("HSK"), Custodian: testID("SDF"),
			Duplicates: &DuplicateWarning{Candidates: []uuid.UUID{testID("Other Record")}, Reason: "other father and mother; the camp card was compared"}}, "Golden Person"),
		"control_changed": m(&FacilityControlChanged{From: testID("SDF"), To: testID("SYG"), Reason: "withdrawal", Unilateral: true}, "HOL"),
		"risk_set":        m(&FacilityRiskSet{Kind: ControlChangeExpected, By: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), Note: "withdrawal announced"}, "RIV"),
		"person_escaped":  m(&PersonEscaped{Circumstances: "breakout during transfer of control"}, "Golden Person"),
		"key_registered":  m(&KeyRegistered{Party: testID("SDF"), Officer: "Officer Rojhat", PublicKey: bytes.Repeat([]byte{7}, 32)}, "key"),
		"transfer_proposed": m(&TransferProposed{Transfer: Transfer{ID: testID("transfer"), Campaign: testID("campaign"), From: testID("HSK"), To: testID("IQ1"),
			LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Priority: "alleged attacks on Iraqi civilians", Persons: []uuid.UUID{testID("Golden Person")}},
			Sending: testID("SDF"), Receiving: testID("IRQ"), Required: map[string][]SafeguardKind{testID("Golden Person").String(): {Acceptance, RiskAssessment, Medical, Informed, ICRCNotified}}}, "transfer"),
		"safeguard_recorded": m(&SafeguardRecorded{Transfer: testID("transfer"), Safeguard: Safeguard{Kind: RiskAssessment, Met: true, Finding: "no real risk found",
			Evidence: "file RA-2026-0150", Assessor: "legal officer 2", Risk: &Risk{Torture: NoRealRisk, Persecution: NoRealRisk, DeathPenalty: NoRealRisk,
				Assurances: "note verbale 14/2026", Monitoring: "ICRC visits monthly"}}}, "Golden Person"),
		"movement_planned": m(&MovementPlanned{Movement: Movement{ID: testID("movement"), Transfer: testID("transfer"), Escort: testID("USF"), Mode: Convoy,
			Vehicles: []Vehicle{{ID: "bus-1", Kind: "bus", Seats: 40}}, PlannedDeparture: at.Add(time.Hour), Manifest: []Seat{{Person: testID("Golden Person"), Vehicle: "bus-1"}}},
			Breaches: []Breach{{Rule: CapacityRule, Message: "IQ1 is full"}}, Overrides: []ManifestOverride{{Rule: CapacityRule, Reason: "annex opens"}}}, "movement"),
		"handed_over":     m(&HandedOver{Stage: Departure, Document: goldenHandover(), Signatures: []Signature{{Key: testID("key a"), Sig: bytes.Repeat([]byte{1}, 64)}, {Key: testID("key b"), Sig: bytes.Repeat([]byte{2}, 64)}}}, "movement"),
		"person_departed": m(&PersonDeparted{Movement: testID("movement"), Transfer: testID("transfer"), From: testID("HSK"), Escort: testID("USF")}, "Golden Person"),
		"person_linked":   m(&PersonLinked{Other: testID("Other Record"), Reason: "same father and date of birth; photo compared"}, "Golden Person"),
		"person_unlinked": m(&PersonUnlinked{Other: testID("Other Record"), Reason: "linked by mistake"}, "Golden Person"),
		"person_distinct": m(&PersonsDistinct{Other: testID("Other Record"), Reason: "different mothers"}, "Golden Person"),
		"incident_opened": m(&IncidentOpened{Incident{ID: testID("incident"), Type: Discrepancy, Movement: testID("movement"), Persons: []uuid.UUID{testID("Golden Person")}, Description: "absent at arrival"}}, "incident"),
	}
}

// goldenHandover is a handover document in its signed form.
func goldenHandover() []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "handover-v1.json"))
	if err != nil {
		panic(err)
	}
	return b
}

func TestHandoverDocumentGolden(t *testing.T) {
	d := HandoverDocument{Type: HandoverDocumentType, V: 1, ID: testID("document"), Movement: testID("movement"), Stage: Departure,
		From: Officer{Party: testID("SDF"), Name: "Officer Rojhat", Key: testID("key a")}, To: Officer{Party: testID("USF"), Name: "Officer Dale", Key: testID("key b")},
		At: time.Date(2026, 1, 21, 9, 30, 0, 0, time.UTC), Place: "Hasakah gate", HeadCount: 1,
		Persons: []HandoverPerson{{Person: testID("Golden Person"), RegNo: "HSK-000150", Outcome: OutcomePresent}, {Person: testID("Other"), Outcome: OutcomeMedical, Note: "fever"}}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := golden(t, "handover-v1.json", b)
	got, err := ParseHandover(want)
	if err != nil {
		t.Fatal(err)
	}
	if got.Persons[1].Outcome != OutcomeMedical || got.HeadCount != 1 {
		t.Errorf("parsed %+v", got)
	}
}

func FuzzParseHandover(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "handover-v1.json"))
	f.Add(b)
	f.Add([]byte(`{"type":"handover","v":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseHandover(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != Invalid {
				t.Fatalf("refusal is not an invalid *Error: %v", err)
			}
			return
		}
		// What parses is well formed, and parses the same after re-encoding.
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := ParseHandover(again)
		if err != nil {
			t.Fatalf("re-encoded document refused: %v\n%s", err, again)
		}
		if d2.ID != d.ID || len(d2.Persons) != len(d.Persons) || !d2.At.Equal(d.At) {
			t.Fatalf("round trip changed the document")
		}
	})
}

func TestEventGolden(t *testing.T) {
	for name, d := range goldenEvents() {
		t.Run(name, func(t *testing.T) {
			_, b, err := Seal(d, testID("id-"+name), d.OccurredAt.Add(90*time.Second), [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
			if err != nil {
				t.Fatal(err)
			}
			want := golden(t, "event-v1-"+name+".json", b)
			// Past versions must still decode, and re-encode to the same bytes.
			e, err := DecodeEvent(want)
			if err != nil {
				t.Fatal(err)
			}
			again, err := e.MarshalJSON()
			if err != nil || !bytes.Equal(again, want) {
				t.Errorf("round trip: %v\n got %s", err, again)
			}
		})
	}
}

func TestSealRefusesFuture(t *testing.T) {
	d := goldenEvents()["person_escaped"]
	if _, _, err := Seal(d, testID("x"), d.OccurredAt.Add(-time.Hour), [16]byte{}); ErrorCode(err) != Invalid {
		t.Errorf("future occurred_at: %v", err)
	}
}

func TestDecodeEventRefuses(t *testing.T) {
	good, _ := os.ReadFile(filepath.Join("testdata", "event-v1-person_escaped.json"))
	for name, b := range map[string]string{
		"version":  string(bytes.Replace(good, []byte(`"v":1`), []byte(`"v":2`), 1)),
		"type":     string(bytes.Replace(good, []byte(`person.escaped`), []byte(`person.vanished`), 1)),
		"unknown":  string(bytes.Replace(good, []byte(`"v":1`), []byte(`"v":1,"x":1`), 1)),
		"trailing": string(good) + "{}",
		"data":     string(bytes.Replace(good, []byte(`"circumstances"`), []byte(`"circumstance"`), 1)),
		"nonce":    string(bytes.Replace(good, []byte(`"nonce":"`), []byte(`"nonce":"AAAA`), 1)),
	} {
		if _, err := DecodeEvent([]byte(b)); err == nil {
			t.Errorf("%s: accepted %s", name, b)
		}
	}
}

func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "event-v1-*.json"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEvent(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode again to the same event.
		again, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal decoded event: %v", err)
		}
		e2, err := DecodeEvent(again)
		if err != nil {
			t.Fatalf("decode re-encoded event: %v\n%s", err, again)
		}
		b2, _ := e2.MarshalJSON()
		if !bytes.Equal(again, b2) {
			t.Fatalf("encoding not stable:\n%s\n%s", again, b2)
		}
	})
}

// TestEnvelopeMatchesEncodingJSON holds the hand-written envelope encoder to what
// encoding/json writes for the envelope struct, for any actor and times.
func TestEnvelopeMatchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		e := Event{
			ID: testID(rapid.String().Draw(rt, "id")), Type: TypePersonEscaped,
			OccurredAt: time.Unix(rapid.Int64Range(-62135596800, 253402300799).Draw(rt, "occurred"), rapid.Int64Range(0, 999999999).Draw(rt, "ns")).UTC(),
			RecordedAt: time.Unix(rapid.Int64Range(0, 4102444800).Draw(rt, "recorded"), 0).In(time.FixedZone("x", 3600)),
			Actor:      rapid.String().Draw(rt, "actor"),
			Party:      testID("p"), Subject: testID("s"),
			Data: &PersonEscaped{Circumstances: rapid.String().Draw(rt, "circumstances")},
		}
		copy(e.Nonce[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(rt, "nonce"))
		got, err := e.MarshalJSON()
		if err != nil {
			rt.Fatal(err)
		}
		data, _ := json.Marshal(e.Data)
		want, err := json.Marshal(envelope{V: Version, ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
			Actor: e.Actor, Party: e.Party, Subject: e.Subject, Data: data, Nonce: e.Nonce[:]})
		if err != nil {
			rt.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			rt.Fatalf("hand-written envelope differs:\n got %s\nwant %s", got, want)
		}
	})
}

func TestControlDocumentGolden(t *testing.T) {
	d := ControlDocument{Type: ControlDocumentType, V: 1, ID: testID("control document"), Facility: testID("HOL"),
		From: Officer{Party: testID("SDF"), Name: "Officer Rojhat", Key: testID("key a")}, To: Officer{Party: testID("SYG"), Name: "Officer Sami", Key: testID("key b")},
		At: time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC), Place: "al-Hol main gate", HeadCount: 2841}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := golden(t, "control-v1.json", b)
	if got, err := ParseControlDocument(want); err != nil || *got != d {
		t.Errorf("parsed %+v, %v", got, err)
	}
}

func FuzzParseControlDocument(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "control-v1.json"))
	f.Add(b)
	f.Add([]byte(`{"type":"control_change","v":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseControlDocument(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != Invalid {
				t.Fatalf("refusal is not an invalid *Error: %v", err)
			}
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := ParseControlDocument(again)
		if err != nil {
			t.Fatalf("re-encoded document refused: %v\n%s", err, again)
		}
		if d2.ID != d.ID || d2.HeadCount != d.HeadCount || !d2.At.Equal(d.At) || d2.Place != d.Place {
			t.Fatalf("round trip changed the document")
		}
	})
}

// golden compares b with the golden file testdata/name (rewriting it first under
// -update) and returns the file's bytes.
func golden(t *testing.T, name string, b []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("encoding changed:\n got %s\nwant %s", b, want)
	}
	return want
}
