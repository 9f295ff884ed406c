-- +goose Up
-- Witness cosignatures (C2SP tlog-cosignature) of the log's checkpoints, kept
-- beside the checkpoint they sign (issue 12). A row is added when a witness of
-- the policy answers add-checkpoint; none is ever changed. witness is the
-- cosigner's key name; line is its note signature line exactly as received
-- ("— NAME BASE64\n"); signed_at is the cosignature's own timestamp (POSIX
-- seconds), received_at when the log stored it (POSIX milliseconds).
CREATE TABLE cosignatures (
    size        bigint NOT NULL,
    witness     text   NOT NULL,
    line        text   NOT NULL,
    signed_at   bigint NOT NULL,
    received_at bigint NOT NULL,
    PRIMARY KEY (size, witness)
);
CREATE INDEX cosignatures_witness ON cosignatures (witness, size);
CREATE TRIGGER cosignatures_append_only BEFORE UPDATE ON cosignatures
    FOR EACH ROW EXECUTE FUNCTION handover_append_only('cosignatures are append-only');

-- +goose Down
DROP TABLE cosignatures;
