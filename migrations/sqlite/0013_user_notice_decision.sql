-- The user notice follows the legal policy's decision, not the request's
-- non-disclosure flag alone: some statutes forbid telling the account holder
-- at all (Investigatory Powers Act 2016 s. 82; Regulation (EU) 2023/1543
-- Art. 13, where the issuing authority informs the person; 50 U.S.C.
-- § 1861(d)), others while an order is sealed (18 U.S.C. § 3123(d)). Such a
-- notice is recorded as withheld, never queued or sent, and the row keeps the
-- policy's code, its reason in words and the citation, so the provider's view
-- can say why.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
-- Nothing references user_notices, so dropping the old table is safe.

-- +goose Up
CREATE TABLE user_notices_new (
    id               TEXT PRIMARY KEY,
    production_id    TEXT NOT NULL REFERENCES productions (id),
    request_id       TEXT NOT NULL REFERENCES requests (id),
    account_id       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('withheld', 'scheduled', 'queued', 'sent', 'failed')),
    due_at           DATETIME NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME,
    last_error       TEXT NOT NULL DEFAULT '',
    sent_at          DATETIME,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    reason_code      TEXT NOT NULL DEFAULT '',  -- the policy's user-notice code (ipa_s82, pen_register_sealed, …)
    reason           TEXT NOT NULL DEFAULT '',  -- the policy's reason, in words
    citation         TEXT NOT NULL DEFAULT '',  -- the statute or rule the reason rests on
    UNIQUE (production_id, account_id)
);
INSERT INTO user_notices_new (id, production_id, request_id, account_id, status, due_at, attempts, next_attempt_at,
    last_error, sent_at, created_at, updated_at)
SELECT id, production_id, request_id, account_id, status, due_at, attempts, next_attempt_at,
    last_error, sent_at, created_at, updated_at FROM user_notices;
DROP TABLE user_notices;
ALTER TABLE user_notices_new RENAME TO user_notices;
CREATE INDEX user_notices_status ON user_notices (status, due_at);
CREATE INDEX user_notices_request ON user_notices (request_id, status);

-- +goose Down
-- A withheld notice has no place in the old model: it was never owed.
DELETE FROM user_notices WHERE status = 'withheld';
CREATE TABLE user_notices_old (
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
INSERT INTO user_notices_old (id, production_id, request_id, account_id, status, due_at, attempts, next_attempt_at,
    last_error, sent_at, created_at, updated_at)
SELECT id, production_id, request_id, account_id, status, due_at, attempts, next_attempt_at,
    last_error, sent_at, created_at, updated_at FROM user_notices;
DROP TABLE user_notices;
ALTER TABLE user_notices_old RENAME TO user_notices;
CREATE INDEX user_notices_status ON user_notices (status, due_at);
