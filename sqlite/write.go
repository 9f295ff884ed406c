package sqlite

import (
	"context"
	"database/sql"
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
	events                                        [][]any
	persons, custodies, facilities, parties, docs rows
}

func newEncoded() *encoded { return &encoded{docs: rows{key: 2}} }

// rows are a table's rows keyed by their key columns: a row put again replaces the
// earlier one in place, so that a flight writes each projection once.
type rows struct {
	list [][]any
	at   map[string]int
	key  int // the number of leading columns that make the key
}

func (r *rows) put(row []any) {
	k := row[0].(string)
	if r.key == 2 {
		k += " " + row[1].(string)
	}
	if i, ok := r.at[k]; ok {
		r.list[i] = row
		return
	}
	if r.at == nil {
		r.at = map[string]int{}
	}
	r.at[k] = len(r.list)
	r.list = append(r.list, row)
}

// encodeProjections builds the projection rows of the given entities.
func encodeProjections(enc *encoded, parties []custody.Party, facilities []custody.FacilityState, persons []custody.PersonState, custodies []sequencer.PersonCustody) error {
	for i := range parties {
		row, err := sqlstore.PartyRow(&parties[i])
		if err != nil {
			return fmt.Errorf("sqlite: project party %s: %w", parties[i].Code, err)
		}
		enc.parties.put(row)
	}
	for i := range facilities {
		row, err := sqlstore.FacilityRow(&facilities[i])
		if err != nil {
			return fmt.Errorf("sqlite: project facility %s: %w", facilities[i].Code, err)
		}
		enc.facilities.put(row)
	}
	for i := range persons {
		p := &persons[i]
		row, err := sqlstore.PersonRow(&p.Record)
		if err != nil {
			return fmt.Errorf("sqlite: project person %s: %w", p.Record.RegNo, err)
		}
		enc.persons.put(row)
		custodies = append(custodies, sequencer.PersonCustody{Person: p.Record.ID, Custody: p.Custody})
	}
	for i := range custodies {
		row, err := sqlstore.CustodyRow(custodies[i].Person, &custodies[i].Custody)
		if err != nil {
			return fmt.Errorf("sqlite: project custody of %s: %w", custodies[i].Person, err)
		}
		enc.custodies.put(row)
	}
	return nil
}

// EncodeBatch implements sequencer.Encoder: it builds the rows of a batch on the
// sequencing goroutine, while the previous batch is being written. Called again
// for the same flight, it adds to the rows the previous call left in b.Encoded.
func (db *DB) EncodeBatch(b *sequencer.Batch) error {
	enc, _ := b.Encoded.(*encoded)
	if enc == nil {
		enc = newEncoded()
	}
	for i := range b.Events {
		e := &b.Events[i]
		enc.events = append(enc.events, []any{int64(e.Index), e.Event.ID[:], e.Event.Subject[:], e.Bytes, e.LeafHash[:]})
	}
	if err := encodeProjections(enc, b.Parties, b.Facilities, b.Persons, b.Custodies); err != nil {
		return err
	}
	for i := range b.Docs {
		enc.docs.put(sqlstore.DocRow(&b.Docs[i]))
	}
	b.Encoded = enc
	return nil
}

// WriteBatch writes a batch in one transaction. It refuses a batch that does not
// start where the stored ledger ends (another process wrote meanwhile).
func (db *DB) WriteBatch(ctx context.Context, b *sequencer.Batch) (err error) {
	enc, ok := b.Encoded.(*encoded)
	if !ok {
		if err := db.EncodeBatch(b); err != nil {
			return err
		}
		enc = b.Encoded.(*encoded)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var next uint64
	if err := tx.StmtContext(ctx, db.size).QueryRowContext(ctx).Scan(&next); err != nil {
		return fmt.Errorf("sqlite: ledger size: %w", err)
	}
	if len(b.Events) == 0 || b.Events[0].Index != next {
		return fmt.Errorf("sqlite: a batch must start at index %d, where the stored ledger ends (another writer?)", next)
	}
	if err := insertRows(ctx, tx, db.stmts["events"], enc.events); err != nil {
		return fmt.Errorf("sqlite: insert events: %w", err)
	}
	for _, n := range b.Nodes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)", n.Level, int64(n.Index), n.Hash[:]); err != nil {
			return fmt.Errorf("sqlite: insert tree node: %w", err)
		}
	}
	if err := db.writeProjections(ctx, tx, enc); err != nil {
		return err
	}
	c := b.Checkpoint
	if _, err := tx.StmtContext(ctx, db.checkpoint).ExecContext(ctx, int64(c.Size), c.Root[:], c.Note); err != nil {
		return fmt.Errorf("sqlite: insert checkpoint: %w", err)
	}
	if err := insertKeys(ctx, tx, b.Keys); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// insertKeys stores the batch's idempotency keys with their receipts, in the
// batch's transaction (sequencer.KeyStore).
func insertKeys(ctx context.Context, tx *sql.Tx, keys []sequencer.KeyRecord) error {
	if len(keys) == 0 {
		return nil
	}
	var args []any
	for _, r := range sqlstore.KeyRows(keys) {
		args = append(args, r...)
	}
	if _, err := tx.ExecContext(ctx, sqlstore.InsertKeys(len(keys)), args...); err != nil {
		return fmt.Errorf("sqlite: store idempotency keys: %w", err)
	}
	return nil
}

// writeProjections upserts encoded projection rows.
func (db *DB) writeProjections(ctx context.Context, tx *sql.Tx, enc *encoded) error {
	for _, t := range []struct {
		table string
		rows  [][]any
	}{{"parties", enc.parties.list}, {"facilities", enc.facilities.list}, {"persons", enc.persons.list}, {"custody", enc.custodies.list}, {"docs", enc.docs.list}} {
		if err := insertRows(ctx, tx, db.stmts[t.table], t.rows); err != nil {
			return fmt.Errorf("sqlite: project %s: %w", t.table, err)
		}
	}
	return nil
}

var eventColumns = []string{"idx", "id", "subject", "bytes", "leaf_hash"}

// rowChunks are the numbers of rows the prepared multi-row statements carry.
var rowChunks = []int{64, 16, 4, 1}

// insertRows inserts rows with the prepared multi-row statements of one shape.
func insertRows(ctx context.Context, tx *sql.Tx, shape map[int]*sql.Stmt, rows [][]any) error {
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
		if _, err := tx.StmtContext(ctx, shape[n]).ExecContext(ctx, args...); err != nil {
			return err
		}
		start += n
	}
	return nil
}

// prepare prepares the writer's statements; it runs once, at Open.
func (db *DB) prepare(ctx context.Context) (err error) {
	if db.size, err = db.w.PrepareContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM events"); err != nil {
		return fmt.Errorf("sqlite: prepare: %w", err)
	}
	if db.checkpoint, err = db.w.PrepareContext(ctx, sqlstore.InsertCheckpoint); err != nil {
		return fmt.Errorf("sqlite: prepare: %w", err)
	}
	db.stmts = map[string]map[int]*sql.Stmt{}
	for table, cols := range map[string]string{
		"events": strings.Join(eventColumns, ", "), "parties": sqlstore.PartyCols, "facilities": sqlstore.FacilityCols,
		"persons": sqlstore.PersonCols, "custody": sqlstore.CustodyCols, "docs": sqlstore.DocCols,
	} {
		db.stmts[table] = map[int]*sql.Stmt{}
		head := "INSERT INTO " + table + " (" + cols + ") VALUES "
		tail := ""
		switch table {
		case "events":
		case "docs":
			tail = " ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc"
		default:
			tail = sqlstore.OnConflictUpdate(cols)
		}
		for _, n := range rowChunks {
			stmt, err := db.w.PrepareContext(ctx, multiRow(head, len(sqlstore.SplitCols(cols)), n)+tail)
			if err != nil {
				return fmt.Errorf("sqlite: prepare: %w", err)
			}
			db.stmts[table][n] = stmt
		}
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
		return nil, nil, fmt.Errorf("sqlite: load ledger: %w (run `handover verify`)", err)
	}
	var size uint64
	var root []byte
	switch err := db.r.QueryRowContext(ctx, "SELECT size, root FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&size, &root); {
	case err == sql.ErrNoRows:
		if tree.Size() != 0 {
			return nil, nil, fmt.Errorf("sqlite: load ledger: %d events but no checkpoint (run `handover verify`)", tree.Size())
		}
	case err != nil:
		return nil, nil, fmt.Errorf("sqlite: load checkpoint: %w", err)
	case size != tree.Size() || [ledger.HashSize]byte(root) != tree.Root():
		return nil, nil, fmt.Errorf("sqlite: load ledger: the latest checkpoint (size %d) does not match the %d stored events (run `handover verify`)", size, tree.Size())
	}
	return st, tree, nil
}
