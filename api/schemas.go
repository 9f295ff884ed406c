package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/names"
	"github.com/handover-project/handover/plan"
)

// enumSchemas documents each enumerated type of the domain as a string with the
// values custody.Enumerations lists, so that the OpenAPI document states every
// value a field takes and huma refuses the others before a handler runs.
func enumSchemas(reg huma.Registry) {
	for _, list := range append(custody.Enumerations(), apiEnumerations...) {
		v := reflect.ValueOf(list)
		vals := make([]any, v.Len())
		for i := range v.Len() {
			vals[i] = v.Index(i).String()
		}
		slices.SortFunc(vals, func(a, b any) int { return cmp.Compare(a.(string), b.(string)) })
		enumValues[v.Type().Elem()] = vals
	}
	alias := func(t, a reflect.Type) { reg.RegisterTypeAlias(t, a) }
	alias(reflect.TypeFor[custody.Sex](), reflect.TypeFor[enumOf[custody.Sex]]())
	alias(reflect.TypeFor[custody.Category](), reflect.TypeFor[enumOf[custody.Category]]())
	alias(reflect.TypeFor[custody.FacilityKind](), reflect.TypeFor[enumOf[custody.FacilityKind]]())
	alias(reflect.TypeFor[custody.PartyKind](), reflect.TypeFor[enumOf[custody.PartyKind]]())
	alias(reflect.TypeFor[custody.NameKind](), reflect.TypeFor[enumOf[custody.NameKind]]())
	alias(reflect.TypeFor[custody.Script](), reflect.TypeFor[enumOf[custody.Script]]())
	alias(reflect.TypeFor[custody.DatePrecision](), reflect.TypeFor[enumOf[custody.DatePrecision]]())
	alias(reflect.TypeFor[custody.IdentifierKind](), reflect.TypeFor[enumOf[custody.IdentifierKind]]())
	alias(reflect.TypeFor[custody.Status](), reflect.TypeFor[enumOf[custody.Status]]())
	alias(reflect.TypeFor[custody.SafeguardKind](), reflect.TypeFor[enumOf[custody.SafeguardKind]]())
	alias(reflect.TypeFor[custody.RiskFinding](), reflect.TypeFor[enumOf[custody.RiskFinding]]())
	alias(reflect.TypeFor[custody.Interview](), reflect.TypeFor[enumOf[custody.Interview]]())
	alias(reflect.TypeFor[custody.TransferStatus](), reflect.TypeFor[enumOf[custody.TransferStatus]]())
	alias(reflect.TypeFor[custody.PersonStage](), reflect.TypeFor[enumOf[custody.PersonStage]]())
	alias(reflect.TypeFor[custody.Stage](), reflect.TypeFor[enumOf[custody.Stage]]())
	alias(reflect.TypeFor[custody.Outcome](), reflect.TypeFor[enumOf[custody.Outcome]]())
	alias(reflect.TypeFor[custody.IncidentType](), reflect.TypeFor[enumOf[custody.IncidentType]]())
	alias(reflect.TypeFor[custody.Resolution](), reflect.TypeFor[enumOf[custody.Resolution]]())
	alias(reflect.TypeFor[custody.Mode](), reflect.TypeFor[enumOf[custody.Mode]]())
	alias(reflect.TypeFor[custody.Rule](), reflect.TypeFor[enumOf[custody.Rule]]())
	alias(reflect.TypeFor[custody.MovementStatus](), reflect.TypeFor[enumOf[custody.MovementStatus]]())
	alias(reflect.TypeFor[custody.NotificationKind](), reflect.TypeFor[enumOf[custody.NotificationKind]]())
	alias(reflect.TypeFor[custody.Type](), reflect.TypeFor[enumOf[custody.Type]]())
	alias(reflect.TypeFor[custody.RiskKind](), reflect.TypeFor[enumOf[custody.RiskKind]]())
	alias(reflect.TypeFor[access.Outcome](), reflect.TypeFor[enumOf[access.Outcome]]())
	alias(reflect.TypeFor[names.How](), reflect.TypeFor[enumOf[names.How]]())
	alias(reflect.TypeFor[plan.EventKind](), reflect.TypeFor[enumOf[plan.EventKind]]())
}

// apiEnumerations are the enumerated types the API shows besides the ledger's:
// flags (custody.ComputedFlags, of which a registration may record some by hand),
// facility risks, roles, audit outcomes, how two names compare, what calls for a
// re-plan. Flags and roles are not aliased: the document states their values
// (listEnums), but huma does not check them, so that a write is authorised before
// its roles are checked, and the domain's message names a bad one.
var apiEnumerations = []any{
	append([]custody.Flag(nil), custody.ComputedFlags...),
	append([]custody.RiskKind(nil), custody.RiskKinds...),
	append([]access.Role(nil), access.Roles...),
	[]access.Outcome{access.Allowed, access.Denied, access.Failed},
	[]names.How{names.Same, names.Equivalent, names.Transliteration, names.Spelling, names.Close, names.Partial, names.Differs, names.OneSide},
	[]plan.EventKind{plan.SafeguardCleared, plan.MovementCancelled, plan.VehicleLost, plan.CapacityReduced},
}

// enumValues are the values of each enumerated type, filled by enumSchemas.
var enumValues = map[reflect.Type][]any{}

// enumOf[T] stands for T in the schema registry: a string of T's values.
type enumOf[T ~string] string

func (enumOf[T]) Schema(huma.Registry) *huma.Schema {
	vals := enumValues[reflect.TypeFor[T]()]
	var ex any
	if len(vals) > 0 {
		ex = vals[0]
	}
	return &huma.Schema{Type: huma.TypeString, Enum: vals, Examples: []any{ex}}
}

// eventDocument is the JSON form of a ledger event: the bytes GET
// /api/v1/events/{index} returns, and the leaf of the Merkle tree. Its fields are
// in this order, with no insignificant whitespace.
type eventDocument struct {
	V          int             `json:"v" enum:"1" doc:"The format's version: 1"`
	ID         uuid.UUID       `json:"id" doc:"The event's id (UUIDv7)"`
	Type       custody.Type    `json:"type" doc:"What happened; names the form of data"`
	OccurredAt time.Time       `json:"occurred_at" doc:"When it happened, as its author says (RFC 3339, UTC)"`
	RecordedAt time.Time       `json:"recorded_at" doc:"When the ledger recorded it (RFC 3339, UTC)"`
	Actor      string          `json:"actor" doc:"The user who recorded it"`
	Party      uuid.UUID       `json:"party" doc:"The party the actor acted for"`
	Subject    uuid.UUID       `json:"subject" doc:"The entity it is about: a person, a facility, a transfer…"`
	Data       json.RawMessage `json:"data" doc:"The event's payload, whose form its type names (see docs/ledger-format.md)"`
	Nonce      []byte          `json:"nonce" doc:"16 random bytes, base64: two equal events still differ"`
}

// finishSchemas completes the registered schemas once every route is known: the
// problem's code and type are stated, and extension members allowed (RFC 9457 §3.2).
func finishSchemas(oapi *huma.OpenAPI) {
	m := oapi.Components.Schemas.Map()
	if c, ok := m["Change"]; ok && c.Properties["kind"] != nil { // plan.Change.Kind, a plain string
		c.Properties["kind"].Enum = []any{"added", "changed", "removed"}
	}
	listEnums(m)
	for name, fields := range nestedRequired {
		if sch, ok := m[name]; ok {
			for _, f := range fields {
				if sch.Properties[f] != nil && !slices.Contains(sch.Required, f) {
					sch.Required = append(sch.Required, f)
				}
			}
			sch.PrecomputeMessages() // huma checks them, with its messages for them
		}
	}
	p, ok := m["ProblemDetails"]
	if !ok {
		return
	}
	codes := make([]any, len(ProblemCodes))
	var doc strings.Builder
	doc.WriteString("What kind of refusal this is; clients may switch on it. One of:")
	for i, c := range ProblemCodes {
		codes[i] = string(c)
		fmt.Fprintf(&doc, " `%s`", c)
	}
	doc.WriteString(". Each is documented at its type URI (docs/problems.md).")
	p.Description = "An RFC 9457 problem: every refusal of the API, with a code. Members other than these may be added (the report of a refused import)."
	p.AdditionalProperties = true
	p.Required = []string{"type", "title", "status", "code"}
	p.Properties["code"] = &huma.Schema{Type: huma.TypeString, Enum: codes, Description: doc.String(), Examples: []any{"invalid"}}
	p.Properties["type"] = &huma.Schema{Type: huma.TypeString, Format: "uri",
		Description: "The problem's type: " + ProblemTypeBase + " followed by its code",
		Examples:    []any{ProblemTypeBase + "invalid"}}
	p.Examples = []any{map[string]any{
		"type": ProblemTypeBase + "invalid", "title": "Unprocessable Entity", "status": 422, "code": "invalid",
		"detail": "body.person.sex: \"x\" is not a sex", "errors": []any{map[string]any{"location": "body.person.sex", "message": "\"x\" is not a sex"}},
	}}
}

// finishOperations completes what huma generated of each operation: a create of
// a collection with items answers Location; the dry run of an import answers 200
// with the same body as its 201.
func finishOperations(oapi *huma.OpenAPI) {
	for path, item := range oapi.Paths {
		if op := item.Post; op != nil && op.Metadata[locationKey] != nil {
			if r, ok := op.Responses["201"]; ok {
				if r.Headers == nil {
					r.Headers = map[string]*huma.Param{}
				}
				doc := "The new resource: " + path + "/{id}"
				if op.Metadata[locationKey] == "event" {
					doc = "The first event the write recorded: /api/v1/events/{index}"
				}
				r.Headers["Location"] = &huma.Param{Description: doc, Schema: &huma.Schema{Type: huma.TypeString, Format: "uri-reference"}}
			}
		}
		if op := item.Post; op != nil && op.OperationID == "import-persons" {
			if r, ok := op.Responses["201"]; ok {
				dry := *r
				dry.Description = "A dry run (?dry_run=true): the report, nothing registered"
				op.Responses["200"] = &dry
			}
		}
	}
}

// nestedRequired are the fields the domain requires of the records a request
// carries (custody.Person.Validate and the others), which the types' tags do not
// say: the document states them, huma refuses their absence ("is required", at
// the field). Each is always present in answers too.
var nestedRequired = map[string][]string{
	"Person":     {"names", "sex", "birth", "nationalities", "category"},
	"Name":       {"text", "script", "kind"},
	"BirthDate":  {"date", "precision"},
	"Identifier": {"kind", "value"},
	"Kin":        {"name", "relationship"},
	"Party":      {"code", "name", "kind"},
}

// listEnums states the values of the lists of roles and of flags, wherever they
// appear, as an "enum" of the document that huma's validation does not read (an
// extension member): the handlers check them after authorisation, with the
// domain's message.
func listEnums(m map[string]*huma.Schema) {
	lists := map[string][]any{"roles": enumValues[reflect.TypeFor[access.Role]()], "flags": enumValues[reflect.TypeFor[custody.Flag]()]}
	for _, s := range m {
		for name, p := range s.Properties {
			vals, ok := lists[name]
			if !ok || p.Type != huma.TypeArray || p.Items == nil || p.Items.Type != huma.TypeString || len(p.Items.Enum) > 0 {
				continue
			}
			items := *p.Items
			items.Extensions = map[string]any{"enum": vals}
			if len(items.Examples) == 0 && len(vals) > 0 {
				items.Examples = []any{vals[0]}
			}
			p.Items = &items
		}
	}
}

// textResponse documents an operation whose answer is text/plain (a []byte body
// that huma would otherwise describe as base64 JSON), with one header.
func textResponse(desc, header, headerDoc, example string) func(*huma.Operation) {
	return func(op *huma.Operation) {
		op.Responses = map[string]*huma.Response{"200": {Description: desc,
			Headers: map[string]*huma.Param{header: {Description: headerDoc, Schema: &huma.Schema{Type: huma.TypeString, Pattern: "^[0-9]+$"}}},
			Content: map[string]*huma.MediaType{"text/plain": {Schema: &huma.Schema{Type: huma.TypeString}, Example: example}}}}
	}
}
