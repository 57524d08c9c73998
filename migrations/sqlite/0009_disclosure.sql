-- Productions: the signed, sealed packages of metadata released for an
-- approved request, their downloads, the age recipients agencies register,
-- and the notices owed to the affected account holders.
--
-- No secret is stored here: a package sealed for its agency can be opened
-- only with the agency's private key; a package without a recipient is
-- encrypted with a per-package key derived from the production key, which
-- lives in configuration, never in the database.

-- +goose Up
-- An agency's age recipient ("age1…"): a public key, so anyone may read it;
-- packages for the agency are encrypted to it.
CREATE TABLE agency_recipients (
    agency_id   TEXT PRIMARY KEY REFERENCES agencies (id),
    recipient   TEXT NOT NULL,
    set_by      TEXT NOT NULL REFERENCES people (id),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- One production per request: producing it again after a crash or failure
-- resumes this row instead of making a second package.
CREATE TABLE productions (
    id               TEXT PRIMARY KEY,
    request_id       TEXT NOT NULL UNIQUE REFERENCES requests (id),
    agency_id        TEXT NOT NULL REFERENCES agencies (id),
    status           TEXT NOT NULL CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT '',       -- why the last attempt failed, safe to show
    scope            TEXT NOT NULL DEFAULT '',       -- the approved scope produced, JSON
    counts           TEXT NOT NULL DEFAULT '',       -- records per category, JSON
    outcome          TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'records_found', 'no_records_found')),
    sealing          TEXT NOT NULL DEFAULT '' CHECK (sealing IN ('', 'recipient', 'at_rest')),
    recipient        TEXT NOT NULL DEFAULT '',       -- the agency's public age recipient it was sealed to
    blob_sha256      TEXT NOT NULL DEFAULT '',       -- the stored, encrypted object
    blob_size        INTEGER NOT NULL DEFAULT 0,
    served_sha256    TEXT NOT NULL DEFAULT '',       -- the bytes a download sends
    served_size      INTEGER NOT NULL DEFAULT 0,
    manifest_sha256  TEXT NOT NULL DEFAULT '',
    produced_at      DATETIME,
    expires_at       DATETIME,
    deleted_at       DATETIME,                       -- when the blob was deleted after expiry
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX productions_agency ON productions (agency_id, id);
CREATE INDEX productions_status ON productions (status, expires_at);

CREATE TABLE production_downloads (
    id             INTEGER PRIMARY KEY,
    production_id  TEXT NOT NULL REFERENCES productions (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    at             DATETIME NOT NULL,
    sha256         TEXT NOT NULL,                    -- of the bytes actually sent
    bytes          INTEGER NOT NULL,
    complete       BOOLEAN NOT NULL
);
CREATE INDEX production_downloads_production ON production_downloads (production_id, id);

-- The notice owed to each affected account holder. Rows are the outbox:
-- 'scheduled' waits for a non-disclosure order to end, 'queued' waits for the
-- webhook to accept it.
CREATE TABLE user_notices (
    id               TEXT PRIMARY KEY,
    production_id    TEXT NOT NULL REFERENCES productions (id),
    request_id       TEXT NOT NULL REFERENCES requests (id),
    account_id       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'queued', 'sent', 'failed')),
    due_at           DATETIME NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME,
    last_error       TEXT NOT NULL DEFAULT '',
    sent_at          DATETIME,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (production_id, account_id)
);
CREATE INDEX user_notices_status ON user_notices (status, due_at);

-- +goose Down
DROP TABLE user_notices;
DROP TABLE production_downloads;
DROP TABLE productions;
DROP TABLE agency_recipients;
