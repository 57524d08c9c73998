package catalogue_test

import data.catalogue

test_us_subpoena_is_basic_subscriber_information if {
	x := catalogue.processes["us.subpoena"]
	x.citation == "18 U.S.C. § 2703(c)(2)"
	{c | some c in x.categories} == {"subscriber", "activity", "connection_log"}
	every c in x.categories {
		catalogue.category_classes.us[c] == "basic_subscriber_information"
	}
}

test_us_2703d_adds_device_contacts_groups if {
	d := {c | some c in catalogue.processes["us.2703d"].categories}
	s := {c | some c in catalogue.processes["us.subpoena"].categories}
	d - s == {"device", "contacts", "groups"}
	{k | some k in catalogue.processes["us.2703d"].issuer_kinds} == {"court", "judge"}
}

test_us_warrant_reaches_every_retained_category if {
	x := catalogue.processes["us.warrant"]
	{c | some c in x.categories} == {"subscriber", "activity", "connection_log", "device", "contacts", "groups"}
	{k | some k in x.issuer_kinds} == {"court", "judge"}
}

test_us_pen_register_prospective_sixty_days_extendable if {
	x := catalogue.processes["us.prtt"]
	x.citation == "18 U.S.C. § 3123"
	x.categories == ["envelope"]
	x.prospective
	x.max_range_days == 60
	x.extension_days == 60
}

test_us_preservation_ninety_plus_ninety if {
	x := catalogue.processes["us.preservation"]
	x.citation == "18 U.S.C. § 2703(f)"
	x.preservation
	x.hold_days == 90
	x.extension_days == 90
}

test_us_emergency_voluntary_cosigned_followed_up if {
	x := catalogue.processes["us.emergency"]
	x.citation == "18 U.S.C. § 2702(c)(4)"
	x.emergency
	x.voluntary
	x.cosign_required
	x.follow_up_days > 0
	{c | some c in x.categories} == {"subscriber", "activity", "connection_log"}
}

test_us_nondisclosure_flagged_after_a_year if {
	nd := catalogue.jurisdiction_info.us.nondisclosure
	nd.citation == "18 U.S.C. § 2705(b)"
	nd.flag_after_days == 365
}

test_us_countries if {
	catalogue.countries.US == "us"
	catalogue.countries.PR == "us"
}
