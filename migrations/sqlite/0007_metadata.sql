-- The provider's retained metadata: what an end-to-end-encrypted messaging
-- service keeps about accounts, and nothing more. There is no column for
-- message content, media, attachments or keys anywhere in this schema, and
-- the content-free schema test (server/internal/metadata) fails on any
-- column that is not on its reviewed allow-list.
--
-- Times are UTC. Identifiers are normalised as request targets are: phone
-- numbers E.164, usernames case-folded, e-mail addresses lowercase.

-- +goose Up
CREATE TABLE md_accounts (
    id             TEXT PRIMARY KEY,                 -- the account's UUID
    phone          TEXT NOT NULL UNIQUE,             -- E.164
    username       TEXT UNIQUE,                      -- NULL: none chosen
    email          TEXT,                             -- NULL: none given
    profile_name   TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    registered_at  DATETIME NOT NULL,
    deleted_at     DATETIME
);
CREATE INDEX md_accounts_email ON md_accounts (email);

-- Only the latest values: the service start date and the last day the
-- account connected.
CREATE TABLE md_activity (
    account_id     TEXT PRIMARY KEY REFERENCES md_accounts (id) ON DELETE CASCADE,
    service_start  TEXT NOT NULL,
    last_seen      TEXT NOT NULL
);

-- Connection events: time, the temporarily assigned address and port, and
-- what happened.
CREATE TABLE md_connection_events (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    at          DATETIME NOT NULL,
    ip          TEXT NOT NULL,
    port        INTEGER NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('connect', 'disconnect', 'register'))
);
CREATE INDEX md_connection_events_account ON md_connection_events (account_id, at);
CREATE INDEX md_connection_events_at ON md_connection_events (at);

CREATE TABLE md_devices (
    id             INTEGER PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    device_no      INTEGER NOT NULL,                 -- 1 is the primary device, then linked ones
    model          TEXT NOT NULL,
    os             TEXT NOT NULL,
    app_version    TEXT NOT NULL,
    first_seen_at  DATETIME NOT NULL,
    last_seen_at   DATETIME NOT NULL,
    UNIQUE (account_id, device_no)
);
CREATE INDEX md_devices_last_seen ON md_devices (last_seen_at);

-- Address book entries and blocked contacts: identifiers only, never names.
CREATE TABLE md_contacts (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('contact', 'blocked')),
    identifier  TEXT NOT NULL,                       -- the entry's E.164 phone number
    added_at    DATETIME NOT NULL,
    removed_at  DATETIME
);
CREATE INDEX md_contacts_account ON md_contacts (account_id, id);
CREATE INDEX md_contacts_removed ON md_contacts (removed_at);

-- Group memberships. Group names and avatars are end-to-end encrypted and
-- never stored in readable form; the group id is opaque.
CREATE TABLE md_group_memberships (
    id            INTEGER PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    group_id      TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    member_count  INTEGER NOT NULL,
    joined_at     DATETIME NOT NULL,
    left_at       DATETIME
);
CREATE INDEX md_group_memberships_account ON md_group_memberships (account_id, joined_at);
CREATE INDEX md_group_memberships_left ON md_group_memberships (left_at);

-- Prospective orders under which routing metadata is collected for an
-- account. Envelope records exist only while one of these is live.
CREATE TABLE md_collection_orders (
    id          INTEGER PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    account_id  TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    starts_at   DATETIME NOT NULL,
    ends_at     DATETIME NOT NULL,                   -- exclusive
    stopped_at  DATETIME,                            -- stopped early (withdrawn, revoked)
    UNIQUE (request_id, account_id)
);

-- Message routing metadata collected under a live order: who sent to whom,
-- when, what kind, how big the (encrypted) envelope was. Never the content.
CREATE TABLE md_envelopes (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES md_collection_orders (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,                       -- the target account
    at          DATETIME NOT NULL,
    sender      TEXT NOT NULL,                       -- E.164
    recipient   TEXT NOT NULL,                       -- E.164
    type        TEXT NOT NULL CHECK (type IN ('message', 'call', 'receipt')),
    size_bytes  INTEGER NOT NULL
);
CREATE INDEX md_envelopes_order ON md_envelopes (order_id, at);

-- Preservation holds: the rows of one account and category within a window
-- that retention must not purge until the hold expires or is released.
CREATE TABLE md_holds (
    id          INTEGER PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    account_id  TEXT NOT NULL REFERENCES md_accounts (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    from_at     DATETIME NOT NULL,
    to_at       DATETIME NOT NULL,                   -- exclusive
    expires_at  DATETIME NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released', 'expired')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (request_id, account_id, category)
);
CREATE INDEX md_holds_account ON md_holds (account_id, category);

-- +goose Down
DROP TABLE md_holds;
DROP TABLE md_envelopes;
DROP TABLE md_collection_orders;
DROP TABLE md_group_memberships;
DROP TABLE md_contacts;
DROP TABLE md_devices;
DROP TABLE md_connection_events;
DROP TABLE md_activity;
DROP TABLE md_accounts;
