package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/bulk"
	"github.com/handover-project/handover/custody"
)

// Receipt is what a write recorded: its events and the checkpoint covering
// them; Replayed says an earlier attempt with the same IdempotencyKey recorded
// them and nothing new was.
type Receipt struct {
	api.Receipt
	Replayed       bool
	IdempotencyKey string
}

func receipt(r api.Receipt, resp *Response) Receipt {
	return Receipt{Receipt: r, Replayed: resp.Replayed, IdempotencyKey: resp.Key}
}

// withReceipt is a create's answer: the record's fields with its receipt beside
// them, under "receipt".
type withReceipt[T any] struct {
	record  T
	receipt api.Receipt
}

func (w *withReceipt[T]) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &w.record); err != nil {
		return err
	}
	var r struct {
		Receipt api.Receipt `json:"receipt"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	w.receipt = r.Receipt
	return nil
}

// create posts body to path and answers the record the server made or changed
// (a T), with the write's receipt.
func create[T any](ctx context.Context, c *Client, path string, body any) (*T, Receipt, error) {
	var out withReceipt[T]
	resp, err := c.send(ctx, http.MethodPost, path, body, &out)
	if err != nil {
		return nil, Receipt{}, err
	}
	return &out.record, receipt(out.receipt, resp), nil
}

// Witnessed says whether a checkpoint covering the event at index meets the
// quorum of the log's witnesses: which, each witness that cosigned it, and
// when. With wait > 0 the server answers once it does, or after wait (whole
// seconds, at most 30), whichever comes first.
func (c *Client) Witnessed(ctx context.Context, index uint64, wait time.Duration) (*api.Witnessing, error) {
	if wait > 0 {
		ctx = WithWitnessWait(ctx, wait)
	}
	var out api.Witnessing
	if _, err := c.get(ctx, "/witnessed/"+strconv.FormatUint(index, 10), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// stamp is the time every write body carries: at, or now.
func stamp(at time.Time) time.Time {
	if at.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return at
}

// meta is the stamp of a write: when it happened (at, or now), and the acting
// party WithActingParty put in ctx, if any. The server records the signed-in
// user as its actor.
func meta(ctx context.Context, at time.Time) api.Meta {
	party, _ := ctx.Value(partyCtx{}).(string)
	return api.Meta{OccurredAt: stamp(at), Party: party}
}

// Me is the signed-in user, their party and the actions their roles grant.
func (c *Client) Me(ctx context.Context) (*api.Me, error) {
	var m api.Me
	if _, err := c.get(ctx, "/me", nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Parties lists the parties registered in the ledger, by code.
func (c *Client) Parties(ctx context.Context) ([]custody.Party, error) {
	return List[custody.Party](ctx, c, "/parties", nil, "parties")
}

// RegisterParty registers a party (a nil ID is assigned by the server) and
// answers it as registered; at is when it happened in the field (zero: now).
// The first administrator of a new deployment registers their own party with it.
func (c *Client) RegisterParty(ctx context.Context, p custody.Party, at time.Time) (*custody.Party, Receipt, error) {
	body := struct {
		api.Meta
		Party custody.Party `json:"party"`
	}{meta(ctx, at), p}
	return create[custody.Party](ctx, c, "/parties", body)
}

// Party reads one party by code or id.
func (c *Client) Party(ctx context.Context, ref string) (*custody.Party, error) {
	var p custody.Party
	if _, err := c.get(ctx, "/parties/"+url.PathEscape(ref), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Facilities lists the facilities with their population and capacity, by code.
func (c *Client) Facilities(ctx context.Context) ([]api.FacilityView, error) {
	return List[api.FacilityView](ctx, c, "/facilities", nil, "facilities")
}

// RegisterPerson registers p and admits them to facility (a code or id); at is
// when (zero: now). A zero p.ID and an empty p.RegNo are assigned by the server.
// When registered persons the caller may see are likely the same person, the
// server refuses with a *Problem whose Code is "likely_duplicate" and whose Body
// lists the candidates; RegisterPersonPassing then registers all the same, or
// linked to one of them.
func (c *Client) RegisterPerson(ctx context.Context, p custody.Person, facility string, at time.Time) (*custody.PersonState, Receipt, error) {
	return c.RegisterPersonPassing(ctx, p, facility, at, Duplicate{})
}

// Duplicate is a registrar's answer to a likely-duplicate warning: Reason, why the
// person is registered although registered persons are likely the same (recorded
// in the registration's event); LinkTo, if set, the registered person (id or
// registration number) the new record is the same person as: it is linked to it
// in the same decision, with Reason.
type Duplicate struct {
	Reason string
	LinkTo string
}

// RegisterPersonPassing is RegisterPerson with the answer to a likely-duplicate
// warning.
func (c *Client) RegisterPersonPassing(ctx context.Context, p custody.Person, facility string, at time.Time, d Duplicate) (*custody.PersonState, Receipt, error) {
	body := struct {
		api.Meta
		Person          custody.Person `json:"person"`
		Facility        string         `json:"facility"`
		DuplicateReason string         `json:"duplicate_reason,omitempty"`
		LinkTo          string         `json:"link_to,omitempty"`
	}{meta(ctx, at), p, facility, d.Reason, d.LinkTo}
	return create[custody.PersonState](ctx, c, "/persons", body)
}

// Person reads one person by id or registration number.
func (c *Client) Person(ctx context.Context, ref string) (*custody.PersonState, error) {
	var p custody.PersonState
	if _, err := c.get(ctx, "/persons/"+url.PathEscape(ref), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// PersonQuery filters Persons; its zero value lists every person one may see.
type PersonQuery struct {
	Facility, Nationality, Category, Status, Name, Flag string
	PageSize                                            int // 0: the server's default
}

func (q PersonQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"facility": q.Facility, "nationality": q.Nationality, "category": q.Category,
		"status": q.Status, "name": q.Name, "flag": q.Flag} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.PageSize > 0 {
		v.Set("limit", strconv.Itoa(q.PageSize))
	}
	return v
}

// Persons iterates over the persons one may see that match q, in the server's
// order, reading a page at a time. An error ends the iteration.
func (c *Client) Persons(ctx context.Context, q PersonQuery) iter.Seq2[custody.PersonState, error] {
	return func(yield func(custody.PersonState, error) bool) {
		v := q.values()
		for {
			var page custody.PersonPage
			if _, err := c.get(ctx, "/persons", v, &page); err != nil {
				yield(custody.PersonState{}, err)
				return
			}
			for _, p := range page.Persons {
				if !yield(p, nil) {
					return
				}
			}
			if page.Next == "" {
				return
			}
			v.Set("after", page.Next)
		}
	}
}

// Transfers lists the transfers one may see, of a status ("" for all).
func (c *Client) Transfers(ctx context.Context, status string) ([]custody.TransferState, error) {
	return List[custody.TransferState](ctx, c, "/transfers", optional("status", status), "transfers")
}

// Transfer reads one transfer.
func (c *Client) Transfer(ctx context.Context, id string) (*custody.TransferState, error) {
	var t custody.TransferState
	if _, err := c.get(ctx, "/transfers/"+url.PathEscape(id), nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Movements lists the movements one may see, of a status ("" for all).
func (c *Client) Movements(ctx context.Context, status string) ([]custody.MovementState, error) {
	return List[custody.MovementState](ctx, c, "/movements", optional("status", status), "movements")
}

// Movement reads one movement.
func (c *Client) Movement(ctx context.Context, id string) (*custody.MovementState, error) {
	var m custody.MovementState
	if _, err := c.get(ctx, "/movements/"+url.PathEscape(id), nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// SubmitHandover records a signed handover: the document's exact bytes and
// both officers' signatures over them. It answers with the movement as it
// stands after the handover.
func (c *Client) SubmitHandover(ctx context.Context, document []byte, sigs []custody.Signature) (*custody.MovementState, Receipt, error) {
	body := struct {
		Document   []byte              `json:"document"`
		Signatures []custody.Signature `json:"signatures"`
	}{document, sigs}
	return create[custody.MovementState](ctx, c, "/handovers", body)
}

func optional(k, v string) url.Values {
	if v == "" {
		return nil
	}
	return url.Values{k: {v}}
}

// ImportRequest is a file of persons to register and admit at one facility.
type ImportRequest struct {
	Facility      string // code or id (required)
	Format        string // "csv" (HXL-tagged) or "jsonl"
	File          []byte
	DryRun        bool // check only; register nobody
	IgnoreUnknown bool // skip CSV columns whose hashtag maps to no field
	// DuplicateReason registers the rows that registered persons likely are
	// (which a dry run lists in Report.Duplicates) all the same, for this
	// reason, recorded in their events; without it such a file is refused.
	DuplicateReason string
	At              time.Time // when they were registered in the field; zero: the server's now
}

// query is the request's query string.
func (r ImportRequest) query() url.Values {
	q := url.Values{"facility": {r.Facility}, "format": {r.Format}}
	if r.DryRun {
		q.Set("dry_run", "true")
	}
	if r.IgnoreUnknown {
		q.Set("ignore_unknown", "true")
	}
	if r.DuplicateReason != "" {
		q.Set("duplicate_reason", r.DuplicateReason)
	}
	if !r.At.IsZero() {
		q.Set("occurred_at", r.At.UTC().Format(time.RFC3339))
	}
	return q
}

// Key is an idempotency key made from the request and its file: an import sent
// again with it (WithIdempotencyKey), even by another process, is answered with
// the first one's outcome and registers nobody twice.
func (r ImportRequest) Key() string {
	sum := sha256.Sum256(append([]byte(r.Facility+"\n"+r.Format+"\n"+r.query().Encode()+"\n"), r.File...))
	return "import-" + hex.EncodeToString(sum[:16])
}

// ImportResult is an accepted import: the report and, unless it was a dry run,
// the persons registered (in the file's order) and the receipt.
type ImportResult struct {
	Report  bulk.Report
	Persons []api.Imported
	Receipt *Receipt
}

// Import registers and admits every person of a file, all or none. A refused
// file is a *Problem; ImportReport gives its report, which names every bad row
// and column.
func (c *Client) Import(ctx context.Context, r ImportRequest) (*ImportResult, error) {
	q := r.query()
	ct := map[string]string{"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl"}[r.Format]
	var out struct {
		Report  *bulk.Report   `json:"report"`
		Persons []api.Imported `json:"persons"`
		Receipt *api.Receipt   `json:"receipt"`
	}
	resp, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/imports", Query: q, Body: r.File, ContentType: ct}, &out)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Persons: out.Persons}
	if out.Report != nil {
		res.Report = *out.Report
	}
	if out.Receipt != nil {
		rc := receipt(*out.Receipt, resp)
		res.Receipt = &rc
	}
	return res, nil
}

// ImportReport is the report of a refused import, or nil if err is not one.
func ImportReport(err error) *bulk.Report {
	p, ok := AsProblem(err)
	if !ok {
		return nil
	}
	var body struct {
		Report *bulk.Report `json:"report"`
	}
	if p.Decode(&body) != nil || body.Report == nil {
		return nil
	}
	return body.Report
}

// ExportQuery chooses what ExportPersons writes.
type ExportQuery struct {
	Format                                        string // "csv" (default) or "jsonl"
	Facility, Nationality, Category, Status, Flag string
	// Recipients are age recipients (age1…): when given, the export is
	// encrypted to them (age v1, binary) and only they can read it.
	Recipients []string
}

// ExportPersons downloads the persons one may see as a file (CSV with HXL
// hashtags, which Import reads back, or JSON lines). The server audits it.
func (c *Client) ExportPersons(ctx context.Context, q ExportQuery) ([]byte, error) {
	v := url.Values{}
	if q.Format != "" {
		v.Set("format", q.Format)
	}
	for k, s := range map[string]string{"facility": q.Facility, "nationality": q.Nationality, "category": q.Category, "status": q.Status, "flag": q.Flag} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for _, r := range q.Recipients {
		v.Add("recipient", r)
	}
	resp, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/exports/persons", Query: v, Accept: "*/*"}, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Facility reads one facility by code or id, with its population and capacity.
func (c *Client) Facility(ctx context.Context, ref string) (*api.FacilityView, error) {
	var f api.FacilityView
	if _, err := c.get(ctx, "/facilities/"+url.PathEscape(ref), nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// RegisterFacility registers a facility (a nil ID is assigned by the server),
// its controlling party named by code or id, and answers it as registered; at is
// when (zero: now).
func (c *Client) RegisterFacility(ctx context.Context, f api.FacilityIn, at time.Time) (*api.FacilityView, Receipt, error) {
	body := struct {
		api.Meta
		Facility api.FacilityIn `json:"facility"`
	}{meta(ctx, at), f}
	return create[api.FacilityView](ctx, c, "/facilities", body)
}
