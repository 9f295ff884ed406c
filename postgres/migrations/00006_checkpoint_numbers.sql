-- +goose Up
-- Checkpoints are numbered densely from 1, one per commit, so that verify can tell
-- a deleted checkpoint: without numbers, a checkpoint removed from the middle left
-- no trace. The existing checkpoints are numbered in order of size.
ALTER TABLE checkpoints ADD COLUMN seq bigint;
ALTER TABLE checkpoints DISABLE TRIGGER checkpoints_append_only;
UPDATE checkpoints c SET seq = n.seq
    FROM (SELECT size, row_number() OVER (ORDER BY size) AS seq FROM checkpoints) n
    WHERE c.size = n.size;
ALTER TABLE checkpoints ENABLE TRIGGER checkpoints_append_only;
ALTER TABLE checkpoints ALTER COLUMN seq SET NOT NULL;
ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_seq_key UNIQUE (seq);

-- `handover copy` into this database: which source it copies (the SQLite file, its
-- log's origin and its latest signed checkpoint when the copy began) and whether
-- it finished (rebuilt the projections and verified). The row is written in the
-- transaction that copies the ledger, so a database holding copied events always
-- says where they came from; while finished is NULL, the servers and verify refuse
-- the database and tell the operator to run the copy again, which completes it.
CREATE TABLE copy_source (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    source     text    NOT NULL,
    origin     text    NOT NULL,
    size       bigint  NOT NULL,
    checkpoint bytea   NOT NULL,
    started    text    NOT NULL COLLATE "C",
    finished   text    COLLATE "C"
);

-- +goose Down
DROP TABLE copy_source;
ALTER TABLE checkpoints DROP COLUMN seq;
