-- The public transparency log: each lifecycle event of a request (received,
-- decided, disclosed, withdrawn, preserved) is one leaf of an RFC 6962 Merkle
-- tree, built with golang.org/x/mod/sumdb/tlog, with signed checkpoints.
-- Leaves carry no personal data; request_id and salt are private and never
-- published (the salt goes to the agency in its receipt). Every table here is
-- append-only: triggers refuse UPDATE and DELETE, and `warrantdesk
-- verify-log` recomputes the tree and detects an edit made past them.

-- +goose Up
CREATE TABLE tlog_leaves (
    idx         INTEGER PRIMARY KEY,          -- leaf index, assigned from tlog_head, gapless
    request_id  TEXT NOT NULL,                -- private: the request this event is about
    event       TEXT NOT NULL,                -- the leaf's event, for finding a request's leaves
    salt        TEXT NOT NULL,                -- private: hex, the commitment's salt
    leaf        BLOB NOT NULL,                -- the published leaf bytes (canonical JSON)
    created_at  DATETIME NOT NULL
);
CREATE INDEX tlog_leaves_request ON tlog_leaves (request_id, idx);

-- The tree's stored hashes (tlog.StoredHashes), so that proofs and tree
-- hashes read at most a few rows instead of recomputing the tree.
CREATE TABLE tlog_hashes (
    id    INTEGER PRIMARY KEY,                -- tlog stored hash index
    hash  BLOB NOT NULL                       -- 32 bytes
);

-- The tree size: one row, locked by each append, so replicas never assign
-- the same index twice and indexes have no gaps.
CREATE TABLE tlog_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  INTEGER NOT NULL
);
INSERT INTO tlog_head (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint notes). Signing is deterministic
-- (Ed25519), so two replicas signing the same size write the same row.
CREATE TABLE tlog_checkpoints (
    size        INTEGER PRIMARY KEY,
    root_hash   TEXT NOT NULL,                -- base64, as in the note
    note        TEXT NOT NULL,                -- the signed note, as served
    created_at  DATETIME NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER tlog_leaves_no_update BEFORE UPDATE ON tlog_leaves
BEGIN
    SELECT RAISE(ABORT, 'tlog_leaves is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tlog_leaves_no_delete BEFORE DELETE ON tlog_leaves
BEGIN
    SELECT RAISE(ABORT, 'tlog_leaves is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tlog_hashes_no_update BEFORE UPDATE ON tlog_hashes
BEGIN
    SELECT RAISE(ABORT, 'tlog_hashes is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tlog_hashes_no_delete BEFORE DELETE ON tlog_hashes
BEGIN
    SELECT RAISE(ABORT, 'tlog_hashes is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tlog_checkpoints_no_update BEFORE UPDATE ON tlog_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'tlog_checkpoints is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tlog_checkpoints_no_delete BEFORE DELETE ON tlog_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'tlog_checkpoints is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tlog_checkpoints_no_delete;
DROP TRIGGER tlog_checkpoints_no_update;
DROP TRIGGER tlog_hashes_no_delete;
DROP TRIGGER tlog_hashes_no_update;
DROP TRIGGER tlog_leaves_no_delete;
DROP TRIGGER tlog_leaves_no_update;
DROP TABLE tlog_checkpoints;
DROP TABLE tlog_head;
DROP TABLE tlog_hashes;
DROP TABLE tlog_leaves;
