// Package api is handover's JSON API, version 1: the routes under /api/v1/, the
// tiled log under /log/, /healthz and the OpenAPI 3.1 description at /openapi.json.
// It is thin: it parses requests, resolves references (a facility code, a
// registration number), submits custody commands to the store and renders what the
// store returns. Every refusal is an RFC 9457 problem (see error.go).
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

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
	// error; DocList returns every record of a kind, in id order.
	Doc(ctx context.Context, kind custody.DocKind, id uuid.UUID) ([]byte, error)
	DocList(ctx context.Context, kind custody.DocKind) ([][]byte, error)
}

// Config configures the API.
type Config struct {
	Origin   string        // the log's name, as in its checkpoints
	Verifier note.Verifier // the log's key: checkpoints are opened with it before they are served
	Logger   *slog.Logger  // default slog.Default()
	Now      func() time.Time
	// Idempotency keeps the responses to writes that carried an Idempotency-Key.
	// Default: the store, if it implements Idempotency; otherwise responses are
	// kept in memory and forgotten at restart (a warning is logged).
	Idempotency Idempotency
}

// MaxBodyBytes is the largest request body accepted; larger ones get 413. A
// handover, whose document may list a whole convoy, may be up to
// MaxHandoverBodyBytes.
const (
	MaxBodyBytes         = 1 << 20
	MaxHandoverBodyBytes = 6 << 20
)

type server struct {
	store Store
	cfg   Config
	log   *slog.Logger
	idem  *idempotency
}

// New returns the API's handler.
func New(store Store, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{store: store, cfg: cfg, log: cfg.Logger, idem: newIdempotency(store, cfg)}
	mux := http.NewServeMux()
	hc := huma.DefaultConfig("handover", "1")
	hc.Info.Description = "Custody records of people deprived of liberty, in a tamper-evident ledger.\n\n" + idempotencyDoc
	hc.DocsPath, hc.SchemasPath = "", "" // no documentation page that pulls scripts from a CDN
	hc.CreateHooks = nil                 // no $schema links in bodies
	hc.Transformers = []huma.Transformer{locateSchemaErrors}
	hc.FieldsOptionalByDefault = true // required fields are the domain's to check, with its paths
	api := humago.New(mux, hc)
	api.OpenAPI().Components.Schemas.RegisterTypeAlias(reflect.TypeFor[uuid.UUID](), reflect.TypeFor[uuidSchema]())
	s.routes(api)
	mux.Handle("/log/", ledger.Handler(store))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "no such resource: "+r.URL.Path)
	})
	return s.recoverer(s.idempotent(mux))
}

// routes is the route table of /api/v1.
func (s *server) routes(api huma.API) {
	const v1 = "/api/v1"
	route(api, s, http.MethodPost, v1+"/parties", "register-party", "Register a party", s.registerParty)
	route(api, s, http.MethodGet, v1+"/parties", "list-parties", "List parties", s.listParties)

	route(api, s, http.MethodPost, v1+"/facilities", "register-facility", "Register a facility", s.registerFacility)
	route(api, s, http.MethodGet, v1+"/facilities", "list-facilities", "List facilities with controller and population", s.listFacilities)
	route(api, s, http.MethodGet, v1+"/facilities/{id}", "get-facility", "Get a facility by id or code", s.getFacility)
	route(api, s, http.MethodPost, v1+"/facilities/{id}/control-changes", "change-facility-control", "Pass control of a facility to another party", s.changeControl)

	route(api, s, http.MethodPost, v1+"/persons", "register-person", "Register a person and admit them to a facility", s.registerPerson)
	route(api, s, http.MethodGet, v1+"/persons", "list-persons", "List persons", s.listPersons)
	route(api, s, http.MethodGet, v1+"/persons/{id}", "get-person", "Get a person by id or registration number", s.getPerson)
	route(api, s, http.MethodGet, v1+"/persons/{id}/history", "person-history", "A person's events with inclusion proofs", s.history)
	route(api, s, http.MethodPost, v1+"/persons/{id}/admissions", "admit-person", "Admit a person to a facility", s.admit)
	route(api, s, http.MethodPost, v1+"/persons/{id}/corrections", "correct-record", "Correct a person's record (JSON merge patch)", s.correct)
	route(api, s, http.MethodPost, v1+"/persons/{id}/releases", "release-person", "Release a person", s.release)
	route(api, s, http.MethodPost, v1+"/persons/{id}/repatriations", "repatriate-person", "Repatriate a person", s.repatriate)
	route(api, s, http.MethodPost, v1+"/persons/{id}/deaths", "record-death", "Record a person's death", s.death)
	route(api, s, http.MethodPost, v1+"/persons/{id}/escapes", "record-escape", "Record an escape", s.escape)
	route(api, s, http.MethodPost, v1+"/persons/{id}/recaptures", "record-recapture", "Record a recapture", s.recapture)
	route(api, s, http.MethodPost, v1+"/persons/{id}/hospital-admissions", "admit-to-hospital", "Take a person to hospital", s.hospitalAdmit)
	route(api, s, http.MethodPost, v1+"/persons/{id}/hospital-returns", "return-from-hospital", "Bring a person back from hospital", s.hospitalReturn)

	route(api, s, http.MethodPost, v1+"/keys", "register-key", "Register an officer's Ed25519 public key to a party", s.registerKey)
	route(api, s, http.MethodGet, v1+"/keys", "list-keys", "List officer keys", s.listKeys)
	route(api, s, http.MethodGet, v1+"/keys/{id}", "get-key", "Get an officer key", s.getKey)
	route(api, s, http.MethodPost, v1+"/keys/{id}/revocations", "revoke-key", "Revoke an officer key", s.revokeKey)

	route(api, s, http.MethodPost, v1+"/campaigns", "create-campaign", "Create a campaign of transfers", s.createCampaign)
	route(api, s, http.MethodGet, v1+"/campaigns", "list-campaigns", "List campaigns with their progress", s.listCampaigns)
	route(api, s, http.MethodGet, v1+"/campaigns/{id}", "get-campaign", "Get a campaign with its progress", s.getCampaign)

	route(api, s, http.MethodPost, v1+"/transfers", "propose-transfer", "Propose a transfer of persons to another party", s.proposeTransfer)
	route(api, s, http.MethodGet, v1+"/transfers", "list-transfers", "List transfers", s.listTransfers)
	route(api, s, http.MethodGet, v1+"/transfers/{id}", "get-transfer", "Get a transfer with each person's safeguards", s.getTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/safeguards", "record-safeguard", "Record one safeguard for persons on a transfer", s.recordSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/overrides", "override-safeguard", "Let one person depart without a safeguard, for a reason", s.overrideSafeguard)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/approvals", "approve-transfer", "One side's approval of a transfer", s.approveTransfer)
	route(api, s, http.MethodPost, v1+"/transfers/{id}/cancellations", "cancel-transfer", "Cancel a transfer before anyone departs", s.cancelTransfer)

	route(api, s, http.MethodPost, v1+"/movements", "plan-movement", "Plan a movement with its vehicles and manifest", s.planMovement)
	route(api, s, http.MethodGet, v1+"/movements", "list-movements", "List movements", s.listMovements)
	route(api, s, http.MethodGet, v1+"/movements/{id}", "get-movement", "Get a movement", s.getMovement)
	route(api, s, http.MethodPut, v1+"/movements/{id}/manifest", "set-manifest", "Replace a planned movement's manifest", s.setManifest)
	route(api, s, http.MethodPost, v1+"/movements/{id}/cancellations", "cancel-movement", "Cancel a planned movement", s.cancelMovement)

	route(api, s, http.MethodPost, v1+"/handovers", "submit-handover", "Record a handover signed by both officers", s.submitHandover,
		func(op *huma.Operation) { op.MaxBodyBytes = MaxHandoverBodyBytes })

	route(api, s, http.MethodPost, v1+"/incidents", "open-incident", "Report an incident", s.openIncident)
	route(api, s, http.MethodGet, v1+"/incidents", "list-incidents", "List incidents", s.listIncidents)
	route(api, s, http.MethodGet, v1+"/incidents/{id}", "get-incident", "Get an incident", s.getIncident)
	route(api, s, http.MethodPost, v1+"/incidents/{id}/resolutions", "resolve-incident", "Account for a person of an incident, or close it", s.resolveIncident)
	route(api, s, http.MethodGet, v1+"/alerts", "list-alerts", "Open disappearance alerts: persons unaccounted for", s.listAlerts)

	route(api, s, http.MethodGet, v1+"/notifications", "list-notifications", "List duties to inform", s.listNotifications)
	route(api, s, http.MethodGet, v1+"/notifications/{id}", "get-notification", "Get a duty to inform", s.getNotification)
	route(api, s, http.MethodPost, v1+"/notifications/{id}/completions", "complete-notification", "Record that a duty to inform was carried out", s.completeNotification)

	route(api, s, http.MethodGet, v1+"/checkpoint", "checkpoint", "The latest signed checkpoint", s.checkpoint)
	route(api, s, http.MethodGet, v1+"/proofs/inclusion", "inclusion-proof", "Proof that an event is in the ledger", s.inclusion)
	route(api, s, http.MethodGet, v1+"/proofs/consistency", "consistency-proof", "Proof that one tree extends another", s.consistency)
	route(api, s, http.MethodGet, v1+"/events/{index}", "get-event", "One event's exact bytes", s.event)
}

// route registers one operation. POSTs answer 201; writes document the
// Idempotency-Key header; every error the handler returns goes through s.problem,
// so that nothing but a problem reaches the client. opts adjust the operation.
func route[I, O any](api huma.API, s *server, method, path, id, summary string, h func(context.Context, *I) (*O, error), opts ...func(*huma.Operation)) {
	op := huma.Operation{
		OperationID: id, Method: method, Path: path, Summary: summary,
		MaxBodyBytes: MaxBodyBytes,
		Errors:       []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity},
	}
	if method == http.MethodPost {
		op.DefaultStatus = http.StatusCreated
	}
	if isWrite(method) {
		op.Errors = append(op.Errors, http.StatusConflict)
		p := idempotencyKeyParam
		op.Parameters = append(op.Parameters, &p)
	}
	for _, o := range opts {
		o(&op)
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problem(ctx, err)
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
	_, size, err := s.store.LatestCheckpoint(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "api: health check", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "the store is not answering")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(fmt.Appendf(nil, `{"status":"ok","size":%d,"time":%q}`+"\n", size, s.cfg.Now().UTC().Format(time.RFC3339)))
}
