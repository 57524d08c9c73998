-- Who is asking (issue 16): agencies are onboarded with evidence and
-- activated by a second administrator, and each keeps the numbers the
-- provider calls back on, found independently of any request.
--
-- agencies.status gains 'pending' (registered, not yet activated: its
-- people cannot sign in and its systems are refused). jurisdiction is the
-- area its authority covers, in words ("Riverside County, California").
-- created_by is the administrator who registered it, activated_by/at who
-- activated it first: never the same person (four eyes, held by the admin
-- package). Agencies registered before this migration count as activated.
--
-- agency_verifications: how the provider satisfied itself that the agency
-- is what it says (method, by whom, when, what was seen), with the
-- supporting documents in agency_documents (bytes in the blob store under
-- their SHA-256, like request documents).
-- agency_email_domains: the domains its people's e-mail addresses use; an
-- address outside them is a requester signal.
-- agency_callbacks: the callback directory. Each number was entered by the
-- provider from an independent source (source says which: the agency's
-- published switchboard, a government directory, a call to a known
-- contact); a removed number keeps its row (removed_at) because callbacks
-- recorded against it still cite it.
-- agency_status_changes: every move of an agency's status, by whom and why,
-- shown on its page (the audit trail holds the same as events).
-- request_callbacks: intake's call back to a directory number before an
-- emergency is verified: who called, when, the outcome. The number is the
-- directory's (callback_id), never one taken from the request.
--
-- SQLite cannot change a CHECK constraint in place: agencies is rebuilt.
-- People, requests and others reference it by name, so it is copied aside,
-- dropped, made again under the same name and refilled; foreign keys are
-- checked at commit (defer_foreign_keys), when every row is back. (A new
-- table renamed into place would not do: the rows dropped with the old one
-- stay counted as violations.) The view over it is made again after.

-- +goose Up
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE agencies_copy AS SELECT * FROM agencies;
DROP VIEW request_summaries;
DROP TABLE agencies;
CREATE TABLE agencies (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    country       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'suspended')),
    issuer        TEXT NOT NULL,
    issuer_org    TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    language      TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL DEFAULT '',
    jurisdiction  TEXT NOT NULL DEFAULT '',
    created_by    TEXT REFERENCES people (id),
    activated_by  TEXT REFERENCES people (id),
    activated_at  DATETIME,
    UNIQUE (issuer, issuer_org)
);
INSERT INTO agencies SELECT id, name, country, kind, status, issuer, issuer_org, created_at, updated_at,
    language, time_zone, '', NULL, NULL, created_at FROM agencies_copy;
DROP TABLE agencies_copy;
CREATE VIEW request_summaries AS
SELECT r.id, r.reference, r.status, r.process, r.agency_id, r.emergency, r.submitted_at,
       a.name AS agency_name, a.country AS agency_country, a.kind AS agency_kind
FROM requests r
JOIN agencies a ON a.id = r.agency_id;

CREATE TABLE agency_verifications (
    id           TEXT PRIMARY KEY,
    agency_id    TEXT NOT NULL REFERENCES agencies (id),
    method       TEXT NOT NULL,            -- official_directory, known_contact, in_person, government_registry, other
    note         TEXT NOT NULL DEFAULT '', -- what was checked and seen
    verified_by  TEXT NOT NULL REFERENCES people (id),
    verified_at  DATETIME NOT NULL
);
CREATE INDEX agency_verifications_agency ON agency_verifications (agency_id, verified_at);

CREATE TABLE agency_documents (
    id               TEXT PRIMARY KEY,
    agency_id        TEXT NOT NULL REFERENCES agencies (id),
    verification_id  TEXT REFERENCES agency_verifications (id),
    sha256           TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL,
    filename         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    uploaded_by      TEXT NOT NULL REFERENCES people (id),
    created_at       DATETIME NOT NULL
);
CREATE INDEX agency_documents_agency ON agency_documents (agency_id);

CREATE TABLE agency_email_domains (
    agency_id  TEXT NOT NULL REFERENCES agencies (id),
    domain     TEXT NOT NULL,              -- lower case, no @: riverside-pd.example
    added_by   TEXT REFERENCES people (id),
    added_at   DATETIME NOT NULL,
    PRIMARY KEY (agency_id, domain)
);
CREATE INDEX agency_email_domains_domain ON agency_email_domains (domain);

CREATE TABLE agency_callbacks (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    label       TEXT NOT NULL,             -- "24-hour switchboard", "Duty inspector"
    phone       TEXT NOT NULL,             -- E.164
    source      TEXT NOT NULL,             -- where the provider found it, independently of any request
    added_by    TEXT REFERENCES people (id),
    added_at    DATETIME NOT NULL,
    removed_by  TEXT REFERENCES people (id),
    removed_at  DATETIME
);
CREATE INDEX agency_callbacks_agency ON agency_callbacks (agency_id, removed_at);

CREATE TABLE agency_status_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id    TEXT NOT NULL REFERENCES agencies (id),
    from_status  TEXT NOT NULL DEFAULT '',  -- '' when registered
    to_status    TEXT NOT NULL CHECK (to_status IN ('pending', 'active', 'suspended')),
    actor_id     TEXT REFERENCES people (id),
    reason       TEXT NOT NULL DEFAULT '',
    at           DATETIME NOT NULL
);
CREATE INDEX agency_status_changes_agency ON agency_status_changes (agency_id, at);

CREATE TABLE request_callbacks (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id),
    callback_id  TEXT NOT NULL REFERENCES agency_callbacks (id),
    called_by    TEXT NOT NULL REFERENCES people (id),
    called_at    DATETIME NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('confirmed', 'not_confirmed', 'no_answer')),
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_callbacks_request ON request_callbacks (request_id, called_at);

-- +goose Down
DROP TABLE request_callbacks;
DROP TABLE agency_status_changes;
DROP TABLE agency_callbacks;
DROP TABLE agency_email_domains;
DROP TABLE agency_documents;
DROP TABLE agency_verifications;
PRAGMA defer_foreign_keys = ON;
UPDATE agencies SET status = 'suspended' WHERE status = 'pending';
CREATE TEMP TABLE agencies_copy AS SELECT * FROM agencies;
DROP VIEW request_summaries;
DROP TABLE agencies;
CREATE TABLE agencies (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    country       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    issuer        TEXT NOT NULL,
    issuer_org    TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    language      TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL DEFAULT '',
    UNIQUE (issuer, issuer_org)
);
INSERT INTO agencies SELECT id, name, country, kind, status, issuer, issuer_org, created_at, updated_at,
    language, time_zone FROM agencies_copy;
DROP TABLE agencies_copy;
CREATE VIEW request_summaries AS
SELECT r.id, r.reference, r.status, r.process, r.agency_id, r.emergency, r.submitted_at,
       a.name AS agency_name, a.country AS agency_country, a.kind AS agency_kind
FROM requests r
JOIN agencies a ON a.id = r.agency_id;
