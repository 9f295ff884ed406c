-- +goose Up
-- Accounts, their sessions and API tokens, and the audit log (access.Store). They
-- live beside the ledger, never in it: the ledger is shared with monitors, password
-- hashes are not. Ids are UUIDs as text; times are fixed-width UTC text
-- (postgres.TimeColumn, COLLATE "C"), so that they compare as times, as in SQLite.
-- "user" is reserved in PostgreSQL: the columns naming an account are user_id.
CREATE TABLE users (
    id               text    PRIMARY KEY COLLATE "C",
    name             text    NOT NULL UNIQUE COLLATE "C", -- login name, lower case
    full_name        text    NOT NULL,
    party            text    NOT NULL COLLATE "C",
    roles            text    NOT NULL,        -- role names separated by spaces
    password_hash    text    NOT NULL,        -- PHC argon2id
    disabled         boolean NOT NULL DEFAULT false,
    created          text    NOT NULL COLLATE "C",
    password_changed text    NOT NULL COLLATE "C",
    failed_logins    integer NOT NULL DEFAULT 0,
    locked_until     text    COLLATE "C"      -- NULL: not locked
);
CREATE INDEX users_party ON users (party, name);

-- A session's id is a secret held in the browser's cookie; only its SHA-256 is kept.
CREATE TABLE sessions (
    hash    bytea PRIMARY KEY,
    user_id text  NOT NULL COLLATE "C" REFERENCES users (id) ON DELETE CASCADE,
    created text  NOT NULL COLLATE "C",
    expires text  NOT NULL COLLATE "C",
    address text  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

-- API tokens, kept (hashed) after revocation so that their list shows when.
CREATE TABLE tokens (
    id        text  PRIMARY KEY COLLATE "C",
    user_id   text  NOT NULL COLLATE "C" REFERENCES users (id) ON DELETE CASCADE,
    name      text  NOT NULL,
    hash      bytea NOT NULL UNIQUE,
    created   text  NOT NULL COLLATE "C",
    expires   text  COLLATE "C", -- NULL: never
    revoked   text  COLLATE "C", -- NULL: not revoked
    last_used text  COLLATE "C"  -- NULL: never used
);
CREATE INDEX tokens_user ON tokens (user_id, created);

-- The audit log: who did what, to what, when, from where. Append-only; seq is never
-- reused (an identity). user_id and party are NULL when unknown (a failed login
-- naming no account).
CREATE TABLE audit (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      text NOT NULL COLLATE "C",
    user_id text COLLATE "C",
    name    text NOT NULL,
    party   text COLLATE "C",
    action  text NOT NULL,
    target  text NOT NULL,
    address text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    detail  text NOT NULL
);
CREATE INDEX audit_at ON audit (at, seq);
CREATE INDEX audit_user ON audit (user_id, seq);
CREATE INDEX audit_party ON audit (party, seq);
CREATE INDEX audit_action ON audit (action, seq);
CREATE INDEX audit_outcome ON audit (outcome, seq);

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION handover_append_only('the audit log is append-only');
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only('the audit log is append-only');

-- +goose Down
DROP TABLE audit;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE users;
