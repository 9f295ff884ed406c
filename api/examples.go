package api

import (
	"encoding/base64"
	"slices"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Examples. Every request and response body of the OpenAPI document carries an
// example: a component schema's is built once from the examples of its fields and
// kept in components/examples under the schema's name, an inline schema's is put
// on its media type, and each problem response refers to the example of its status
// (opdocs.go). A field's example is its own (an `example:` tag, an enumeration's
// first value) or else fieldExamples', by schema and field name or by field name
// alone; formats (uuid, date-time…) have one each. TestOperationDocs validates
// every example against its schema and fails on a text field that has none.

// fieldExamples are the examples of text fields whose types carry none, keyed by
// "Schema.field" or, for every schema, by "field". Names are the synthetic ones of
// docs/scenario.md.
var fieldExamples = map[string]any{
	"actor":    "amira.registrar",
	"party":    "SDF",
	"name":     "Hasakah detention facility",
	"reason":   "Ordered by the receiving state's court; see order 2026/114",
	"note":     "Counted at the gate by both officers",
	"reg_no":   "HSK-000150",
	"code":     "HSK",
	"country":  "SYR",
	"series":   "HSK",
	"facility": "HSK", "hospital": "HOSP1", "escort": "USF", "receiving": "IRQ",
	"from": "HSK", "to": "NCI", "from_code": "HSK", "to_code": "NCI",
	"person": "HSK-000150", "other": "HSK-000151", "movement": "0192d6a4-7a00-7c3e-8d11-5e6f7a8b9c01",
	"campaign": "0192d6a4-6f00-7c3e-8d11-5e6f7a8b9c02", "replaces": "0192d6a4-6100-7c3e-8d11-5e6f7a8b9c03",
	"full_name":               "Amira Haddad",
	"description":             "One person missing at the arrival count at NCI",
	"password":                "correct horse battery staple",
	"current":                 "correct horse battery staple",
	"new":                     "a longer passphrase for 2026",
	"legal_basis":             "Bilateral agreement on the transfer of detainees, article 4",
	"ordered_by":              "Ministry of Justice of the receiving state",
	"ordering_authority":      "Regional security command",
	"order_reference":         "DO-2025-0417",
	"priority":                "juveniles",
	"cancelled":               "The receiving institution is full until the next campaign phase",
	"conditions":              "Water and rations for 12 hours, a medic on each bus, ventilation checked",
	"officer":                 "Officer Rojhat Amed",
	"revoke_reason":           "Lost with the officer's phone",
	"user":                    "rojhat.amed",
	"outcome":                 "Family reached by phone on 2026-01-21; they know the new place of detention",
	"recipient":               "The family of HSK-000150",
	"vehicle":                 "bus-1",
	"key":                     "north-1",
	"kind":                    "bus",
	"id":                      "bus-1",
	"place":                   "Hasakah facility, east gate",
	"circumstances":           "Missing at the evening count; the perimeter fence was cut",
	"cause":                   "Cardiac arrest, certified by the facility's doctor",
	"remains":                 "Handed to the family for burial",
	"authority":               "Investigating judge, Hasakah court",
	"finding":                 "No real risk of torture found for this person",
	"assessor":                "Legal officer Layla Nasser",
	"evidence":                "Interview of 2026-01-12 and the receiving state's written assurances",
	"objection":               "The person says he fears ill-treatment at the receiving institution",
	"assurances":              "Written diplomatic assurances of humane treatment, 2026-01-10",
	"monitoring":              "Monthly visits by the monitor for a year",
	"text":                    "أحمد حسن",
	"birth_place":             "Deir ez-Zor",
	"last_residence":          "al-Mayadin",
	"father_name":             "Hassan",
	"mother_maiden_name":      "Fatima Khalil",
	"gender":                  "man",
	"distinguishing_marks":    "Scar on the left forearm",
	"injuries":                "None seen at registration",
	"complaints":              "Asks to inform his brother",
	"identity_established_by": "ICRC card and fingerprints",
	"arrest_date":             "2019-03-23",
	"arrest_place":            "Baghuz",
	"arresting_officials":     "Unit 7 of the detaining authority",
	"reasons":                 "Suspected membership of an armed group",
	"age_assessment":          "Dental and wrist X-ray, 2025-11-02",
	"date":                    "1994-06",
	"issuer":                  "ICRC",
	"value":                   "SY-2019-004417",
	"relationship":            "brother",
	"contact":                 "+963 000 000 000",
	"location":                "body.person.sex",
	"message":                 "\"x\" is not a sex",
	"english":                 "Ahmad Hasan and Ahmed Hassan: the given names are spellings of one Arabic name",
	"arabic":                  "أحمد حسن وأحمد حسان: الاسمان تهجئتان لاسم واحد",
	"a":                       "Ahmad",
	"b":                       "Ahmed",
	"field":                   "given",
	"how":                     "spelling",
	"tag":                     "#affected+name",
	"detail":                  "the roles of pat.registrar (registrar) do not grant approve-transfer",
	"action":                  "get-person",
	"target":                  "person HSK-000150",
	"address":                 "192.0.2.10",
	"unblock":                 "Record the fitness-to-travel assessment",
	"risk":                    "control expected to change by 2026-02-01",
	"quorum":                  "monitors",
	"url":                     "https://witness.example/add-checkpoint",
	"last_error":              "connection refused",
	"refused":                 "checkpoint of size 40 is older than the size 42 it cosigned",
	"next":                    "0192d6a4-8b00-7c3e-8d11-5e6f7a8b9c04",
	"party_code":              "SDF",
	"token":                   "hot_3q2+7wZ-example-not-a-real-token",

	"priorities":    []any{"juveniles", "sick", "others"},
	"movements":     []any{"2026-01-21/HSK/1"},
	"joined":        []any{"HSK-000152"},
	"left":          []any{"HSK-000149"},
	"persons":       []any{"HSK-000150", "HSK-000151"},
	"actions":       []any{"get-person", "register-person", "admit-person"},
	"nationalities": []any{"SYR"},
	"sources":       []any{"Interview of the person", "Facility paper register, page 212"},
	"args":          []any{"HSK-000150", "fitness_to_travel"},
	"proofs":        []any{"/api/v1/events/42/proof"},
	"witnesses":     []any{"monitor-1", "monitor-2"},

	"Officer.name":                      "Officer Rojhat Amed",
	"Party.name":                        "Syrian Democratic Forces",
	"Party.code":                        "SDF",
	"Kin.name":                          "Mahmoud Hasan",
	"Kin.location":                      "al-Hol camp",
	"Token.name":                        "nightly export",
	"NewToken.name":                     "nightly export",
	"CreateTokenInputBody.name":         "nightly export",
	"LoginInputBody.name":               "amira.registrar",
	"CreateUserInputBody.name":          "amira.registrar",
	"User.name":                         "amira.registrar",
	"UserView.name":                     "amira.registrar",
	"NewUserOutputBody.name":            "amira.registrar",
	"AuditEntry.name":                   "amira.registrar",
	"AuditEntry.outcome":                "allowed",
	"CampaignStruct.name":               "North-east Syria to Iraq",
	"CampaignView.name":                 "North-east Syria to Iraq",
	"CampaignCreatedBody.name":          "North-east Syria to Iraq",
	"WitnessInfo.name":                  "monitor-1",
	"WitnessInfo.key":                   "witness.example/monitor-1+4f2a9c1e+AR8a3K0bN1e8g2Y3x0dEc5m6Vt9h4rQ7sW1uXy2zAbC=",
	"Checkpoint.note":                   "handover.example/log\n42\nq8R0mX5x3kz0b2Gf7pY9sLwTn4cV1aE6dJhQiUoK8r0=\n\n— handover.example/log ejGAr0a2V9c3dT5wq1Z8nH4sK7mB6xY0pL2fR3uE5iO9jC1gN2w=\n",
	"WitnessedCheckpoint.note":          "handover.example/log\n42\nq8R0mX5x3kz0b2Gf7pY9sLwTn4cV1aE6dJhQiUoK8r0=\n\n— handover.example/log ejGAr0a2V9c3dT5wq1Z8nH4sK7mB6xY0pL2fR3uE5iO9jC1gN2w=\n— monitor-1 T0wZ4AAAAABpXnC4w2yq6z0RbCkJ8kVw1t1N0s3YpLm4dQe7uHf2gA9xKc5oIr==\n",
	"Reason.text":                       "Waiting for the fitness-to-travel assessment",
	"Reason.code":                       "safeguard_missing",
	"Outlook.code":                      "HSK",
	"Change.key":                        "2026-01-21/HSK/1",
	"Movement.key":                      "2026-01-21/HSK/1",
	"FacilityRisk.kind":                 "control_change",
	"Problem.field":                     "sex",
	"Problem.message":                   "\"x\" is not a sex",
	"Breach.message":                    "bus-1 carries 41 persons; its capacity is 40",
	"Item.description":                  "The family of HSK-000150 was told of the transfer",
	"ResolveIncidentInputBody.note":     "Found in the medical tent at NCI",
	"ResolveIncidentInputBody.facility": "NCI",
	"HospitalReturn.facility":           "HSK",
	"RegisterKeyInputBody.party":        "SDF",
	"RegisterKeyInputBody.user":         "rojhat.amed",
	"Repatriation.country":              "FRA",
	"Repatriation.authority":            "Consulate of the person's country",
	"HistoryOutputBody.person":          "0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"PersonsPage.next":                  "0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"EventDocument.actor":               "amira.registrar",
	"HandoverRecord.place":              "Hasakah facility, east gate",
}

// proofFileExample is an event's proof file (C2SP tlog-proof), as GET
// /api/v1/events/{index}/proof answers it.
const proofFileExample = `c2sp.org/tlog-proof@v1
extra QKdPt8iqVRqT5swYGPVViac1sn0mHmOP07s0WA0UxMeBwtUsgtEWH0t45bbXPopK
index 5
IlhGcbLKy08DMaKRWi8DC6eQ0+W/lFfyOEUfS5FTdPM=
t8J1r8QogjPnIvHkJwaS6ctJDk4yMr4iBsHvmhqgFdA=
PnZMikxi3yuAf1C7Rj3vrltNmzOJbHjM1vQVj3MIDS0=
5oSmagKnFj3mLf0luyMCDIjogCNCowdkv36o2I5ZzjA=

handover.example/test
13
u/fT1zfTEyNcHJUPqBpqqe5Fx825LHI3k/PE1/X7das=

— handover.example/test 9x/5RelJl0ndSX5wDSrK137R3QjLrj43lB3QdTHoPhufar76Oz4PF/rK1ZirqOuYJ9w3F+qdZqsRUdrTxQ8RMJ7yDQI=
— witness.icrc.example nQdl9AAAAABrEOlAGbOwoHtskjDHxBcW0hh/JL2Bp70k4ZzmD/za+mTS6xkp5ifqbS9hsfg/sIIkA8R7vy3lSz4B+nWsGqfChvzMAQ==
`

// documentExamples gives every request and response body an example, and every
// problem response the example of its status.
func documentExamples(oapi *huma.OpenAPI) {
	schemas := oapi.Components.Schemas.Map()
	for name, s := range schemas {
		for field, p := range s.Properties {
			ex, ok := exampleOfField(name, field)
			switch {
			case !ok || len(p.Examples) > 0:
			case isText(p):
				p.Examples = []any{ex}
			case p.Type == huma.TypeArray && isText(p.Items) && len(p.Items.Examples) == 0:
				if _, list := ex.([]any); !list {
					ex = []any{ex}
				}
				p.Examples = []any{ex}
			}
		}
	}
	if oapi.Components.Examples == nil {
		oapi.Components.Examples = map[string]*huma.Example{}
	}
	x := &exampler{schemas: schemas, stack: map[string]bool{}}
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Content {
					x.give(oapi, mt)
				}
			}
			for _, r := range op.Responses {
				for ct, mt := range r.Content {
					if ct != "application/problem+json" {
						x.give(oapi, mt)
					}
				}
			}
		}
	}
	problemExamples(oapi)
	for path, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				if p.Example != nil || len(p.Examples) > 0 || p.Schema == nil || len(p.Schema.Examples) > 0 || len(p.Schema.Enum) > 0 {
					continue
				}
				if ex, ok := paramExample(path, p); ok {
					p.Example = ex
				} else if p.Schema.Type != huma.TypeString || p.Schema.Format != "" {
					p.Example = x.of(p.Schema, op.OperationID+" "+p.In+"."+p.Name)
				}
			}
		}
	}
}

// paramExamples are the examples of text parameters, by "in.name"; a path's id
// is by its collection.
var paramExamples = map[string]any{
	"header.Idempotency-Key": "5f0c2a5e-register-HSK-000150",
	"header.Last-Event-ID":   "41",
	"header.Content-Type":    "text/csv",
	"header.Accept":          "text/event-stream",
	"query.action":           "get-person",
	"query.user":             "amira.registrar",
	"query.after":            "0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"query.birth":            "1994-06",
	"query.campaign":         "0192d6a4-6f00-7c3e-8d11-5e6f7a8b9c02",
	"query.change":           "safeguard_cleared:HSK-000150",
	"query.escort":           "USF",
	"query.facility":         "HSK",
	"query.father":           "Hassan",
	"query.from":             "2026-01-22",
	"query.movement":         "0192d6a4-7a00-7c3e-8d11-5e6f7a8b9c01",
	"query.name":             "Ahmad Hasan",
	"query.nationality":      "SYR",
	"query.party":            "SDF",
	"query.person":           "HSK-000150",
	"query.transfer":         "0192d6a4-7b00-7c3e-8d11-5e6f7a8b9c05",
	"query.id":               []any{"0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10"},
	"query.recipient":        []any{"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"},
}

// paramExample is the example of a text parameter of paramExamples, or of a path's id.
func paramExample(path string, p *huma.Param) (any, bool) {
	if p.In == "path" && p.Name == "id" {
		switch {
		case strings.HasPrefix(path, "/api/v1/persons/"):
			return "HSK-000150", true
		case strings.HasPrefix(path, "/api/v1/facilities/"):
			return "HSK", true
		case strings.HasPrefix(path, "/api/v1/users/"):
			return "amira.registrar", true
		}
		return formatExamples["uuid"], true
	}
	ex, ok := paramExamples[p.In+"."+p.Name]
	if !ok {
		return nil, false
	}
	if l, list := ex.([]any); p.Schema.Type == huma.TypeArray && !list {
		ex = []any{ex}
	} else if p.Schema.Type != huma.TypeArray && list {
		ex = l[0]
	}
	if p.Schema.Type != huma.TypeString && p.Schema.Type != huma.TypeArray {
		return nil, false // an integer "after" or "from": its schema gives the example
	}
	return ex, true
}

// isText says s is free text: a string with no enumeration, format or encoding
// to give it an example.
func isText(s *huma.Schema) bool {
	return s != nil && s.Type == huma.TypeString && s.Ref == "" && len(s.Enum) == 0 && s.Format == "" && s.ContentEncoding == ""
}

func exampleOfField(schema, field string) (any, bool) {
	if ex, ok := fieldExamples[schema+"."+field]; ok {
		return ex, true
	}
	ex, ok := fieldExamples[field]
	return ex, ok
}

// exampler builds examples from schemas. gaps are the text fields it found no
// example for.
type exampler struct {
	schemas map[string]*huma.Schema
	stack   map[string]bool
	gaps    []string
}

// give gives a media type an example, if it has none: a reference to the
// component example of its schema, or an inline one.
func (x *exampler) give(oapi *huma.OpenAPI, mt *huma.MediaType) {
	if mt == nil || mt.Schema == nil || mt.Example != nil || len(mt.Examples) > 0 {
		return
	}
	s := mt.Schema
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		if _, done := oapi.Components.Examples[name]; !done {
			oapi.Components.Examples[name] = &huma.Example{Summary: "A " + name, Value: x.of(s, name)}
		}
		mt.Examples = map[string]*huma.Example{"example": {Ref: "#/components/examples/" + name}}
		return
	}
	if len(s.Examples) > 0 {
		return
	}
	mt.Example = x.of(s, "inline")
}

// Examples of the formats: the same values throughout, so that an example reads
// as one world.
var formatExamples = map[string]any{
	"uuid":          "0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"date-time":     "2026-01-21T07:30:00Z",
	"date":          "2026-01-21",
	"uri":           "https://handover.example/api/v1/persons/0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"uri-reference": "/api/v1/persons/0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10",
	"email":         "registrar@handover.example",
	"duration":      "PT30M",
	"binary":        "",
}

// of is an example of s, at path (for the gaps). A schema met again inside itself
// is left out.
func (x *exampler) of(s *huma.Schema, path string) any {
	if s == nil {
		return nil
	}
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		if x.stack[name] {
			return nil
		}
		x.stack[name] = true
		defer delete(x.stack, name)
		return x.of(x.schemas[name], name)
	}
	switch {
	case len(s.Examples) > 0:
		return s.Examples[0]
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Default != nil:
		return s.Default
	case len(s.OneOf) > 0:
		return x.of(s.OneOf[0], path)
	case len(s.AnyOf) > 0:
		return x.of(s.AnyOf[0], path)
	}
	switch s.Type {
	case huma.TypeObject:
		m := map[string]any{}
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if v := x.of(s.Properties[n], path+"."+n); v != nil || slices.Contains(s.Required, n) {
				m[n] = v
			}
		}
		if add, ok := s.AdditionalProperties.(*huma.Schema); ok && len(s.Properties) == 0 {
			if v := x.of(add, path+".*"); v != nil {
				m[mapKeyExample(s)] = v
			}
		}
		return m
	case huma.TypeArray:
		v := x.of(s.Items, path+"[]")
		if v == nil {
			return []any{}
		}
		return []any{v}
	case huma.TypeString:
		if s.ContentEncoding == "base64" {
			return base64.StdEncoding.EncodeToString([]byte("handover"))
		}
		if ex, ok := formatExamples[s.Format]; ok {
			return ex
		}
		x.gaps = append(x.gaps, path)
		return "text"
	case huma.TypeInteger:
		return number(s, 1)
	case huma.TypeNumber:
		return number(s, 0.5)
	case huma.TypeBoolean:
		return false
	}
	return nil
}

// number is v, moved within s's bounds.
func number(s *huma.Schema, v float64) any {
	if s.Minimum != nil && v < *s.Minimum {
		v = *s.Minimum
	}
	if s.Maximum != nil && v > *s.Maximum {
		v = *s.Maximum
	}
	if s.Type == huma.TypeInteger {
		return int64(v)
	}
	return v
}

// mapKeyExample is the key of a map's example: a value of its key enumeration if
// the schema has one (propertyNames), else "key".
func mapKeyExample(s *huma.Schema) string {
	if pn, ok := s.Extensions["propertyNames"].(*huma.Schema); ok && len(pn.Enum) > 0 {
		if k, ok := pn.Enum[0].(string); ok {
			return k
		}
	}
	return "key"
}
