-- +goose Up
-- Witness cosignatures (C2SP tlog-cosignature) of the log's checkpoints, kept
-- beside the checkpoint they sign (issue 12). A row is added when a witness of
-- the policy answers add-checkpoint; none is ever changed or deleted. witness
-- is the cosigner's key name; line is its note signature line exactly as
-- received ("— NAME BASE64\n"); signed_at is the cosignature's own timestamp
-- (POSIX seconds), received_at when the log stored it (POSIX milliseconds).
CREATE TABLE cosignatures (
    size        INTEGER NOT NULL,
    witness     TEXT    NOT NULL,
    line        TEXT    NOT NULL,
    signed_at   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (size, witness)
) WITHOUT ROWID;
CREATE INDEX cosignatures_witness ON cosignatures (witness, size);

-- +goose StatementBegin
CREATE TRIGGER cosignatures_append_only_update BEFORE UPDATE ON cosignatures
BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE cosignatures;
