package catalogue_test

import data.catalogue

test_eu_category_classes if {
	classes := catalogue.category_classes.eu
	classes.subscriber == "subscriber_data"
	classes.connection_log == "traffic_data"
	every c in ["activity", "groups", "contacts", "envelope", "device"] {
		classes[c] == "traffic_data"
	}
	classes.content == "content_data"
}

# Article 3(10): IP address, and where needed source port and time stamp.
test_eu_connection_log_identification_when_the_order_says_so if {
	[x] := catalogue.class_exceptions.eu
	x.category == "connection_log"
	x.class == "identification_data"
	x.purposes == ["identification"]
	x.fields == ["account_id", "time", "ip", "port"]
}

# Articles 3(10), 4(1) and 5(3): an order solely to identify reaches
# subscriber and identification data only.
test_eu_identification_purpose_reaches_subscriber_and_identification_data if {
	some x in catalogue.processes["eu.epoc"].purposes
	x.id == "identification"
	{k | some k in x.classes} == {"subscriber_data", "identification_data"}
}

test_eu_epoc_traffic_data_judge_and_three_years if {
	x := catalogue.processes["eu.epoc"]
	{k | some k in x.issuer_kinds} == {"judge", "court", "prosecutor"}
	some judge in x.requirements
	judge.code == "issuer_not_competent"
	{k | some k in judge.issuer_kinds} == {"judge", "court"}
	judge.classes == ["traffic_data"]
	some penalty in x.requirements
	penalty.code == "offence_threshold"
	penalty.min_max_penalty_months == 36
	penalty.grounds_suffice
	penalty.classes == ["traffic_data"]
}

# Article 5(4)(b)–(c): the listed offences, offered as choices.
test_eu_epoc_listed_offences if {
	{x.id | some x in catalogue.processes["eu.epoc"].offence_grounds} == {
		"non_cash_payment_fraud", "child_sexual_abuse", "attacks_on_information_systems", "terrorism",
	}
}

# Article 5(3) and 5(4)(d): executing a sentence of at least four months.
test_eu_epoc_sentence_execution_four_months if {
	some r in catalogue.processes["eu.epoc"].requirements
	r.code == "sentence_threshold"
	r.min_sentence_months == 4
	r.purposes == ["sentence_execution"]
}

# Article 12(1)(a)–(d): the grounds a notified enforcing authority may raise.
test_eu_epoc_notifies_the_enforcing_authority if {
	n := catalogue.processes["eu.epoc"].notification
	n.classes == ["traffic_data"]
	n.enforcing_state == "Ireland"
	n.hold_hours == 240
	n.emergency_objection_hours == 96
	n.refusal_grounds == catalogue.eu_refusal_grounds
	catalogue.processes["eu.epoc_pr"].notification == null
}

test_eu_refusal_grounds_checklist if {
	[x.citation | some x in catalogue.eu_refusal_grounds] == [
		"Regulation (EU) 2023/1543, Article 12(1)(a)",
		"Regulation (EU) 2023/1543, Article 12(1)(b)",
		"Regulation (EU) 2023/1543, Article 12(1)(c)",
		"Regulation (EU) 2023/1543, Article 12(1)(d)",
	]
}

# Article 13: the issuing authority, not the provider, informs the person.
test_eu_user_never_told_by_the_provider if {
	every id in catalogue.jurisdiction_info.eu.process_order {
		catalogue.processes[id].user_notice.rule == "never"
	}
}

test_eu_epoc_deadlines_ten_days_eight_hours if {
	x := catalogue.processes["eu.epoc"]
	x.deadline_hours == 240
	x.emergency_deadline_hours == 8
}

# Article 11(1): 60 days, extended by 30, and kept until produced once the
# issuing authority confirms that the production request has been issued.
test_eu_preservation_sixty_plus_thirty if {
	x := catalogue.processes["eu.epoc_pr"]
	x.preservation
	x.hold_until_produced
	{id | some id, p in catalogue.processes; p.hold_until_produced} == {"eu.epoc_pr"}
	x.hold_days == 60
	x.extension_days == 30
	x.requirements == []
}

test_eu_regulation_applies_from_august_2026 if {
	every id in catalogue.jurisdiction_info.eu.process_order {
		catalogue.processes[id].applies_from == "2026-08-18"
	}
}

test_eu_denmark_takes_no_part if {
	not "DK" in object.keys(catalogue.countries)
	count({cc | some cc, j in catalogue.countries; j == "eu"}) == 26
}
