-- The audit trail: every action, in a SHA-256 hash chain. Rows are append-only:
-- triggers refuse UPDATE and DELETE, and `warrantdesk verify-log` detects an
-- edit made past them (by someone who drops the triggers).

-- +goose Up
CREATE TABLE audit_events (
    seq              INTEGER PRIMARY KEY,          -- assigned from audit_head, gapless
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
    decision         TEXT NOT NULL DEFAULT '',     -- policy decision JSON, where one applies
    details          TEXT NOT NULL DEFAULT '',     -- JSON
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_events_request ON audit_events (request_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_subject, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_at ON audit_events (at, seq);

-- The chain head: one row, locked by each append so the chain never forks.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_head;
DROP TABLE audit_events;
