package catalogue_test

import data.catalogue

test_uk_entity_and_events_data if {
	{c | some c, k in catalogue.category_classes.uk; k == "entity_data"} == {"subscriber", "device"}
	{c | some c, k in catalogue.category_classes.uk; k == "events_data"} == {"activity", "connection_log", "groups", "contacts", "envelope"}
}

test_uk_ipa_events_data_needs_serious_crime if {
	x := catalogue.processes["uk.ipa"]
	[r] := x.requirements
	r.classes == ["events_data"]
	r.serious_crime
	r.code == "serious_crime_required"
	{k | some k in x.issuer_kinds} == {"ocda", "designated_senior_officer"}
}

test_uk_opo_under_the_uk_us_agreement if {
	x := catalogue.processes["uk.opo"]
	contains(x.citation, "Crime (Overseas Production Orders) Act 2019")
	contains(x.citation, "UK–US Data Access Agreement")
	[r] := x.requirements
	r.min_max_penalty_years == 3
	{k | some k in r.classes} == {"entity_data", "events_data"}
	{k | some k in x.issuer_kinds} == {"judge", "court"}
	x.deadline_hours == 168
}

test_uk_countries if {
	{cc | some cc, j in catalogue.countries; j == "uk"} == {"GB"}
}
