package api

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

// opDocs is the description of every operation of /api/v1, by operation id,
// written for an integrator: what it does and the refusals worth knowing. Who may
// call it, its idempotency and its pages are added by describe from the route
// itself (the authorisation table, the method, the parameters), so that they
// cannot drift from what the server does. TestOperationDocs fails when a route has
// no entry here, or an entry names no route.
var opDocs = map[string]string{
	// Accounts.
	"login": "Checks a login name and password and sets the session cookie (HTTP-only, SameSite=Strict), " +
		"answering who signed in. A wrong name or password is a 401 that does not say which was wrong. " +
		"Failed attempts hold back their address (a growing wait per account); 20 failures from one address get 429 " +
		"with Retry-After. A browser uses this; a program sends an API token instead.",
	"logout":          "Ends the session of the cookie sent and clears the cookie. Called with an API token it is a 422: revoke the token instead (DELETE /api/v1/tokens/{id}).",
	"whoami":          "The signed-in user: login name, party, roles, and the actions (operation ids) those roles grant. A client may use the actions to show only what the user can do.",
	"change-password": "Changes the signed-in user's password, given the current one. The new one has at least 12 characters and differs from the current one. Every session of the user ends, this one included; API tokens stay valid. A wrong current password is a 422 and counts, as a failed sign-in does, towards the address's 429.",
	"create-token":    "Makes an API token for the signed-in user, acting with the user's roles. The secret (hot_…) is in this answer only: it is stored hashed and can never be read again. Send it as `Authorization: Bearer hot_…`.",
	"list-tokens":     "The signed-in user's API tokens: name, when made, last used, expiry and revocation. Never the secrets.",
	"revoke-token":    "Revokes one of the signed-in user's API tokens: requests carrying it get 401 from then on. Another user's token is a 404.",
	"get-token":       "One of the signed-in user's API tokens, by id: name, when made, last used, expiry and revocation. Never the secret. Another user's token is a 404.",
	"get-user":        "One account of the administrator's party, by id or login name, with an ETag: send it back as If-Match on PATCH so that a change made since is not overwritten (412). Another party's account is a 404.",
	"list-users":      "The accounts of the administrator's party: login name, full name, roles, whether disabled or locked. Never password hashes.",
	"create-user":     "Makes an account of the administrator's party with the roles given. Without a password, one is generated and returned in this answer only. A login name already taken is a 409 conflict.",
	"update-user": "Changes an account of the administrator's party: any of full name, roles, disabled, a new password (generated when asked), or unlocking it after failed sign-ins. " +
		"Disabling an account or changing its password ends its sessions. An administrator may not remove their own administrator role or disable themselves (422).",
	"audit-log":        "The audit log of the auditor's party, oldest first: who read which person's records, every write and its outcome, every denial and failed sign-in. Filter by user, action and time.",
	"export-audit-log": "The same entries as the audit log, as a file to download: CSV (default) or JSON lines.",

	// Parties and facilities.
	"register-party": "Registers a party (a detaining authority, an escort force, a receiving state, a monitor) with a unique code. Only an administrator may; a code already used is a 409 conflict.",
	"get-party":      "One party, by id or code: id, code, name, kind and country. Any signed-in user may read it; it is where a party's Location points after it is registered.",
	"list-parties":   "Every party: id, code, name, kind and country. Any signed-in user may list them: codes are how parties are named everywhere else.",
	"set-mandate":    "Sets what a monitor may see: every person, or the persons of a list of facilities. Only a monitor party has a mandate (409 refused otherwise). The mandate replaces the previous one.",
	"register-facility": "Registers a facility of the administrator's party: a code unique among facilities, the series of its registration numbers, its kind, country and capacities by category. " +
		"A code already used is a 409 conflict.",
	"list-facilities":         "Every facility with its controlling party, its capacities and population, and its risk if one is set.",
	"get-facility":            "One facility by id or code, with its controlling party, its control history (who held it when, signed or unilateral) and its population.",
	"set-facility-risk":       "Records that control of a facility is expected to change by a date, or that it is at risk of breakout from a date; the campaign planner moves its persons first. Without a kind, the risk is lifted (409 refused if none is set).",
	"change-facility-control": "Records that control of a facility passed to another party: everyone held there changes custodian in the same event. With both parties present, send the control-change document (schema ControlChangeDocument) signed by an officer of each: the ledger checks both signatures and that its head count is the number held. Without a document the change is recorded unsigned, or unilateral when control was taken; both are flagged in the control history. A party that already controls the facility is refused (409).",

	// Persons.
	"register-person": "Registers a person and admits them to a facility of the caller's party, in one event. The registration number is assigned in the facility's series unless given. " +
		"A registration number or an external identifier (ICRC number, passport…) already recorded is a 409 conflict; a hospital is refused (register the person where they are held). " +
		"Before registering, GET /api/v1/duplicates lists the registered persons likely to be the same person.",
	"import-persons": "Registers and admits at one facility every person of a CSV file with HXL hashtags (docs/bulk.md) or a JSON lines file, all or none. The whole file is validated first: " +
		"a refusal (422) carries a `report` naming every bad row and column, and nothing is written. With dry_run=true the report is answered (200) and nothing is written. " +
		fmt.Sprintf("The body may be up to %d MiB.", MaxImportBodyBytes>>20),
	"read-feed": "The events the caller may see, in ledger order, after a cursor (a ledger index): each with its index, so that a client stays in step by passing the last index it processed as `after`. " +
		"With `wait`, a request that finds nothing waits up to that many seconds for an event (long poll). With `Accept: text/event-stream` the answer is a stream of server-sent events, each event's id its index; reconnecting with Last-Event-ID resumes after it.",
	"export-persons": "The persons the caller may see, as CSV with HXL hashtags (which import reads back) or JSON lines, filtered like the list. With one or more age `recipient`s the file is encrypted to them and only they can read it.",
	"list-persons": "The persons the caller may see (their party's, or a monitor's mandate), filtered by facility, nationality, category, status, flag or ids. " +
		"With `name`, persons are ranked by how well their names match in either script, with the explanation of each match.",
	"list-duplicates": "Pairs of registrations the caller may see that are likely one person, best first, each with a score and an explanation in English and Arabic. " +
		"Given the names (and birth, sex, nationality, father) of someone not yet registered, the registered persons likely to be them instead: the check to make before registering.",
	"get-person":           "One person by id or registration number: the record, the custody now (custodian, facility or movement, status), flags and linked records. A person the caller may not see is a 404, as if absent.",
	"person-history":       "Every event of a person's record, each with its exact bytes, leaf hash and inclusion proof against the checkpoint returned with them: enough to check offline that the history is in the log.",
	"admit-person":         "Admits a person to a facility of their custodian's party: a move within one party. Moving a person to a facility another party controls needs a transfer (409 refused); so does a person already held there.",
	"correct-record":       "Corrects a person's record with a JSON merge patch (RFC 7396) of the record: only the fields given change, null removes one. The correction, with its reason, is an event: the earlier values stay in the history. A registration number or identifier another person holds is a 409 conflict.",
	"release-person":       "Records that a person was released: their custody ends. A person not held (in transit, already released, deceased) is refused (409).",
	"repatriate-person":    "Records that a person was repatriated to their country: their custody ends. A person not held is refused (409).",
	"record-death":         "Records a person's death, its circumstances and what became of the remains; the duty to inform the next of kin starts. A person already deceased, released or repatriated is refused (409).",
	"record-escape":        "Records that a person escaped from custody: they stay on the register as escaped, never silently gone.",
	"record-recapture":     "Records that an escaped person was taken back into custody, at a facility of the party that takes them (the caller's). A person not escaped is refused (409).",
	"admit-to-hospital":    "Records that a held person was taken to a hospital facility. They stay in their custodian's custody, hospitalised, until they return.",
	"return-from-hospital": "Records that a person in hospital came back to their facility. A person not in hospital is refused (409).",
	"link-persons":         "Records that another registration holds the same person, with what was compared. Records are never merged: both stay, shown side by side, and a transfer may name only one of them. Already linked is a 409 conflict.",
	"unlink-persons":       "Withdraws a link between two registrations, with a reason. Not linked is a 409 conflict.",
	"distinguish-persons":  "Records that another registration proposed as a likely duplicate holds a different person, so that the pair is no longer proposed. Linked records must be unlinked first (409).",

	// Officer keys.
	"register-key": "Registers an officer's Ed25519 public key to the administrator's party: the key the officer signs handovers and control changes with. The officer's name must be exactly the one they sign with. " +
		"With `replaces`, the officer's previous key is revoked by the same event (a rotation). A key already registered is a 409 conflict; an officer's name is bound to one party, and an account signs for one party (409 refused).",
	"list-keys":  "Every officer key, with its party, officer and whether revoked: what anyone needs to check a signed handover.",
	"get-key":    "One officer key: the public key, its party and officer, and its revocation if any.",
	"revoke-key": "Revokes an officer key, with a reason: a document signed with it and submitted afterwards is refused; what was recorded before stays valid. A key already revoked is refused (409).",

	// Campaigns and transfers.
	"create-campaign": "Creates a campaign: a programme of transfers to a receiving party, with its priority groups in order and its target number of persons. Transfers and plans then refer to it.",
	"list-campaigns":  "Every campaign with its progress against its target: persons planned, in transit, arrived, missing and blocked (and by what), by priority group.",
	"get-campaign":    "One campaign with its progress against its target: persons planned, in transit, arrived, missing and blocked (and by what), by priority group.",
	"plan-campaign": "The campaign planner's proposal for the next movements: which persons, on which vehicles, on which days, respecting capacities, safeguards, facility risks and family units, " +
		"with the reason for each choice and a bound on how far it is from the best plan. With `change`, it re-plans after an event (a safeguard cleared, a movement cancelled, a vehicle lost, a capacity reduced) and shows the difference. Nothing is written.",
	"accept-plan":      "Accepts planned movements of the campaign's plan (the same parameters as the plan): each becomes a planned movement, with a transfer proposed first for persons on none.",
	"propose-transfer": "Proposes a transfer of named persons from a facility of the caller's party to a facility another party controls, with its legal basis and ordering authority. Each person's required safeguards follow from their record (docs/standards.md). A person not held at the sending facility, already on a transfer, or named twice through linked records is refused (409).",
	"list-transfers":   "The transfers the caller may see (their party sends or receives them, or a monitor's mandate), with each person's safeguards and stage.",
	"get-transfer":     "One transfer with each person's required, recorded and overridden safeguards, approvals and stage.",
	"record-safeguard": "Records one safeguard (an acceptance by the receiving state, a risk assessment, fitness to travel, a notification…) for one or more persons of the transfer, with its finding. A safeguard the policy does not require for a person, or a person who has already left, is refused (409).",
	"override-safeguard": "Lets one person depart without one required safeguard, with the reason; the override stays visible on the transfer and in the person's flags. " +
		"A safeguard already met or already overridden is refused (409).",
	"approve-transfer": "Records the approval of the signed-in user's party: the sending or the receiving party. A transfer departs only once both have approved. Approving twice is a 409 conflict; another party is refused (409).",
	"cancel-transfer":  "Cancels a transfer, with a reason, before anyone departs. A planned movement on it must be cancelled first (409 refused).",

	// Movements and handovers.
	"plan-movement":   "Plans a movement (a convoy or a flight) of a transfer: its escort party, vehicles and manifest of persons. A person not on the transfer, already on another manifest, or already gone is refused (409).",
	"list-movements":  "The movements the caller may see, with status, vehicles, manifest and handovers.",
	"get-movement":    "One movement with its manifest, its handovers and its reconciliation. The ETag is the version to send as If-Match when replacing the manifest.",
	"set-manifest":    "Replaces a planned movement's manifest, with overrides (and their reasons) for persons it would otherwise refuse. With If-Match, only if the movement is still the version read (412 otherwise). A movement that departed is refused (409): its manifest was fixed at departure.",
	"cancel-movement": "Cancels a planned movement, with a reason; its persons may go on another. Only a planned movement can be cancelled (409 refused otherwise).",
	"submit-handover": "Records a handover: the document two officers signed at a departure (sending facility → escort) or an arrival (escort → receiving facility), and both Ed25519 signatures over its exact bytes. " +
		"The document is the canonical JSON of the HandoverDocument schema, base64 in `document`; the signatures are by keys registered to the officers' parties, in the officers' names. " +
		"A departure moves every person present into the escort's custody; an arrival moves them into the receiving party's and reconciles the movement: a person absent opens an incident. " +
		"The same document sent again with the same signatures, with or without an Idempotency-Key, is answered with its first receipt and records nothing; with other signature bytes it is refused (409) as already recorded. " +
		"Signatures that do not verify, a revoked key, a name that is not the key's officer, a person not on the manifest or without their safeguards: 409 refused.",

	// Incidents, alerts, notifications.
	"open-incident": "Reports an incident (a discrepancy, an escape, a death, a serious injury, a medical emergency, a use of force, a breakout attempt, a vehicle failure…) with the persons it concerns. " +
		"A person named in an open incident is unaccounted for until it is resolved: the alerts list them.",
	"list-incidents":        "The incidents the caller may see, open and resolved.",
	"get-incident":          "One incident with each person's resolution.",
	"resolve-incident":      "Accounts for one person of an incident (found, escaped, died…) or closes it. A discrepancy is never just closed: each person must be accounted for (409 refused). A person already accounted for is a 409 conflict.",
	"list-alerts":           "The open disappearance alerts the caller may see: each person unaccounted for (missing at an arrival, named in an open incident) and since when. Empty when everyone is accounted for.",
	"list-notifications":    "The duties to inform the caller may see (the family of a transfer, a capture card to the ICRC, the parents of a juvenile, the next of kin of a death…), with deadline, outcome and whether overdue.",
	"get-notification":      "One duty to inform, with its deadline and, once done, what was done.",
	"complete-notification": "Records that a duty to inform was carried out, and how. Completing it twice is a 409 conflict.",

	// The log.
	"log-key":           "What a verifier needs to check checkpoints (GET /log/checkpoint, GET /api/v1/checkpoint) with its own code: the origin and the C2SP signed-note verifier key.",
	"checkpoint":        "The latest signed checkpoint (C2SP signed note), with its size and root hash decoded: verify the note with the key of GET /api/v1/log-key.",
	"witnesses":         "The log's witnesses: for each, the size it last cosigned and when, and its last refusal if that points at a fork or a truncation; the policy's quorum and the newest checkpoint that meets it.",
	"witnessed-event":   "Whether the newest witnessed checkpoint covers an event, which witnesses cosigned it, and since when: a write is beyond dispute once witnessed.",
	"inclusion-proof":   "An RFC 6962 inclusion proof of the event at an index in the tree of a size (default: the latest checkpoint's), with its leaf hash and the root it leads to.",
	"consistency-proof": "An RFC 6962 consistency proof that the tree of size `to` (default: the latest checkpoint's) extends the tree of size `from`, with both roots. A monitor checks each new checkpoint with it.",
	"get-event":         "The event at a ledger index, as the exact bytes hashed into the log's leaf (schema Event): hash them as an RFC 6962 leaf to check an inclusion proof. Served once a checkpoint covers the index.",
	"event-proof":       "One event's proof file (C2SP tlog-proof): the cosigned checkpoint, the index, the inclusion proof and the leaf entry, as text. Anyone can check it offline with `handover proof verify` or their own code.",
}

// describe gives op its description: the entry of opDocs, then who may call it
// (from the authorisation table), its idempotency (from its method) and its
// pages (from its parameters).
func (s *server) describe(op *huma.Operation, public bool) {
	var b strings.Builder
	if d := opDocs[op.OperationID]; d != "" {
		b.WriteString(d)
	} else {
		b.WriteString(op.Description)
	}
	para := func(format string, args ...any) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, format, args...)
	}
	if public {
		para("**Who may call it:** anyone; no credentials.")
	} else if who := whoMay(s.policy.Rules(op.OperationID)); who != "" {
		para("**Who may call it:** %s.", who)
	}
	switch {
	case !isWrite(op.Method):
	case op.Metadata["account"] == true:
		para("**Retries:** not replayed: the answer may carry a secret or a cookie, so it takes no `Idempotency-Key`.")
	default:
		para("**Retries:** send an `Idempotency-Key` to make a retry safe: the first answer is kept and given again " +
			"(`Idempotent-Replayed: true`), and nothing more is written. A refused write changes nothing.")
	}
	op.Description = b.String()
}

// finishDocs completes the operations once huma has registered their parameters:
// the enumerations of query parameters, and how lists page.
func finishDocs(oapi *huma.OpenAPI) {
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			enumParams(op)
			for status, r := range op.Responses {
				var code int
				fmt.Sscan(status, &code)
				if d, ok := responseDocs[code]; ok && r.Description == http.StatusText(code) {
					r.Description = d
				}
			}
			if hasParam(op, "limit") && hasParam(op, "after") {
				op.Description += "\n\n**Pages:** `limit` bounds the answer; to read on, pass the cursor the answer gives (`next`) as `after`."
			}
		}
	}
}

// paramEnums are the enumerated types of query parameters that handlers take as
// plain strings and the domain checks (custody.PersonFilter.Validate): the
// document states their values, the domain keeps refusing the others with its
// own message.
var paramEnums = map[string]reflect.Type{
	"category":  reflect.TypeFor[custody.Category](),
	"status":    reflect.TypeFor[custody.Status](),
	"flag":      reflect.TypeFor[custody.Flag](),
	"sex":       reflect.TypeFor[custody.Sex](),
	"precision": reflect.TypeFor[custody.DatePrecision](),
}

// enumParams gives a query parameter of paramEnums without an enumeration its
// values, in a copy of its schema (huma keeps validating with the first).
func enumParams(op *huma.Operation) {
	for i, p := range op.Parameters {
		t, ok := paramEnums[p.Name]
		if !ok || p.In != "query" || p.Schema == nil || p.Schema.Type != huma.TypeString || len(p.Schema.Enum) > 0 {
			continue
		}
		c, s := *p, *p.Schema
		s.Enum = enumValues[t]
		c.Schema = &s
		op.Parameters[i] = &c
	}
}

func hasParam(op *huma.Operation, name string) bool {
	return slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.In == "query" && p.Name == name })
}

// whoMay says in words who the rules of one action grant it to.
func whoMay(rules []access.Rule) string {
	var parts []string
	audited := false
	for _, r := range rules {
		audited = audited || r.Audit
		roles := make([]string, len(r.Roles))
		for i, role := range r.Roles {
			roles[i] = "`" + string(role) + "`"
		}
		who := strings.Join(roles, ", ")
		if len(r.Roles) == len(access.Roles) {
			who = "every role"
		}
		switch r.Scope {
		case access.Everyone:
			parts = append(parts, who+", of any party")
		case access.AnyAdministrator:
			parts = append(parts, who+", of any party")
		case access.OwnParty:
			parts = append(parts, who+", over their own party's records")
		case access.Mandate:
			parts = append(parts, who+", within their mandate")
		case access.Self:
			parts = append(parts, who+", for themselves")
		}
	}
	s := strings.Join(parts, "; ")
	if audited && s != "" {
		s += ". Each call is written to the audit log"
	}
	return s
}

// problemExamples documents each problem response with an example of its status
// (components/examples, one per status), so that a 404's example is a not_found.
func problemExamples(oapi *huma.OpenAPI) {
	if oapi.Components.Examples == nil {
		oapi.Components.Examples = map[string]*huma.Example{}
	}
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for status, r := range op.Responses {
				mt := r.Content["application/problem+json"]
				if mt == nil || mt.Example != nil || len(mt.Examples) > 0 {
					continue
				}
				var code int
				fmt.Sscan(status, &code)
				name := "problem-" + status
				if _, ok := oapi.Components.Examples[name]; !ok {
					oapi.Components.Examples[name] = problemExample(code)
				}
				mt.Examples = map[string]*huma.Example{string(codeFor(code)): {Ref: "#/components/examples/" + name}}
			}
		}
	}
}

// responseDocs describe the answers of each status that huma names by the status
// alone; the problems' codes are documented in docs/problems.md.
var responseDocs = map[int]string{
	http.StatusOK:                    "OK: the answer",
	http.StatusCreated:               "Created: what was recorded, with the receipt of its events",
	http.StatusNoContent:             "Done; no body",
	http.StatusBadRequest:            "malformed: the body is not JSON of this operation, a parameter does not parse, or a query parameter is unknown",
	http.StatusUnauthorized:          "unauthenticated: no session or token, or an ended, expired or revoked one",
	http.StatusForbidden:             "forbidden: no role of the user grants this action over this resource, or a write came from another origin",
	http.StatusNotFound:              "not_found: no such record, or one the caller may not see",
	http.StatusConflict:              "conflict (it clashes with a record: already recorded, a duplicate) or refused (the current state forbids it); nothing was written",
	http.StatusPreconditionFailed:    "precondition_failed: If-Match names a version that is no longer the resource's",
	http.StatusRequestEntityTooLarge: "too_large: the body is larger than this operation accepts",
	http.StatusUnsupportedMediaType:  "unsupported_media_type: the body's Content-Type is not one this operation reads",
	http.StatusUnprocessableEntity:   "invalid: a field fails validation; errors[].location names each; nothing was written",
	http.StatusTooManyRequests:       "rate_limited: too many failed sign-ins from this address; see Retry-After",
	http.StatusInternalServerError:   "internal: a fault of the server, logged; a write under an Idempotency-Key may be retried",
}

// problemDetails of each status, as examples.
var problemDetail = map[int]struct{ detail, location, message string }{
	http.StatusBadRequest:            {"query: unknown parameter \"sort\"; this operation takes: facility, limit, after", "query.sort", "unknown parameter"},
	http.StatusUnauthorized:          {"no session and no API token: sign in or send Authorization: Bearer hot_…", "", ""},
	http.StatusForbidden:             {"the roles of pat.registrar (registrar) do not grant approve-transfer", "", ""},
	http.StatusNotFound:              {"path.id: no person HSK-000999", "path.id", "no person HSK-000999"},
	http.StatusMethodNotAllowed:      {"DELETE is not allowed here; Allow: GET, POST", "", ""},
	http.StatusNotAcceptable:         {"Accept: no representation of application/xml", "", ""},
	http.StatusConflict:              {"body.person.reg_no: HSK-000150 is already the registration number of person 0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10", "body.person.reg_no", "HSK-000150 is already the registration number of person 0192d6a4-6c1e-7b3a-9f00-3e5b1c2d4a10"},
	http.StatusPreconditionFailed:    {"header.If-Match: the movement is no longer version \"9f2c4e1a7b3d5f60\": read it again", "header.If-Match", "the movement is no longer that version"},
	http.StatusRequestEntityTooLarge: {"request body is too large: at most 1048576 bytes", "", ""},
	http.StatusUnsupportedMediaType:  {"Content-Type text/plain is not accepted: send application/json", "", ""},
	http.StatusUnprocessableEntity:   {"body.person.sex: \"x\" is not a sex", "body.person.sex", "\"x\" is not a sex"},
	http.StatusTooManyRequests:       {"too many failed sign-ins from this address: retry after 60 seconds", "", ""},
	http.StatusInternalServerError:   {"the request could not be completed; the fault was logged", "", ""},
	http.StatusServiceUnavailable:    {"the store is not answering", "", ""},
}

func problemExample(status int) *huma.Example {
	d, ok := problemDetail[status]
	if !ok {
		d.detail = http.StatusText(status)
	}
	code := codeFor(status)
	p := map[string]any{"type": ProblemTypeBase + string(code), "title": http.StatusText(status), "status": status, "code": string(code), "detail": d.detail}
	if d.location != "" {
		p["errors"] = []any{map[string]any{"location": d.location, "message": d.message}}
	}
	return &huma.Example{Summary: fmt.Sprintf("%d %s", status, code), Value: p}
}
