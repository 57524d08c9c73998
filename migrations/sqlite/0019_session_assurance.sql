-- Step-up: approving, countersigning, co-signing an emergency, downloading a
-- package and changing who may do what need a person who proved a second
-- factor recently (policies/authz, step_up). A session therefore keeps what
-- its sign-in proved: mfa, whether the ID token asserted multi-factor
-- authentication as the issuer's configuration defines it, and auth_time,
-- when the person authenticated at the provider (the ID token's auth_time;
-- NULL when it did not say, which is never recent). A login state says what
-- it is for (purpose): a sign-in, a step-up, whose callback insists on both,
-- or an administrator's test sign-in (initiator_id: who began it), whose
-- callback shows what the portal made of the ID token and signs no one in.

-- +goose Up
ALTER TABLE sessions ADD COLUMN mfa BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN auth_time DATETIME;
ALTER TABLE login_states ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in';
ALTER TABLE login_states ADD COLUMN initiator_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE login_states DROP COLUMN initiator_id;
ALTER TABLE login_states DROP COLUMN purpose;
ALTER TABLE sessions DROP COLUMN auth_time;
ALTER TABLE sessions DROP COLUMN mfa;
