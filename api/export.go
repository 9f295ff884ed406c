package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"filippo.io/age"
	"github.com/danielgtaylor/huma/v2"

	"github.com/handover-project/handover/bulk"
	"github.com/handover-project/handover/custody"
)

// MaxExportPersons bounds one export; narrow it with the filters past that.
const MaxExportPersons = 50000

type exportPersonsInput struct {
	Format      string   `query:"format" enum:"csv,jsonl" doc:"csv (default): the HXL-tagged columns of docs/bulk.md, which import reads back; jsonl: one whole record a line"`
	Facility    string   `query:"facility" doc:"Only the persons at this facility (id or code)"`
	Nationality string   `query:"nationality" doc:"ISO 3166-1 alpha-3"`
	Category    string   `query:"category"`
	Status      string   `query:"status"`
	Flag        string   `query:"flag"`
	Recipient   []string `query:"recipient" doc:"age recipients (age1…), comma-separated or repeated: the export is encrypted to them (age v1, binary) and only they can read it"`
}

// exportPersons writes the persons the caller may see, as a file: CSV with HXL
// hashtags or JSON lines, encrypted with age to the recipients when any are given.
// The export is in the audit log (the table marks it audited) before a byte is sent.
func (s *server) exportPersons(ctx context.Context, in *exportPersonsInput) (*huma.StreamResponse, error) {
	var recipients []age.Recipient
	for i, r := range in.Recipient {
		for _, one := range strings.Split(r, ",") {
			if one = strings.TrimSpace(one); one == "" {
				continue
			}
			rc, err := age.ParseX25519Recipient(one)
			if err != nil {
				return nil, invalid(fmt.Sprintf("query.recipient[%d]", i), fmt.Sprintf("%q is not an age recipient (age1…): %v", one, err))
			}
			recipients = append(recipients, rc)
		}
	}
	f := custody.PersonFilter{Nationality: in.Nationality, Category: custody.Category(in.Category), Status: custody.Status(in.Status),
		Flag: custody.Flag(in.Flag), Now: s.cfg.Now(), Limit: custody.MaxPageSize}
	fid, err := s.facilityRef(ctx, "query.facility", in.Facility)
	if err != nil {
		return nil, err
	}
	f.Facility = fid
	if err := f.Validate(); err != nil {
		return nil, at(err, where{"": "query"})
	}
	var persons []custody.Person
	for {
		page, err := s.visiblePersons(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Persons {
			persons = append(persons, p.Record)
		}
		if len(persons) > MaxExportPersons {
			return nil, invalid("query", fmt.Sprintf("more than %d persons: narrow the export with facility, nationality, category or status", MaxExportPersons))
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	format := in.Format
	if format == "" {
		format = "csv"
	}
	var file bytes.Buffer
	write := bulk.WriteCSV
	if format == "jsonl" {
		write = bulk.WriteJSONL
	}
	if err := write(&file, persons); err != nil {
		return nil, err
	}
	ctype := map[string]string{"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl"}[format]
	name := fmt.Sprintf("handover-persons-%s.%s", s.cfg.Now().UTC().Format("20060102T150405Z"), format)
	body := file.Bytes()
	if len(recipients) > 0 {
		var enc bytes.Buffer
		w, err := age.Encrypt(&enc, recipients...)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		body, ctype, name = enc.Bytes(), "application/octet-stream", name+".age"
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", ctype)
		hc.SetHeader("Content-Disposition", `attachment; filename="`+name+`"`)
		hc.SetHeader("Cache-Control", "no-store")
		hc.SetHeader("X-Handover-Persons", fmt.Sprint(len(persons)))
		hc.SetStatus(http.StatusOK)
		io.Copy(hc.BodyWriter(), bytes.NewReader(body))
	}}, nil
}
