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
	"us.prtt_emergency": {"envelope"},
	"us.preservation": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"us.emergency": {"subscriber", "activity", "connection_log"},
	# 18 U.S.C. § 2709: subscriber information only.
	"us.nsl": {"subscriber"},
	"us.fisa_br": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	"us.fisa_prtt": {"envelope"},
	"uk.ipa": {"subscriber", "activity", "connection_log", "device", "contacts", "groups"},
	# Crime (Overseas Production Orders) Act 2019, s. 3(4)–(4A): nothing
	# this provider holds.
	"uk.opo": set(),
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
	"us.prtt_emergency": patch(base("US", "us.prtt_emergency", "prosecutor"), {
		"emergency": true,
		"emergency_narrative": "A hostage taker is using this account.",
		"purpose": "danger_of_death",
		"categories": ["envelope"],
		"issued_on": "2026-11-25",
		"date_from": "2026-11-25",
		"date_to": "2026-11-26",
		"expires_on": "",
	}),
	"us.nsl": base("US", "us.nsl", "agency"),
	"us.fisa_br": base("US", "us.fisa_br", "court"),
	"us.fisa_prtt": patch(base("US", "us.fisa_prtt", "judge"), {"date_from": "2026-11-26", "date_to": "2027-01-10", "expires_on": "2027-02-18"}),
	"us.preservation": base("US", "us.preservation", "agency"),
	"us.emergency": patch(base("US", "us.emergency", "agency"), {
		"emergency": true,
		"emergency_narrative": "A kidnapped child; the kidnapper uses this account.",
		"date_from": "2026-11-01",
		"issued_on": "",
		"expires_on": "",
	}),
	"uk.ipa": patch(base("GB", "uk.ipa", "ocda"), {"purpose": "crime"}),
	"uk.opo": base("GB", "uk.opo", "judge"),
	"eu.epoc": patch(base("DE", "eu.epoc", "judge"), {"purpose": "criminal_proceedings"}),
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
		"received_on": "",
		"purpose": "",
		"offence_description": "armed robbery",
		"offence_max_penalty_months": 240,
		"offence_grounds": [],
		"offence_sentence_months": null,
		"offence_in_issuing_state": false,
		"resides_in_issuing_state": false,
		"nondisclosure_ordered": false,
		"nondisclosure_until": "",
		"nondisclosure_issued_by": "",
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
	refused_codes(s) == {c: refusal_code(p, c)}
}

refusal_code(p, c) := "content_e2ee" if c == "content"

else := "excepted_electronic_data" if p == "uk.opo"

else := "not_compellable"

test_matrix_is_complete if {
	count(bases) == 14
	count(compels) == 14
	object.keys(bases) == object.keys(data.catalogue.processes)
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

# Every process states the facts of the decision whatever the request.
test_decision_shape[p] if {
	some p, _ in bases
	s := scope_of(bases[p])
	object.keys(s.user_notice) == {"allowed", "until", "indefinite", "gagged", "code", "reason"}
	object.keys(s.notification) == {"required", "citation", "text", "hold_hours", "objection_hours", "refusal_grounds"}
	is_boolean(s.national_security)
	is_object(s.fields)
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

# EU: a prosecutor may order subscriber data and identification data only
# (Regulation (EU) 2023/1543, Article 4(1)–(2)); for criminal proceedings
# the connection log is traffic data.
eu_prosecutor := {
	"subscriber": "authorised",
	"activity": "issuer_not_competent",
	"connection_log": "issuer_not_competent",
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

# Article 3(10): the connection log is identification data when the order
# states that its sole purpose is to identify the user, never inferred from
# what else it asks; then only IP address, source port and time are released.
test_eu_connection_log_identification_is_a_stated_purpose if {
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "purpose": "identification", "categories": ["subscriber", "connection_log"]}))
	s.valid
	s.categories == ["subscriber", "connection_log"]
	s.fields == {"connection_log": ["account_id", "time", "ip", "port"]}
	not s.notification.required
}

test_eu_connection_log_without_the_purpose_is_traffic_data if {
	s := scope_of(patch(bases["eu.epoc"], {"authority_kind": "prosecutor", "categories": ["subscriber", "connection_log"]}))
	s.categories == ["subscriber"]
	refused_codes(s) == {"connection_log": "issuer_not_competent"}
	s.fields == {}
}

# An order solely to identify reaches no other traffic data (Article 3(10)).
test_eu_identification_order_refuses_other_traffic_data if {
	s := scope_of(patch(bases["eu.epoc"], {"purpose": "identification", "categories": ["connection_log", "device", "groups"]}))
	s.categories == ["connection_log"]
	refused_codes(s) == {"device": "purpose_limited", "groups": "purpose_limited"}
	some r in s.refused
	contains(r.reason, "Article 3(10)")
}

# Identification and subscriber data: any criminal offence (Article 5(3)).
test_eu_identification_needs_no_penalty if {
	s := scope_of(patch(bases["eu.epoc"], {"purpose": "identification", "offence_max_penalty_months": null, "categories": ["subscriber", "connection_log"]}))
	s.valid
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
	"connection_log": "offence_threshold",
	"device": "offence_threshold",
	"contacts": "offence_threshold",
	"groups": "offence_threshold",
	"envelope": "not_compellable",
	"content": "content_e2ee",
}

test_eu_epoc_minor_offence[c] if {
	some c, want in eu_minor_offence
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_months": 24, "categories": [c]}))
	outcome(s, c) == want
}

# Article 5(4)(a): three years, counted in months.
test_eu_epoc_three_years_is_enough if {
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_months": 36, "categories": ["device"]}))
	s.categories == ["device"]
	t := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_months": 35.5, "categories": ["device"]}))
	refused_codes(t) == {"device": "offence_threshold"}
	some r in t.refused
	contains(r.reason, "a maximum penalty of 35.5 months")
}

# Article 5(4)(b)–(c): a listed offence reaches traffic data whatever its
# penalty.
test_eu_epoc_listed_offence if {
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_months": 24, "offence_grounds": ["terrorism"], "categories": ["device"]}))
	s.categories == ["device"]
}

# A threshold is asked for, not guessed.
test_eu_epoc_penalty_missing if {
	s := scope_of(patch(bases["eu.epoc"], {"offence_max_penalty_months": null, "categories": ["subscriber", "groups"]}))
	not s.valid
	some e in s.errors
	e.field == "offence.max_penalty_months"
	e.code == "penalty_required"
	s.categories == ["subscriber"]
	refused_codes(s) == {"groups": "offence_threshold"}
}

# Article 5(3) and 5(4)(d): to execute a sentence of at least four months.
test_eu_epoc_sentence_execution if {
	ok := scope_of(patch(bases["eu.epoc"], {"purpose": "sentence_execution", "offence_sentence_months": 4, "categories": ["subscriber"]}))
	ok.valid
	ok.categories == ["subscriber"]
	short := scope_of(patch(bases["eu.epoc"], {"purpose": "sentence_execution", "offence_sentence_months": 3, "categories": ["subscriber"]}))
	refused_codes(short) == {"subscriber": "sentence_threshold"}
	missing := scope_of(patch(bases["eu.epoc"], {"purpose": "sentence_execution", "categories": ["subscriber"]}))
	some e in missing.errors
	e.field == "offence.sentence_months"
	e.code == "sentence_required"
	traffic := scope_of(patch(bases["eu.epoc"], {"purpose": "sentence_execution", "offence_sentence_months": 6, "offence_max_penalty_months": 24, "categories": ["device"]}))
	refused_codes(traffic) == {"device": "offence_threshold"}
	serious := scope_of(patch(bases["eu.epoc"], {"purpose": "sentence_execution", "offence_sentence_months": 6, "categories": ["device"]}))
	serious.categories == ["device"]
}

# Article 8: an order for traffic data is notified to the enforcing
# authority unless the offence was committed, and the person lives, in the
# issuing State; Article 10(2): produced at the end of 10 days; Article
# 10(4) and 12: 96 hours to object in an emergency.
test_eu_notification if {
	s := scope_of(patch(bases["eu.epoc"], {"categories": ["subscriber", "device"]}))
	s.notification.required
	s.notification.hold_hours == 240
	count(s.notification.refusal_grounds) == 4
	contains(s.notification.text, "Ireland")
	lives := scope_of(patch(bases["eu.epoc"], {"categories": ["device"], "resides_in_issuing_state": true}))
	lives.notification.required
	both := scope_of(patch(bases["eu.epoc"], {"categories": ["device"], "resides_in_issuing_state": true, "offence_in_issuing_state": true}))
	not both.notification.required
	subscriber := scope_of(patch(bases["eu.epoc"], {"categories": ["subscriber"]}))
	not subscriber.notification.required
	urgent := scope_of(patch(bases["eu.epoc"], {"categories": ["device"], "emergency": true, "emergency_narrative": "threat to life"}))
	urgent.notification.required
	urgent.notification.hold_hours == 0
	urgent.notification.objection_hours == 96
}

# Article 1(1): a European order is for a provider in another Member State.
test_eu_order_from_the_representatives_state_is_domestic if {
	s := scope_of(object.union(bases["eu.epoc"], {"agency": {"country": "IE"}}))
	refused_codes(s) == {"subscriber": "eu_domestic"}
}

test_eu_preservation_any_offence_any_issuer if {
	s := scope_of(patch(bases["eu.epoc_pr"], {"offence_max_penalty_months": 6, "categories": ["groups", "device"]}))
	s.categories == ["device", "groups"]
	s.process_kind == "preservation"
}

# UK IPA, s. 60A(8)(a): for the crime purpose, entity data for any crime,
# events data only for serious crime.
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
	s := scope_of(patch(bases["uk.ipa"], {"offence_max_penalty_months": 6, "categories": [c]}))
	s.valid
	outcome(s, c) == want
}

# s. 86(2A)(a): 12 months' imprisonment or more, from the stated penalty.
uk_serious_cases := {
	"twelve months": {"patch": {"offence_max_penalty_months": 12}, "events": true},
	"just under": {"patch": {"offence_max_penalty_months": 11.9}, "events": false},
	"six months, a communication offence": {"patch": {"offence_max_penalty_months": 6, "offence_grounds": ["communication"]}, "events": true},
	"six months, by a body corporate": {"patch": {"offence_max_penalty_months": 6, "offence_grounds": ["not_individual"]}, "events": true},
	"six months, breach of privacy": {"patch": {"offence_max_penalty_months": 6, "offence_grounds": ["privacy"]}, "events": true},
	"six months, violence": {"patch": {"offence_max_penalty_months": 6, "offence_grounds": ["violence"]}, "events": true},
	"threat to life, no serious crime": {"patch": {"offence_max_penalty_months": 1, "purpose": "threat_to_life"}, "events": true},
	"public safety, no penalty": {"patch": {"offence_max_penalty_months": null, "purpose": "public_safety"}, "events": true},
	"national security": {"patch": {"offence_max_penalty_months": null, "purpose": "national_security"}, "events": true},
}

test_uk_ipa_serious_crime[note] if {
	some note, tc in uk_serious_cases
	s := scope_of(patch(bases["uk.ipa"], object.union({"categories": ["subscriber", "connection_log"]}, tc.patch)))
	s.valid
	("connection_log" in s.categories) == tc.events
}

test_uk_ipa_refusal_says_what_was_stated if {
	s := scope_of(patch(bases["uk.ipa"], {"offence_max_penalty_months": 6, "categories": ["connection_log"]}))
	[r] := s.refused
	r.code == "serious_crime_required"
	contains(r.reason, "s. 86(2A)")
	contains(r.reason, "a maximum penalty of 6 months")
}

# No penalty and no ground for the crime purpose: asked for, not guessed.
test_uk_ipa_penalty_asked_for if {
	s := scope_of(patch(bases["uk.ipa"], {"offence_max_penalty_months": null, "categories": ["subscriber", "connection_log"]}))
	not s.valid
	some e in s.errors
	e.code == "penalty_required"
	e.field == "offence.max_penalty_months"
	entity := scope_of(patch(bases["uk.ipa"], {"offence_max_penalty_months": null, "categories": ["subscriber"]}))
	entity.valid
}

test_uk_ipa_purpose_required if {
	s := scope_of(patch(bases["uk.ipa"], {"purpose": ""}))
	some e in s.errors
	e.field == "purpose"
	e.code == "required"
	contains(e.text, "s. 60A(7)")
}

# s. 60A(7)(a): national-security only for that purpose.
test_uk_ipa_national_security_by_purpose if {
	scope_of(patch(bases["uk.ipa"], {"purpose": "national_security"})).national_security
	not scope_of(bases["uk.ipa"]).national_security
	not scope_of(bases["us.warrant"]).national_security
	scope_of(bases["us.nsl"]).national_security
}

# s. 61A: a designated senior officer only in an urgent case.
test_uk_ipa_designated_senior_officer_only_when_urgent if {
	s := scope_of(patch(bases["uk.ipa"], {"authority_kind": "designated_senior_officer", "issued_on": "2026-11-24", "categories": ["subscriber", "device"]}))
	s.categories == []
	refused_codes(s) == {"subscriber": "urgency_required", "device": "urgency_required"}
	contains(s.refused[0].reason, "s. 61A")
	urgent := scope_of(patch(bases["uk.ipa"], {
		"authority_kind": "designated_senior_officer", "issued_on": "2026-11-24", "categories": ["subscriber"],
		"emergency": true, "emergency_narrative": "A missing person at risk of suicide.",
	}))
	urgent.categories == ["subscriber"]
}

# s. 65(1): an OCDA authorisation lasts one month beginning with its grant;
# s. 65(3A): an urgent one three days.
uk_duration_cases := {
	"ocda, last day": {"kind": "ocda", "issued": "2026-10-26", "lapsed": false},
	"ocda, a month on": {"kind": "ocda", "issued": "2026-10-25", "lapsed": true},
	"officer, second day": {"kind": "designated_senior_officer", "issued": "2026-11-24", "lapsed": false},
	"officer, third day": {"kind": "designated_senior_officer", "issued": "2026-11-23", "lapsed": false},
	"officer, fourth day": {"kind": "designated_senior_officer", "issued": "2026-11-22", "lapsed": true},
}

test_uk_ipa_duration[note] if {
	some note, tc in uk_duration_cases
	s := scope_of(patch(bases["uk.ipa"], {
		"authority_kind": tc.kind, "issued_on": tc.issued, "date_to": "2026-10-20", "expires_on": "",
		"emergency": true, "emergency_narrative": "A missing person at risk of suicide.",
	}))
	lapsed := refused_codes(s) == {"subscriber": "authorisation_lapsed"}
	lapsed == tc.lapsed
}

test_uk_ipa_lapse_names_the_section if {
	s := scope_of(patch(bases["uk.ipa"], {"issued_on": "2026-10-01", "date_to": "2026-09-30"}))
	[r] := s.refused
	contains(r.reason, "s. 65(1)")
	contains(r.reason, "2026-10-31")
	some w in scope_of(patch(bases["uk.ipa"], {"issued_on": "2026-11-20", "expires_on": "2027-02-20"})).warnings
	contains(w, "ceases to have effect at the end of 2026-12-19")
}

# Crime (Overseas Production Orders) Act 2019, s. 3(4)–(4A): excepted
# electronic data; the reason points to IPA Part 3.
test_uk_opo_reaches_nothing[c] if {
	some c in [x | some x in categories; x != "content"]
	s := scope_of(patch(bases["uk.opo"], {"categories": [c]}))
	[r] := s.refused
	r.code == "excepted_electronic_data"
	contains(r.reason, "s. 3(4)–(4A)")
	contains(r.reason, "Part 3")
	contains(r.reason, "uk.ipa")
}

# s. 9(1): void unless served within three months of being made; served is
# the day the provider received it, or today for a draft.
uk_opo_served_cases := {
	"draft, in time": {"issued": "2026-08-26", "received": "", "void": false},
	"draft, too late": {"issued": "2026-08-25", "received": "", "void": true},
	"received in time": {"issued": "2026-08-01", "received": "2026-10-31", "void": false},
	"received too late": {"issued": "2026-08-01", "received": "2026-11-01", "void": true},
}

test_uk_opo_void_unless_served_in_time[note] if {
	some note, tc in uk_opo_served_cases
	s := scope_of(patch(bases["uk.opo"], {"issued_on": tc.issued, "received_on": tc.received, "date_to": "2026-07-31"}))
	code := {"void": "order_void", "in time": "excepted_electronic_data"}
	refused_codes(s) == {"subscriber": code[{true: "void", false: "in time"}[tc.void]]}
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

# 18 U.S.C. § 3123(c)(1): at most 60 days, counted from the order's date.
test_window_prospective_sixty_days if {
	s := scope_of(patch(bases["us.prtt"], {"date_from": "2026-12-01", "date_to": "2027-06-01", "expires_on": ""}))
	s.date_from == "2026-12-01"
	s.date_to == "2027-01-18"
	some w in s.warnings
	contains(w, "at most 60 days from its date (18 U.S.C. § 3123(c)(1))")
}

# 18 U.S.C. § 3125: the emergency pen register runs 48 hours and needs one
# of its four emergencies.
test_emergency_pen_register if {
	s := scope_of(bases["us.prtt_emergency"])
	s.valid
	s.categories == ["envelope"]
	s.process_kind == "emergency"
	s.date_to == "2026-11-26"
	long := scope_of(patch(bases["us.prtt_emergency"], {"date_to": "2026-12-31"}))
	long.date_to == "2026-11-26"
	no_purpose := scope_of(patch(bases["us.prtt_emergency"], {"purpose": ""}))
	some e in no_purpose.errors
	e.field == "purpose"
	court := scope_of(patch(bases["us.prtt_emergency"], {"authority_kind": "court"}))
	refused_codes(court) == {"envelope": "issuer_not_competent"}
}

# 18 U.S.C. §§ 2703(d), 2711(3): a 2703(d) order from anyone but a court
# refuses each category with the reason, as a foreign process does.
test_2703d_from_anyone_but_a_court[kind] if {
	some kind in ["prosecutor", "grand_jury", "agency"]
	s := scope_of(patch(bases["us.2703d"], {"authority_kind": kind, "categories": ["subscriber", "device", "content"]}))
	s.categories == []
	refused_codes(s) == {"subscriber": "issuer_not_competent", "device": "issuer_not_competent", "content": "content_e2ee"}
	some r in s.refused
	r.category == "device"
	contains(r.reason, "18 U.S.C. § 2703(c)(1)(B) and (d)")
}

# 18 U.S.C. § 2709: a national security letter reaches subscriber
# information only; it is national-security process.
test_nsl_subscriber_only if {
	s := scope_of(patch(bases["us.nsl"], {"categories": ["subscriber", "connection_log"]}))
	s.categories == ["subscriber"]
	refused_codes(s) == {"connection_log": "not_compellable"}
	s.national_security
	not s.user_notice.allowed == false
	s.user_notice.indefinite
}

test_fisa_business_records_lapse_flagged if {
	some w in scope_of(bases["us.fisa_br"]).warnings
	contains(w, "15 March 2020")
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
	"negative penalty": {"patch": {"offence_max_penalty_months": -1}, "field": "offence.max_penalty_months", "code": "invalid"},
	"negative sentence": {"patch": {"offence_sentence_months": -1}, "field": "offence.sentence_months", "code": "invalid"},
	"purpose where none is stated": {"patch": {"purpose": "crime"}, "field": "purpose", "code": "not_applicable"},
	"ground the process does not know": {"patch": {"offence_grounds": ["violence"]}, "field": "offence.grounds[0]", "code": "unknown_ground"},
	"unknown non-disclosure issuer": {"patch": {"nondisclosure_ordered": true, "nondisclosure_issued_by": "sheriff"}, "field": "nondisclosure.issued_by", "code": "unknown_authority"},
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
		"emergency", "emergency.narrative", "received_on", "purpose", "offence.max_penalty_months",
		"offence.grounds", "offence.sentence_months", "offence.committed_in_issuing_state",
		"person_resides_in_issuing_state", "nondisclosure.ordered", "nondisclosure.until", "nondisclosure.issued_by",
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

test_uk_ipa_unknown_purpose if {
	s := scope_of(patch(bases["uk.ipa"], {"purpose": "revenge"}))
	some e in s.errors
	e.code == "unknown_purpose"
}

# Whether, and from when, the account holder may be told.
notice_cases := {
	# Investigatory Powers Act 2016, s. 82.
	"uk ipa": {"process": "uk.ipa", "patch": {}, "allowed": false, "until": "", "indefinite": false, "code": "ipa_s82"},
	# Regulation (EU) 2023/1543, Article 13.
	"eu epoc": {"process": "eu.epoc", "patch": {}, "allowed": false, "until": "", "indefinite": false, "code": "eu_art13_issuing_authority_informs"},
	# 18 U.S.C. § 3123(d): sealed until the court orders otherwise.
	"pen register": {"process": "us.prtt", "patch": {}, "allowed": true, "until": "", "indefinite": true, "code": "pen_register_sealed"},
	"pen register unsealed": {"process": "us.prtt", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2027-06-01"}, "allowed": true, "until": "2027-06-01", "indefinite": false, "code": "pen_register_sealed"},
	# 18 U.S.C. § 2705(b): a court's order binds.
	"warrant with an order": {"process": "us.warrant", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}, "allowed": true, "until": "2027-05-20", "indefinite": false, "code": "nondisclosure_order"},
	"court order with a subpoena": {"process": "us.subpoena", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20", "nondisclosure_issued_by": "court"}, "allowed": true, "until": "2027-05-20", "indefinite": false, "code": "nondisclosure_order"},
	"order without an end": {"process": "us.warrant", "patch": {"nondisclosure_ordered": true}, "allowed": true, "until": "", "indefinite": true, "code": "nondisclosure_order"},
	# ...and nobody else's.
	"prosecutor's subpoena": {"process": "us.subpoena", "patch": {"authority_kind": "prosecutor", "nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}, "allowed": true, "until": "", "indefinite": false, "code": "nondisclosure_not_binding"},
	"agency's preservation letter": {"process": "us.preservation", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}, "allowed": true, "until": "", "indefinite": false, "code": "nondisclosure_not_binding"},
	"no order": {"process": "us.warrant", "patch": {}, "allowed": true, "until": "", "indefinite": false, "code": "notice_allowed"},
	# Crime (Overseas Production Orders) Act 2019, s. 8.
	"opo with a requirement": {"process": "uk.opo", "patch": {"nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}, "allowed": true, "until": "2027-05-20", "indefinite": false, "code": "nondisclosure_order"},
	# 50 U.S.C. § 1861(d), § 1842(d)(2)(B).
	"fisa": {"process": "us.fisa_prtt", "patch": {}, "allowed": false, "until": "", "indefinite": false, "code": "fisa_secrecy"},
}

test_user_notice[note] if {
	some note, tc in notice_cases
	n := scope_of(patch(bases[tc.process], tc.patch)).user_notice
	n.allowed == tc.allowed
	n.until == tc.until
	n.indefinite == tc.indefinite
	n.code == tc.code
	n.reason != ""
}

# What reports count as under a non-disclosure order: an order or a statute
# that forbids the provider to tell.
gagged_cases := {
	"uk ipa": true, "eu epoc": false, "pen register": true, "pen register unsealed": true,
	"warrant with an order": true, "court order with a subpoena": true, "order without an end": true,
	"prosecutor's subpoena": false, "agency's preservation letter": false, "no order": false,
	"opo with a requirement": true, "fisa": true,
}

test_user_notice_gagged[note] if {
	some note, want in gagged_cases
	tc := notice_cases[note]
	scope_of(patch(bases[tc.process], tc.patch)).user_notice.gagged == want
}

test_non_binding_order_flagged_to_the_reviewer if {
	s := scope_of(patch(bases["us.subpoena"], {"authority_kind": "prosecutor", "nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}))
	some w in s.warnings
	contains(w, "only a court's order binds the provider")
	contains(s.user_notice.reason, "18 U.S.C. § 2705(b)")
	t := scope_of(patch(bases["us.warrant"], {"nondisclosure_ordered": true, "nondisclosure_until": "2027-05-20"}))
	every w in t.warnings {
		not contains(w, "only a court's order")
	}
}

test_default_notice_tells_nobody if {
	s := disclosure.scope with input as "not an object"
	not s.user_notice.allowed
}

test_months_text if {
	disclosure.months_text(1) == "1 month"
	disclosure.months_text(6) == "6 months"
	disclosure.months_text(12) == "1 year"
	disclosure.months_text(36) == "3 years"
	disclosure.months_text(18) == "18 months"
	disclosure.months_text(2.5) == "2.5 months"
	disclosure.months_text(30.5) == "30.5 months"
}
