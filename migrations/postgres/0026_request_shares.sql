-- Need-to-know inside an agency: a request is seen by the person who filed
-- it (requests.created_by), by the agency's supervisors, and by the
-- colleagues it is shared with, one row each here (request.AgencySees).
-- shared_by is who shared it: the filer or a supervisor.

-- +goose Up
CREATE TABLE request_shares (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    shared_by   TEXT NOT NULL REFERENCES people (id),
    shared_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, person_id)
);
-- What a person may see: their shares, and the requests they filed.
CREATE INDEX request_shares_person ON request_shares (person_id, request_id);
CREATE INDEX requests_created_by ON requests (created_by, id);

-- +goose Down
DROP INDEX requests_created_by;
DROP INDEX request_shares_person;
DROP TABLE request_shares;
