-- +goose Up
-- Custody rows are rewritten at every custody event. With room left in each page,
-- PostgreSQL updates them in place (HOT: no new index entry, as only the primary
-- key is indexed and it never changes).
ALTER TABLE custody SET (fillfactor = 50);
ALTER TABLE facilities SET (fillfactor = 50);

-- +goose Down
ALTER TABLE facilities RESET (fillfactor);
ALTER TABLE custody RESET (fillfactor);
