package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
)

// keyLockClass is the first key of the advisory locks of idempotency keys ("hoky");
// the second is a hash of the key. Locks on two 32-bit keys never conflict with the
// ledger's lock, which is on one 64-bit key.
const keyLockClass = 0x686f6b79

// maxKeyLocks bounds the connections that hold idempotency-key locks: one for each
// idempotent write in progress on this server; more wait for one to be free.
const maxKeyLocks = 32

// LockKey implements api.KeyLocker (without importing it): a session advisory lock on the key's hash, held
// on a connection of its own (apart from the pool the request's reads and writes
// use) until unlock. Two keys that share a hash wait for each other, which is
// harmless. A server that dies loses its connections and so its locks.
func (db *DB) LockKey(ctx context.Context, key string) (func(), error) {
	h := fnv.New32a()
	h.Write([]byte(key))
	k := int32(h.Sum32())
	conn, err := db.keys.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: idempotency key lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", int32(keyLockClass), k); err != nil {
		discard(conn)
		return nil, fmt.Errorf("postgres: idempotency key lock: %w", err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, $2)", int32(keyLockClass), k); err != nil {
			discard(conn) // closing the session releases the lock
			return
		}
		conn.Close()
	}, nil
}

// discard closes a connection rather than returning it to its pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
