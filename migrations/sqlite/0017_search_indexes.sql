-- Search (request.List with q) finds a request by its reference, its
-- docket or one of its targets, each by exact value: these indexes make
-- every one of those lookups an index read, however many requests there
-- are. The reference is UNIQUE, so it has its index already; a docket is
-- matched without regard to case, so its index is on LOWER(docket); a
-- target is matched by type and normalised value, and the index carries
-- the request it belongs to.

-- +goose Up
CREATE INDEX requests_docket ON requests (LOWER(docket));
CREATE INDEX request_targets_identifier ON request_targets (type, value, request_id);

-- +goose Down
DROP INDEX request_targets_identifier;
DROP INDEX requests_docket;
