-- The facts the law turns on, stated by the request rather than guessed:
-- the purpose the order states (UK IPA s. 60A(7), EU Art. 3(10), 18 U.S.C.
-- § 3125(a)); the offence's maximum penalty in months, since thresholds run
-- in months (12 months, 3 years, 4 months) and fractions are common; the
-- statutory grounds stated instead of a penalty (UK IPA s. 86(2A)(b), EU
-- Art. 5(4)(b)–(c)); a sentence being executed (EU Art. 5(3)); where the
-- offence was committed and the person lives (EU Art. 8(2)); and who ordered
-- the non-disclosure, which binds in the U.S. only when a court did
-- (18 U.S.C. § 2705(b)). The officer's tick box "serious crime" goes: the
-- law decides it from the penalty or a stated ground.

-- +goose Up
ALTER TABLE requests ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN offence_max_penalty_months DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN offence_grounds TEXT NOT NULL DEFAULT '';  -- space-separated ground ids
ALTER TABLE requests ADD COLUMN offence_sentence_months DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN offence_committed_in_issuing_state BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE requests ADD COLUMN person_resides_in_issuing_state BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE requests ADD COLUMN nondisclosure_issued_by TEXT NOT NULL DEFAULT '';
UPDATE requests SET offence_max_penalty_months = offence_max_penalty_years * 12
 WHERE offence_max_penalty_years IS NOT NULL;
UPDATE requests SET nondisclosure_issued_by = authority_kind WHERE nondisclosure_ordered;
ALTER TABLE requests DROP COLUMN offence_max_penalty_years;
ALTER TABLE requests DROP COLUMN serious_crime;

-- +goose Down
ALTER TABLE requests ADD COLUMN serious_crime BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE requests ADD COLUMN offence_max_penalty_years INTEGER;
UPDATE requests SET offence_max_penalty_years = CAST(offence_max_penalty_months / 12 AS INTEGER)
 WHERE offence_max_penalty_months IS NOT NULL;
ALTER TABLE requests DROP COLUMN nondisclosure_issued_by;
ALTER TABLE requests DROP COLUMN person_resides_in_issuing_state;
ALTER TABLE requests DROP COLUMN offence_committed_in_issuing_state;
ALTER TABLE requests DROP COLUMN offence_sentence_months;
ALTER TABLE requests DROP COLUMN offence_grounds;
ALTER TABLE requests DROP COLUMN offence_max_penalty_months;
ALTER TABLE requests DROP COLUMN purpose;
