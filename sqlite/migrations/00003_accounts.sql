-- +goose Up
-- Accounts, their sessions and API tokens, and the audit log (access.Store). They
-- live beside the ledger, never in it: the ledger is shared with monitors, password
-- hashes are not. Ids are UUIDs as text; times are fixed-width UTC text
-- (sqlite.TimeColumn), so that they compare as times.
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE, -- login name, lower case
    full_name        TEXT    NOT NULL,
    party            TEXT    NOT NULL,
    roles            TEXT    NOT NULL,        -- role names separated by spaces
    password_hash    TEXT    NOT NULL,        -- PHC argon2id
    disabled         INTEGER NOT NULL DEFAULT 0,
    created          TEXT    NOT NULL,
    password_changed TEXT    NOT NULL,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     TEXT                     -- NULL: not locked
);
CREATE INDEX users_party ON users (party, name);

-- A session's id is a secret held in the browser's cookie; only its SHA-256 is kept.
CREATE TABLE sessions (
    hash    BLOB PRIMARY KEY,
    user    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    address TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user);
CREATE INDEX sessions_expires ON sessions (expires);

-- API tokens, kept (hashed) after revocation so that their list shows when.
CREATE TABLE tokens (
    id        TEXT PRIMARY KEY,
    user      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    hash      BLOB NOT NULL UNIQUE,
    created   TEXT NOT NULL,
    expires   TEXT, -- NULL: never
    revoked   TEXT, -- NULL: not revoked
    last_used TEXT  -- NULL: never used
);
CREATE INDEX tokens_user ON tokens (user, created);

-- The audit log: who did what, to what, when, from where. Append-only; seq is never
-- reused (AUTOINCREMENT). user and party are NULL when unknown (a failed login
-- naming no account).
CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    user    TEXT,
    name    TEXT NOT NULL,
    party   TEXT,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    address TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    detail  TEXT NOT NULL
);
-- Each index ends, implicitly, with seq (the rowid): a filter on one column reads
-- its entries already in seq order.
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_user ON audit (user);
CREATE INDEX audit_party ON audit (party);
CREATE INDEX audit_action ON audit (action);
CREATE INDEX audit_outcome ON audit (outcome);

-- +goose StatementBegin
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE users;
