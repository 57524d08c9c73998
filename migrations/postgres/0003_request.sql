-- The officer's statement that the offence is a serious crime, which UK
-- Investigatory Powers Act events-data requests must make.

-- +goose Up
ALTER TABLE requests ADD COLUMN serious_crime BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE requests DROP COLUMN serious_crime;
