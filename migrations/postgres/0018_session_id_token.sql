-- A session keeps the ID token its sign-in received, so that signing out
-- can send it back to the person's OpenID Provider as id_token_hint
-- (RP-Initiated Logout): without it, providers such as Keycloak and Entra ID
-- ask the person to confirm, or refuse, the sign-out. The token is the
-- provider's statement of who signed in (subject, name, e-mail); it is no
-- credential here, since an ID token is never accepted as a bearer token, and
-- it goes when the session does. Sessions from before this migration keep
-- '' and sign out without the hint.

-- +goose Up
ALTER TABLE sessions ADD COLUMN id_token TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN id_token;
