package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Person returns one person's record and custody, or a custody.NotFound error.
func (db *Store) Person(ctx context.Context, id uuid.UUID) (*custody.PersonState, error) {
	var rec, cus []byte
	err := db.r.QueryRowContext(ctx, "SELECT p.record, c.doc FROM persons p JOIN custody c ON c.id = p.id WHERE p.id = ?", id.String()).Scan(&rec, &cus)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, custody.Errorf(custody.NotFound, "id", "no person %s", id)
	}
	if err != nil {
		return nil, db.errorf("person %s: %w", id, err)
	}
	return db.decodePerson(rec, cus)
}

// PersonByRegNo returns the person with a registration number, or a
// custody.NotFound error.
func (db *Store) PersonByRegNo(ctx context.Context, regNo string) (*custody.PersonState, error) {
	var rec, cus []byte
	err := db.r.QueryRowContext(ctx, "SELECT p.record, c.doc FROM persons p JOIN custody c ON c.id = p.id WHERE p.reg_no = ?", regNo).Scan(&rec, &cus)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, custody.Errorf(custody.NotFound, "reg_no", "no person with registration number %s", regNo)
	}
	if err != nil {
		return nil, db.errorf("person %s: %w", regNo, err)
	}
	return db.decodePerson(rec, cus)
}

func (db *Store) decodePerson(rec, cus []byte) (*custody.PersonState, error) {
	var p custody.PersonState
	if err := json.Unmarshal(rec, &p.Record); err != nil {
		return nil, db.errorf("person record: %w", err)
	}
	if err := json.Unmarshal(cus, &p.Custody); err != nil {
		return nil, db.errorf("person custody: %w", err)
	}
	return &p, nil
}

// Persons lists persons matching f, ordered by registration number.
func (db *Store) Persons(ctx context.Context, f custody.PersonFilter) (*custody.PersonPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if f.Facility != uuid.Nil {
		add("c.facility = ?", f.Facility.String())
	}
	if f.Nationality != "" {
		add("p.nationalities LIKE ?", "% "+f.Nationality+" %")
	}
	if f.Category != "" {
		add("p.category = ?", string(f.Category))
	}
	if f.Status != "" {
		add("c.status = ?", string(f.Status))
	}
	if f.Name != "" {
		add(db.d.Instr+"(p.names, ?) > 0", strings.ToLower(f.Name))
	}
	switch {
	case f.Flag == custody.NotificationOverdue:
		add("c.notify_by < ?", f.Now.UTC().Format(TimeColumn))
	case f.Flag != "":
		add("c.flags LIKE ?", "% "+string(f.Flag)+" %")
	}
	if f.After != "" {
		add("p.reg_no > ?", f.After)
	}
	if len(f.IDs) > 0 {
		marks := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			marks[i] = "?"
			args = append(args, id.String())
		}
		where = append(where, "p.id IN ("+strings.Join(marks, ", ")+")")
	}
	if f.Visible != nil {
		cond, vargs := db.visibility(f.Visible)
		where, args = append(where, cond), append(args, vargs...)
	}
	q := "SELECT p.record, c.doc FROM persons p JOIN custody c ON c.id = p.id"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY p.reg_no LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.errorf("persons: %w", err)
	}
	defer rows.Close()
	page := &custody.PersonPage{Persons: []custody.PersonState{}}
	for rows.Next() {
		var rec, cus []byte
		if err := rows.Scan(&rec, &cus); err != nil {
			return nil, err
		}
		p, err := db.decodePerson(rec, cus)
		if err != nil {
			return nil, err
		}
		page.Persons = append(page.Persons, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Persons) > f.Limit {
		page.Persons = page.Persons[:f.Limit]
		page.Next = page.Persons[f.Limit-1].Record.RegNo
	}
	return page, nil
}

// visibility is the condition that admits the persons v admits, and its arguments.
// The clauses on the custody row's own columns come first, so that the JSON of the
// custody document is read only for the persons they do not admit.
func (db *Store) visibility(v *custody.Visibility) (string, []any) {
	var ors []string
	var args []any
	in := func(expr string, ids []uuid.UUID) {
		var marks []string
		for _, id := range ids {
			if id != uuid.Nil {
				marks = append(marks, "?")
				args = append(args, id.String())
			}
		}
		if len(marks) > 0 {
			ors = append(ors, expr+" IN ("+strings.Join(marks, ", ")+")")
		}
	}
	in("c.custodian", v.Custodians)
	in("c.facility", v.Facilities)
	in(db.custodyField("return"), v.Facilities)
	in(db.custodyField("transfer"), v.Transfers)
	in(db.custodyField("movement"), v.Movements)
	if len(ors) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// custodyField is the SQL of a top-level id field of the custody row's document
// (custody.Custody as JSON), NULL when it is absent. The document is parsed only
// when its bytes hold the field's quoted name: encoding/json, which writes it,
// writes names as they are, and leaves out the fields that are zero (the return
// facility, the movement, the transfer are, for most persons), so a row without
// the field costs a byte search rather than a parse.
func (db *Store) custodyField(key string) string {
	return "CASE WHEN " + db.d.Contains("c.doc", `"`+key+`"`) + " THEN " + db.d.JSONText("c.doc", key) + " END"
}

// History returns every event whose subject is the given person, in ledger order.
func (db *Store) History(ctx context.Context, subject uuid.UUID) ([]custody.LoggedEvent, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT idx, bytes FROM events WHERE subject = ? ORDER BY idx", subject[:])
	if err != nil {
		return nil, db.errorf("history: %w", err)
	}
	defer rows.Close()
	var out []custody.LoggedEvent
	for rows.Next() {
		var e custody.LoggedEvent
		var idx int64
		if err := rows.Scan(&idx, &e.Bytes); err != nil {
			return nil, err
		}
		e.Index = uint64(idx)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Event returns the event at a ledger index, or a custody.NotFound error.
func (db *Store) Event(ctx context.Context, index uint64) (custody.LoggedEvent, error) {
	e := custody.LoggedEvent{Index: index}
	err := db.r.QueryRowContext(ctx, "SELECT bytes FROM events WHERE idx = ?", int64(index)).Scan(&e.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return e, custody.Errorf(custody.NotFound, "index", "no event at index %d", index)
	}
	return e, err
}

// Facilities returns every facility with its controlling party and population, by code.
func (db *Store) Facilities(ctx context.Context) ([]custody.FacilityState, error) {
	return readDocs[custody.FacilityState](ctx, db, "SELECT doc FROM facilities ORDER BY code")
}

// Parties returns every party, by code.
func (db *Store) Parties(ctx context.Context) ([]custody.Party, error) {
	return readDocs[custody.Party](ctx, db, "SELECT doc FROM parties ORDER BY code")
}

// Doc returns the JSON of one operational record (a transfer, a movement…), or a
// custody.NotFound error.
func (db *Store) Doc(ctx context.Context, kind custody.DocKind, id uuid.UUID) ([]byte, error) {
	var doc []byte
	err := db.r.QueryRowContext(ctx, "SELECT doc FROM docs WHERE kind = ? AND id = ?", string(kind), id.String()).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, custody.Errorf(custody.NotFound, "id", "no %s %s", kind, id)
	}
	if err != nil {
		return nil, db.errorf("%s %s: %w", kind, id, err)
	}
	return doc, nil
}

// DocIDs returns the ids of every operational record of a kind, in id order,
// without reading the records.
func (db *Store) DocIDs(ctx context.Context, kind custody.DocKind) ([]uuid.UUID, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id FROM docs WHERE kind = ? ORDER BY id", string(kind))
	if err != nil {
		return nil, db.errorf("list %s ids: %w", kind, err)
	}
	defer rows.Close()
	out := []uuid.UUID{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, db.errorf("%s id %q: %w", kind, s, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// DocList returns the JSON of every operational record of a kind, in id order (for
// records with UUIDv7 ids, the order they were created).
func (db *Store) DocList(ctx context.Context, kind custody.DocKind) ([][]byte, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT doc FROM docs WHERE kind = ? ORDER BY id", string(kind))
	if err != nil {
		return nil, db.errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	out := [][]byte{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, rows.Err()
}

func readDocs[T any](ctx context.Context, db *Store, q string, args ...any) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.errorf("%s: %w", q, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, db.errorf("decode %T: %w", v, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
