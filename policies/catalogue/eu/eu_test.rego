package catalogue.eu_test

import data.catalogue.eu

test_category_classes if {
	eu.category_classes.subscriber == "subscriber_data"
	eu.category_classes.connection_log == "traffic_data"
	every c in ["activity", "groups", "contacts", "envelope"] {
		eu.category_classes[c] == "traffic_data"
	}
	eu.category_classes.content == "content_data"
}

test_connection_log_identification_when_asked_with_subscriber_only if {
	[x] := eu.class_exceptions
	x.category == "connection_log"
	x.class == "identification_data"
	{c | some c in x.when_only} == {"subscriber", "connection_log"}
}

test_epoc_traffic_data_judge_and_three_years if {
	x := eu.processes["eu.epoc"]
	{k | some k in x.issuer_kinds} == {"judge", "court", "prosecutor"}
	some judge in x.requirements
	judge.code == "issuer_not_competent"
	{k | some k in judge.issuer_kinds} == {"judge", "court"}
	judge.classes == ["traffic_data"]
	some penalty in x.requirements
	penalty.code == "offence_threshold"
	penalty.min_max_penalty_years == 3
	penalty.classes == ["traffic_data"]
}

test_epoc_deadlines_ten_days_eight_hours if {
	x := eu.processes["eu.epoc"]
	x.deadline_hours == 240
	x.emergency_deadline_hours == 8
}

test_preservation_sixty_plus_thirty if {
	x := eu.processes["eu.epoc_pr"]
	x.preservation
	x.hold_days == 60
	x.extension_days == 30
	x.requirements == []
}

test_regulation_applies_from_august_2026 if {
	every _, x in eu.processes {
		x.applies_from == "2026-08-18"
	}
}

test_denmark_takes_no_part if {
	not "DK" in eu.jurisdiction.countries
	count(eu.jurisdiction.countries) == 26
}
