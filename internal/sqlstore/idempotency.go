package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handover-project/handover/sequencer"
)

// The idempotency table keeps, under each key, either the answer the API gave
// (status > 0: its HTTP status and body), or the receipt of a command the
// sequencer committed under the key before any answer was stored (status 0, body
// the receipt as sequencer.EncodeReceipt encodes it). The second kind is written
// in the batch transaction of the command's events (KeyRows, by the writers); the
// API's answer replaces it (StoreResponse).

// PendingStatus is the status of a key whose command is committed but whose
// answer is not yet stored.
const PendingStatus = 0

// StoredResponse returns what is stored under an idempotency key, if anything:
// the fingerprint of the request, and its status and body (api.Idempotency). A
// status of PendingStatus means that the command is committed and its answer not
// yet stored: the body is then the command's receipt, not an answer.
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

// StoreResponse stores the answer to a write under its idempotency key. A key
// already answered keeps its first answer; a pending key (its command committed)
// takes this one.
func (db *Store) StoreResponse(ctx context.Context, key string, fingerprint []byte, status int, body []byte, created time.Time) error {
	// The writer connection is single in SQLite: this waits for the batch being written.
	_, err := db.w.ExecContext(ctx, "INSERT INTO idempotency (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?) "+
		"ON CONFLICT (key) DO UPDATE SET status = excluded.status, body = excluded.body WHERE idempotency.status = 0",
		key, fingerprint, status, body, created.UTC().Format(TimeColumn))
	if err != nil {
		return db.errorf("remember idempotency key: %w", err)
	}
	return nil
}

// Outcomes implements sequencer.KeyStore: the outcomes stored under keys.
func (db *Store) Outcomes(ctx context.Context, keys []string) (map[string]sequencer.Outcome, error) {
	out := map[string]sequencer.Outcome{}
	const chunk = 256
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := db.r.QueryContext(ctx, "SELECT key, fingerprint, status, body FROM idempotency WHERE key IN ("+Placeholders(len(part))+")", args...)
		if err != nil {
			return nil, db.errorf("idempotency keys: %w", err)
		}
		for rows.Next() {
			var key string
			var fp, body []byte
			var status int
			if err := rows.Scan(&key, &fp, &status, &body); err != nil {
				rows.Close()
				return nil, db.errorf("idempotency keys: %w", err)
			}
			o := sequencer.Outcome{Fingerprint: fp, Answered: status != PendingStatus}
			if !o.Answered {
				if o.Receipt, err = sequencer.DecodeReceipt(body); err != nil {
					rows.Close()
					return nil, db.errorf("idempotency key %s: %w", key, err)
				}
			}
			out[key] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.errorf("idempotency keys: %w", err)
		}
	}
	return out, nil
}

// KeyCols are the columns of the rows KeyRows builds.
const KeyCols = "key, fingerprint, status, body, created"

// KeyRows are the idempotency rows of a batch's keys, pending their answers.
// A key already stored makes the insert, and so the batch, fail: the sequencer
// looked it up first, so that only happens if two writers raced for it.
func KeyRows(keys []sequencer.KeyRecord) [][]any {
	out := make([][]any, len(keys))
	for i, k := range keys {
		out[i] = []any{k.ID, k.Fingerprint, PendingStatus, k.Receipt, k.Created.UTC().Format(TimeColumn)}
	}
	return out
}

// InsertKeys is the statement that inserts n key rows, with ? placeholders.
func InsertKeys(n int) string {
	row := "(" + Placeholders(len(SplitCols(KeyCols))) + ")"
	return "INSERT INTO idempotency (" + KeyCols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
