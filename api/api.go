// Package api is handover's JSON API, version 1: the routes under /api/v1/, the
// tiled log under /log/, /healthz and the OpenAPI 3.1 description at /openapi.json.
// It is thin: it parses requests, resolves references (a facility code, a
// registration number), submits custody commands to the store and renders what the
// store returns. Every refusal is an RFC 9457 problem (see error.go).
//
// Every route but login needs a signed-in user (auth.go), whose roles must grant
// the route's action in the authorisation table (access.Table) over the resource
// it concerns (authz.go); reads of persons' records, exports, writes, denials and
// failed logins are written to the audit log (audit.go).
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
)

// Store is what the API needs of a storage engine.
type Store interface {
	ledger.Reader
	Submit(ctx context.Context, cmd custody.Command) (sequencer.Receipt, error)
	Person(ctx context.Context, id uuid.UUID) (*custody.PersonState, error)
	PersonByRegNo(ctx context.Context, regNo string) (*custody.PersonState, error)
	Persons(ctx context.Context, f custody.PersonFilter) (*custody.PersonPage, error)
	History(ctx context.Context, subject uuid.UUID) ([]custody.LoggedEvent, error)
	Event(ctx context.Context, index uint64) (custody.LoggedEvent, error)
	Facilities(ctx context.Context) ([]custody.FacilityState, error)
	Parties(ctx context.Context) ([]custody.Party, error)
	// Doc returns the JSON of one operational record (an officer key, a campaign,
	// a transfer, a movement, an incident, a notification), or a custody.NotFound
	// error; DocList returns every record of a kind, in id order, and DocIDs their
	// ids alone.
	Doc(ctx context.Context, kind custody.DocKind, id uuid.UUID) ([]byte, error)
	DocList(ctx context.Context, kind custody.DocKind) ([][]byte, error)
	DocIDs(ctx context.Context, kind custody.DocKind) ([]uuid.UUID, error)
}

// Config configures the API.
type Config struct {
	Origin   string        // the log's name, as in its checkpoints
	Verifier note.Verifier // the log's key: checkpoints are opened with it before they are served
	// VerifierKey is the log's key in signed-note verifier key form, served by GET
	// /api/v1/log-key; optional.
	VerifierKey string
	Logger      *slog.Logger // default slog.Default()
	Now         func() time.Time
	// Idempotency keeps the responses to writes that carried an Idempotency-Key.
	// Default: the store, if it implements Idempotency; otherwise responses are
	// kept in memory and forgotten at restart (a warning is logged).
	Idempotency Idempotency

	// Accounts keeps the users, their sessions and API tokens, and the audit log.
	// Required: every route but login, /healthz, /openapi.json and /log/ needs a
	// signed-in user.
	Accounts access.Store
	// Policy decides who may take each action; default access.DefaultPolicy. A
	// route whose action it does not name makes New fail.
	Policy *access.Policy
	// TLS says clients reach the server over HTTPS: the session cookie is Secure and
	// responses carry Strict-Transport-Security.
	TLS bool
	// SecureCookies marks the session cookie Secure, and sends
	// Strict-Transport-Security, although this server does not terminate TLS
	// itself (a TLS proxy stands in front).
	SecureCookies bool
	// TrustForwardedFor takes the client's address, for the audit log and the login
	// limiter, from the last X-Forwarded-For entry: set it only when one trusted
	// proxy stands in front and sets that header. Otherwise the connection's address.
	TrustForwardedFor bool
	// Limits of sessions, tokens and logins; zero fields take DefaultLimits'.
	Limits Limits
	// PasswordParams are the argon2id costs of passwords set through the API; zero:
	// access.DefaultParams.
	PasswordParams access.Params
	// LogCheckpoint, if set, serves GET /log/checkpoint in place of the newest
	// signed checkpoint: the log's witnessed checkpoint (witness.CheckpointHandler).
	LogCheckpoint http.Handler
	// Witnesses, if set, reports the log's witnesses at GET /api/v1/witnesses and
	// says in receipts whether the checkpoint covering an event is witnessed.
	Witnesses WitnessReporter
}

// MaxBodyBytes is the largest request body accepted; larger ones get 413. A
// handover, whose document may list a whole convoy, may be up to
// MaxHandoverBodyBytes.
const (
	MaxBodyBytes         = 1 << 20
	MaxHandoverBodyBytes = 6 << 20
)

type server struct {
	store  Store
	cfg    Config
	log    *slog.Logger
	idem   *idempotency
	acc    access.Store
	policy *access.Policy
	audit  *auditLog
	idle   *idleTracker
	addrs  *addrLimiter
	tokens *touches
	ends   *endsCache
	names  *nameIndex
	warm   warming
	// hashing bounds the password checks running at once: each takes 64 MiB.
	hashing chan struct{}
	// noIdem matches the routes whose writes are never replayed (their answers
	// carry secrets or cookies); errs collects route table faults for New.
	noIdem *http.ServeMux
	errs   []error
}

// Handler is the API: an http.Handler, whose Close writes the audit entries
// still queued. Close it after the HTTP server has finished its requests.
type Handler struct {
	h http.Handler
	s *server
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// Close flushes the audit log. Requests served after Close write their audit
// entries one by one.
func (h *Handler) Close() error {
	h.s.stopWarming()
	return h.s.audit.close()
}

// New returns the API's handler. It fails if the configuration lacks the account
// store, or if a route's action is not in the authorisation table: the server
// does not start with a route nobody has decided about.
func New(store Store, cfg Config) (*Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Accounts == nil {
		return nil, errors.New("api: Config.Accounts is required: every route but login needs a signed-in user")
	}
	if cfg.Policy == nil {
		cfg.Policy = access.DefaultPolicy
	}
	if cfg.PasswordParams == (access.Params{}) {
		cfg.PasswordParams = access.DefaultParams
	}
	cfg.Limits = cfg.Limits.withDefaults()
	s := &server{store: store, cfg: cfg, log: cfg.Logger, idem: newIdempotency(store, cfg),
		acc: cfg.Accounts, policy: cfg.Policy, audit: newAuditLog(cfg.Accounts, cfg.Logger),
		idle: newIdleTracker(cfg.Now()), addrs: newAddrLimiter(), tokens: &touches{}, ends: newEndsCache(), names: &nameIndex{},
		hashing: make(chan struct{}, max(1, runtime.NumCPU())), noIdem: http.NewServeMux()}
	mux := http.NewServeMux()
	hc := huma.DefaultConfig("handover", "1")
	hc.Info.Description = "Custody records of people deprived of liberty, in a tamper-evident ledger.\n\n" + authDoc + "\n\n" + idempotencyDoc
	hc.Servers = []*huma.Server{{URL: "/", Description: "The server that serves this document: its routes are under /api/v1/, its log under /log/"}}
	hc.DocsPath, hc.SchemasPath = "", "" // no documentation page that pulls scripts from a CDN
	hc.CreateHooks = nil                 // no $schema links in bodies
	hc.Transformers = []huma.Transformer{locateSchemaErrors}
	hc.FieldsOptionalByDefault = true // required fields are the domain's to check, with its paths
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "The session cookie set by POST /api/v1/login"},
		"token":   {Type: "http", Scheme: "bearer", Description: "An API token (hot_…) made with POST /api/v1/tokens or handover token create"},
	}
	api := humago.New(mux, hc)
	api.OpenAPI().Components.Schemas.RegisterTypeAlias(reflect.TypeFor[uuid.UUID](), reflect.TypeFor[uuidSchema]())
	enumSchemas(api.OpenAPI().Components.Schemas)
	s.routes(api)
	finishSchemas(api.OpenAPI())
	documentSchemas(api.OpenAPI())
	finishOperations(api.OpenAPI())
	finishDocs(api.OpenAPI())
	if err := errors.Join(s.errs...); err != nil {
		s.audit.close()
		return nil, err
	}
	documentPlainRoutes(api.OpenAPI())
	documentExamples(api.OpenAPI())
	mux.Handle("/log/", problems(ledger.Handler(store)))
	if cfg.LogCheckpoint != nil {
		mux.Handle("GET /log/checkpoint", problems(cfg.LogCheckpoint))
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("/", notFoundOrMethod(mux))
	return &Handler{s: s, h: s.secure(s.recoverer(s.authenticate(s.crossOrigin(s.utf8Only(s.idempotent(mux))))))}, nil
}

// routes is the route table of /api/v1. Each route names its action (the
// operation id, a row of the authorisation table) and its guard: what the
// authorisation is decided on (see authz.go).
func (s *server) routes(api huma.API) {
	const v1 = "/api/v1"
	var (
		person, personRead   = byPath(s.personWrite), byPath(s.personRead)
		transfer, transferRd = byPath(s.transferWrite), byPath(s.transferRead)
		movement             = byPath(s.movementOf)
		incident             = byPath(s.incidentOf)
		notification         = byPath(s.notificationOf)
	)
	route(api, s, http.MethodPost, v1+"/login", "login", "Sign in: sets the session cookie", public, s.login, withStatus(http.StatusOK), account,
		withErrors(http.StatusUnauthorized, http.StatusTooManyRequests))
	route(api, s, http.MethodPost, v1+"/logout", "logout", "Sign out: ends the session", signedIn, s.logout, withStatus(http.StatusNoContent), account)
	route(api, s, http.MethodGet, v1+"/me", "whoami", "The signed-in user, their party, roles and actions", signedIn, s.whoami)
	route(api, s, http.MethodPost, v1+"/me/password", "change-password", "Change one's password; every session of the user ends", signedIn, s.changePassword, withStatus(http.StatusNoContent), account,
		withErrors(http.StatusTooManyRequests))
	route(api, s, http.MethodPost, v1+"/tokens", "create-token", "Make an API token (shown once)", signedIn, s.createToken, account)
	route(api, s, http.MethodGet, v1+"/tokens", "list-tokens", "One's API tokens", signedIn, s.listTokens)
	route(api, s, http.MethodGet, v1+"/tokens/{id}", "get-token", "One of one's API tokens (never its secret)", byPath(s.tokenOf), s.getToken)
	route(api, s, http.MethodDelete, v1+"/tokens/{id}", "revoke-token", "Revoke one of one's API tokens", byPath(s.tokenOf), s.revokeToken, withStatus(http.StatusNoContent), account)
	route(api, s, http.MethodGet, v1+"/users", "list-users", "The accounts of one's party", filtered, s.listUsers)
	route(api, s, http.MethodPost, v1+"/users", "create-user", "Make an account of one's party", by(s.newUserConcerns), s.createUser, account)
	route(api, s, http.MethodGet, v1+"/users/{id}", "get-user", "An account of one's party, with its version (ETag)", byPath(s.userOf), s.getUser)
	route(api, s, http.MethodPatch, v1+"/users/{id}", "update-user", "Change an account of one's party: name, roles, disabled, password, lock", byPath(s.userOf), s.updateUser, account,
		withErrors(http.StatusPreconditionFailed))
	route(api, s, http.MethodGet, v1+"/audit", "audit-log", "The audit log of one's party", filtered, s.auditLog)
	route(api, s, http.MethodGet, v1+"/audit/export", "export-audit-log", "Download the audit log of one's party (CSV or JSON lines)", filtered, s.exportAuditLog)

	route(api, s, http.MethodPost, v1+"/parties", "register-party", "Register a party", signedIn, s.registerParty)
	route(api, s, http.MethodGet, v1+"/parties", "list-parties", "List parties", signedIn, s.listParties)
	route(api, s, http.MethodGet, v1+"/parties/{id}", "get-party", "Get a party by id or code", signedIn, s.getParty)
	if s.policy.Known("set-mandate") { // until the table names it (see the report of issue 4)
		route(api, s, http.MethodPut, v1+"/parties/{id}/mandate", "set-mandate", "Set a monitor's mandate: all persons, or a list of facilities", byPath(s.partyOf), s.setMandate)
	}

	route(api, s, http.MethodPost, v1+"/facilities", "register-facility", "Register a facility", by(s.newFacilityConcerns), s.registerFacility)
	route(api, s, http.MethodGet, v1+"/facilities", "list-facilities", "List facilities with controller and population", signedIn, s.listFacilities)
	route(api, s, http.MethodGet, v1+"/facilities/{id}", "get-facility", "Get a facility by id or code", signedIn, s.getFacility)
	route(api, s, http.MethodPost, v1+"/facilities/{id}/risks", "set-facility-risk", "Set (or lift) a facility's risk and deadline: control expected to change by, at risk of breakout from", byPath(s.facilityOf), s.setFacilityRisk)
	route(api, s, http.MethodPost, v1+"/facilities/{id}/control-changes", "change-facility-control", "Pass control of a facility to another party", byPath(s.facilityOf), s.changeControl)

	route(api, s, http.MethodPost, v1+"/persons", "register-person", "Register a person and admit them to a facility", by(s.newPersonConcerns), s.registerPerson)
	route(api, s, http.MethodPost, v1+"/imports", "import-persons", "Register and admit the persons of a CSV (HXL) or JSON lines file at one facility, all or none", by(s.importConcerns), s.importPersons,
		func(op *huma.Operation) { op.MaxBodyBytes = MaxImportBodyBytes })
	route(api, s, http.MethodGet, v1+"/feed", "read-feed", "The events one may see, in ledger order, after a cursor: a page (long poll with wait) or server-sent events", filtered, s.feed)
	route(api, s, http.MethodGet, v1+"/exports/persons", "export-persons", "Download the persons one may see as CSV (HXL) or JSON lines, encrypted with age to the recipients given", filtered, s.exportPersons)
	route(api, s, http.MethodGet, v1+"/persons", "list-persons", "List the persons one may see", filtered, s.listPersons)
	route(api, s, http.MethodGet, v1+"/duplicates", "list-duplicates", "Pairs of registrations likely to be one person, or the persons likely to be one not yet registered", filtered, s.listDuplicates)
	route(api, s, http.MethodGet, v1+"/persons/{id}", "get-person", "Get a person by id or registration number", personRead, s.getPerson)
	route(api, s, http.MethodGet, v1+"/persons/{id}/history", "person-history", "A person's events with inclusion proofs", personRead, s.history)
	route(api, s, http.MethodPost, v1+"/persons/{id}/admissions", "admit-person", "Admit a person to a facility", person, s.admit)
	route(api, s, http.MethodPost, v1+"/persons/{id}/corrections", "correct-record", "Correct a person's record (JSON merge patch)", person, s.correct)
	route(api, s, http.MethodPost, v1+"/persons/{id}/releases", "release-person", "Release a person", person, s.release)
	route(api, s, http.MethodPost, v1+"/persons/{id}/repatriations", "repatriate-person", "Repatriate a person", person, s.repatriate)
	route(api, s, http.MethodPost, v1+"/persons/{id}/deaths", "record-death", "Record a person's death", person, s.death)
	route(api, s, http.MethodPost, v1+"/persons/{id}/escapes", "record-escape", "Record an escape", person, s.escape)
	route(api, s, http.MethodPost, v1+"/persons/{id}/recaptures", "record-recapture", "Record a recapture: by the party whose facility takes the person", by(s.recaptureOf), s.recapture)
	route(api, s, http.MethodPost, v1+"/persons/{id}/hospital-admissions", "admit-to-hospital", "Take a person to hospital", person, s.hospitalAdmit)
	route(api, s, http.MethodPost, v1+"/persons/{id}/hospital-returns", "return-from-hospital", "Bring a person back from hospital", person, s.hospitalReturn)
	route(api, s, http.MethodPost, v1+"/persons/{id}/links", "link-persons", "Record that another registration holds the same person (never a merge)", person, s.linkPersons)
	route(api, s, http.MethodPost, v1+"/persons/{id}/unlinks", "unlink-persons", "Withdraw a link to another registration", person, s.unlinkPersons)
	route(api, s, http.MethodPost, v1+"/persons/{id}/distinctions", "distinguish-persons", "Record that another registration proposed as a duplicate holds a different person", person, s.distinguishPersons)

	route(api, s, http.MethodPost, v1+"/keys", "register-key", "Register an officer's Ed25519 public key to a party", by(s.newKeyConcerns), s.registerKey)
	route(api, s, http.MethodGet, v1+"/keys", "list-keys", "List officer keys", signedIn, s.listKeys)
	route(api, s, http.MethodGet, v1+"/keys/{id}", "get-key", "Get an officer key", signedIn, s.getKey)
	route(api, s, http.MethodPost, v1+"/keys/{id}/revocations", "revoke-key", "Revoke an officer key", byPath(s.keyOf), s.revokeKey)

	route(api, s, http.MethodPost, v1+"/campaigns", "create-campaign", "Create a campaign of transfers", by(s.newCampaignConcerns), s.createCampaign)
	route(api, s, http.MethodGet, v1+"/campaigns", "list-campaigns", "List campaigns with their progress", signedIn, s.listCampaigns)
	route(api, s, http.MethodGet, v1+"/campaigns/{id}", "get-campaign", "Get a campaign with its progress", signedIn, s.getCampaign)
	route(api, s, http.MethodGet, v1+"/campaigns/{id}/plan", "plan-campaign", "Plan a campaign's next movements, with explanations and bounds", byPath(s.campaignOf), s.getPlan)
	route(api, s, http.MethodPost, v1+"/campaigns/{id}/plan/acceptances", "accept-plan", "Accept planned movements: each becomes a planned movement (with a transfer proposed for persons on none)", byPath(s.campaignOf), s.acceptPlan)

	route(api, s, http.MethodPost, v1+"/transfers", "propose-transfer", "Propose a transfer of persons to another party", by(s.newTransferConcerns), s.proposeTransfer)
	route(api, s, http.MethodGet, v1+"/transfers", "list-transfers", "List the transfers one may see", filtered, s.listTransfers)
	route(api, s, http.MethodGet, v1+"/transfers/{id}", "get-transfer", "Get a transfer with each person's safeguards", transferRd, s.getTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/safeguards", "record-safeguard", "Record one safeguard for persons on a transfer", transfer, s.recordSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/overrides", "override-safeguard", "Let one person depart without a safeguard, for a reason", transfer, s.overrideSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/approvals", "approve-transfer", "One side's approval of a transfer: the signed-in user's party", transfer, s.approveTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/cancellations", "cancel-transfer", "Cancel a transfer before anyone departs", transfer, s.cancelTransfer)

	route(api, s, http.MethodPost, v1+"/movements", "plan-movement", "Plan a movement with its vehicles and manifest", by(s.newMovementConcerns), s.planMovement)
	route(api, s, http.MethodGet, v1+"/movements", "list-movements", "List the movements one may see", filtered, s.listMovements)
	route(api, s, http.MethodGet, v1+"/movements/{id}", "get-movement", "Get a movement", movement, s.getMovement)
	route(api, s, http.MethodPut, v1+"/movements/{id}/manifest", "set-manifest", "Replace a planned movement's manifest", movement, s.setManifest, withErrors(http.StatusPreconditionFailed))
	route(api, s, http.MethodPost, v1+"/movements/{id}/cancellations", "cancel-movement", "Cancel a planned movement", movement, s.cancelMovement)

	route(api, s, http.MethodPost, v1+"/handovers", "submit-handover", "Record a handover signed by both officers", by(s.handoverConcerns), s.submitHandover,
		func(op *huma.Operation) { op.MaxBodyBytes = MaxHandoverBodyBytes })

	route(api, s, http.MethodPost, v1+"/incidents", "open-incident", "Report an incident", by(s.newIncidentConcerns), s.openIncident)
	route(api, s, http.MethodGet, v1+"/incidents", "list-incidents", "List the incidents one may see", filtered, s.listIncidents)
	route(api, s, http.MethodGet, v1+"/incidents/{id}", "get-incident", "Get an incident", incident, s.getIncident)
	route(api, s, http.MethodPost, v1+"/incidents/{id}/resolutions", "resolve-incident", "Account for a person of an incident, or close it", incident, s.resolveIncident)
	route(api, s, http.MethodGet, v1+"/alerts", "list-alerts", "Open disappearance alerts one may see: persons unaccounted for", filtered, s.listAlerts)

	route(api, s, http.MethodGet, v1+"/notifications", "list-notifications", "List the duties to inform one may see", filtered, s.listNotifications)
	route(api, s, http.MethodGet, v1+"/notifications/{id}", "get-notification", "Get a duty to inform", notification, s.getNotification)
	route(api, s, http.MethodPost, v1+"/notifications/{id}/completions", "complete-notification", "Record that a duty to inform was carried out", notification, s.completeNotification)

	route(api, s, http.MethodGet, v1+"/log-key", "log-key", "The log's origin and verification key", public, s.logKey)
	route(api, s, http.MethodGet, v1+"/checkpoint", "checkpoint", "The latest signed checkpoint", signedIn, s.checkpoint)
	route(api, s, http.MethodGet, v1+"/witnesses", "witnesses", "The log's witnesses: the size each last cosigned, and when; the newest witnessed checkpoint", signedIn, s.witnesses)
	route(api, s, http.MethodGet, v1+"/witnessed/{index}", "witnessed-event", "Whether the checkpoint covering an event is witnessed, by whom, since when", signedIn, s.witnessedEvent,
		func(op *huma.Operation) {
			p := preferWaitParam
			op.Parameters = append(op.Parameters, &p)
			op.Description = "The smallest checkpoint covering the event that meets the witnesses' quorum, each witness that cosigned it and when. " +
				"With `Prefer: wait=N` the answer waits until it is witnessed or N seconds have passed (at most 30)."
		})
	route(api, s, http.MethodGet, v1+"/proofs/inclusion", "inclusion-proof", "Proof that an event is in the ledger", signedIn, s.inclusion)
	route(api, s, http.MethodGet, v1+"/proofs/consistency", "consistency-proof", "Proof that one tree extends another", signedIn, s.consistency)
	route(api, s, http.MethodGet, v1+"/events/{index}", "get-event", "One event's exact bytes", byPath(s.eventOf), s.event, eventResponse(api))
	route(api, s, http.MethodGet, v1+"/events/{index}/proof", "event-proof", "One event's proof file (C2SP tlog-proof: cosigned checkpoint, index, inclusion proof, leaf entry), to verify offline", signedIn, s.eventProof,
		textResponse("The proof file, C2SP tlog-proof text", "Ledger-Size", "The size of the checkpoint the proof is given against", proofFileExample))
}

// withStatus sets the status of a successful answer.
func withStatus(status int) func(*huma.Operation) {
	return func(op *huma.Operation) { op.DefaultStatus = status }
}

// withErrors documents more error statuses.
func withErrors(statuses ...int) func(*huma.Operation) {
	return func(op *huma.Operation) { op.Errors = append(op.Errors, statuses...) }
}

// account marks a write about accounts: its answer may carry a secret (a token,
// a generated password) or a cookie, so it is never kept for replay, and takes no
// Idempotency-Key.
func account(op *huma.Operation) {
	op.Parameters = slices.DeleteFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == IdempotencyKeyHeader || p.Name == "Prefer" })
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata["account"] = true
}

// route registers one operation. POSTs answer 201; writes document the
// Idempotency-Key header; every error the handler returns goes through s.problem,
// so that nothing but a problem reaches the client. g decides who may call it
// (authz.go): the action id must be in the policy unless the route is public.
// opts adjust the operation.
func route[I, O any](api huma.API, s *server, method, path, id, summary string, g guard, h func(context.Context, *I) (*O, error), opts ...func(*huma.Operation)) {
	op := huma.Operation{
		OperationID: id, Method: method, Path: path, Summary: summary,
		MaxBodyBytes: MaxBodyBytes,
		Errors:       []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}
	if method == http.MethodPost {
		op.DefaultStatus = http.StatusCreated
	}
	write := isWrite(method)
	if write {
		// 403: a cross-origin write (harden.go); 413 and 415: the body.
		op.Errors = append(op.Errors, http.StatusConflict, http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
		p, w := idempotencyKeyParam, preferWaitParam
		op.Parameters = append(op.Parameters, &p, &w)
	}
	if err := g.check(reflect.TypeFor[I]()); err != nil {
		s.errs = append(s.errs, fmt.Errorf("api: route %s %s (%s): %w", method, path, id, err))
		return
	}
	if g.kind == publicKind {
		op.Security = []map[string][]string{}
	} else {
		if !s.policy.Known(id) {
			s.errs = append(s.errs, fmt.Errorf("api: route %s %s: action %q is not in the authorisation table", method, path, id))
			return
		}
		op.Security = []map[string][]string{{"session": {}}, {"token": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
		op.Middlewares = huma.Middlewares{s.gate(api, id, write)}
	}
	op.Middlewares = append(huma.Middlewares{knownQuery(api)}, op.Middlewares...)
	for _, o := range opts {
		o(&op)
	}
	withLocation(&op, hasReceipt(reflect.TypeFor[O]()))
	s.describe(&op, g.kind == publicKind)
	slices.Sort(op.Errors)
	op.Errors = slices.Compact(op.Errors)
	if op.Metadata["account"] == true {
		s.noIdem.Handle(method+" "+path, http.NotFoundHandler())
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		az := authzOf(ctx)
		if az != nil && g.kind == resourceKind {
			if err := s.authorize(ctx, az, g, in); err != nil {
				return nil, s.problem(ctx, err)
			}
		}
		out, err := h(ctx, in)
		if az != nil && (az.write || az.grant.Audit) {
			if aerr := s.recordAct(ctx, az, err); aerr != nil && err == nil && !az.write {
				// An audited read is not answered unless its entry is stored.
				return nil, s.problem(ctx, aerr)
			}
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if op.Metadata[locationKey] != nil {
			locate(ctx, path, out)
		}
		return out, nil
	})
}

// uuidSchema documents uuid.UUID as a string in UUID format, so that huma checks it.
type uuidSchema string

func (uuidSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "uuid"}
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" { // like every route, it refuses parameters it does not take
		writeProblemAt(w, http.StatusBadRequest, Malformed, "query", "/healthz takes no query parameters")
		return
	}
	_, size, err := s.store.LatestCheckpoint(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "api: health check", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "the store is not answering")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(fmt.Appendf(nil, `{"status":"ok","size":%d,"time":%q}`+"\n", size, s.cfg.Now().UTC().Format(time.RFC3339)))
}
