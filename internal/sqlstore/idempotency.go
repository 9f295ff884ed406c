package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// StoredResponse returns the response stored under an idempotency key, if any: the
// fingerprint of the request it answered, its status and body (api.Idempotency).
func (db *Store) StoredResponse(ctx context.Context, key string) (fingerprint []byte, status int, body []byte, found bool, err error) {
	err = db.r.QueryRowContext(ctx, "SELECT fingerprint, status, body FROM idempotency WHERE key = ?", key).Scan(&fingerprint, &status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil, false, nil
	}
	if err != nil {
		return nil, 0, nil, false, db.errorf("idempotency key: %w", err)
	}
	return fingerprint, status, body, true, nil
}

// StoreResponse stores the response to a write under its idempotency key. A key
// already stored keeps its first response.
func (db *Store) StoreResponse(ctx context.Context, key string, fingerprint []byte, status int, body []byte, created time.Time) error {
	// The writer connection is single: this waits for the batch being written.
	_, err := db.w.ExecContext(ctx, "INSERT INTO idempotency (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
		key, fingerprint, status, body, created.UTC().Format(TimeColumn))
	if err != nil {
		return db.errorf("remember idempotency key: %w", err)
	}
	return nil
}
