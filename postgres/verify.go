package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/verify"
)

// The reads, the projection rows, verification, idempotency keys and accounts are
// the shared sqlstore.Store's, embedded in DB; Rebuild, which writes, is the store's.
var (
	_ ledger.Reader = (*DB)(nil)
	_ verify.Source = (*DB)(nil)
)

// TimeColumn is the layout of times stored for comparison: fixed width, UTC.
const TimeColumn = sqlstore.TimeColumn

// Rebuild replays the events and replaces every projection with what they give, in
// one transaction.
func (db *DB) Rebuild(ctx context.Context) (*custody.State, error) {
	st, _, err := db.Load(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("postgres: begin rebuild: %w", err)
	}
	defer tx.Rollback()
	// No batch may commit between the replay and the new projections' commit.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(writerLock)); err != nil {
		return nil, fmt.Errorf("postgres: writer lock: %w", err)
	}
	// Other servers (replicas) may have appended since the replay: apply those too.
	if err := catchUpTx(ctx, tx, st); err != nil {
		return nil, err
	}
	st.RefreshFlags()
	for _, t := range []string{"custody", "persons", "facilities", "parties", "docs"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return nil, fmt.Errorf("postgres: clear %s: %w", t, err)
		}
	}
	enc := &encoded{}
	var parties []custody.Party
	for _, p := range st.Parties() {
		parties = append(parties, *p)
	}
	var facilities []custody.FacilityState
	for _, f := range st.Facilities() {
		facilities = append(facilities, *f)
	}
	var persons []custody.PersonState
	for _, p := range st.Persons() {
		persons = append(persons, *p)
	}
	if err := encodeProjections(enc, parties, facilities, persons, nil); err != nil {
		return nil, err
	}
	err = st.Docs(func(ref custody.DocRef) error {
		v, _ := st.Doc(ref)
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("postgres: encode %s %s: %w", ref.Kind, ref.ID, err)
		}
		enc.docs = append(enc.docs, sqlstore.DocRow(&sequencer.Doc{Kind: ref.Kind, ID: ref.ID, JSON: j}))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := writeProjections(ctx, tx, enc); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("postgres: commit rebuild: %w", err)
	}
	return st, nil
}

// catchUpTx applies to st the events stored after it, as read in tx.
func catchUpTx(ctx context.Context, tx txn, st *custody.State) error {
	rows, err := tx.QueryContext(ctx, "SELECT idx, bytes FROM events WHERE idx >= ? ORDER BY idx", int64(st.Size()))
	if err != nil {
		return fmt.Errorf("postgres: read the events appended since %d: %w", st.Size(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return err
		}
		e, err := custody.DecodeEvent(b)
		if err != nil {
			return fmt.Errorf("postgres: event %d: %w (run `handover verify`)", idx, err)
		}
		if uint64(idx) != st.Size() {
			return fmt.Errorf("postgres: read event %d, want %d (run `handover verify`)", idx, st.Size())
		}
		if err := st.Apply(&e); err != nil {
			return fmt.Errorf("postgres: %w (run `handover verify`)", err)
		}
	}
	return rows.Err()
}
