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

# 18 U.S.C. § 3123(c): at most 60 days from the order, 60-day extensions;
# § 3123(d): sealed.
test_us_pen_register_prospective_sixty_days_extendable if {
	x := catalogue.processes["us.prtt"]
	x.citation == "18 U.S.C. § 3123"
	x.categories == ["envelope"]
	x.prospective
	x.max_range_days == 60
	x.window_from_issue.days == 60
	x.extension_days == 60
	x.user_notice.rule == "sealed"
	x.user_notice.citation == "18 U.S.C. § 3123(d)"
}

# 18 U.S.C. § 3125: the emergency pen register, a process of its own: one of
# four emergencies, 48 hours, an order due within 48 hours.
test_us_emergency_pen_register if {
	x := catalogue.processes["us.prtt_emergency"]
	x.citation == "18 U.S.C. § 3125"
	x.emergency
	x.prospective
	x.categories == ["envelope"]
	x.window_from_issue.days == 2
	x.follow_up_days == 2
	{p.id | some p in x.purposes} == {"danger_of_death", "organized_crime", "national_security_threat", "protected_computer_attack"}
	not "court" in x.issuer_kinds
}

# The emergency processes: choosing one is what makes a request an
# emergency (the request form and the request domain read flags.emergency).
test_emergency_processes if {
	{id | some id, p in catalogue.processes; p.emergency} == {"us.emergency", "us.prtt_emergency"}
}

# 18 U.S.C. §§ 2703(d), 2711(3): a 2703(d) order comes from a court only.
test_us_2703d_only_from_a_court if {
	{k | some k in catalogue.processes["us.2703d"].issuer_kinds} == {"court", "judge"}
}

# 18 U.S.C. § 2709: subscriber information only; 50 U.S.C. §§ 1861, 1842.
test_us_national_security_process if {
	catalogue.processes["us.nsl"].categories == ["subscriber"]
	catalogue.processes["us.nsl"].citation == "18 U.S.C. § 2709"
	catalogue.processes["us.fisa_br"].citation == "50 U.S.C. § 1861"
	catalogue.processes["us.fisa_prtt"].citation == "50 U.S.C. § 1842"
	catalogue.processes["us.fisa_prtt"].window_from_issue.days == 90
	every id in ["us.nsl", "us.fisa_br", "us.fisa_prtt"] {
		catalogue.processes[id].national_security
		catalogue.processes[id].user_notice.rule != "allowed"
	}
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

# 18 U.S.C. § 2705(b): only a court's order binds the provider.
test_us_nondisclosure_binds_from_a_court_and_is_flagged_after_a_year if {
	nd := catalogue.jurisdiction_info.us.nondisclosure
	nd.citation == "18 U.S.C. § 2705(b)"
	nd.flag_after_days == 365
	{k | some k in nd.binding_issuer_kinds} == {"court", "judge"}
}

test_us_countries if {
	catalogue.countries.US == "us"
	catalogue.countries.PR == "us"
}
