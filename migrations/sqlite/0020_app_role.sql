-- PostgreSQL's 0020 grants serve's role what it needs and no more. SQLite
-- has no roles: the file's permissions are its only access control. This
-- keeps the version numbers of the two folders the same.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
