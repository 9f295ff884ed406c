-- +goose Up
-- The ledger: events exactly as hashed, with their leaf hashes, the tree nodes kept
-- for tiles, and every signed checkpoint. Nothing here is ever updated or deleted.
-- id and subject are 16-byte UUIDs; everything else about an event is in its bytes.
-- Text that is ordered or compared (codes, registration numbers, ids, times as
-- fixed-width UTC text) is COLLATE "C": byte order, as in SQLite.
CREATE TABLE events (
    idx       bigint PRIMARY KEY,
    id        bytea  NOT NULL,
    subject   bytea  NOT NULL,
    bytes     bytea  NOT NULL,
    leaf_hash bytea  NOT NULL
);
CREATE INDEX events_subject ON events (subject, idx);

CREATE TABLE tree_nodes (
    level integer NOT NULL,
    idx   bigint  NOT NULL,
    hash  bytea   NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
    size bigint PRIMARY KEY,
    root bytea  NOT NULL,
    note bytea  NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION handover_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION handover_append_only('events are append-only');
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only('events are append-only');
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION handover_append_only('checkpoints are append-only');
CREATE TRIGGER checkpoints_append_only_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only('checkpoints are append-only');

-- Projections: rebuilt from the events by `handover rebuild`. Documents are bytea,
-- not jsonb: verify compares them byte for byte with the replayed ones.
CREATE TABLE parties (
    id   text PRIMARY KEY COLLATE "C",
    code text NOT NULL UNIQUE COLLATE "C",
    name text NOT NULL,
    kind text NOT NULL,
    doc  bytea NOT NULL
);

CREATE TABLE facilities (
    id         text   PRIMARY KEY COLLATE "C",
    code       text   NOT NULL UNIQUE COLLATE "C",
    name       text   NOT NULL,
    kind       text   NOT NULL,
    country    text   NOT NULL,
    controller text   NOT NULL,
    population bigint NOT NULL,
    doc        bytea  NOT NULL
);

-- A person's record, written at registration and correction.
CREATE TABLE persons (
    id            text  PRIMARY KEY COLLATE "C",
    reg_no        text  NOT NULL UNIQUE COLLATE "C",
    category      text  NOT NULL,
    nationalities text  NOT NULL, -- ' IRQ SYR '
    names         text  NOT NULL, -- every name, lower case, for substring search
    record        bytea NOT NULL  -- custody.Person as JSON
);

-- A person's custody, written at every custody event: narrow rows.
CREATE TABLE custody (
    id        text  PRIMARY KEY COLLATE "C",
    status    text  NOT NULL,
    custodian text  NOT NULL,
    facility  text,
    doc       bytea NOT NULL -- custody.Custody as JSON
);

-- +goose Down
DROP TABLE custody;
DROP TABLE persons;
DROP TABLE facilities;
DROP TABLE parties;
DROP TABLE checkpoints;
DROP TABLE tree_nodes;
DROP TABLE events;
DROP FUNCTION handover_append_only();
