-- Step-up: approving, countersigning, co-signing an emergency, downloading a
-- package and changing who may do what need a person who proved a second
-- factor recently (policies/authz, step_up). A session therefore keeps what
-- its sign-in proved: mfa, whether the ID token asserted multi-factor
-- authentication as the issuer's configuration defines it, and auth_time,
-- when the person authenticated at the provider (the ID token's auth_time;
-- NULL when it did not say, which is never recent). A login state remembers
-- that it is a step-up, so that its callback insists on both.

-- +goose Up
ALTER TABLE sessions ADD COLUMN mfa BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN auth_time TIMESTAMPTZ;
ALTER TABLE login_states ADD COLUMN step_up BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE login_states DROP COLUMN step_up;
ALTER TABLE sessions DROP COLUMN auth_time;
ALTER TABLE sessions DROP COLUMN mfa;
