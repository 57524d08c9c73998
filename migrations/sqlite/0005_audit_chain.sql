-- The audit chain: a queue at its head, and signed anchors of it.
--
-- audit_pending: an action writes its audit event in its own transaction.
-- When another transaction holds the chain head, the event waits here
-- instead of waiting for that transaction's commit (and its disk flush):
-- appending must not serialise the server. The next transaction that takes
-- the head, or the signer within a second, moves queued events into
-- audit_events, in order, with their hashes. Rows leave this queue only
-- by being chained.
--
-- audit_anchors: signed statements of the chain's head (seq and hash), made
-- with the transparency log's key while the chain grows (at most every 30
-- seconds). Someone who edits audit_events past the triggers and rewrites
-- every later hash and the head row still cannot produce a chain that
-- matches the anchors; `warrantdesk verify-log` checks the chain against
-- every one. Append-only like the chain.

-- +goose Up
CREATE TABLE audit_pending (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    at               DATETIME NOT NULL,
    actor_issuer     TEXT NOT NULL DEFAULT '',
    actor_subject    TEXT NOT NULL DEFAULT '',
    actor_role       TEXT NOT NULL DEFAULT '',
    actor_agency_id  TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL,
    object_type      TEXT NOT NULL DEFAULT '',
    object_id        TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL,
    request_id       TEXT NOT NULL DEFAULT '',
    decision         TEXT NOT NULL DEFAULT '',
    details          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audit_anchors (
    seq         INTEGER PRIMARY KEY,          -- the audit event the anchor covers up to
    hash        TEXT NOT NULL,                -- that event's hash (hex)
    note        TEXT NOT NULL,                -- the signed note
    created_at  DATETIME NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN
    SELECT RAISE(ABORT, 'audit_anchors is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN
    SELECT RAISE(ABORT, 'audit_anchors is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_anchors_no_delete;
DROP TRIGGER audit_anchors_no_update;
DROP TABLE audit_anchors;
DROP TABLE audit_pending;
