package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/bulk"
	"github.com/handover-project/handover/custody"
)

// MaxImportBodyBytes is the largest file an import takes: some 20,000 rows.
const MaxImportBodyBytes = 32 << 20

type importInput struct {
	Facility        string    `query:"facility" required:"true" doc:"The admitting facility (id or code); every person of the file is registered and admitted there"`
	Format          string    `query:"format" enum:"csv,jsonl" doc:"The file's format; default from Content-Type (text/csv, or application/jsonl / application/x-ndjson)"`
	IgnoreUnknown   bool      `query:"ignore_unknown" doc:"Skip CSV columns whose hashtag maps to no field, instead of refusing the file"`
	DryRun          bool      `query:"dry_run" doc:"Check the file and answer with its report; write nothing"`
	OccurredAt      time.Time `query:"occurred_at" doc:"When the persons were registered in the field (RFC 3339); default now"`
	ContentType     string    `header:"Content-Type"`
	IdemKey         string    `header:"Idempotency-Key"`
	DuplicateReason string    `query:"duplicate_reason" maxLength:"2000" example:"Checked with the camp registry: the matches are namesakes from other families" doc:"Why the rows that registered persons are likely to be (the report's duplicates) are registered all the same: recorded in each of their person.registered events with the candidates. Without it, an import with likely duplicates is refused (409 likely_duplicate, with the report)."`
	RawBody         []byte    `contentType:"text/csv" doc:"CSV with an HXL hashtag row (docs/bulk.md), or JSON lines of person objects"`
}

// Imported is one person an import registered: the file's line, the id and the
// registration number.
type Imported struct {
	Line  int       `json:"line" doc:"The line of the file the person was read from"`
	ID    uuid.UUID `json:"id"`
	RegNo string    `json:"reg_no"`
}

type importOutput struct {
	Status int // 201, or 200 for a dry run
	Body   struct {
		Report  *bulk.Report `json:"report" doc:"Rows read and problems found (none, when persons were registered)"`
		Persons []Imported   `json:"persons" doc:"The persons registered, in the file's order; empty on a dry run"`
		Receipt *Receipt     `json:"receipt,omitempty" doc:"The ledger's receipt; absent on a dry run"`
	}
}

// importProblem is a refused import: the problem, and the whole report so that every
// bad row can be fixed at once.
type importProblem struct {
	problemDetails
	Report *bulk.Report `json:"report"`
}

func (s *server) importPersons(ctx context.Context, in *importInput) (*importOutput, error) {
	format, err := importFormat(in.Format, in.ContentType)
	if err != nil {
		return nil, err
	}
	f, err := s.facility(ctx, "query.facility", in.Facility)
	if err != nil {
		return nil, err
	}
	when := in.OccurredAt
	if when.IsZero() {
		when = s.cfg.Now()
	}
	m, err := s.meta(ctx, Meta{OccurredAt: when})
	if err != nil {
		return nil, err
	}
	o := bulk.Options{Salt: importSalt(in.IdemKey), IgnoreUnknown: in.IgnoreUnknown}
	read := bulk.ReadCSV
	if format == "jsonl" {
		read = bulk.ReadJSONL
	}
	rows, rep, err := read(bytes.NewReader(in.RawBody), o)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, reportProblem(rep, "the file has problems: nothing was registered")
	}
	if rep.Rows == 0 {
		rep.Problems = append(rep.Problems, bulk.Problem{Message: "the file holds no person"})
		return nil, reportProblem(rep, "the file holds no person")
	}
	dups, err := s.importDuplicates(ctx, rows, rep)
	if err != nil {
		return nil, err
	}
	out := &importOutput{}
	out.Body.Report, out.Body.Persons = rep, []Imported{}
	if in.DryRun {
		out.Status = http.StatusOK
		return out, nil
	}
	if len(rep.Duplicates) > 0 && in.DuplicateReason == "" {
		return nil, duplicatesReportProblem(rep)
	}
	out.Status = http.StatusCreated
	ps := make([]custody.Person, len(rows))
	for i, r := range rows {
		ps[i] = r.Person
		if ps[i].ID == uuid.Nil {
			ps[i].ID = uuid.Must(uuid.NewV7())
		}
	}
	cmd := custody.ImportPersons{Meta: m, Facility: f.ID, Persons: ps}
	if len(rep.Duplicates) > 0 {
		cmd.Duplicates, cmd.DuplicateReason = dups, in.DuplicateReason
	}
	r, err := s.store.Submit(ctx, cmd)
	if err != nil {
		var ce *custody.Error
		if errors.As(err, &ce) && ce.Field == "idempotency_key" {
			return nil, at(err, where{"idempotency_key": "header." + IdempotencyKeyHeader})
		}
		return nil, importRefusal(err, rows, rep)
	}
	if r.Replayed {
		markReplayed(ctx)
	}
	// The persons are the receipt's subjects, one registration each in the file's
	// order: on a replay (an earlier attempt's answer was lost) they are the ids the
	// first attempt gave, not this attempt's.
	if len(r.Events) != len(ps) {
		return nil, fmt.Errorf("api: an import of %d persons recorded %d events", len(ps), len(r.Events))
	}
	for i := range ps {
		ps[i].ID = r.Events[i].Subject
	}
	numbers, err := s.regNos(ctx, ps)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		out.Body.Persons = append(out.Body.Persons, Imported{Line: rows[i].Line, ID: ps[i].ID, RegNo: numbers[ps[i].ID]})
	}
	receipt, err := s.receiptOf(ctx, r)
	if err != nil {
		return nil, err
	}
	out.Body.Receipt = &receipt
	return out, nil
}

// regNos reads back the registration numbers the ledger gave the persons, a page
// of ids at a time.
func (s *server) regNos(ctx context.Context, ps []custody.Person) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ps))
	for start := 0; start < len(ps); start += custody.MaxPageSize {
		f := custody.PersonFilter{Limit: custody.MaxPageSize}
		for _, p := range ps[start:min(start+custody.MaxPageSize, len(ps))] {
			f.IDs = append(f.IDs, p.ID)
		}
		page, err := s.store.Persons(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Persons {
			out[p.Record.ID] = p.Record.RegNo
		}
	}
	return out, nil
}

func importFormat(format, contentType string) (string, error) {
	if format != "" {
		return format, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv":
		return "csv", nil
	case "application/jsonl", "application/x-ndjson", "application/jsonlines", "application/x-jsonlines":
		return "jsonl", nil
	}
	p := newProblem(http.StatusUnsupportedMediaType, UnsupportedMediaType,
		fmt.Sprintf("header.Content-Type: %q is neither text/csv nor application/jsonl; or say ?format=csv|jsonl", contentType))
	p.Errors = []*huma.ErrorDetail{{Location: "header.Content-Type", Message: "text/csv or application/jsonl", Value: contentType}}
	return "", p
}

// importSalt makes household labels of one import its own; a retry with the same
// key gets the same households.
func importSalt(key string) uuid.UUID {
	if key == "" {
		return uuid.Must(uuid.NewV7())
	}
	return uuid.NewSHA1(importSpace, []byte(key))
}

var importSpace = uuid.MustParse("b5e0f1d2-7a47-4c1e-9d3f-2f6a0c8e4b19")

func reportProblem(rep *bulk.Report, detail string) error {
	p := &importProblem{Report: rep, problemDetails: *newProblem(http.StatusUnprocessableEntity, custody.Invalid, detail)}
	for _, pr := range rep.Problems {
		p.Errors = append(p.Errors, &huma.ErrorDetail{Location: problemLocation(pr), Message: pr.Message})
	}
	return p
}

// problemLocation names where a problem lies: "body.line[4].column[3]".
func problemLocation(p bulk.Problem) string {
	loc := "body"
	if p.Line > 0 {
		loc += ".line[" + strconv.Itoa(p.Line) + "]"
	}
	if p.Column > 0 {
		loc += ".column[" + strconv.Itoa(p.Column) + "]"
	}
	if p.Field != "" {
		loc += "." + p.Field
	}
	return loc
}

var personsIndex = regexp.MustCompile(`^persons\[(\d+)\]\.?(.*)$`)

// importRefusal turns the ledger's refusal of persons[i] into a problem on the
// line that person was read from.
func importRefusal(err error, rows []bulk.Row, rep *bulk.Report) error {
	var ce *custody.Error
	if !errors.As(err, &ce) || ce.Code == custody.Internal {
		return err
	}
	pr := bulk.Problem{Field: ce.Field, Message: ce.Message}
	if m := personsIndex.FindStringSubmatch(ce.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(rows) {
			pr.Line, pr.Field = rows[i].Line, m[2]
		}
	}
	rep.Problems = append(rep.Problems, pr)
	p := reportProblem(rep, "the ledger refused the import: nothing was registered").(*importProblem)
	p.Code, p.Status = ce.Code, statusOf[ce.Code]
	p.Title = http.StatusText(p.Status)
	return p
}

func (s *server) importConcerns(ctx context.Context, in *importInput) (resource, error) {
	f, err := s.facility(ctx, "query.facility", in.Facility)
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{f.ID}}, "facility/" + f.ID.String(), nil}, nil
}
