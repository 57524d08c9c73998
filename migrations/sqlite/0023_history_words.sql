-- Request history in each reader's language (issue 15). A history row's
-- comment is often written by the portal itself, not by a person: the
-- routing note ("In the Intake queue; answer due 2026-10-15 13:51 UTC."),
-- "Asked the agency for information.", an expiry, a ground for refusal.
-- The agency and the provider read the history later, each in their own
-- language, so a row keeps what is needed to say those sentences again:
-- words holds them as the portal's English formats and their arguments as
-- JSON ({"said": [{"format": "In the %s queue; answer due %s.", "args":
-- [{"format": "Intake"}, "2026-10-15 13:51 UTC"]}], "typed": "…"}; an
-- argument is a string or such a message itself, "policy": true marks a
-- name the policy wrote, translated by the policy bundle), and "typed" is
-- what a person added, shown as typed. comment keeps the English text as
-- before, for the API and the audit; rows without words (written before
-- this column, or a person's comment alone) are shown as stored.

-- +goose Up
ALTER TABLE request_history ADD COLUMN words TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE request_history DROP COLUMN words;
