-- Least privilege: `warrantdesk serve` connects as a login role that is a
-- member of warrantdesk_app, which may read and write rows but not change the
-- schema; `warrantdesk migrate` connects as the schema's owner, which runs
-- this. The operator creates the login role (deploy/README.md, "Database
-- roles"); this migration creates the group role if it is missing and
-- grants it what serve needs, in this database.
--
-- The append-only tables keep INSERT and SELECT only: their triggers refuse
-- UPDATE, DELETE and TRUNCATE, but triggers can be dropped by their owner,
-- and grants are what hold against the role serve runs as.
--
-- Default privileges make the tables and sequences the owner creates later
-- follow (River's, which River's migrator creates right after ours, and our
-- own next migrations). A new append-only table must revoke from
-- warrantdesk_app in its own migration, as here.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    -- Roles are cluster-wide: many databases of one cluster (tests run them
    -- in parallel) may get here at once, and the loser of a race gets
    -- unique_violation rather than duplicate_object.
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warrantdesk_app') THEN
        CREATE ROLE warrantdesk_app NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role warrantdesk_app does not exist and % may not create it', current_user
            USING HINT = 'create it once as a superuser: CREATE ROLE warrantdesk_app NOLOGIN (deploy/README.md, "Database roles")';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO warrantdesk_app', current_schema());
    -- Before PostgreSQL 15 everyone may create tables in public; serve's
    -- role must not. Only the schema's owner can take that away.
    IF pg_has_role((SELECT nspowner FROM pg_namespace WHERE nspname = current_schema()), 'USAGE') THEN
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
    END IF;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO warrantdesk_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO warrantdesk_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO warrantdesk_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO warrantdesk_app', current_schema());
END
$$;
-- +goose StatementEnd

REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_anchors, tlog_leaves, tlog_hashes, tlog_checkpoints,
    transparency_reports, national_security_events FROM warrantdesk_app;

-- +goose Down
-- The role stays: other databases of the cluster may use it.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM warrantdesk_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM warrantdesk_app', current_schema());
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM warrantdesk_app', current_schema());
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM warrantdesk_app', current_schema());
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM warrantdesk_app', current_schema());
END
$$;
-- +goose StatementEnd
