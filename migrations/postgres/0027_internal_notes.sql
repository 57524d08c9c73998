-- Internal words stay internal (issue 16). A provider action carries a
-- note to the agency, kept in request_history.comment as before and read
-- by the agency, and an internal note for the provider's staff only. The
-- internal part of a history row lives here, in a table that no read on
-- the agency's behalf touches: what a person of the provider typed as
-- internal (note) and the sentences the portal wrote for staff only
-- (words, the JSON of request_history.words: the queue a request was
-- routed to, its team deadline). One row per history row that has any.
-- The routing notes the portal wrote into submissions' rows before ("In
-- the Intake queue; answer due …") move here, and those rows say what the
-- agency may know; what people typed before stays where it was, written
-- knowing the agency would read it. Down drops the table, so those routing
-- notes go with it.

-- +goose Up
CREATE TABLE request_internal_notes (
    history_id  BIGINT PRIMARY KEY REFERENCES request_history (id) ON DELETE CASCADE,
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    note        TEXT NOT NULL DEFAULT '',
    words       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_internal_notes_request ON request_internal_notes (request_id, history_id);
INSERT INTO request_internal_notes (history_id, request_id, note, words)
    SELECT id, request_id, CASE WHEN words = '' THEN comment ELSE '' END, words
    FROM request_history WHERE action = 'request.submit' AND comment LIKE 'In the % queue; answer due %';
UPDATE request_history
    SET comment = 'Received by the provider; under review.',
        words = '{"said":[{"format":"Received by the provider; under review."}]}'
    WHERE action = 'request.submit' AND comment LIKE 'In the % queue; answer due %';

-- +goose Down
DROP TABLE request_internal_notes;
