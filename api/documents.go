package api

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The signed documents. A handover (POST /api/v1/handovers) and a signed control
// change (POST /api/v1/facilities/{id}/control-changes) carry a document's exact
// bytes, base64, and two officers' Ed25519 signatures over those bytes. The
// document's form is custody.HandoverDocument's or custody.ControlDocument's
// JSON; the types below state it in the OpenAPI document (components
// HandoverDocument, ControlChangeDocument), and TestSignedDocumentSchemas checks
// that they have the custody types' fields, in their order, and that documents the
// code produces match them.

const handoverDocumentDoc = "The document two officers sign at a handover, whose exact bytes, base64, are `document` of POST /api/v1/handovers. " +
	"Every byte is signed: each officer signs the whole document (Ed25519 over the bytes themselves, not over their base64), " +
	"and the ledger stores the bytes as they were signed.\n\n" +
	"**Producing the bytes.** Only the canonical form is accepted: the fields in the order of this schema " +
	"(type, v, id, movement, stage, from, to, at, place, head_count, persons), each officer's in the order party, name, key, " +
	"each person's in the order person, reg_no, outcome, note, with reg_no and note left out when empty; " +
	"each value as Go's encoding/json writes it (strings with `<`, `>` and `&` escaped as \\u003c, \\u003e and \\u0026; " +
	"`at` in RFC 3339 with its offset, Z for UTC, and fractions of a second only when not zero, without trailing zeros), " +
	"indented by two spaces, except that the persons array has one compact person object per line, indented by four; and a final newline. " +
	"`handover handover draft` and the web interface write exactly this; any other spelling of the same values " +
	"(spacing, key order, escapes, number or time forms), a key given twice, a field not in this schema or trailing data is refused (422), " +
	"so that what a reader of the signed bytes sees is what the ledger records.\n\n" +
	"**What is checked.** Both officers' keys are registered to their parties and not revoked, each signature verifies over the bytes, " +
	"the names are the keys' officers', the two officers differ; a departure is signed by the sending party's and the escort's officers, " +
	"an arrival by the escort's and the receiving party's, after the departure; every person is on the movement; a document id is accepted once."

const controlChangeDocumentDoc = "The document an officer of the party giving up control of a facility and an officer of the party taking it sign " +
	"when both are present: its exact bytes, base64, are `document` of POST /api/v1/facilities/{id}/control-changes, with both Ed25519 signatures " +
	"over those bytes (not over their base64). Every byte is signed, and stored as signed.\n\n" +
	"**Producing the bytes.** Any JSON text of one object with these fields, in UTF-8, is accepted as signed (`handover sign` signs the file as it is): " +
	"a key given twice, a field not in this schema, or trailing data after the object is refused (422). " +
	"Writing it as Go's encoding/json does, in this schema's order, indented by two spaces with a final newline, is the convention.\n\n" +
	"**What is checked.** `facility` is the facility of the path; `from.party` controls it; `to.party` is the request's `to`; " +
	"`head_count` is the number of persons the register holds there (a refused 409 otherwise: reconcile the count first); " +
	"the keys, names and signatures as for a handover; a document id is accepted once."

// documentOfficer is custody.Officer: one side of a signed document.
type documentOfficer struct {
	Party uuid.UUID `json:"party" doc:"The officer's party (id)"`
	Name  string    `json:"name" minLength:"1" maxLength:"200" doc:"The officer's name and rank, exactly as registered with their key (POST /api/v1/keys); one line" example:"Officer Rojhat Amed"`
	Key   uuid.UUID `json:"key" doc:"The id of the officer's key, registered to the party; the signature by this key is the officer's"`
}

// handoverDocumentPerson is custody.HandoverPerson: one row of a handover.
type handoverDocumentPerson struct {
	Person  uuid.UUID       `json:"person" doc:"The person (id)"`
	RegNo   string          `json:"reg_no,omitempty" doc:"Their registration number, for the people reading the paper; checked if given" example:"HSK-000150"`
	Outcome custody.Outcome `json:"outcome" doc:"What the handover found: present (and identity confirmed), absent, disputed (someone is there but their identity is disputed), refused (the receiving side refused the person), medical (present, in need of care)"`
	Note    string          `json:"note,omitempty" maxLength:"2000" doc:"What the officers noted about the person" example:"Walks with a stick"`
}

// handoverDocument is custody.HandoverDocument.
type handoverDocument struct {
	Type      string                   `json:"type" enum:"handover" doc:"Always handover"`
	V         int                      `json:"v" enum:"1" doc:"The format's version: 1"`
	ID        uuid.UUID                `json:"id" doc:"Chosen by whoever drafts it (a UUIDv7, say); a document is accepted once"`
	Movement  uuid.UUID                `json:"movement" doc:"The movement handed over"`
	Stage     custody.Stage            `json:"stage" doc:"departure: sending facility to escort; arrival: escort to receiving facility"`
	From      documentOfficer          `json:"from" doc:"The officer who hands the persons over"`
	To        documentOfficer          `json:"to" doc:"The officer who takes them"`
	At        time.Time                `json:"at" doc:"When the handover took place (RFC 3339); not in the future, an arrival after its departure"`
	Place     string                   `json:"place" minLength:"1" maxLength:"400" doc:"Where it took place" example:"Hasakah facility, east gate"`
	HeadCount int                      `json:"head_count" minimum:"0" doc:"The persons present and handed over, as both officers counted them"`
	Persons   []handoverDocumentPerson `json:"persons" nullable:"false" doc:"Every person of the movement's manifest (departure) or of its departure (arrival), with what was found"`
}

// controlChangeDocument is custody.ControlDocument.
type controlChangeDocument struct {
	Type      string          `json:"type" enum:"control_change" doc:"Always control_change"`
	V         int             `json:"v" enum:"1" doc:"The format's version: 1"`
	ID        uuid.UUID       `json:"id" doc:"Chosen by whoever drafts it; a document is accepted once"`
	Facility  uuid.UUID       `json:"facility" doc:"The facility whose control passes (id)"`
	From      documentOfficer `json:"from" doc:"The officer of the party that gives up control"`
	To        documentOfficer `json:"to" doc:"The officer of the party that takes control"`
	At        time.Time       `json:"at" doc:"When control passed (RFC 3339)"`
	Place     string          `json:"place" minLength:"1" maxLength:"400" doc:"Where the officers signed" example:"al-Hol camp, main gate"`
	HeadCount int             `json:"head_count" minimum:"0" doc:"The persons held at the facility (or in hospital from it), as both officers counted them"`
}

// documentSchemas registers the two documents' schemas, with their examples, and
// points the request fields that carry them at them (contentMediaType and
// contentSchema: the field is base64 of JSON of this schema).
func documentSchemas(oapi *huma.OpenAPI) {
	reg := oapi.Components.Schemas
	for _, d := range []struct {
		t       reflect.Type
		desc    string
		example func() ([]byte, any)
		body    string
	}{
		{reflect.TypeFor[handoverDocument](), handoverDocumentDoc, exampleHandover, "HandoverBody"},
		{reflect.TypeFor[controlChangeDocument](), controlChangeDocumentDoc, exampleControlChange, "ControlChangeInputBody"},
	} {
		ref := reg.Schema(d.t, true, "")
		s := reg.SchemaFromRef(ref.Ref)
		s.Description = d.desc
		s.Required = jsonFields(d.t, false)
		b, _ := d.example()
		var v any
		if err := json.Unmarshal(b, &v); err == nil {
			s.Examples = []any{v}
		}
		body := reg.Map()[d.body]
		if body == nil || body.Properties["document"] == nil {
			continue
		}
		f := body.Properties["document"]
		f.Description += ". Its decoded bytes are a " + ref.Ref[len("#/components/schemas/"):] + " (see that schema for how to produce them)"
		if f.Extensions == nil {
			f.Extensions = map[string]any{}
		}
		f.Extensions["contentMediaType"] = "application/json"
		f.Extensions["contentSchema"] = &huma.Schema{Ref: ref.Ref}
		f.Examples = []any{base64.StdEncoding.EncodeToString(b)}
		if sigs := body.Properties["signatures"]; sigs != nil {
			k1, k2 := exampleKey("from"), exampleKey("to")
			sigs.Examples = []any{[]any{
				map[string]any{"key": exampleKeyID("from"), "sig": base64.StdEncoding.EncodeToString(ed25519.Sign(k1, b))},
				map[string]any{"key": exampleKeyID("to"), "sig": base64.StdEncoding.EncodeToString(ed25519.Sign(k2, b))},
			}}
		}
	}
	if sig := reg.Map()["Signature"]; sig != nil && sig.Properties["key"] != nil && sig.Properties["sig"] != nil {
		sig.Description = "One officer's signature over a signed document's exact bytes"
		sig.Properties["key"].Description = "The id of the signing officer's key: the document's from.key or to.key"
		sig.Properties["sig"].Description = "The Ed25519 signature (64 bytes), base64, over the document's exact bytes (the decoded `document`, not its base64)"
	}
	for _, n := range []string{"DocumentOfficer", "HandoverDocumentPerson"} {
		if s := reg.Map()[n]; s != nil {
			s.Required = jsonFields(map[string]reflect.Type{"DocumentOfficer": reflect.TypeFor[documentOfficer](),
				"HandoverDocumentPerson": reflect.TypeFor[handoverDocumentPerson]()}[n], false)
		}
	}
}

// jsonFields are the JSON names of t's fields, those marked omitempty included or
// not.
func jsonFields(t reflect.Type, omitempty bool) []string {
	var out []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!omitempty && opts == "omitempty") {
			continue
		}
		out = append(out, name)
	}
	return out
}

// exampleKey is the private key of an example officer: derived from a fixed
// seed, so that the document's example signatures verify and stay the same.
func exampleKey(side string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("handover example officer key " + side))
	return ed25519.NewKeyFromSeed(seed[:])
}

// exampleKeyID is the id of an example officer's key.
func exampleKeyID(side string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://handover.example/keys/"+side))
}

func exampleID(what string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://handover.example/"+what))
}

var exampleTime = time.Date(2026, 1, 21, 7, 30, 0, 0, time.UTC)

// exampleHandover is the handover document of the OpenAPI document's examples,
// in its canonical bytes, and the document.
func exampleHandover() ([]byte, any) {
	d := &custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: exampleID("handovers/1"), Movement: exampleID("movements/1"),
		Stage: custody.Departure,
		From:  custody.Officer{Party: exampleID("parties/SDF"), Name: "Officer Rojhat Amed", Key: exampleKeyID("from")},
		To:    custody.Officer{Party: exampleID("parties/USF"), Name: "Lieutenant Dara Sor", Key: exampleKeyID("to")},
		At:    exampleTime, Place: "Hasakah facility, east gate", HeadCount: 2,
		Persons: []custody.HandoverPerson{
			{Person: exampleID("persons/HSK-000150"), RegNo: "HSK-000150", Outcome: custody.OutcomePresent},
			{Person: exampleID("persons/HSK-000151"), RegNo: "HSK-000151", Outcome: custody.OutcomePresent, Note: "Walks with a stick"},
		}}
	b, err := custody.EncodeHandover(d)
	if err != nil {
		panic(err) // a fixed document that encodes
	}
	return b, d
}

// exampleControlChange is the control-change document of the examples, as
// encoding/json indents it, and the document.
func exampleControlChange() ([]byte, any) {
	d := &custody.ControlDocument{Type: custody.ControlDocumentType, V: 1, ID: exampleID("control-changes/1"), Facility: exampleID("facilities/HOL"),
		From: custody.Officer{Party: exampleID("parties/SDF"), Name: "Officer Rojhat Amed", Key: exampleKeyID("from")},
		To:   custody.Officer{Party: exampleID("parties/SYG"), Name: "Colonel Samir Khoury", Key: exampleKeyID("to")},
		At:   exampleTime, Place: "al-Hol camp, main gate", HeadCount: 3250}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n'), d
}
