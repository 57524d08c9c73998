-- Registers the three demo agencies with the Keycloak issuer of
-- docker-compose.yml, so that their people and systems are recognised by the
-- "org" claim the realm puts in their tokens (deploy/keycloak/warrantdesk-realm.json).
--
-- `warrantdesk seed` registers the same agencies, but for the embedded demo
-- provider's issuer (<base URL>/idp), which the compose set-up does not run.
-- The ids differ from seed's on purpose: seed upserts by id, and must not
-- move these rows to its own issuer if someone runs it against this database.
--
-- Run once after `warrantdesk migrate`; running it again changes nothing.

BEGIN;

INSERT INTO agencies (id, name, country, kind, status, issuer, issuer_org, created_at, updated_at) VALUES
    ('cab2e480-ef7e-5518-a38d-7d0ad21ddced', 'Riverside Police Department',  'US', 'police', 'active',
     'http://keycloak.localhost:8180/realms/warrantdesk', 'riverside-pd',      now(), now()),
    ('45ba2270-0894-5a61-b16f-42483178f18e', 'Northshire Constabulary',      'GB', 'police', 'active',
     'http://keycloak.localhost:8180/realms/warrantdesk', 'northshire-police', now(), now()),
    ('d17b578c-225e-5eb5-acec-127a9aa6ad62', 'Landeskriminalamt Musterland', 'DE', 'police', 'active',
     'http://keycloak.localhost:8180/realms/warrantdesk', 'lka-musterland',    now(), now())
ON CONFLICT DO NOTHING;

COMMIT;
