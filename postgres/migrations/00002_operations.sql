-- +goose Up
-- Flags of docs/standards.md §J on each person, for filtering: " flag flag " (space
-- padded), and the earliest deadline of their open notifications, as fixed-width
-- UTC text so that it compares as time.
ALTER TABLE custody ADD COLUMN flags text NOT NULL DEFAULT '';
ALTER TABLE custody ADD COLUMN notify_by text COLLATE "C";

-- Operational records — officer keys, campaigns, transfers, movements, incidents,
-- notifications — each one JSON document, rewritten in the transaction of every
-- event that changes it (custody.State.Doc).
CREATE TABLE docs (
    kind text  NOT NULL COLLATE "C",
    id   text  NOT NULL COLLATE "C",
    doc  bytea NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Responses to writes that carried an Idempotency-Key, so that a client in the
-- field can retry a write without recording it twice. Not part of the ledger.
CREATE TABLE idempotency (
    key         text    PRIMARY KEY COLLATE "C",
    fingerprint bytea   NOT NULL, -- hash of the method, path and body
    status      integer NOT NULL,
    body        bytea   NOT NULL,
    created     text    NOT NULL COLLATE "C"
);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE docs;
ALTER TABLE custody DROP COLUMN notify_by;
ALTER TABLE custody DROP COLUMN flags;
