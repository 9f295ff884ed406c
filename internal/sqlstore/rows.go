package sqlstore

import (
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
)

// The projection rows, derived from the custody state alone: WriteBatch, Rebuild and
// Verify all use these, so a replay yields byte-identical rows.

const PersonCols = "id, reg_no, category, nationalities, names, record"

func PersonRow(p *custody.Person) ([]any, error) {
	rec, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var names strings.Builder
	for i, n := range p.Names {
		if i > 0 {
			names.WriteString(" | ")
		}
		names.WriteString(strings.ToLower(n.Text))
	}
	return []any{p.ID.String(), p.RegNo, string(p.Category), " " + strings.Join(p.Nationalities, " ") + " ", names.String(), rec}, nil
}

const CustodyCols = "id, status, custodian, facility, flags, notify_by, doc"

// TimeColumn is the layout of times stored for comparison: fixed width, UTC.
const TimeColumn = "2006-01-02T15:04:05.000000000Z"

// flagsColumn renders flags as the custody table's flags column holds them.
func flagsColumn(fs []custody.Flag) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(" ")
		b.WriteString(string(f))
	}
	b.WriteString(" ")
	return b.String()
}

func CustodyRow(id uuid.UUID, c *custody.Custody) ([]any, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var facility any
	if c.Facility != uuid.Nil {
		facility = c.Facility.String()
	}
	var notifyBy any
	if !c.NotifyBy.IsZero() {
		notifyBy = c.NotifyBy.UTC().Format(TimeColumn)
	}
	return []any{id.String(), string(c.Status), c.Custodian.String(), facility, flagsColumn(c.Flags), notifyBy, doc}, nil
}

const DocCols = "kind, id, doc"

func DocRow(d *sequencer.Doc) []any {
	return []any{string(d.Kind), d.ID.String(), d.JSON}
}

const FacilityCols = "id, code, name, kind, country, controller, population, doc"

func FacilityRow(f *custody.FacilityState) ([]any, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return []any{f.ID.String(), f.Code, f.Name, string(f.Kind), f.Country, f.Controller.String(), f.Total(), doc}, nil
}

const PartyCols = "id, code, name, kind, doc"

func PartyRow(p *custody.Party) ([]any, error) {
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return []any{p.ID.String(), p.Code, p.Name, string(p.Kind), doc}, nil
}

// OnConflictUpdate is the upsert clause of a projection table keyed by id.
func OnConflictUpdate(cols string) string {
	var set []string
	for _, c := range SplitCols(cols)[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func SplitCols(cols string) []string { return strings.Split(cols, ", ") }
