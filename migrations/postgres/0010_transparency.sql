-- Published transparency reports. A published version never changes (the
-- triggers refuse UPDATE, DELETE and TRUNCATE); a correction is a new
-- version of the same period with its reason, and every version stays
-- served. body is the report's canonical JSON exactly as signed and served;
-- signature is a signed note (the log's key) over its SHA-256, period,
-- version and the log checkpoint it was counted from. published_by is
-- private: the person who froze it, for the audit trail, never served.

-- +goose Up
CREATE TABLE transparency_reports (
    id            TEXT PRIMARY KEY,
    period        TEXT NOT NULL,              -- "2026-H2"
    version       INTEGER NOT NULL,           -- 1, then each correction
    body          TEXT NOT NULL,              -- the report JSON, as signed
    signature     TEXT NOT NULL,              -- signed note
    tree_size     BIGINT NOT NULL,            -- the log checkpoint counted from
    root_hash     TEXT NOT NULL,              -- base64
    reason        TEXT NOT NULL DEFAULT '',   -- why this version corrects the one before
    published_by  TEXT NOT NULL,
    published_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (period, version)
);

-- +goose StatementBegin
CREATE FUNCTION transparency_reports_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'transparency_reports is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER transparency_reports_no_update BEFORE UPDATE OR DELETE ON transparency_reports
    FOR EACH ROW EXECUTE FUNCTION transparency_reports_append_only();
CREATE TRIGGER transparency_reports_no_truncate BEFORE TRUNCATE ON transparency_reports
    FOR EACH STATEMENT EXECUTE FUNCTION transparency_reports_append_only();

-- +goose Down
DROP TRIGGER transparency_reports_no_truncate ON transparency_reports;
DROP TRIGGER transparency_reports_no_update ON transparency_reports;
DROP FUNCTION transparency_reports_append_only();
DROP TABLE transparency_reports;
