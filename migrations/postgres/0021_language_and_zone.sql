-- Languages and time zones (issue 15). A person reads the portal in a
-- language and sees times in a time zone: their own choice (people.language,
-- people.time_zone; '' when they made none), else their agency's
-- (agencies.language, agencies.time_zone; a German agency's people read
-- German by default), else what their browser accepts and UTC. Languages
-- are the portal's codes ("en", "de"); zones are IANA names
-- ("Europe/Berlin"). Times stay stored and exported in UTC.

-- +goose Up
ALTER TABLE people ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agencies DROP COLUMN time_zone;
ALTER TABLE agencies DROP COLUMN language;
ALTER TABLE people DROP COLUMN time_zone;
ALTER TABLE people DROP COLUMN language;
