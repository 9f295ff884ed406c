package sqlite

import (
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The projection rows, derived from the custody state alone: WriteBatch, Rebuild and
// Verify all use these, so a replay yields byte-identical rows.

const personCols = "id, reg_no, status, custodian, facility, category, nationalities, names, record, custody"

func personRow(p *custody.PersonState) ([]any, error) {
	rec, err := json.Marshal(&p.Record)
	if err != nil {
		return nil, err
	}
	cus, err := json.Marshal(&p.Custody)
	if err != nil {
		return nil, err
	}
	var names strings.Builder
	for i, n := range p.Record.Names {
		if i > 0 {
			names.WriteString(" | ")
		}
		names.WriteString(strings.ToLower(n.Text))
	}
	var facility any
	if p.Custody.Facility != uuid.Nil {
		facility = p.Custody.Facility.String()
	}
	return []any{
		p.Record.ID.String(), p.Record.RegNo, string(p.Custody.Status), p.Custody.Custodian.String(), facility,
		string(p.Record.Category), " " + strings.Join(p.Record.Nationalities, " ") + " ", names.String(), rec, cus,
	}, nil
}

// custodyUpdate changes the custody columns of a person's row.
const custodyUpdate = "UPDATE persons SET status = ?, custodian = ?, facility = ?, custody = ? WHERE id = ?"

func custodyRow(id uuid.UUID, c *custody.Custody) ([]any, error) {
	cus, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var facility any
	if c.Facility != uuid.Nil {
		facility = c.Facility.String()
	}
	return []any{string(c.Status), c.Custodian.String(), facility, cus, id.String()}, nil
}

const facilityCols = "id, code, name, kind, country, controller, population, doc"

func facilityRow(f *custody.FacilityState) ([]any, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return []any{f.ID.String(), f.Code, f.Name, string(f.Kind), f.Country, f.Controller.String(), f.Total(), doc}, nil
}

const partyCols = "id, code, name, kind, doc"

func partyRow(p *custody.Party) ([]any, error) {
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return []any{p.ID.String(), p.Code, p.Name, string(p.Kind), doc}, nil
}

// upsertSQL returns an INSERT … ON CONFLICT(id) DO UPDATE for a projection table.
func upsertSQL(table, cols string) string {
	names := strings.Split(cols, ", ")
	var set []string
	for _, c := range names[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO " + table + " (" + cols + ") VALUES (" + placeholders(len(names)) +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func splitCols(cols string) []string { return strings.Split(cols, ", ") }
