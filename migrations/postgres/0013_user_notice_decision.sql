-- The user notice follows the legal policy's decision, not the request's
-- non-disclosure flag alone: some statutes forbid telling the account holder
-- at all (Investigatory Powers Act 2016 s. 82; Regulation (EU) 2023/1543
-- Art. 13, where the issuing authority informs the person; 50 U.S.C.
-- § 1861(d)), others while an order is sealed (18 U.S.C. § 3123(d)). Such a
-- notice is recorded as withheld, never queued or sent, and the row keeps the
-- policy's code, its reason in words and the citation, so the provider's view
-- can say why.

-- +goose Up
ALTER TABLE user_notices DROP CONSTRAINT user_notices_status_check;
ALTER TABLE user_notices ADD CONSTRAINT user_notices_status_check
    CHECK (status IN ('withheld', 'scheduled', 'queued', 'sent', 'failed'));
ALTER TABLE user_notices ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';  -- the policy's user-notice code (ipa_s82, pen_register_sealed, …)
ALTER TABLE user_notices ADD COLUMN reason TEXT NOT NULL DEFAULT '';       -- the policy's reason, in words
ALTER TABLE user_notices ADD COLUMN citation TEXT NOT NULL DEFAULT '';     -- the statute or rule the reason rests on
CREATE INDEX user_notices_request ON user_notices (request_id, status);

-- +goose Down
-- A withheld notice has no place in the old model: it was never owed.
DELETE FROM user_notices WHERE status = 'withheld';
DROP INDEX user_notices_request;
ALTER TABLE user_notices DROP COLUMN citation;
ALTER TABLE user_notices DROP COLUMN reason;
ALTER TABLE user_notices DROP COLUMN reason_code;
ALTER TABLE user_notices DROP CONSTRAINT user_notices_status_check;
ALTER TABLE user_notices ADD CONSTRAINT user_notices_status_check
    CHECK (status IN ('scheduled', 'queued', 'sent', 'failed'));
