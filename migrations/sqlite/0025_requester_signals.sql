-- Requester signals (issue 16, policies/signals): "signed in without a
-- second factor" is judged on the sign-in that submitted a request, so the
-- submission keeps what that sign-in proved (mfa, as the session or bearer
-- token of the submitting principal said), beside who submitted it. Written
-- in the submission's transaction; its audit event records the same.

-- +goose Up
CREATE TABLE request_submissions (
    request_id    TEXT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    submitted_by  TEXT NOT NULL REFERENCES people (id),
    mfa           BOOLEAN NOT NULL,
    submitted_at  DATETIME NOT NULL
);

-- +goose Down
DROP TABLE request_submissions;
