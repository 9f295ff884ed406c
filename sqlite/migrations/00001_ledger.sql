-- +goose Up
-- The ledger: events exactly as hashed, with their leaf hashes, the tree nodes kept
-- for tiles, and every signed checkpoint. Nothing here is ever updated or deleted.
-- id and subject are 16-byte UUIDs; everything else about an event is in its bytes.
CREATE TABLE events (
    idx       INTEGER PRIMARY KEY,
    id        BLOB    NOT NULL,
    subject   BLOB    NOT NULL,
    bytes     BLOB    NOT NULL,
    leaf_hash BLOB    NOT NULL
);
CREATE INDEX events_subject ON events (subject, idx);

CREATE TABLE tree_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB    NOT NULL,
    note BLOB    NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd

-- Projections: rebuilt from the events by `handover rebuild`.
CREATE TABLE parties (
    id   TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    doc  BLOB NOT NULL
);

CREATE TABLE facilities (
    id         TEXT PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    country    TEXT    NOT NULL,
    controller TEXT    NOT NULL,
    population INTEGER NOT NULL,
    doc        BLOB    NOT NULL
);

-- A person's record, written at registration and correction.
CREATE TABLE persons (
    id            TEXT PRIMARY KEY,
    reg_no        TEXT NOT NULL UNIQUE,
    category      TEXT NOT NULL,
    nationalities TEXT NOT NULL, -- ' IRQ SYR '
    names         TEXT NOT NULL, -- every name, lower case, for substring search
    record        BLOB NOT NULL  -- custody.Person as JSON
);

-- A person's custody, written at every custody event: narrow rows, so that the
-- custody changes of a batch touch few pages.
CREATE TABLE custody (
    id        TEXT PRIMARY KEY,
    status    TEXT NOT NULL,
    custodian TEXT NOT NULL,
    facility  TEXT,
    doc       BLOB NOT NULL -- custody.Custody as JSON
) WITHOUT ROWID;
-- No index on facility: each custody change would update it; a roster is a scan of narrow rows.

-- +goose Down
DROP TABLE custody;
DROP TABLE persons;
DROP TABLE facilities;
DROP TABLE parties;
DROP TABLE checkpoints;
DROP TABLE tree_nodes;
DROP TABLE events;
