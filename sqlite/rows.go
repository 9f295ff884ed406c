package sqlite

import (
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// The projection rows, derived from the custody state alone: WriteBatch, Rebuild and
// Verify all use these, so a replay yields byte-identical rows.

const personCols = "id, reg_no, category, nationalities, names, record"

func personRow(p *custody.Person) ([]any, error) {
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

const custodyCols = "id, status, custodian, facility, doc"

func custodyRow(id uuid.UUID, c *custody.Custody) ([]any, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var facility any
	if c.Facility != uuid.Nil {
		facility = c.Facility.String()
	}
	return []any{id.String(), string(c.Status), c.Custodian.String(), facility, doc}, nil
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

// onConflictUpdate is the upsert clause of a projection table keyed by id.
func onConflictUpdate(cols string) string {
	var set []string
	for _, c := range splitCols(cols)[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func splitCols(cols string) []string { return strings.Split(cols, ", ") }
