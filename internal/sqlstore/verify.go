package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/verify"
)

// EventCount is the number of stored events.
func (db *Store) EventCount(ctx context.Context) (uint64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM events").Scan(&n)
	return uint64(n), err
}

// TreeNodes calls fn for every stored tree node.
func (db *Store) TreeNodes(ctx context.Context, fn func(level uint, index uint64, hash []byte) error) error {
	rows, err := db.r.QueryContext(ctx, "SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx")
	if err != nil {
		return db.errorf("tree nodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var level, idx int64
		var h []byte
		if err := rows.Scan(&level, &idx, &h); err != nil {
			return err
		}
		if err := fn(uint(level), uint64(idx), h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CompareProjections compares every stored projection row with the row the replayed
// state st gives, and names the first that differs.
func (db *Store) CompareProjections(ctx context.Context, st *custody.State) error {
	st.RefreshFlags()
	if err := db.compareDocs(ctx, st); err != nil {
		return err
	}
	want := map[string]map[string]string{"parties": {}, "facilities": {}, "persons": {}, "custody": {}}
	for _, p := range st.Parties() {
		if err := addRow(want["parties"], func() ([]any, error) { return PartyRow(p) }); err != nil {
			return err
		}
	}
	for _, f := range st.Facilities() {
		if err := addRow(want["facilities"], func() ([]any, error) { return FacilityRow(f) }); err != nil {
			return err
		}
	}
	for _, p := range st.Persons() {
		if err := addRow(want["persons"], func() ([]any, error) { return PersonRow(&p.Record) }); err != nil {
			return err
		}
		if err := addRow(want["custody"], func() ([]any, error) { return CustodyRow(p.Record.ID, &p.Custody) }); err != nil {
			return err
		}
	}
	for _, t := range []struct{ table, cols string }{{"parties", PartyCols}, {"facilities", FacilityCols}, {"persons", PersonCols}, {"custody", CustodyCols}} {
		got, err := db.storedRows(ctx, t.table, t.cols)
		if err != nil {
			return err
		}
		w := want[t.table]
		for _, id := range slices.Sorted(maps.Keys(w)) {
			switch g, ok := got[id]; {
			case !ok:
				return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection %s: row %s is missing (run `handover rebuild`)", t.table, id)}
			case g != w[id]:
				return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection %s: row %s differs from the replayed events (run `handover rebuild`)", t.table, id)}
			}
		}
		for _, id := range slices.Sorted(maps.Keys(got)) {
			if _, ok := w[id]; !ok {
				return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection %s: row %s has no events behind it", t.table, id)}
			}
		}
	}
	return nil
}

// compareDocs compares the stored operational documents with the replayed ones.
func (db *Store) compareDocs(ctx context.Context, st *custody.State) error {
	want, err := stateDocs(st)
	if err != nil {
		return err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT kind, id, doc FROM docs ORDER BY kind, id")
	if err != nil {
		return db.errorf("read docs: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var kind, id string
		var doc []byte
		if err := rows.Scan(&kind, &id, &doc); err != nil {
			return err
		}
		key := kind + " " + id
		seen[key] = true
		w, ok := want[key]
		switch {
		case !ok:
			return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection docs: %s has no events behind it", key)}
		case !bytes.Equal(w, doc):
			return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection docs: %s differs from the replayed events (run `handover rebuild`)", key)}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if !seen[key] {
			return &verify.Problem{Leaf: -1, Msg: fmt.Sprintf("projection docs: %s is missing (run `handover rebuild`)", key)}
		}
	}
	return nil
}

// stateDocs encodes every document of a state, keyed by "kind id".
func stateDocs(st *custody.State) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := st.Docs(func(ref custody.DocRef) error {
		v, _ := st.Doc(ref)
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", ref.Kind, ref.ID, err)
		}
		out[string(ref.Kind)+" "+ref.ID.String()] = j
		return nil
	})
	return out, err
}

func addRow(m map[string]string, rowOf func() ([]any, error)) error {
	row, err := rowOf()
	if err != nil {
		return err
	}
	m[row[0].(string)] = canonical(row)
	return nil
}

// canonical renders a row so that stored and derived rows compare equal exactly
// when every column does.
func canonical(row []any) string {
	s := ""
	for _, v := range row {
		switch v := v.(type) {
		case nil:
			s += "\x00null"
		case []byte:
			s += "\x00" + string(v)
		case int64:
			s += fmt.Sprintf("\x00%d", v)
		case int:
			s += fmt.Sprintf("\x00%d", v)
		default:
			s += fmt.Sprintf("\x00%v", v)
		}
	}
	return s
}

func (db *Store) storedRows(ctx context.Context, table, cols string) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+cols+" FROM "+table)
	if err != nil {
		return nil, db.errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	colTypes, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		vals := make([]any, len(colTypes))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if s, ok := v.(string); ok && i > 0 && isBlobCol(cols, i) {
				vals[i] = []byte(s)
			}
		}
		id, _ := vals[0].(string)
		out[id] = canonical(vals)
	}
	return out, rows.Err()
}

// isBlobCol reports whether column i of cols holds JSON documents.
func isBlobCol(cols string, i int) bool {
	names := SplitCols(cols)
	return i < len(names) && (names[i] == "doc" || names[i] == "record")
}
