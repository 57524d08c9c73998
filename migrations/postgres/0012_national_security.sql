-- National-security requests (50 U.S.C. § 1874; a UK IPA authorisation whose
-- stated purpose is national security, s. 60A(7)(a)) are classified per
-- request, by the scope decision the policy makes when the request is
-- submitted, no longer per process id: a UK IPA Part 3 authorisation made to
-- prevent or detect crime is ordinary legal process.
--
-- Their lifecycle events must never enter the public log one by one:
-- counting those leaves would give the exact number the statute allows only
-- in bands. They are kept here instead, private, and transparency reports
-- count them into bands; the published bands themselves enter the log as
-- aggregate leaves (event national_security_band), so they stay
-- accountable.

-- +goose Up
ALTER TABLE requests ADD COLUMN national_security BOOLEAN NOT NULL DEFAULT FALSE;

-- Backfill only the processes that are national-security whatever their
-- purpose (national security letters, FISA business-records and pen-register
-- orders). Existing uk.ipa requests were all counted national-security
-- before, but they stated no purpose (the purpose column came with 0011 and
-- is '' for them), and an IPA authorisation is national-security only when
-- its stated purpose is (s. 60A(7)(a)); most are made to prevent or detect
-- crime (s. 60A(7)(b)). Their leaves are already public one by one, so
-- banding them from now on would hide nothing either.
UPDATE requests SET national_security = TRUE WHERE process IN ('us.nsl', 'us.fisa_br', 'us.fisa_prtt');

-- One row per lifecycle event of a national-security request: the facts a
-- log leaf would have carried, minus the commitment (there is no leaf to
-- receipt). Private, like tlog_leaves.request_id; append-only, like the log,
-- so the bands published from it cannot be recounted differently later.
CREATE TABLE national_security_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id    TEXT NOT NULL,
    event         TEXT NOT NULL,
    date          DATE NOT NULL,               -- the UTC day of the event
    country       TEXT NOT NULL,
    agency_kind   TEXT NOT NULL,
    process       TEXT NOT NULL,
    request_type  TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '',
    accounts      INTEGER NOT NULL DEFAULT 0,
    ndo           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX national_security_events_date ON national_security_events (date);
CREATE INDEX national_security_events_request ON national_security_events (request_id);
-- +goose StatementBegin
CREATE FUNCTION national_security_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER national_security_events_no_update BEFORE UPDATE OR DELETE ON national_security_events
    FOR EACH ROW EXECUTE FUNCTION national_security_events_append_only();
CREATE TRIGGER national_security_events_no_truncate BEFORE TRUNCATE ON national_security_events
    FOR EACH STATEMENT EXECUTE FUNCTION national_security_events_append_only();

-- +goose Down
DROP TRIGGER national_security_events_no_truncate ON national_security_events;
DROP TRIGGER national_security_events_no_update ON national_security_events;
DROP FUNCTION national_security_events_append_only();
DROP TABLE national_security_events;
ALTER TABLE requests DROP COLUMN national_security;
