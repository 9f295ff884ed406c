package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
)

var _ sequencer.Locker = (*DB)(nil)

// IdleLockTimeout is how long PostgreSQL lets a replica hold the ledger's lock in a
// transaction it does nothing with (idle_in_transaction_session_timeout of the
// ledger connection). A replica that froze (SIGSTOP, a hung machine whose TCP
// connection the server has not yet seen die) loses its connection, its open
// turn, and so the lock, after it; the others then go on. A turn normally keeps
// the transaction idle for well under a second (deciding and sealing).
const IdleLockTimeout = 10 * time.Second

// idleLockTimeout is IdleLockTimeout, but for tests.
var idleLockTimeout = IdleLockTimeout

// ledgerConn is the connection the sequencer's turns use. A turn is one
// transaction on it: BEGIN, pg_advisory_xact_lock(writerLock), reading the events
// appended since, then (after deciding) the batch's rows, the checkpoint and
// COMMIT, which releases the lock. Each of the two halves is one pipelined round
// trip. The connection is dropped on any error: PostgreSQL then rolls the
// transaction back and releases the lock, and the next turn reconnects.
type ledgerConn struct {
	mu     sync.Mutex
	conn   *pgx.Conn
	locked bool   // a turn's transaction is open, holding the lock
	end    uint64 // the stored ledger's size when the lock was taken
}

// drop closes the connection, if any: PostgreSQL rolls back its transaction.
func (lc *ledgerConn) drop() {
	if lc.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		lc.conn.Close(ctx)
		cancel()
	}
	lc.conn, lc.locked = nil, false
}

// connect opens the ledger connection if it is not open.
func (db *DB) connect(ctx context.Context) (*pgx.Conn, error) {
	lc := &db.lc
	if lc.conn != nil && !lc.conn.IsClosed() {
		return lc.conn, nil
	}
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = strconv.FormatInt(idleLockTimeout.Milliseconds(), 10)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lc.conn = conn
	return conn, nil
}

// Lock implements sequencer.Locker: it opens a turn's transaction, waits for the
// ledger's advisory lock in it, and reads the events stored from index size on.
// The read is a statement of its own after the lock is granted, so (READ
// COMMITTED) its snapshot holds every turn committed before: PostgreSQL makes a
// transaction's writes visible before it releases its locks.
func (db *DB) Lock(ctx context.Context, size uint64) (_ []sequencer.Stored, err error) {
	lc := &db.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.locked {
		lc.drop()
	}
	defer func() {
		if err != nil {
			lc.drop()
		}
	}()
	conn, err := db.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: ledger connection: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT pg_advisory_xact_lock($1)", int64(writerLock))
	b.Queue("SELECT idx, id, bytes, leaf_hash FROM events WHERE idx >= $1 ORDER BY idx", int64(size))
	br := conn.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("postgres: take the ledger lock: %w", cerr)
		}
	}()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return nil, fmt.Errorf("postgres: take the ledger lock: %w", err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: read the events appended since %d: %w", size, err)
	}
	var out []sequencer.Stored
	for rows.Next() {
		var idx int64
		var id, bytes, leaf []byte
		if err := rows.Scan(&idx, &id, &bytes, &leaf); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read the events appended since %d: %w", size, err)
		}
		if len(leaf) != ledger.HashSize {
			rows.Close()
			return nil, fmt.Errorf("postgres: event %d has a leaf hash of %d bytes", idx, len(leaf))
		}
		out = append(out, sequencer.Stored{Index: uint64(idx), ID: id, Bytes: bytes, LeafHash: [ledger.HashSize]byte(leaf)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read the events appended since %d: %w", size, err)
	}
	lc.locked, lc.end = true, size+uint64(len(out))
	return out, nil
}

// Unlock implements sequencer.Locker: it ends the turn's transaction without
// writing.
func (db *DB) Unlock(ctx context.Context) error {
	lc := &db.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if !lc.locked {
		return nil
	}
	lc.locked = false
	if _, err := lc.conn.Exec(ctx, "ROLLBACK"); err != nil {
		lc.drop()
		return fmt.Errorf("postgres: release the ledger lock: %w", err)
	}
	return nil
}

// writeLocked writes a batch in the open turn (Lock was called) and commits,
// which releases the lock: all the rows in one pipelined round trip.
func (db *DB) writeLocked(ctx context.Context, b *sequencer.Batch, enc *encoded) (err error) {
	lc := &db.lc
	defer func() {
		lc.locked = false
		if err != nil {
			lc.drop()
		}
	}()
	if len(b.Events) == 0 || b.Events[0].Index != lc.end {
		return fmt.Errorf("postgres: a batch must start at index %d, where the stored ledger ends", lc.end)
	}
	pb := &pgx.Batch{}
	queueRows(pb, "events", enc.events)
	var nodes [][]any
	for _, n := range b.Nodes {
		nodes = append(nodes, []any{int64(n.Level), int64(n.Index), n.Hash[:]})
	}
	queueRows(pb, "tree_nodes", nodes)
	for _, t := range projectionRows(enc) {
		queueRows(pb, t.table, lastOfEach(t.table, t.rows))
	}
	c := b.Checkpoint
	pb.Queue(insertCheckpoint, int64(c.Size), c.Root[:], c.Note)
	if len(b.Keys) > 0 {
		pb.Queue(rebind(sqlstore.InsertKeys(len(b.Keys))), keyArgs(b.Keys)...)
	}
	pb.Queue("COMMIT")
	if err := lc.conn.SendBatch(ctx, pb).Close(); err != nil {
		return fmt.Errorf("postgres: write batch: %w", err)
	}
	return nil
}

// insertCheckpoint numbers the checkpoint it inserts (sqlstore.InsertCheckpoint).
var insertCheckpoint = rebind(sqlstore.InsertCheckpoint)

// queueRows queues a table's rows as multi-row inserts.
func queueRows(pb *pgx.Batch, table string, rows [][]any) {
	for start := 0; start < len(rows); {
		n := 1
		for _, c := range rowChunks {
			if len(rows)-start >= c {
				n = c
				break
			}
		}
		var args []any
		for _, r := range rows[start : start+n] {
			args = append(args, r...)
		}
		pb.Queue(inserts[table][n], args...)
		start += n
	}
}
