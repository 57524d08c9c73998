package catalogue.us_test

import data.catalogue.us

p(id) := us.processes[id]

test_subpoena_is_basic_subscriber_information if {
	p("us.subpoena").citation == "18 U.S.C. § 2703(c)(2)"
	{c | some c in p("us.subpoena").categories} == {"subscriber", "activity", "connection_log"}
	every c in p("us.subpoena").categories {
		us.category_classes[c] == "basic_subscriber_information"
	}
}

test_2703d_adds_device_contacts_groups if {
	d := {c | some c in p("us.2703d").categories}
	s := {c | some c in p("us.subpoena").categories}
	d - s == {"device", "contacts", "groups"}
	{k | some k in p("us.2703d").issuer_kinds} == {"court", "judge"}
}

test_warrant_reaches_every_retained_category if {
	{c | some c in p("us.warrant").categories} == {"subscriber", "activity", "connection_log", "device", "contacts", "groups"}
	{k | some k in p("us.warrant").issuer_kinds} == {"court", "judge"}
}

test_pen_register_prospective_sixty_days_extendable if {
	x := p("us.prtt")
	x.citation == "18 U.S.C. § 3123"
	x.categories == ["envelope"]
	x.prospective
	x.max_range_days == 60
	x.extension_days == 60
}

test_preservation_ninety_plus_ninety if {
	x := p("us.preservation")
	x.citation == "18 U.S.C. § 2703(f)"
	x.preservation
	x.hold_days == 90
	x.extension_days == 90
}

test_emergency_voluntary_cosigned_followed_up if {
	x := p("us.emergency")
	x.citation == "18 U.S.C. § 2702(c)(4)"
	x.emergency
	x.voluntary
	x.cosign_required
	x.follow_up_days > 0
	{c | some c in x.categories} == {"subscriber", "activity", "connection_log"}
}

test_nondisclosure_flagged_after_a_year if {
	us.jurisdiction.nondisclosure.citation == "18 U.S.C. § 2705(b)"
	us.jurisdiction.nondisclosure.flag_after_days == 365
}

test_us_countries if {
	"US" in us.jurisdiction.countries
}
