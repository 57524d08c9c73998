package catalogue_test

import data.catalogue

test_uk_entity_and_events_data if {
	{c | some c, k in catalogue.category_classes.uk; k == "entity_data"} == {"subscriber", "device"}
	{c | some c, k in catalogue.category_classes.uk; k == "events_data"} == {"activity", "connection_log", "groups", "contacts", "envelope"}
}

# Investigatory Powers Act 2016, ss. 60A(8)(a) and 86(2A): for the crime
# purpose, events data needs serious crime: 12 months or more, or a ground.
test_uk_ipa_events_data_needs_serious_crime_for_the_crime_purpose if {
	x := catalogue.processes["uk.ipa"]
	[r] := x.requirements
	r.classes == ["events_data"]
	r.purposes == ["crime"]
	r.min_max_penalty_months == 12
	r.grounds_suffice
	r.code == "serious_crime_required"
	{k | some k in x.issuer_kinds} == {"ocda", "designated_senior_officer"}
}

# s. 60A(7)(a)–(g): the purposes an authorisation may state.
test_uk_ipa_purposes if {
	[x.id | some x in catalogue.processes["uk.ipa"].purposes] == [
		"national_security", "crime", "economic_wellbeing", "public_safety",
		"threat_to_life", "miscarriage_of_justice", "identify_person",
	]
}

# s. 86(2A)(b) and s. 263(1): the grounds that make a crime serious.
test_uk_ipa_serious_crime_grounds if {
	{x.id | some x in catalogue.processes["uk.ipa"].offence_grounds} == {
		"violence", "financial_gain", "common_purpose", "not_individual", "communication", "privacy",
	}
}

# s. 61A: a designated senior officer only in an urgent case; s. 65(1) and
# (3A): one month for the OCDA, three days for the officer.
test_uk_ipa_urgency_and_duration if {
	x := catalogue.processes["uk.ipa"]
	x.urgent_only.issuer_kinds == ["designated_senior_officer"]
	contains(x.urgent_only.citation, "s. 61A")
	some ocda in x.validity
	ocda.issuer_kinds == ["ocda"]
	ocda.months == 1
	contains(ocda.citation, "s. 65(1)")
	some dso in x.validity
	dso.issuer_kinds == ["designated_senior_officer"]
	dso.days == 3
	contains(dso.citation, "s. 65(3A)")
}

# s. 82: disclosing an authorisation is an offence.
test_uk_ipa_user_never_told if {
	n := catalogue.processes["uk.ipa"].user_notice
	n.rule == "never"
	contains(n.citation, "s. 82")
}

# Crime (Overseas Production Orders) Act 2019, s. 3(4)–(4A): communications
# data held by a telecommunications operator is excepted electronic data;
# s. 9(1): void unless served within three months.
test_uk_opo_reaches_nothing_this_provider_holds if {
	x := catalogue.processes["uk.opo"]
	contains(x.citation, "Crime (Overseas Production Orders) Act 2019")
	x.categories == []
	x.excepted.code == "excepted_electronic_data"
	contains(x.excepted.citation, "s. 3(4)–(4A)")
	contains(x.excepted.citation, "s. 261(10)")
	contains(x.excepted.text, "uk.ipa")
	x.serve_within.months == 3
	contains(x.serve_within.citation, "s. 9(1)")
	{k | some k in x.issuer_kinds} == {"judge", "court"}
	x.deadline_hours == 168
}

test_uk_countries if {
	{cc | some cc, j in catalogue.countries; j == "uk"} == {"GB"}
}
