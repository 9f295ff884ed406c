package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IdempotentResponse is the stored response to a write that carried an
// Idempotency-Key.
type IdempotentResponse struct {
	Fingerprint []byte // what the request was: a retry must match it
	Status      int
	Body        []byte
	Created     time.Time
}

// Idempotent returns the response stored under key, if any.
func (db *DB) Idempotent(ctx context.Context, key string) (*IdempotentResponse, bool, error) {
	var r IdempotentResponse
	var created string
	err := db.r.QueryRowContext(ctx, "SELECT fingerprint, status, body, created FROM idempotency WHERE key = ?", key).
		Scan(&r.Fingerprint, &r.Status, &r.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: idempotency key: %w", err)
	}
	r.Created, _ = time.Parse(TimeColumn, created)
	return &r, true, nil
}

// RememberResponse stores the response to a write under its idempotency key. A key
// already stored keeps its first response.
func (db *DB) RememberResponse(ctx context.Context, key string, r IdempotentResponse) error {
	// The writer connection is single: this waits for the batch being written.
	_, err := db.w.ExecContext(ctx, "INSERT INTO idempotency (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
		key, r.Fingerprint, r.Status, r.Body, r.Created.UTC().Format(TimeColumn))
	if err != nil {
		return fmt.Errorf("sqlite: remember idempotency key: %w", err)
	}
	return nil
}
