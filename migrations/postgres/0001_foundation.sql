-- Foundation: agencies, the people and systems who sign in, sessions, and the
-- legal requests agencies file with their targets, documents and history.
-- Times are UTC; calendar dates are DATE.

-- +goose Up
CREATE TABLE agencies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,                 -- ISO 3166-1 alpha-2
    kind        TEXT NOT NULL,                 -- police, prosecutor, ...
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    issuer      TEXT NOT NULL,                 -- the trusted OIDC issuer its people sign in with
    issuer_org  TEXT NOT NULL DEFAULT '',      -- the issuer's org claim value, '' when the issuer serves only this agency
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer, issuer_org)
);

-- A person or an agency system, keyed by (issuer, subject), never by e-mail.
CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('person', 'client')),
    agency_id     TEXT REFERENCES agencies (id),  -- NULL for provider staff
    email         TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',        -- space-separated, from the last sign-in
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    last_seen_at  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer, subject)
);

-- Sessions are stored server-side so that any replica can serve any request
-- and suspension or logout takes effect at once. Only a hash of the cookie
-- value is kept: a database dump does not yield usable sessions.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- A sign-in in progress: state (hashed), nonce and PKCE verifier, used once.
CREATE TABLE login_states (
    state_hash     TEXT PRIMARY KEY,
    issuer         TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    code_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL DEFAULT '/',
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE reference_counters (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

CREATE TABLE requests (
    id                         TEXT PRIMARY KEY,  -- UUIDv7: time-ordered, so it is also the keyset cursor
    reference                  TEXT NOT NULL UNIQUE,
    agency_id                  TEXT NOT NULL REFERENCES agencies (id),
    created_by                 TEXT NOT NULL REFERENCES people (id),
    status                     TEXT NOT NULL,
    version                    INTEGER NOT NULL DEFAULT 1,
    process                    TEXT NOT NULL DEFAULT '',
    authority_kind             TEXT NOT NULL DEFAULT '',
    authority_name             TEXT NOT NULL DEFAULT '',
    authority_signed_by        TEXT NOT NULL DEFAULT '',
    docket                     TEXT NOT NULL DEFAULT '',
    issued_on                  DATE,
    expires_on                 DATE,
    date_from                  DATE,
    date_to                    DATE,
    categories                 TEXT NOT NULL DEFAULT '',  -- space-separated category ids
    nondisclosure_ordered      BOOLEAN NOT NULL DEFAULT FALSE,
    nondisclosure_until        DATE,
    emergency                  BOOLEAN NOT NULL DEFAULT FALSE,
    emergency_narrative        TEXT NOT NULL DEFAULT '',
    offence_description        TEXT NOT NULL DEFAULT '',
    offence_max_penalty_years  INTEGER,
    summary                    TEXT NOT NULL DEFAULT '',
    submitted_at               TIMESTAMPTZ,
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);
CREATE INDEX requests_agency ON requests (agency_id, id);
CREATE INDEX requests_status ON requests (status, id);

-- Targets are normalised identifiers: E.164 phone numbers, case-folded
-- usernames, account ids. Never free text.
CREATE TABLE request_targets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('phone', 'username', 'account_id', 'email')),
    value       TEXT NOT NULL,
    UNIQUE (request_id, type, value)
);

-- The signed order. The bytes live in the blob store under their SHA-256; the
-- original file name is kept as metadata only and never used as a path.
CREATE TABLE request_documents (
    id            TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL REFERENCES people (id),
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX request_documents_request ON request_documents (request_id);

CREATE TABLE request_history (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at           TIMESTAMPTZ NOT NULL,
    actor_id     TEXT NOT NULL REFERENCES people (id),
    action       TEXT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL DEFAULT '',
    comment      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_history_request ON request_history (request_id, id);

-- +goose Down
DROP TABLE request_history;
DROP TABLE request_documents;
DROP TABLE request_targets;
DROP TABLE requests;
DROP TABLE reference_counters;
DROP TABLE login_states;
DROP TABLE sessions;
DROP TABLE people;
DROP TABLE agencies;
