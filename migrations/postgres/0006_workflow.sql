-- The workflow: where each submitted request stands in the provider's review
-- (team queue, assignee, deadline), the verification intake recorded, the
-- approvals given (four eyes), the emergency co-signature, preservation
-- holds, the follow-up a voluntary emergency disclosure owes, the messages
-- between reviewer and officer, and the notifications outbox. River's own
-- job tables are created by rivermigrate, not here.

-- +goose Up

-- One row per submitted request, written in the same transaction as every
-- change of requests.status (status is copied here so a queue page is one
-- index range scan). due_at is 9999-12-31 when the state has no deadline, so
-- the keyset (due_at, request_id) never meets a NULL.
CREATE TABLE workflow_requests (
    request_id          TEXT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    status              TEXT NOT NULL,
    queue               TEXT NOT NULL DEFAULT '',   -- intake, legal, emergency, international, counsel; '' in no queue
    assignee_id         TEXT REFERENCES people (id),
    due_at              TIMESTAMPTZ NOT NULL,
    overdue             BOOLEAN NOT NULL DEFAULT FALSE,
    emergency           BOOLEAN NOT NULL DEFAULT FALSE,
    kind                TEXT NOT NULL CHECK (kind IN ('legal_process', 'emergency', 'preservation')),
    approvals_required  INTEGER NOT NULL DEFAULT 1,
    cosigned_by         TEXT REFERENCES people (id),
    cosigned_at         TIMESTAMPTZ,
    verified_by         TEXT REFERENCES people (id),
    verified_at         TIMESTAMPTZ,
    verification        TEXT NOT NULL DEFAULT '',   -- JSON: how requester and document were verified
    decision            TEXT NOT NULL DEFAULT '',   -- JSON: the approved scope, or the rejection
    hold_until          TIMESTAMPTZ,                -- preservation: when the hold ends
    extended            BOOLEAN NOT NULL DEFAULT FALSE,
    follow_up_due       TIMESTAMPTZ,                -- emergency: legal process due by then
    follow_up_met_at    TIMESTAMPTZ,
    follow_up_overdue   BOOLEAN NOT NULL DEFAULT FALSE,
    routed_at           TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
-- The queue indexes are keyset orders that also cover every column a queue
-- page reads from this table, so a page is an index-only range scan (and its
-- filters are checked in the index) however many requests there are.
CREATE INDEX workflow_requests_queue ON workflow_requests (queue, due_at, request_id, status, overdue, emergency, kind, assignee_id);
CREATE INDEX workflow_requests_status ON workflow_requests (status, due_at, request_id, queue, overdue, emergency, kind, assignee_id);
CREATE INDEX workflow_requests_open ON workflow_requests (due_at, request_id, queue, status, overdue, emergency, kind, assignee_id) WHERE queue <> '';

-- Approvals: seq 1 is the approval, seq 2 the countersignature. The unique
-- (issuer, subject) makes "one person never gives both" a fact of the
-- schema, not only of the code.
CREATE TABLE workflow_approvals (
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL CHECK (seq IN (1, 2)),
    person_id   TEXT NOT NULL REFERENCES people (id),
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    role        TEXT NOT NULL,
    scope       TEXT NOT NULL,                       -- JSON: what this person approved
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, seq),
    UNIQUE (request_id, issuer, subject)
);

-- A later request of the same agency that follows up an earlier one: legal
-- process after an emergency disclosure, or the production request that
-- fulfils a preservation.
CREATE TABLE workflow_links (
    request_id  TEXT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    linked_id   TEXT NOT NULL REFERENCES requests (id),
    linked_by   TEXT NOT NULL REFERENCES people (id),
    linked_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_links_linked ON workflow_links (linked_id);

-- The reviewer's questions and the officer's answers.
CREATE TABLE workflow_messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    author_id   TEXT NOT NULL REFERENCES people (id),
    side        TEXT NOT NULL CHECK (side IN ('provider', 'agency')),
    body        TEXT NOT NULL
);
CREATE INDEX workflow_messages_request ON workflow_messages (request_id, id);

-- The outbox: shown in the portal, and e-mailed by a River job when SMTP is
-- configured. Agency notifications go to the agency's people, provider ones
-- to the team of a queue.
CREATE TABLE notifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at   TIMESTAMPTZ NOT NULL,
    request_id   TEXT REFERENCES requests (id) ON DELETE CASCADE,
    audience     TEXT NOT NULL CHECK (audience IN ('agency', 'provider')),
    agency_id    TEXT REFERENCES agencies (id),
    team         TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    email_state  TEXT NOT NULL DEFAULT 'none' CHECK (email_state IN ('none', 'pending', 'sent', 'failed')),
    emailed_at   TIMESTAMPTZ
);
CREATE INDEX notifications_agency ON notifications (agency_id, id);
CREATE INDEX notifications_team ON notifications (team, id);
CREATE INDEX notifications_request ON notifications (request_id, id);

-- +goose Down
DROP TABLE notifications;
DROP TABLE workflow_messages;
DROP TABLE workflow_links;
DROP TABLE workflow_approvals;
DROP TABLE workflow_requests;
