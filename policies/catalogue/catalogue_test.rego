package catalogue_test

import data.catalogue

process_ids := {
	"us.subpoena", "us.2703d", "us.warrant", "us.prtt", "us.prtt_emergency", "us.preservation", "us.emergency",
	"us.nsl", "us.fisa_br", "us.fisa_prtt",
	"uk.ipa", "uk.opo", "eu.epoc", "eu.epoc_pr",
}

# Every process states every fact a decision reads, so no rule meets an
# undefined field and silently skips a check.
process_keys := {
	"short_name", "name", "citation", "issuer_kinds", "categories", "max_range_days", "deadline_hours",
	"emergency_deadline_hours", "prospective", "preservation", "emergency", "voluntary", "national_security",
	"hold_days", "hold_until_produced", "extension_days", "cosign_required", "follow_up_days", "requirements", "purposes",
	"offence_grounds", "validity", "serve_within", "urgent_only", "window_from_issue",
	"national_security_purposes", "excepted", "notification", "user_notice", "applies_from", "notes",
}

requirement_keys := {
	"classes", "issuer_kinds", "min_max_penalty_months", "min_sentence_months", "grounds_suffice",
	"purposes", "code", "citation", "text",
}

test_every_process_states_every_fact if {
	every _, p in all_processes {
		object.keys(p) == process_keys
		every r in p.requirements {
			object.keys(r) == requirement_keys
		}
	}
}

test_every_process_says_whether_the_user_may_be_told if {
	every _, p in all_processes {
		p.user_notice.rule in {"allowed", "never", "sealed"}
		is_boolean(p.user_notice.gag)
		gag_consistent(p.user_notice)
		p.user_notice.code != ""
		p.user_notice.citation != ""
		p.user_notice.text != ""
	}
}

# A sealed order gags; an allowed rule does not; a statute that says never
# may or may not (another authority may inform the person).
gag_consistent(n) if n.rule == "never"

gag_consistent(n) if n.gag == (n.rule == "sealed")

test_purposes_and_grounds_are_cited_and_unique if {
	every _, p in all_processes {
		every list in [p.purposes, p.offence_grounds] {
			count({x.id | some x in list}) == count(list)
			every x in list {
				regex.match(`^[a-z][a-z0-9_]*$`, x.id)
				x.name != ""
				x.citation != ""
			}
		}
		every k in p.national_security_purposes {
			some x in p.purposes
			x.id == k
		}
		every r in p.requirements {
			every k in r.purposes {
				some x in p.purposes
				x.id == k
			}
		}
	}
}

test_validity_names_the_process_issuers if {
	every _, p in all_processes {
		every v in p.validity {
			every k in v.issuer_kinds {
				k in p.issuer_kinds
			}
			v.months + v.days > 0
			v.citation != ""
		}
	}
}

all_processes := catalogue.processes

test_process_ids_are_the_designs if {
	object.keys(all_processes) == process_ids
}

test_process_order_lists_every_process_once_under_its_jurisdiction if {
	ordered := [id | some j in catalogue.jurisdiction_order; some id in catalogue.jurisdiction_info[j].process_order]
	count(ordered) == count(catalogue.processes)
	{id | some id in ordered} == object.keys(catalogue.processes)
	every j, info in catalogue.jurisdiction_info {
		every id in info.process_order {
			startswith(id, concat("", [j, "."]))
		}
	}
}

test_jurisdiction_order_lists_every_jurisdiction if {
	jurisdictions := {j | some j in catalogue.jurisdiction_order}
	jurisdictions == object.keys(catalogue.jurisdiction_info)
	jurisdictions == object.keys(catalogue.classes)
	jurisdictions == object.keys(catalogue.category_classes)
	jurisdictions == object.keys(catalogue.class_exceptions)
	jurisdictions == object.keys(catalogue.jurisdictions)
	{j | some _, j in catalogue.countries} == jurisdictions
}

test_category_order_lists_every_category if {
	{c | some c in catalogue.category_order} == object.keys(catalogue.categories)
	count(catalogue.category_order) == count(catalogue.categories)
}

test_categories_are_the_designs if {
	object.keys(catalogue.categories) == {"subscriber", "activity", "connection_log", "device", "contacts", "groups", "envelope", "content"}
}

test_only_content_is_undisclosable if {
	{c | some c, x in catalogue.categories; not x.disclosable} == {"content"}
}

test_no_process_compels_content if {
	every _, p in all_processes {
		not "content" in p.categories
	}
}

test_process_categories_are_known if {
	every _, p in all_processes {
		every c in p.categories {
			catalogue.categories[c]
		}
	}
}

test_prospective_processes_compel_only_prospective_data if {
	every _, p in all_processes {
		every c in p.categories {
			catalogue.categories[c].prospective_only == p.prospective
		}
	}
}

test_issuer_kinds_are_known if {
	every _, p in all_processes {
		count(p.issuer_kinds) > 0
		every k in p.issuer_kinds {
			catalogue.authority_kinds[k]
		}
	}
}

test_authority_kinds_are_the_designs if {
	object.keys(catalogue.authority_kinds) == {"court", "judge", "prosecutor", "grand_jury", "agency", "ocda", "designated_senior_officer"}
	{k | some k in catalogue.authority_kind_order} == object.keys(catalogue.authority_kinds)
}

test_target_types if {
	object.keys(catalogue.target_types) == {"phone", "username", "account_id", "email"}
}

test_every_process_has_a_citation_deadline_and_range if {
	every _, p in all_processes {
		p.citation != ""
		p.citation != ""
		p.name != ""
		p.short_name != ""
		p.deadline_hours > 0
		p.max_range_days > 0
		count(p.notes) > 0
	}
}

test_preservation_holds_and_discloses_nothing_itself if {
	every _, p in all_processes {
		holds := p.hold_days > 0
		p.preservation == holds
	}
}

test_every_category_has_a_class_in_every_jurisdiction if {
	every _, jd in catalogue.jurisdictions {
		object.keys(jd.category_classes) == object.keys(catalogue.categories)
		every _, k in jd.category_classes {
			jd.classes[k]
		}
		{k | some k in jd.class_order} == object.keys(jd.classes)
	}
}

test_requirements_name_known_classes_and_issuers if {
	every _, jd in catalogue.jurisdictions {
		every _, p in jd.processes {
			every r in p.requirements {
				count(r.classes) > 0
				every k in r.classes {
					jd.classes[k]
				}
				every k in r.issuer_kinds {
					k in p.issuer_kinds
				}
				r.code != ""
				r.text != ""
			}
		}
	}
}

test_class_exceptions_are_consistent if {
	every _, jd in catalogue.jurisdictions {
		every x in jd.class_exceptions {
			catalogue.categories[x.category]
			jd.classes[x.class]
			count(x.purposes) > 0
			count(x.fields) > 0
		}
	}
}

test_countries_are_iso_codes if {
	every cc, _ in catalogue.countries {
		regex.match(`^[A-Z]{2}$`, cc)
	}
	every _, jd in catalogue.jurisdictions {
		jd.country in {"US", "GB", "EU"}
	}
}

test_country_jurisdiction if {
	catalogue.country_jurisdiction("US") == "us"
	catalogue.country_jurisdiction("pr") == "us"
	catalogue.country_jurisdiction("GB") == "uk"
	catalogue.country_jurisdiction("DE") == "eu"
	catalogue.country_jurisdiction("IE") == "eu"
	not catalogue.country_jurisdiction("DK")
	not catalogue.country_jurisdiction("JP")
}

test_process_lookup if {
	catalogue.processes["eu.epoc"].name == "European Production Order (EPOC)"
	catalogue.jurisdiction_info.eu.law_name == "EU law"
	not catalogue.processes["eu.nope"]
	not catalogue.processes[""]
}

# Regulation (EU) 2023/1543, Article 3(10): identification data is a purpose
# the order states, not a guess from what else it asks for.
test_class_of_eu_identification_is_a_stated_purpose if {
	catalogue.class_of("eu", "connection_log", "identification") == "identification_data"
	catalogue.class_of("eu", "connection_log", "criminal_proceedings") == "traffic_data"
	catalogue.class_of("eu", "connection_log", "") == "traffic_data"
	catalogue.class_of("eu", "subscriber", "identification") == "subscriber_data"
	catalogue.class_of("us", "connection_log", "identification") == "basic_subscriber_information"
	catalogue.fields_of("eu", "connection_log", "identification") == ["account_id", "time", "ip", "port"]
	not catalogue.fields_of("eu", "connection_log", "criminal_proceedings")
	not catalogue.fields_of("eu", "subscriber", "identification")
}

test_content_refusal_text_is_exact if {
	catalogue.content_refusal == {
		"code": "content_e2ee",
		"text": "Message content is end-to-end encrypted; the provider holds no key and stores no content, so it cannot be produced under any legal process.",
	}
}

test_cross_border_guidance_names_mlat_and_cloud_act if {
	contains(catalogue.cross_border_guidance, "MLAT")
	contains(catalogue.cross_border_guidance, "CLOUD Act")
}

test_public_catalogue_shape if {
	c := catalogue.public
	[x.id | some x in c.categories] == catalogue.category_order
	[j.id | some j in c.jurisdictions] == ["us", "uk", "eu"]
	ids := {p.id | some j in c.jurisdictions; some p in j.processes}
	ids == process_ids
	some n in c.never_produced
	n.reason == catalogue.content_refusal.text
	count(c.authority_kinds) == 7
	count(c.target_types) == 4
}

test_public_process_entry if {
	some j in catalogue.public.jurisdictions
	j.id == "us"
	some p in j.processes
	p.id == "us.prtt"
	p.flags == {"prospective": true, "preservation": false, "emergency": false, "voluntary": false, "national_security": false}
	p.max_range_days == 60
	p.country == "US"
	count(p.category_classes) == 8
	some cc in p.category_classes
	cc.category == "envelope"
	cc.class == "dialing_routing"
}

test_public_class_exceptions if {
	some j in catalogue.public.jurisdictions
	j.id == "eu"
	some p in j.processes
	some cc in p.category_classes
	cc.category == "connection_log"
	count(cc.exceptions) == 1
	some k in j.classes
	k.id == "traffic_data"
	"connection_log" in k.categories
}

# 50 U.S.C. § 1874 bands national-security process only. A UK
# authorisation is national-security only for that purpose (s. 60A(7)(a)).
test_national_security_processes_flagged if {
	catalogue.national_security_processes == {"us.nsl", "us.fisa_br", "us.fisa_prtt"}
	some j in catalogue.public.jurisdictions
	j.id == "uk"
	some p in j.processes
	p.id == "uk.ipa"
	not p.flags.national_security
	p.national_security_purposes == ["national_security"]
}

test_transparency_rules_published if {
	r := catalogue.public.transparency
	r.period_months == 6
	r.threshold > 1
	r.band_width > 0
	count(r.barred) > 0
}
