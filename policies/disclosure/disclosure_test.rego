package disclosure_test

import data.disclosure

today := "2026-11-25"

categories := ["subscriber", "activity", "connection_log", "device", "contacts", "groups", "envelope", "content"]

# The law as the tests state it, independently of the catalogue: what each
# process compels when everything else about the request is in order.
compels := {
	"us.subpoena": {"subscriber", "activity", "connection_log"},
	"us.2703d": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"us.warrant": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"us.prtt": {"envelope"},
	"us.preservation": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"us.emergency": {"subscriber", "activity", "connection_log"},
	"uk.ipa": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"uk.opo": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"eu.epoc": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"eu.epoc_pr": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
}

# A request in order for each process: the right country, issuer and dates,
# a serious offence stated.
bases := {
	"us.subpoena": base("US", "us.subpoena", "grand_jury"),
	"us.2703d": base("US", "us.2703d", "judge"),
	"us.warrant": base("US", "us.warrant", "court"),
	"us.prtt": patch(base("US", "us.prtt", "judge"), {"date_from": "2026-11-26", "date_to": "2027-01-10", "expires_on": "2027-01-20"}),
	"us.preservation": base("US", "us.preservation", "agency"),
	"us.emergency": patch(base("US", "us.emergency", "agency"), {
		"emergency": true,
		"emergency_narrative": "A kidnapped child; the kidnapper uses this account.",
		"date_from": "2026-11-01",
		"issued_on": "",
		"expires_on": "",
	}),
	"uk.ipa": base("GB", "uk.ipa", "ocda"),
	"uk.opo": base("GB", "uk.opo", "judge"),
	"eu.epoc": base("DE", "eu.epoc", "judge"),
	"eu.epoc_pr": base("DE", "eu.epoc_pr", "prosecutor"),
}

base(country, process, authority) := {
	"agency": {"id": "agency-1", "country": country, "kind": "police"},
	"request": {
		"id": "req-1",
		"agency_id": "agency-1",
		"status": "draft",
		"process": process,
		"authority_kind": authority,
		"categories": ["subscriber"],
		"targets": [{"type": "phone", "value": "+15550100123"}],
		"date_from": "2026-10-01",
		"date_to": "2026-11-20",
		"issued_on": "2026-11-20",
		"expires_on": "2027-02-20",
		"emergency": false,
		"emergency_narrative": "",
		"offence_description": "armed robbery",
		"offence_max_penalty_years": 20,
		"serious_crime": true,
		"nondisclosure_ordered": false,
		"nondisclosure_until": "",
	},
	"today": today,
}

patch(x, fields) := object.union(x, {"request": object.union(x.request, fields)})

scope_of(x) := s if {
	s := disclosure.scope with input as x
}

refused_codes(s) := {r.category: r.code | some r in s.refused}

# Every process × every category, alone: authorised exactly when the process
# compels it; otherwise refused, content always for encryption.
test_process_category[note] if {
	some p, _ in bases
	some c in categories
	note := sprintf("%s × %s", [p, c])
	s := scope_of(patch(bases[p], {"categories": [c]}))
	s.valid
	expect_alone(p, c, s)
}

expect_alone(p, c, s) if {
	c in compels[p]
	s.categories == [c]
	s.refused == []
}

expect_alone(p, c, s) if {
	not c in compels[p]
	s.categories == []
	refused_codes(s) == {c: refusal_code(c)}
}

refusal_code(c) := "content_e2ee" if c == "content"

else := "not_compellable"

test_matrix_is_complete if {
	count(bases) == 10
	count(compels) == 10
}

# Asking for everything at once gives the same answer per category.
test_process_all_categories[p] if {
	some p, _ in bases
	s := scope_of(patch(bases[p], {"categories": categories}))
	s.valid
	{c | some c in s.categories} == compels[p]
	object.keys(refused_codes(s)) == {c | some c in categories} - compels[p]
	refused_codes(s).content == "content_e2ee"
}

content_text := "Message content is end-to-end encrypted; the provider holds no key and stores no content, so it cannot be produced under any legal process."

test_content_reason_is_exact if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["content"]}))
	s.refused == [{"category": "content", "code": "content_e2ee", "reason": content_text}]
}

test_subpoena_content_subscriber_device if {
	s := scope_of(patch(bases["us.subpoena"], {"categories": ["content", "subscriber", "device"]}))
	s.valid
	s.categories == ["subscriber"]
	refused_codes(s) == {"content": "content_e2ee", "device": "not_compellable"}
	some r in s.refused
	r.category == "device"
	contains(r.reason, "us.2703d")
	contains(r.reason, "us.warrant")
	not contains(r.reason, "us.preservation")
}

test_envelope_outside_us_has_no_process if {
	s := scope_of(patch(bases["uk.ipa"], {"categories": ["envelope"]}))
	some r in s.refused
	contains(r.reason, "no process of UK law")
}

# EU: a prosecutor may order subscriber data and identification data only.
eu_prosecutor := {
	"subscriber": "authorised",
	"activity": "issuer_not_competent",
	"connection_log": "authorised",
	"device": "issuer_not_competent",
	"contacts": "issuer_not_competent",
	"groups": "issuer_not_competent",
	"envelope": "not_compellable",
	"content": "content_e2ee",
}

test_eu_epoc_prosecutor[c] if {
	some c, want in eu_prosecutor
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "categories": [c]}))
	s.valid
	outcome(s, c) == want
}

outcome(s, c) := "authorised" if c in s.categories

else := refused_codes(s)[c]

# The connection log is identification data only when asked with nothing but
# subscriber data; beside traffic data it is traffic data itself.
test_eu_connection_log_identification_with_subscriber if {
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "categories": ["subscriber", "connection_log"]}))
	s.categories == ["subscriber", "connection_log"]
}

test_eu_connection_log_traffic_with_activity if {
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "categories": ["subscriber", "connection_log", "activity"]}))
	s.categories == ["subscriber"]
	refused_codes(s) == {"connection_log": "issuer_not_competent", "activity": "issuer_not_competent"}
}

test_eu_traffic_refusal_cites_article if {
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "categories": ["device"]}))
	contains(s.refused[0].reason, "Article 4(2)")
}

# EU: traffic data only for offences punishable by at least three years.
eu_minor_offence := {
	"subscriber": "authorised",
	"activity": "offence_threshold",
	"connection_log": "authorised",
	"device": "offence_threshold",
	"contacts": "offence_threshold",
	"groups": "offence_threshold",
	"envelope": "not_compellable",
	"content": "content_e2ee",
}

test_eu_epoc_minor_offence[c] if {
	some c, want in eu_minor_offence
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_years": 2, "categories": [c]}))
	outcome(s, c) == want
}

test_eu_epoc_three_years_is_enough if {
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_years": 3, "categories": ["device"]}))
	s.categories == ["device"]
}

test_eu_epoc_penalty_missing if {
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_years": null, "categories": ["subscriber", "groups"]}))
	s.categories == ["subscriber"]
	refused_codes(s) == {"groups": "offence_threshold"}
	some w in s.warnings
	contains(w, "maximum penalty")
}

test_eu_preservation_any_offence_any_issuer if {
	s := scope_of(patch(bases["eu.epoc_pr"], {"offence_max_penalty_years": 1, "categories": ["groups", "device"]}))
	s.categories == ["device", "groups"]
	s.process_kind == "preservation"
}

# UK IPA: entity data for any crime, events data only for serious crime.
uk_not_serious := {
	"subscriber": "authorised",
	"device": "authorised",
	"activity": "serious_crime_required",
	"connection_log": "serious_crime_required",
	"groups": "serious_crime_required",
	"contacts": "serious_crime_required",
	"envelope": "not_compellable",
	"content": "content_e2ee",
}

test_uk_ipa_without_serious_crime[c] if {
	some c, want in uk_not_serious
	s := scope_of(patch(bases["uk.ipa"], {"serious_crime": false, "categories": [c]}))
	s.valid
	outcome(s, c) == want
}

test_uk_ipa_events_warning if {
	s := scope_of(patch(bases["uk.ipa"], {"serious_crime": false, "categories": ["subscriber", "connection_log"]}))
	s.categories == ["subscriber"]
	some w in s.warnings
	contains(w, "serious crime")
}

# UK OPO: everything needs an offence of at least three years.
test_uk_opo_minor_offence[c] if {
	some c in compels["uk.opo"]
	s := scope_of(patch(bases["uk.opo"], {"offence_max_penalty_years": 2, "categories": [c]}))
	refused_codes(s) == {c: "offence_threshold"}
}

# A process of another country is refused with guidance, whatever it asks.
foreign_country := {"us": "GB", "uk": "DE", "eu": "US"}

test_foreign_process[note] if {
	some p, _ in bases
	some c in categories
	note := sprintf("%s × %s", [p, c])
	abroad := object.union(bases[p], {"agency": {"country": foreign_country[split(p, ".")[0]]}})
	s := scope_of(abroad)
	s2 := scope_of(patch(abroad, {"categories": [c]}))
	s.categories == []
	s2.categories == []
	refused_codes(s2) == {c: foreign_code(c)}
}

foreign_code(c) := "content_e2ee" if c == "content"

else := "foreign_process"

test_gb_agency_us_warrant_guidance if {
	s := scope_of(object.union(bases["us.warrant"], {"agency": {"country": "GB"}}))
	s.valid
	s.categories == []
	[r] := s.refused
	r.code == "foreign_process"
	contains(r.reason, "U.S. law")
	contains(r.reason, "uk.opo")
	contains(r.reason, "mutual legal assistance (MLAT)")
	contains(r.reason, "CLOUD Act")
}

test_denmark_takes_no_part if {
	s := scope_of(object.union(bases["eu.epoc"], {"agency": {"country": "DK"}}))
	refused_codes(s) == {"subscriber": "foreign_process"}
}

test_country_without_jurisdiction_gets_mlat_only if {
	s := scope_of(object.union(bases["us.subpoena"], {"agency": {"country": "jp"}}))
	[r] := s.refused
	not contains(r.reason, "instead")
	contains(r.reason, "MLAT")
}

test_us_territory_uses_us_law if {
	s := scope_of(object.union(bases["us.subpoena"], {"agency": {"country": "PR"}}))
	s.categories == ["subscriber"]
}

# Windows: clipped to today, to retention, to the longest range.
test_window_clipped_to_retention if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["connection_log"], "date_from": "2026-01-01", "date_to": "2026-11-01"}))
	s.date_from == "2026-08-27"
	s.date_to == "2026-11-01"
	some w in s.warnings
	contains(w, "records before 2026-08-27 no longer exist")
}

test_window_longest_retention_wins if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["connection_log", "device"], "date_from": "2026-01-01", "date_to": "2026-11-01"}))
	s.date_from == "2026-05-29"
	count([w | some w in s.warnings; contains(w, "no longer exist")]) == 2
}

test_window_untimed_categories_not_clipped_by_retention if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["subscriber"], "date_from": "2026-01-01", "date_to": "2026-11-01"}))
	s.date_from == "2026-01-01"
	s.date_to == "2026-11-01"
}

test_window_clipped_to_max_range if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["subscriber"], "date_from": "2024-01-01", "date_to": "2026-11-01"}))
	s.date_from == "2025-11-01"
	s.date_to == "2026-11-01"
	some w in s.warnings
	contains(w, "covers at most 365 days")
}

test_window_clipped_to_today if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["subscriber"], "date_to": "2026-12-31"}))
	s.date_to == today
	some w in s.warnings
	contains(w, "ends after today")
}

test_window_emergency_thirty_days if {
	s := scope_of(patch(bases["us.emergency"], {"date_from": "2026-09-01", "date_to": "2026-11-20"}))
	s.date_from == "2026-10-21"
	s.date_to == "2026-11-20"
}

test_outside_retention_refused if {
	s := scope_of(patch(bases["us.warrant"], {"categories": ["subscriber", "connection_log", "groups"], "date_from": "2025-01-01", "date_to": "2025-06-30"}))
	s.categories == ["subscriber"]
	refused_codes(s) == {"connection_log": "outside_retention", "groups": "outside_retention"}
}

test_window_prospective_starts_today if {
	s := scope_of(patch(bases["us.prtt"], {"date_from": "2026-11-01", "date_to": "2026-12-15"}))
	s.valid
	s.date_from == today
	s.date_to == "2026-12-15"
	some w in s.warnings
	contains(w, "collects only from today")
}

test_window_prospective_sixty_days if {
	s := scope_of(patch(bases["us.prtt"], {"date_from": "2026-12-01", "date_to": "2027-06-01", "expires_on": ""}))
	s.date_from == "2026-12-01"
	s.date_to == "2027-01-30"
	some w in s.warnings
	contains(w, "at most 60 days")
}

test_window_prospective_stops_at_expiry if {
	s := scope_of(patch(bases["us.prtt"], {"date_from": "2026-12-01", "date_to": "2027-01-10", "expires_on": "2026-12-20"}))
	s.date_to == "2026-12-20"
	some w in s.warnings
	contains(w, "expiry on 2026-12-20")
}

test_window_prospective_in_the_past_is_invalid if {
	s := scope_of(patch(bases["us.prtt"], {"date_from": "2026-09-01", "date_to": "2026-10-01"}))
	not s.valid
	some e in s.errors
	e.field == "date_to"
	e.code == "not_prospective"
}

test_window_invalid_dates_echoed if {
	s := scope_of(patch(bases["us.warrant"], {"date_from": "2026-13-01"}))
	s.date_from == "2026-13-01"
	s.date_to == "2026-11-20"
}

# Validation errors name the field.
error_cases := {
	"missing process": {"patch": {"process": ""}, "field": "process", "code": "required"},
	"unknown process": {"patch": {"process": "us.letter"}, "field": "process", "code": "unknown_process"},
	"unknown jurisdiction": {"patch": {"process": "fr.requisition"}, "field": "process", "code": "unknown_jurisdiction"},
	"no categories": {"patch": {"categories": []}, "field": "categories", "code": "required"},
	"unknown category": {"patch": {"categories": ["subscriber", "location"]}, "field": "categories[1]", "code": "unknown_category"},
	"missing authority": {"patch": {"authority_kind": ""}, "field": "issuing_authority.kind", "code": "required"},
	"unknown authority": {"patch": {"authority_kind": "sheriff"}, "field": "issuing_authority.kind", "code": "unknown_authority"},
	"prosecutor warrant": {"patch": {"authority_kind": "prosecutor"}, "field": "issuing_authority.kind", "code": "authority_not_competent"},
	"no targets": {"patch": {"targets": []}, "field": "targets", "code": "required"},
	"unknown target type": {"patch": {"targets": [{"type": "imei", "value": "35"}]}, "field": "targets[0].type", "code": "unknown_target_type"},
	"empty target": {"patch": {"targets": [{"type": "phone", "value": "+1555"}, {"type": "email", "value": "  "}]}, "field": "targets[1].value", "code": "required"},
	"bad date": {"patch": {"date_from": "2026-02-30"}, "field": "date_from", "code": "invalid_date"},
	"missing from": {"patch": {"date_from": ""}, "field": "date_from", "code": "required"},
	"missing to": {"patch": {"date_to": ""}, "field": "date_to", "code": "required"},
	"reversed": {"patch": {"date_from": "2026-11-10", "date_to": "2026-11-01"}, "field": "date_to", "code": "range_reversed"},
	"future range": {"patch": {"date_from": "2026-12-01", "date_to": "2026-12-31"}, "field": "date_from", "code": "in_future"},
	"missing issue date": {"patch": {"issued_on": ""}, "field": "issued_on", "code": "required"},
	"issued in future": {"patch": {"issued_on": "2026-12-01"}, "field": "issued_on", "code": "in_future"},
	"expires before issue": {"patch": {"expires_on": "2026-11-01"}, "field": "expires_on", "code": "before_issue"},
	"emergency without procedure": {"patch": {"emergency": true, "emergency_narrative": "x"}, "field": "emergency", "code": "no_emergency_procedure"},
	"negative penalty": {"patch": {"offence_max_penalty_years": -1}, "field": "offence.max_penalty_years", "code": "invalid"},
	"nondisclosure without end": {"patch": {"nondisclosure_ordered": true}, "field": "nondisclosure.until", "code": "required"},
	"bad nondisclosure date": {"patch": {"nondisclosure_ordered": true, "nondisclosure_until": "soon"}, "field": "nondisclosure.until", "code": "invalid_date"},
}

test_errors[note] if {
	some note, tc in error_cases
	s := scope_of(patch(bases["us.warrant"], tc.patch))
	not s.valid
	some e in s.errors
	e.field == tc.field
	e.code == tc.code
}

test_errors_name_unknown_values if {
	s := scope_of(patch(bases["us.warrant"], {"process": "us.letter", "categories": ["location"]}))
	some e in s.errors
	e.field == "process"
	contains(e.text, `"us.letter"`)
	some f in s.errors
	f.field == "categories[0]"
	contains(f.text, `"location"`)
	s.jurisdiction == ""
}

test_errors_sorted_by_field if {
	s := scope_of(patch(bases["us.warrant"], {"targets": [], "date_from": "", "process": ""}))
	fields := [e.field | some e in s.errors]
	fields == sort(fields)
}

test_unknown_process_authorises_nothing if {
	s := scope_of(patch(bases["us.warrant"], {"process": "us.letter", "categories": ["subscriber", "content"]}))
	s.categories == []
	refused_codes(s) == {"subscriber": "unknown_process", "content": "content_e2ee"}
}

test_emergency_process_needs_emergency if {
	s := scope_of(patch(bases["us.emergency"], {"emergency": false}))
	some e in s.errors
	e.code == "emergency_required"
}

test_emergency_needs_narrative if {
	s := scope_of(patch(bases["us.emergency"], {"emergency_narrative": " "}))
	some e in s.errors
	e.field == "emergency.narrative"
}

test_emergency_without_issue_date_is_valid if {
	s := scope_of(bases["us.emergency"])
	s.valid
	s.process_kind == "emergency"
}

test_uk_opo_emergency_points_to_ipa if {
	s := scope_of(patch(bases["uk.opo"], {"emergency": true, "emergency_narrative": "threat to life"}))
	some e in s.errors
	e.code == "no_emergency_procedure"
	contains(e.text, "uk.ipa")
}

test_agency_without_country if {
	s := scope_of(object.union(bases["us.warrant"], {"agency": {"country": ""}}))
	some e in s.errors
	e.field == "agency.country"
}

test_eu_not_before_it_applies if {
	s := scope_of(object.union(bases["eu.epoc"], {"today": "2026-08-17"}))
	some e in s.errors
	e.code == "not_yet_applicable"
}

test_missing_request_is_not_valid if {
	s := disclosure.scope with input as {"agency": {"country": "US"}, "today": today}
	not s.valid
	s.categories == []
}

test_missing_today_is_not_valid if {
	s := scope_of(object.remove(bases["us.warrant"], ["today"]))
	not s.valid
}

test_partial_request_reports_missing_fields if {
	s := disclosure.scope with input as {"agency": {"country": "US"}, "request": {"process": "us.warrant"}, "today": today}
	not s.valid
	{e.field | some e in s.errors; e.code == "missing"} == {
		"issuing_authority.kind", "categories", "targets", "date_from", "date_to", "issued_on", "expires_on",
		"emergency", "emergency.narrative", "offence.max_penalty_years", "serious_crime",
		"nondisclosure.ordered", "nondisclosure.until",
	}
}

# Warnings.
warning_cases := {
	"expired order": {"process": "us.warrant", "patch": {"expires_on": "2026-11-21", "issued_on": "2026-11-20"}, "says": "expired on 2026-11-21"},
	"after issue": {"process": "us.warrant", "patch": {"issued_on": "2026-11-10"}, "says": "after the order was issued on 2026-11-10"},
	"long nondisclosure": {"process": "us.warrant", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2028-01-01"}, "says": "more than 365 days"},
	"nondisclosure ended": {"process": "us.warrant", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2026-11-24"}, "says": "ended on 2026-11-24"},
	"cosign": {"process": "us.emergency", "patch": {}, "says": "must co-sign"},
	"follow-up": {"process": "us.emergency", "patch": {}, "says": "due within 30 days"},
	"eu emergency": {"process": "eu.epoc", "patch": {"emergency": true, "emergency_narrative": "threat to life"}, "says": "within 8 hours"},
	"preservation": {"process": "us.preservation", "patch": {}, "says": "kept for 90 days (one extension of 90 days"},
	"eu preservation": {"process": "eu.epoc_pr", "patch": {}, "says": "kept for 60 days (one extension of 30 days"},
}

test_warnings[note] if {
	some note, tc in warning_cases
	s := scope_of(patch(bases[tc.process], tc.patch))
	some w in s.warnings
	contains(w, tc.says)
}

test_short_nondisclosure_not_flagged if {
	s := scope_of(patch(bases["us.warrant"], {"nondisclosure_ordered": true, "nondisclosure_until": "2027-06-01"}))
	s.valid
	not disclosure.long_nondisclosure with input as patch(bases["us.warrant"], {"nondisclosure_ordered": true, "nondisclosure_until": "2027-06-01"})
	every w in s.warnings {
		not contains(w, "non-disclosure")
	}
}

test_clean_request_has_no_warnings if {
	s := scope_of(patch(bases["us.warrant"], {"date_to": "2026-11-20"}))
	s.valid
	s.warnings == []
	s.errors == []
}

test_process_kinds if {
	scope_of(bases["us.warrant"]).process_kind == "legal_process"
	scope_of(bases["us.preservation"]).process_kind == "preservation"
	scope_of(bases["us.emergency"]).process_kind == "emergency"
	scope_of(patch(bases["eu.epoc"], {"emergency": true, "emergency_narrative": "x"})).process_kind == "emergency"
}

test_jurisdiction_reported if {
	scope_of(bases["uk.ipa"]).jurisdiction == "uk"
	scope_of(bases["eu.epoc"]).jurisdiction == "eu"
}

test_default_scope_allows_nothing if {
	s := disclosure.scope with input as "not an object"
	not s.valid
	s.categories == []
	s.errors[0].code == "policy_error"
}

test_window_prospective_without_issue_date if {
	s := scope_of(patch(bases["us.prtt"], {"issued_on": "", "date_from": "2026-11-01", "date_to": "2026-12-15"}))
	s.date_from == today
	some e in s.errors
	e.field == "issued_on"
}

test_long_nondisclosure_counted_from_today_without_issue_date if {
	x := patch(bases["us.emergency"], {"nondisclosure_ordered": true, "nondisclosure_until": "2027-12-01"})
	disclosure.long_nondisclosure with input as x
	not disclosure.long_nondisclosure with input as patch(x, {"nondisclosure_until": "2027-11-01"})
}

test_request_not_an_object_is_an_error if {
	some e in disclosure.errors with input as {"agency": {"country": "US"}, "request": "x", "today": today}
	e.field == "request"
}
