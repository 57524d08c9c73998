-- An emergency request names what an emergency has instead of a court
-- order: the number the provider may call the officer back on, and the
-- supervisor who will co-sign it, who is notified at once. That
-- notification is addressed to one person (person_id), not to the whole
-- agency; NULL keeps a notification for the whole audience, as before.

-- +goose Up
ALTER TABLE requests ADD COLUMN emergency_callback TEXT NOT NULL DEFAULT '';          -- E.164, '' when not an emergency or not given yet
ALTER TABLE requests ADD COLUMN emergency_supervisor_id TEXT REFERENCES people (id); -- the supervisor named to co-sign
ALTER TABLE notifications ADD COLUMN person_id TEXT REFERENCES people (id);          -- NULL: everyone in the audience
CREATE INDEX notifications_person ON notifications (person_id, id);

-- +goose Down
DROP INDEX notifications_person;
ALTER TABLE notifications DROP COLUMN person_id;
ALTER TABLE requests DROP COLUMN emergency_supervisor_id;
ALTER TABLE requests DROP COLUMN emergency_callback;
