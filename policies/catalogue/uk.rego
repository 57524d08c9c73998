# United Kingdom: Communications data under Part 3 of the Investigatory Powers
# Act 2016, and Overseas Production Orders under the Crime (Overseas
# Production Orders) Act 2019, served under the UK–US Data Access Agreement.
package catalogue

jurisdiction_info["uk"] := {
	"country": "GB",
	"name": "United Kingdom",
	"law_name": "UK law",
	"law": "Investigatory Powers Act 2016, Part 3; Crime (Overseas Production Orders) Act 2019; UK–US Data Access Agreement (in force 3 October 2022)",
	"class_order": ["entity_data", "events_data", "content"],
	"process_order": ["uk.ipa", "uk.opo"],
	"nondisclosure": {
		"citation": "Investigatory Powers Act 2016, s. 82; Crime (Overseas Production Orders) Act 2019, s. 8",
		"flag_after_days": 365,
		"binding_issuer_kinds": [],
		"text": "Disclosing a communications data authorisation is an offence (Investigatory Powers Act 2016, s. 82), so its subject is never told; an Overseas Production Order may include a non-disclosure requirement (2019 Act, s. 8). Requirements of more than one year are flagged for counsel.",
	},
}

classes["uk"] := {
	"entity_data": {
		"name": "Entity data",
		"citation": "Investigatory Powers Act 2016, s. 261(3)",
	},
	"events_data": {
		"name": "Events data",
		"citation": "Investigatory Powers Act 2016, s. 261(4)",
	},
	"content": {
		"name": "Content of a communication",
		"citation": "Investigatory Powers Act 2016, s. 261(6)",
	},
}

# Entity data describes a person or a device and the links between them;
# events data describes something that happened (a connection, a membership,
# a message being routed).
category_classes["uk"] := {
	"subscriber": "entity_data",
	"device": "entity_data",
	"activity": "events_data",
	"connection_log": "events_data",
	"groups": "events_data",
	"contacts": "events_data",
	"envelope": "events_data",
	"content": "content",
}

class_exceptions["uk"] := []

# The purposes for which communications data may be authorised
# (s. 60A(7), as amended by the Data Retention and Acquisition Regulations
# 2018). Only the crime purpose limits events data to serious crime
# (s. 60A(8)).
uk_ipa_purposes := [
	{"id": "national_security", "name": "In the interests of national security", "citation": "Investigatory Powers Act 2016, s. 60A(7)(a)"},
	{"id": "crime", "name": "To prevent or detect crime, or to prevent disorder (events data: serious crime only)", "citation": "Investigatory Powers Act 2016, s. 60A(7)(b) and (8)"},
	{"id": "economic_wellbeing", "name": "In the interests of the economic well-being of the United Kingdom, so far as relevant to national security", "citation": "Investigatory Powers Act 2016, s. 60A(7)(c)"},
	{"id": "public_safety", "name": "In the interests of public safety", "citation": "Investigatory Powers Act 2016, s. 60A(7)(d)"},
	{"id": "threat_to_life", "name": "To prevent death or injury or damage to a person's health, or to mitigate it", "citation": "Investigatory Powers Act 2016, s. 60A(7)(e)"},
	{"id": "miscarriage_of_justice", "name": "To assist investigations into alleged miscarriages of justice", "citation": "Investigatory Powers Act 2016, s. 60A(7)(f)"},
	{"id": "identify_person", "name": "To identify a person who has died or cannot identify themselves, or to find their next of kin", "citation": "Investigatory Powers Act 2016, s. 60A(7)(g)"},
]

# What makes a crime "serious" for Part 3 besides a penalty of 12 months or
# more (s. 86(2A)(a)): the offence's nature (s. 86(2A)(b)), or the conduct
# of the general definition (s. 263(1)).
uk_ipa_grounds := [
	{"id": "violence", "name": "The conduct involves the use of violence", "citation": "Investigatory Powers Act 2016, s. 263(1)"},
	{"id": "financial_gain", "name": "The conduct results in substantial financial gain", "citation": "Investigatory Powers Act 2016, s. 263(1)"},
	{"id": "common_purpose", "name": "Conduct by a large number of persons in pursuit of a common purpose", "citation": "Investigatory Powers Act 2016, s. 263(1)"},
	{"id": "not_individual", "name": "An offence by a person who is not an individual (a body corporate)", "citation": "Investigatory Powers Act 2016, s. 86(2A)(b)(i)"},
	{"id": "communication", "name": "An offence that involves, as an integral part of it, the sending of a communication", "citation": "Investigatory Powers Act 2016, s. 86(2A)(b)(ii)"},
	{"id": "privacy", "name": "An offence that involves, as an integral part of it, a breach of a person's privacy", "citation": "Investigatory Powers Act 2016, s. 86(2A)(b)(ii)"},
]

processes["uk.ipa"] := {
	"short_name": "an IPA communications data authorisation",
	"name": "Communications data authorisation (Investigatory Powers Act 2016, Part 3)",
	"citation": "Investigatory Powers Act 2016, ss. 60A and 61A",
	"issuer_kinds": ["ocda", "designated_senior_officer"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 24,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"national_security": false,
	"hold_days": 0,
	"hold_until_produced": false,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [{
		"classes": ["events_data"],
		"issuer_kinds": [],
		"min_max_penalty_months": 12,
		"min_sentence_months": 0,
		"grounds_suffice": true,
		"purposes": ["crime"],
		"code": "serious_crime_required",
		"citation": "Investigatory Powers Act 2016, ss. 60A(8)(a) and 86(2A)",
		"text": "For the crime purpose, events data may be obtained only to prevent or detect serious crime (Investigatory Powers Act 2016, s. 60A(8)(a)): an offence for which an adult can be sentenced to 12 months' imprisonment or more, or one of the grounds of s. 86(2A)(b) (s. 86(2A)).",
	}],
	"purposes": uk_ipa_purposes,
	"offence_grounds": uk_ipa_grounds,
	"validity": [
		{"issuer_kinds": ["ocda"], "months": 1, "days": 0, "citation": "Investigatory Powers Act 2016, s. 65(1)"},
		{"issuer_kinds": ["designated_senior_officer"], "months": 0, "days": 3, "citation": "Investigatory Powers Act 2016, s. 65(3A)"},
	],
	"serve_within": null,
	"urgent_only": {"issuer_kinds": ["designated_senior_officer"], "citation": "Investigatory Powers Act 2016, s. 61A"},
	"window_from_issue": null,
	"national_security_purposes": ["national_security"],
	"excepted": null,
	"notification": null,
	"user_notice": {
		"rule": "never",
		"gag": true,
		"code": "ipa_s82",
		"citation": "Investigatory Powers Act 2016, s. 82",
		"text": "Disclosing the existence of a communications data authorisation without permission is an offence (Investigatory Powers Act 2016, s. 82): the account holder is never told.",
	},
	"applies_from": "",
	"notes": [
		"Entity data (subscriber, device) for any purpose of s. 60A(7); events data (activity, connection log, groups, contacts) for the crime purpose only where the crime is serious: 12 months' imprisonment or more, or a ground of s. 86(2A)(b). Other purposes, such as preventing death or injury, reach events data without it.",
		"Authorised by the Office for Communications Data Authorisations, lasting one month (s. 65(1)); or, only in an urgent case, by a designated senior officer of the agency, lasting three days (ss. 61A and 65(3A)).",
		"An authorisation whose purpose is national security is reported only in bands; one for crime is ordinary legal process and counted as such.",
	],
}

processes["uk.opo"] := {
	"short_name": "an Overseas Production Order",
	"name": "Overseas Production Order",
	"citation": "Crime (Overseas Production Orders) Act 2019, s. 1; UK–US Data Access Agreement, Article 4",
	"issuer_kinds": ["judge", "court"],
	"categories": [],
	"max_range_days": 365,
	"deadline_hours": 168,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"national_security": false,
	"hold_days": 0,
	"hold_until_produced": false,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"purposes": [],
	"offence_grounds": [],
	"validity": [],
	"serve_within": {"months": 3, "citation": "Crime (Overseas Production Orders) Act 2019, s. 9(1)"},
	"urgent_only": null,
	"window_from_issue": null,
	"national_security_purposes": [],
	"notification": null,
	"excepted": {
		"code": "excepted_electronic_data",
		"citation": "Crime (Overseas Production Orders) Act 2019, s. 3(4)–(4A); Investigatory Powers Act 2016, s. 261(10)",
		"text": "An Overseas Production Order made against a telecommunications operator, as this provider is (Investigatory Powers Act 2016, s. 261(10)), cannot reach communications data unless it is associated with other data the order may reach: such data is excepted electronic data (Crime (Overseas Production Orders) Act 2019, s. 3(4)–(4A)). The provider holds no content or other data it could be associated with, so the order reaches none of it. Ask for it under a communications data authorisation (Investigatory Powers Act 2016, Part 3: uk.ipa).",
	},
	"user_notice": {
		"rule": "allowed",
		"gag": false,
		"code": "notice_allowed",
		"citation": "Crime (Overseas Production Orders) Act 2019, s. 8",
		"text": "The provider may tell the account holder unless the order includes a non-disclosure requirement (Crime (Overseas Production Orders) Act 2019, s. 8).",
	},
	"applies_from": "",
	"notes": [
		"Communications data held by a telecommunications operator is excepted electronic data (2019 Act, s. 3(4)–(4A)): an Overseas Production Order reaches none of what this provider retains. Use a communications data authorisation (uk.ipa).",
		"An order not served within three months of being made is void (2019 Act, s. 9(1)).",
	],
}
