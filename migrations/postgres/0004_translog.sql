-- The public transparency log: each lifecycle event of a request (received,
-- decided, disclosed, withdrawn, preserved) is one leaf of an RFC 6962 Merkle
-- tree, built with golang.org/x/mod/sumdb/tlog, with signed checkpoints.
-- Leaves carry no personal data; request_id and salt are private and never
-- published (the salt goes to the agency in its receipt). Every table here is
-- append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and `warrantdesk
-- verify-log` recomputes the tree and detects an edit made past them.

-- +goose Up
CREATE TABLE tlog_leaves (
    idx         BIGINT PRIMARY KEY,           -- leaf index, assigned from tlog_head, gapless
    request_id  TEXT NOT NULL,                -- private: the request this event is about
    event       TEXT NOT NULL,                -- the leaf's event, for finding a request's leaves
    salt        TEXT NOT NULL,                -- private: hex, the commitment's salt
    leaf        BYTEA NOT NULL,               -- the published leaf bytes (canonical JSON)
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX tlog_leaves_request ON tlog_leaves (request_id, idx);

-- The tree's stored hashes (tlog.StoredHashes), so that proofs and tree
-- hashes read at most a few rows instead of recomputing the tree.
CREATE TABLE tlog_hashes (
    id    BIGINT PRIMARY KEY,                 -- tlog stored hash index
    hash  BYTEA NOT NULL                      -- 32 bytes
);

-- The tree size: one row, locked by each append, so replicas never assign
-- the same index twice and indexes have no gaps.
CREATE TABLE tlog_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT NOT NULL
);
INSERT INTO tlog_head (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint notes). Signing is deterministic
-- (Ed25519), so two replicas signing the same size write the same row.
CREATE TABLE tlog_checkpoints (
    size        BIGINT PRIMARY KEY,
    root_hash   TEXT NOT NULL,                -- base64, as in the note
    note        TEXT NOT NULL,                -- the signed note, as served
    created_at  TIMESTAMPTZ NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION tlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER tlog_leaves_no_update BEFORE UPDATE OR DELETE ON tlog_leaves
    FOR EACH ROW EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_leaves_no_truncate BEFORE TRUNCATE ON tlog_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_hashes_no_update BEFORE UPDATE OR DELETE ON tlog_hashes
    FOR EACH ROW EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_hashes_no_truncate BEFORE TRUNCATE ON tlog_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_checkpoints_no_update BEFORE UPDATE OR DELETE ON tlog_checkpoints
    FOR EACH ROW EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_checkpoints_no_truncate BEFORE TRUNCATE ON tlog_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION tlog_append_only();

-- +goose Down
DROP TRIGGER tlog_checkpoints_no_truncate ON tlog_checkpoints;
DROP TRIGGER tlog_checkpoints_no_update ON tlog_checkpoints;
DROP TRIGGER tlog_hashes_no_truncate ON tlog_hashes;
DROP TRIGGER tlog_hashes_no_update ON tlog_hashes;
DROP TRIGGER tlog_leaves_no_truncate ON tlog_leaves;
DROP TRIGGER tlog_leaves_no_update ON tlog_leaves;
DROP FUNCTION tlog_append_only();
DROP TABLE tlog_checkpoints;
DROP TABLE tlog_head;
DROP TABLE tlog_hashes;
DROP TABLE tlog_leaves;
