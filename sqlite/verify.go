package sqlite

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
		return nil, fmt.Errorf("sqlite: begin rebuild: %w", err)
	}
	defer tx.Rollback()
	st.RefreshFlags()
	for _, t := range []string{"custody", "persons", "facilities", "parties", "docs"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return nil, fmt.Errorf("sqlite: clear %s: %w", t, err)
		}
	}
	enc := newEncoded()
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
			return fmt.Errorf("sqlite: encode %s %s: %w", ref.Kind, ref.ID, err)
		}
		enc.docs.put(sqlstore.DocRow(&sequencer.Doc{Kind: ref.Kind, ID: ref.ID, JSON: j}))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := db.writeProjections(ctx, tx, enc); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit rebuild: %w", err)
	}
	return st, nil
}
