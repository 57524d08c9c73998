-- Published transparency reports. A published version never changes (the
-- triggers refuse UPDATE and DELETE); a correction is a new version of the
-- same period with its reason, and every version stays served. body is the
-- report's canonical JSON exactly as signed and served; signature is a
-- signed note (the log's key) over its SHA-256, period, version and the log
-- checkpoint it was counted from. published_by is private: the person who
-- froze it, for the audit trail, never served.

-- +goose Up
CREATE TABLE transparency_reports (
    id            TEXT PRIMARY KEY,
    period        TEXT NOT NULL,              -- "2026-H2"
    version       INTEGER NOT NULL,           -- 1, then each correction
    body          TEXT NOT NULL,              -- the report JSON, as signed
    signature     TEXT NOT NULL,              -- signed note
    tree_size     INTEGER NOT NULL,           -- the log checkpoint counted from
    root_hash     TEXT NOT NULL,              -- base64
    reason        TEXT NOT NULL DEFAULT '',   -- why this version corrects the one before
    published_by  TEXT NOT NULL,
    published_at  DATETIME NOT NULL,
    UNIQUE (period, version)
);

-- +goose StatementBegin
CREATE TRIGGER transparency_reports_no_update BEFORE UPDATE ON transparency_reports
BEGIN
    SELECT RAISE(ABORT, 'transparency_reports is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER transparency_reports_no_delete BEFORE DELETE ON transparency_reports
BEGIN
    SELECT RAISE(ABORT, 'transparency_reports is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER transparency_reports_no_delete;
DROP TRIGGER transparency_reports_no_update;
DROP TABLE transparency_reports;
