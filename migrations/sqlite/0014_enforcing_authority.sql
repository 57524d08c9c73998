-- EU production and preservation orders (Regulation (EU) 2023/1543) in the
-- workflow. An order for traffic data whose person or offence lies outside
-- the issuing State is notified to the enforcing authority (Article 8): the
-- case records that notification (recorded when intake verifies the order,
-- counted from its receipt), when production may start (the end of the 10
-- days of Article 10(2), unless that authority confirms earlier that it
-- raises no ground), until when it may object (96 hours in an emergency,
-- Articles 10(4) and 12), the Article 12(1) grounds it may raise, and its
-- answer. A European preservation is kept until produced once the issuing
-- authority confirms that the production request has been issued (Article
-- 11(1)): the case records that confirmation, and its hold then has no end.

-- +goose Up
ALTER TABLE workflow_requests ADD COLUMN ea_country TEXT NOT NULL DEFAULT '';        -- enforcing State, ISO 3166 ('' : none notified)
ALTER TABLE workflow_requests ADD COLUMN ea_state TEXT NOT NULL DEFAULT '';          -- its name, as the catalogue gives it
ALTER TABLE workflow_requests ADD COLUMN ea_notified_at DATETIME;                    -- when it was notified: the order's receipt
ALTER TABLE workflow_requests ADD COLUMN ea_recorded_by TEXT REFERENCES people (id); -- who recorded the notification (intake's verifier)
ALTER TABLE workflow_requests ADD COLUMN ea_produce_after DATETIME;                  -- production held until then; NULL: not held
ALTER TABLE workflow_requests ADD COLUMN ea_objection_until DATETIME;                -- an answer is accepted until then
ALTER TABLE workflow_requests ADD COLUMN ea_citation TEXT NOT NULL DEFAULT '';
ALTER TABLE workflow_requests ADD COLUMN ea_refusal_grounds TEXT NOT NULL DEFAULT ''; -- JSON: the grounds it may raise, as notified
ALTER TABLE workflow_requests ADD COLUMN ea_answer TEXT NOT NULL DEFAULT ''
    CHECK (ea_answer IN ('', 'no_grounds', 'grounds_raised'));
ALTER TABLE workflow_requests ADD COLUMN ea_grounds TEXT NOT NULL DEFAULT '';        -- space-separated ids of the grounds raised
ALTER TABLE workflow_requests ADD COLUMN ea_answered_at DATETIME;
ALTER TABLE workflow_requests ADD COLUMN ea_answered_by TEXT REFERENCES people (id);
ALTER TABLE workflow_requests ADD COLUMN ea_after_production BOOLEAN NOT NULL DEFAULT FALSE; -- the objection came after the data left
ALTER TABLE workflow_requests ADD COLUMN ea_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE workflow_requests ADD COLUMN production_confirmed_at DATETIME;           -- preservation kept until produced from then
ALTER TABLE workflow_requests ADD COLUMN production_confirmed_by TEXT REFERENCES people (id);

-- +goose Down
ALTER TABLE workflow_requests DROP COLUMN production_confirmed_by;
ALTER TABLE workflow_requests DROP COLUMN production_confirmed_at;
ALTER TABLE workflow_requests DROP COLUMN ea_comment;
ALTER TABLE workflow_requests DROP COLUMN ea_after_production;
ALTER TABLE workflow_requests DROP COLUMN ea_answered_by;
ALTER TABLE workflow_requests DROP COLUMN ea_answered_at;
ALTER TABLE workflow_requests DROP COLUMN ea_grounds;
ALTER TABLE workflow_requests DROP COLUMN ea_answer;
ALTER TABLE workflow_requests DROP COLUMN ea_refusal_grounds;
ALTER TABLE workflow_requests DROP COLUMN ea_citation;
ALTER TABLE workflow_requests DROP COLUMN ea_objection_until;
ALTER TABLE workflow_requests DROP COLUMN ea_produce_after;
ALTER TABLE workflow_requests DROP COLUMN ea_recorded_by;
ALTER TABLE workflow_requests DROP COLUMN ea_notified_at;
ALTER TABLE workflow_requests DROP COLUMN ea_state;
ALTER TABLE workflow_requests DROP COLUMN ea_country;
