-- Notifications in each reader's language (issue 15). A notification is
-- written once, when its transition commits, but read later by people who
-- may read different languages (people.language, else agencies.language):
-- its e-mail goes to each recipient in their language, and the portal's
-- lists say it in the reader's. So a notification keeps what is needed to
-- say it again: words holds its subject's and body's English formats and
-- their arguments as JSON ({"subject": {"format": "Request %s expired: %s",
-- "args": ["WD-2026-000012", "…"]}, "body": …}; an argument is a string or
-- such a message itself), which package locale translates. subject and
-- body keep the English text as before, for the API and for rows written
-- before this column ('' words), which are shown as stored.

-- +goose Up
ALTER TABLE notifications ADD COLUMN words TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notifications DROP COLUMN words;
