-- The database roles of docker-compose.yml, created once when PostgreSQL
-- initialises its data directory (the image runs the files in
-- /docker-entrypoint-initdb.d as POSTGRES_USER, the superuser, in
-- POSTGRES_DB). See deploy/README.md, "Database roles".
--
--   warrantdesk        owns the database and so its schema: `warrantdesk
--                      migrate` connects as it. Not a superuser.
--   warrantdesk_app    a group role without login: migration 0020 grants it
--                      rows but not the schema, and no UPDATE or DELETE of
--                      the audit trail and the other append-only tables.
--   warrantdesk_serve  logs in, and is a member of warrantdesk_app only:
--                      the replicas (`warrantdesk serve`) connect as it.
--
-- The passwords are demo values, public in this repository like every
-- secret of the compose set-up: production refuses them. Choose your own
-- (and change them here before the first `docker compose up`, or with
-- ALTER ROLE ... PASSWORD afterwards).

CREATE ROLE warrantdesk LOGIN PASSWORD 'warrantdesk';
ALTER DATABASE warrantdesk OWNER TO warrantdesk;

CREATE ROLE warrantdesk_app NOLOGIN;
CREATE ROLE warrantdesk_serve LOGIN PASSWORD 'warrantdesk-serve' IN ROLE warrantdesk_app;
