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

test_eu_connection_log_identification_when_asked_with_subscriber_only if {
	[x] := catalogue.class_exceptions.eu
	x.category == "connection_log"
	x.class == "identification_data"
	{c | some c in x.when_only} == {"subscriber", "connection_log"}
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
	penalty.min_max_penalty_years == 3
	penalty.classes == ["traffic_data"]
}

test_eu_epoc_deadlines_ten_days_eight_hours if {
	x := catalogue.processes["eu.epoc"]
	x.deadline_hours == 240
	x.emergency_deadline_hours == 8
}

test_eu_preservation_sixty_plus_thirty if {
	x := catalogue.processes["eu.epoc_pr"]
	x.preservation
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
