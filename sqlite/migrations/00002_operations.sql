-- +goose Up
-- Flags of docs/standards.md §J on each person, for filtering: " flag flag " (space
-- padded), and the earliest deadline of their open notifications, as fixed-width
-- UTC text so that it compares as time.
ALTER TABLE custody ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE custody ADD COLUMN notify_by TEXT;

-- Operational records — officer keys, campaigns, transfers, movements, incidents,
-- notifications — each one JSON document, rewritten in the transaction of every
-- event that changes it (custody.State.Doc).
CREATE TABLE docs (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    doc  BLOB NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- Responses to writes that carried an Idempotency-Key, so that a client in the
-- field can retry a write without recording it twice. Not part of the ledger.
CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    fingerprint BLOB NOT NULL, -- hash of the method, path and body
    status      INTEGER NOT NULL,
    body        BLOB NOT NULL,
    created     TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE idempotency;
DROP TABLE docs;
ALTER TABLE custody DROP COLUMN notify_by;
ALTER TABLE custody DROP COLUMN flags;
