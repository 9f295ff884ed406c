package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/verify"
)

var (
	_ sequencer.Writer  = (*DB)(nil)
	_ sequencer.Encoder = (*DB)(nil)
)

// encoded is a batch's rows, ready to bind.
type encoded struct {
	events, persons, custodies, facilities, parties, docs [][]any
}

// encodeProjections builds the projection rows of the given entities.
func encodeProjections(enc *encoded, parties []custody.Party, facilities []custody.FacilityState, persons []custody.PersonState, custodies []sequencer.PersonCustody) error {
	for i := range parties {
		row, err := sqlstore.PartyRow(&parties[i])
		if err != nil {
			return fmt.Errorf("postgres: project party %s: %w", parties[i].Code, err)
		}
		enc.parties = append(enc.parties, row)
	}
	for i := range facilities {
		row, err := sqlstore.FacilityRow(&facilities[i])
		if err != nil {
			return fmt.Errorf("postgres: project facility %s: %w", facilities[i].Code, err)
		}
		enc.facilities = append(enc.facilities, row)
	}
	for i := range persons {
		p := &persons[i]
		row, err := sqlstore.PersonRow(&p.Record)
		if err != nil {
			return fmt.Errorf("postgres: project person %s: %w", p.Record.RegNo, err)
		}
		enc.persons = append(enc.persons, row)
		custodies = append(custodies, sequencer.PersonCustody{Person: p.Record.ID, Custody: p.Custody})
	}
	for i := range custodies {
		row, err := sqlstore.CustodyRow(custodies[i].Person, &custodies[i].Custody)
		if err != nil {
			return fmt.Errorf("postgres: project custody of %s: %w", custodies[i].Person, err)
		}
		enc.custodies = append(enc.custodies, row)
	}
	return nil
}

// EncodeBatch implements sequencer.Encoder: it builds the rows of a batch on the
// sequencing goroutine, while the previous batch is being written. Called again
// for the same flight, it appends to the rows the previous call left in b.Encoded
// (writeProjections keeps the last row of each key).
func (db *DB) EncodeBatch(b *sequencer.Batch) error {
	enc, _ := b.Encoded.(*encoded)
	if enc == nil {
		enc = &encoded{}
	}
	for i := range b.Events {
		e := &b.Events[i]
		enc.events = append(enc.events, []any{int64(e.Index), e.Event.ID[:], e.Event.Subject[:], e.Bytes, e.LeafHash[:]})
	}
	if err := encodeProjections(enc, b.Parties, b.Facilities, b.Persons, b.Custodies); err != nil {
		return err
	}
	for i := range b.Docs {
		enc.docs = append(enc.docs, sqlstore.DocRow(&b.Docs[i]))
	}
	b.Encoded = enc
	return nil
}

// writerLock is the key of the advisory lock every ledger writer takes, in its
// transaction, before it reads where the ledger ends ("handover" in ASCII).
const writerLock = 0x68616e646f766572

// WriteBatch writes a batch in one transaction, holding the writer's advisory lock.
// In a sequencer's turn (after Lock) it writes in the turn's transaction and
// commits it, releasing the lock. Otherwise it takes the lock in a transaction of
// its own. It refuses a batch that does not start where the stored ledger ends
// (another process wrote meanwhile).
func (db *DB) WriteBatch(ctx context.Context, b *sequencer.Batch) (err error) {
	enc, ok := b.Encoded.(*encoded)
	if !ok {
		if err := db.EncodeBatch(b); err != nil {
			return err
		}
		enc = b.Encoded.(*encoded)
	}
	db.lc.mu.Lock()
	if db.lc.locked {
		defer db.lc.mu.Unlock()
		return db.writeLocked(ctx, b, enc)
	}
	db.lc.mu.Unlock()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(writerLock)); err != nil {
		return fmt.Errorf("postgres: writer lock: %w", err)
	}
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM events").Scan(&next); err != nil {
		return fmt.Errorf("postgres: ledger size: %w", err)
	}
	if len(b.Events) == 0 || b.Events[0].Index != uint64(next) {
		return fmt.Errorf("postgres: a batch must start at index %d, where the stored ledger ends (another writer?)", next)
	}
	if err := insertRows(ctx, tx, "events", enc.events); err != nil {
		return fmt.Errorf("postgres: insert events: %w", err)
	}
	var nodes [][]any
	for _, n := range b.Nodes {
		nodes = append(nodes, []any{int64(n.Level), int64(n.Index), n.Hash[:]})
	}
	if err := insertRows(ctx, tx, "tree_nodes", nodes); err != nil {
		return fmt.Errorf("postgres: insert tree nodes: %w", err)
	}
	if err := writeProjections(ctx, tx, enc); err != nil {
		return err
	}
	c := b.Checkpoint
	if _, err := tx.ExecContext(ctx, sqlstore.InsertCheckpoint, int64(c.Size), c.Root[:], c.Note); err != nil {
		return fmt.Errorf("postgres: insert checkpoint: %w", err)
	}
	if len(b.Keys) > 0 {
		if _, err := tx.ExecContext(ctx, sqlstore.InsertKeys(len(b.Keys)), keyArgs(b.Keys)...); err != nil {
			return fmt.Errorf("postgres: store idempotency keys: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// keyArgs are the arguments of sqlstore.InsertKeys for a batch's idempotency
// keys, stored with the batch (sequencer.KeyStore).
func keyArgs(keys []sequencer.KeyRecord) []any {
	var args []any
	for _, r := range sqlstore.KeyRows(keys) {
		args = append(args, r...)
	}
	return args
}

type tableRows struct {
	table string
	rows  [][]any
}

// projectionRows are the encoded projection rows by table, in the order they are written.
func projectionRows(enc *encoded) []tableRows {
	return []tableRows{{"parties", enc.parties}, {"facilities", enc.facilities}, {"persons", enc.persons}, {"custody", enc.custodies}, {"docs", enc.docs}}
}

// writeProjections upserts encoded projection rows.
func writeProjections(ctx context.Context, tx txn, enc *encoded) error {
	for _, t := range projectionRows(enc) {
		if err := insertRows(ctx, tx, t.table, lastOfEach(t.table, t.rows)); err != nil {
			return fmt.Errorf("postgres: project %s: %w", t.table, err)
		}
	}
	return nil
}

// lastOfEach keeps, of rows with the same key, the last: one INSERT … ON CONFLICT
// DO UPDATE may not touch a row twice in PostgreSQL.
func lastOfEach(table string, rows [][]any) [][]any {
	if len(rows) < 2 {
		return rows
	}
	key := func(r []any) string {
		if table == "docs" {
			return r[0].(string) + " " + r[1].(string)
		}
		return r[0].(string)
	}
	last := make(map[string]int, len(rows))
	for i, r := range rows {
		last[key(r)] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := make([][]any, 0, len(last))
	for i, r := range rows {
		if last[key(r)] == i {
			out = append(out, r)
		}
	}
	return out
}

var eventColumns = []string{"idx", "id", "subject", "bytes", "leaf_hash"}

// rowChunks are the numbers of rows the multi-row statements carry.
var rowChunks = []int{64, 16, 4, 1}

// inserts are the multi-row statements by table and row count, with ?
// sqlstore.Placeholders rebound.
var inserts = func() map[string]map[int]string {
	out := map[string]map[int]string{}
	for table, cols := range map[string]string{
		"events": strings.Join(eventColumns, ", "), "tree_nodes": "level, idx, hash", "parties": sqlstore.PartyCols,
		"facilities": sqlstore.FacilityCols, "persons": sqlstore.PersonCols, "custody": sqlstore.CustodyCols, "docs": sqlstore.DocCols,
	} {
		out[table] = map[int]string{}
		head := "INSERT INTO " + table + " (" + cols + ") VALUES "
		tail := ""
		switch table {
		case "events", "tree_nodes":
		case "docs":
			tail = " ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc"
		default:
			tail = sqlstore.OnConflictUpdate(cols)
		}
		for _, n := range rowChunks {
			out[table][n] = rebind(multiRow(head, len(sqlstore.SplitCols(cols)), n) + tail)
		}
	}
	return out
}()

// insertRows inserts rows into a table with its multi-row statements.
func insertRows(ctx context.Context, tx txn, table string, rows [][]any) error {
	var args []any
	for start := 0; start < len(rows); {
		n := 1
		for _, c := range rowChunks {
			if len(rows)-start >= c {
				n = c
				break
			}
		}
		args = args[:0]
		for _, r := range rows[start : start+n] {
			args = append(args, r...)
		}
		// Already rebound: call the transaction itself.
		if _, err := tx.Tx.ExecContext(ctx, inserts[table][n], args...); err != nil {
			return err
		}
		start += n
	}
	return nil
}

func multiRow(head string, cols, n int) string {
	var b strings.Builder
	b.WriteString(head)
	row := "(" + sqlstore.Placeholders(cols) + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// Load replays the stored events into a fresh state and tree. It refuses to load a
// ledger whose tree does not match its latest checkpoint: run verify.
func (db *DB) Load(ctx context.Context) (*custody.State, *ledger.Tree, error) {
	st, tree := custody.NewState(), ledger.NewTree()
	err := verify.Replay(ctx, db, func(_ uint64, e *custody.Event, leaf [ledger.HashSize]byte) error {
		if err := st.Apply(e); err != nil {
			return err
		}
		tree.Append(leaf)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: load ledger: %w (run `handover verify`)", err)
	}
	// The checkpoint of the tree as read, not the latest: other replicas may have
	// appended since the read (every committed batch ends with a checkpoint of its
	// size, and a read ends at a commit).
	var size uint64
	var root []byte
	switch err := db.r.QueryRowContext(ctx, "SELECT size, root FROM checkpoints WHERE size <= ? ORDER BY size DESC LIMIT 1", int64(tree.Size())).Scan(&size, &root); {
	case errors.Is(err, sql.ErrNoRows):
		if tree.Size() != 0 {
			return nil, nil, fmt.Errorf("postgres: load ledger: %d events but no checkpoint (run `handover verify`)", tree.Size())
		}
	case err != nil:
		return nil, nil, fmt.Errorf("postgres: load checkpoint: %w", err)
	case size != tree.Size() || [ledger.HashSize]byte(root) != tree.Root():
		return nil, nil, fmt.Errorf("postgres: load ledger: the latest checkpoint (size %d) does not match the %d stored events (run `handover verify`)", size, tree.Size())
	}
	return st, tree, nil
}
