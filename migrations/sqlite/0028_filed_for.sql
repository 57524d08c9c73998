-- An agency system that files through the API acts for a named officer
-- (an RFC 8693 token exchange): the officer is the request's filer
-- (created_by) and filed_via the system it came through, shown to the
-- agency as "Filed through <system> for <officer>". NULL: filed by a
-- person in the pages, or by a system on its own (then created_by is the
-- system, and the draft cannot be submitted until an officer takes it).

-- +goose Up
ALTER TABLE requests ADD COLUMN filed_via TEXT REFERENCES people (id);

-- +goose Down
ALTER TABLE requests DROP COLUMN filed_via;
