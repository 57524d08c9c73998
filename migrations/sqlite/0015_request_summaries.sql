-- The request package's published read interface. Its tables (requests,
-- request_targets, request_documents, request_history) are its own: other
-- packages read one request through request.Load and friends, and read
-- models that list many requests (the provider's queue, the productions
-- and notices pages) join this view instead of the tables, so the request
-- package can change its tables without reading every other package.

-- +goose Up
CREATE VIEW request_summaries AS
SELECT r.id, r.reference, r.status, r.process, r.agency_id, r.emergency, r.submitted_at,
       a.name AS agency_name, a.country AS agency_country, a.kind AS agency_kind
FROM requests r
JOIN agencies a ON a.id = r.agency_id;

-- +goose Down
DROP VIEW request_summaries;
