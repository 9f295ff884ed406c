-- +goose Up
-- Checkpoints are numbered densely from 1, one per commit, so that verify can tell
-- a deleted checkpoint: without numbers, a checkpoint removed from the middle left
-- no trace (each one only covers the tree at its own size). The table is rebuilt
-- with seq as its key; the existing checkpoints are numbered in order of size.
CREATE TABLE checkpoints_numbered (
    seq  INTEGER PRIMARY KEY,
    size INTEGER NOT NULL UNIQUE,
    root BLOB    NOT NULL,
    note BLOB    NOT NULL
);
INSERT INTO checkpoints_numbered (seq, size, root, note)
    SELECT row_number() OVER (ORDER BY size), size, root, note FROM checkpoints;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_numbered RENAME TO checkpoints;

-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd

-- +goose Down
CREATE TABLE checkpoints_unnumbered (
    size INTEGER PRIMARY KEY,
    root BLOB    NOT NULL,
    note BLOB    NOT NULL
);
INSERT INTO checkpoints_unnumbered (size, root, note) SELECT size, root, note FROM checkpoints;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_unnumbered RENAME TO checkpoints;
-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- +goose StatementEnd
