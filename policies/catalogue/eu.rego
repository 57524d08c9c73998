# European Union: European Production and Preservation Orders under Regulation
# (EU) 2023/1543 (e-evidence), served on the provider's legal representative
# in the Union. Denmark does not take part in the Regulation.
package catalogue

jurisdiction_info["eu"] := {
	"country": "EU",
	"name": "European Union",
	"law_name": "EU law",
	"law": "Regulation (EU) 2023/1543 on European Production Orders and European Preservation Orders for electronic evidence in criminal proceedings (applies from 18 August 2026)",
	"class_order": ["subscriber_data", "identification_data", "traffic_data", "content_data"],
	"process_order": ["eu.epoc", "eu.epoc_pr"],
	"nondisclosure": {
		"citation": "Regulation (EU) 2023/1543, Article 13",
		"flag_after_days": 365,
		"binding_issuer_kinds": [],
		"text": "The issuing authority informs the person whose data is sought, and may delay, restrict or omit that information; the provider does not inform the person itself. Restrictions of more than one year are flagged for counsel.",
	},
}

# The Member State where the provider's legal representative in the Union
# is: its competent authority is the enforcing authority notified under
# Article 8, and an authority of that State uses its own national law, not a
# European order (Article 1(1): the provider must be established or
# represented in another Member State).
eu_legal_representative := {
	"country": "IE",
	"state": "Ireland",
}

classes["eu"] := {
	"subscriber_data": {
		"name": "Subscriber data",
		"citation": "Regulation (EU) 2023/1543, Article 3(9)",
	},
	"identification_data": {
		"name": "Data requested for the sole purpose of identifying the user",
		"citation": "Regulation (EU) 2023/1543, Article 3(10)",
	},
	"traffic_data": {
		"name": "Traffic data",
		"citation": "Regulation (EU) 2023/1543, Article 3(11)",
	},
	"content_data": {
		"name": "Content data",
		"citation": "Regulation (EU) 2023/1543, Article 3(12)",
	},
}

# Device data is treated as traffic data: it could be argued to be technical
# subscriber data (Article 3(9)(b)), but the stricter class protects users
# and costs a court order, not the request.
category_classes["eu"] := {
	"subscriber": "subscriber_data",
	"connection_log": "traffic_data",
	"activity": "traffic_data",
	"device": "traffic_data",
	"groups": "traffic_data",
	"contacts": "traffic_data",
	"envelope": "traffic_data",
	"content": "content_data",
}

# IP addresses with their source ports and times are identification data
# when the order states that its sole purpose is to identify the user
# (Article 3(10)): a stated purpose of the order, never inferred from what
# else it asks for. Only those fields are then released, each with the id of
# the account it belongs to: the order names the account, so its id adds
# nothing, and without it records of several accounts could not be told apart.
class_exceptions["eu"] := [{
	"category": "connection_log",
	"class": "identification_data",
	"purposes": ["identification"],
	"fields": ["account_id", "time", "ip", "port"],
	"text": "Identification data when the order states that it seeks the data solely to identify the user: then only the IP address, source port and time of each connection are produced, with the account they belong to (Article 3(10)). Otherwise traffic data.",
}]

eu_epoc_purposes := [
	{"id": "criminal_proceedings", "name": "Evidence in criminal proceedings for a criminal offence", "citation": "Regulation (EU) 2023/1543, Article 5(3)–(4)"},
	{"id": "identification", "name": "Solely to identify the user: IP address, source port and time (no other traffic data)", "citation": "Regulation (EU) 2023/1543, Articles 3(10) and 5(3)", "classes": ["subscriber_data", "identification_data"], "limit": "An order made solely to identify the user reaches only subscriber data and the IP address, source port and time of each connection (Regulation (EU) 2023/1543, Article 3(10)); ask for other traffic data in an order made for criminal proceedings."},
	{"id": "sentence_execution", "name": "To execute a custodial sentence or detention order of at least four months, from which the person absconded", "citation": "Regulation (EU) 2023/1543, Article 5(3) and 5(4)(d)"},
]

# The offences of Article 5(4)(b)–(c) for which traffic data may be ordered
# whatever the penalty.
eu_listed_offences := [
	{"id": "non_cash_payment_fraud", "name": "Fraud and counterfeiting of non-cash means of payment (Directive (EU) 2019/713, Articles 3 to 8), committed wholly or partly by means of an information system", "citation": "Regulation (EU) 2023/1543, Article 5(4)(b)(i)"},
	{"id": "child_sexual_abuse", "name": "Sexual abuse and sexual exploitation of children, and child sexual abuse material (Directive 2011/93/EU, Articles 3 to 7), committed wholly or partly by means of an information system", "citation": "Regulation (EU) 2023/1543, Article 5(4)(b)(ii)"},
	{"id": "attacks_on_information_systems", "name": "Attacks against information systems (Directive 2013/40/EU, Articles 3 to 8), committed wholly or partly by means of an information system", "citation": "Regulation (EU) 2023/1543, Article 5(4)(b)(iii)"},
	{"id": "terrorism", "name": "Terrorist offences (Directive (EU) 2017/541, Articles 3 to 12 and 14)", "citation": "Regulation (EU) 2023/1543, Article 5(4)(c)"},
]

# The grounds on which a notified enforcing authority may refuse an order
# (Article 12(1)): the reviewer's checklist.
eu_refusal_grounds := [
	{"id": "immunity_or_press_freedom", "name": "The data is protected by immunities or privileges, or by rules on freedom of the press and of expression, in the enforcing State", "citation": "Regulation (EU) 2023/1543, Article 12(1)(a)"},
	{"id": "fundamental_rights", "name": "In exceptional situations, substantial grounds to believe that executing the order would manifestly breach a fundamental right (Article 6 TEU and the Charter)", "citation": "Regulation (EU) 2023/1543, Article 12(1)(b)"},
	{"id": "ne_bis_in_idem", "name": "Executing the order would be contrary to the principle of ne bis in idem", "citation": "Regulation (EU) 2023/1543, Article 12(1)(c)"},
	{"id": "dual_criminality", "name": "The conduct is not an offence under the law of the enforcing State, unless it is an Annex IV offence punishable in the issuing State by at least three years", "citation": "Regulation (EU) 2023/1543, Article 12(1)(d)"},
]

processes["eu.epoc"] := {
	"short_name": "a European Production Order",
	"name": "European Production Order (EPOC)",
	"citation": "Regulation (EU) 2023/1543, Articles 4, 5 and 10",
	"issuer_kinds": ["judge", "court", "prosecutor"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 8,
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
	"requirements": [
		{
			"classes": ["traffic_data"],
			"issuer_kinds": ["judge", "court"],
			"min_max_penalty_months": 0,
			"min_sentence_months": 0,
			"grounds_suffice": false,
			"purposes": [],
			"code": "issuer_not_competent",
			"citation": "Regulation (EU) 2023/1543, Article 4(2)",
			"text": "A European Production Order for traffic data must be issued, or validated, by a judge, a court or an investigating judge (Regulation (EU) 2023/1543, Article 4(2)); a prosecutor may order only subscriber data and data requested solely to identify the user.",
		},
		{
			"classes": ["traffic_data"],
			"issuer_kinds": [],
			"min_max_penalty_months": 36,
			"min_sentence_months": 0,
			"grounds_suffice": true,
			"purposes": ["criminal_proceedings", "sentence_execution"],
			"code": "offence_threshold",
			"citation": "Regulation (EU) 2023/1543, Article 5(4)(a)–(c)",
			"text": "A European Production Order for traffic data may be issued only for offences punishable in the issuing State by a custodial sentence of a maximum of at least three years, or for the offences listed in Article 5(4)(b)–(c) (Regulation (EU) 2023/1543, Article 5(4)).",
		},
		{
			"classes": ["subscriber_data", "identification_data", "traffic_data"],
			"issuer_kinds": [],
			"min_max_penalty_months": 0,
			"min_sentence_months": 4,
			"grounds_suffice": false,
			"purposes": ["sentence_execution"],
			"code": "sentence_threshold",
			"citation": "Regulation (EU) 2023/1543, Article 5(3) and 5(4)(d)",
			"text": "To execute a sentence, a European Production Order may be issued only for a custodial sentence or detention order of at least four months, imposed by a decision not rendered in absentia, where the person absconded (Regulation (EU) 2023/1543, Article 5(3) and 5(4)(d)).",
		},
	],
	"purposes": eu_epoc_purposes,
	"offence_grounds": eu_listed_offences,
	"validity": [],
	"serve_within": null,
	"urgent_only": null,
	"window_from_issue": null,
	"national_security_purposes": [],
	"excepted": null,
	"notification": {
		"citation": "Regulation (EU) 2023/1543, Articles 8, 10 and 12",
		"classes": ["traffic_data"],
		"enforcing_state": eu_legal_representative.state,
		"hold_hours": 240,
		"emergency_objection_hours": 96,
		"refusal_grounds": eu_refusal_grounds,
	},
	"user_notice": {
		"rule": "never",
		"gag": false,
		"code": "eu_art13_issuing_authority_informs",
		"citation": "Regulation (EU) 2023/1543, Article 13",
		"text": "The issuing authority informs the person whose data is sought, and may delay, restrict or omit that information (Regulation (EU) 2023/1543, Article 13(1)–(2)); the provider does not inform the person itself.",
	},
	"applies_from": "2026-08-18",
	"notes": [
		"Subscriber data and data requested solely to identify the user: a judge, a court or a prosecutor, for any criminal offence (Articles 4(1) and 5(3)). Only the IP address, source port and time are produced for identification.",
		"Traffic data: a judge or a court, for offences punishable by at least three years or listed in Article 5(4)(b)–(c) (Articles 4(2) and 5(4)).",
		"Where the person whose data is sought does not reside in the issuing State, or the offence was not committed there, the enforcing authority is notified of an order for traffic data (Article 8): the data is produced at the end of 10 days unless that authority confirms earlier that it raises no ground for refusal (Article 10(2)); in an emergency it has 96 hours to object (Articles 10(4) and 12).",
		"Produce within 10 days, or within 8 hours in an emergency (Article 10).",
	],
}

processes["eu.epoc_pr"] := {
	"short_name": "a European Preservation Order",
	"name": "European Preservation Order (EPOC-PR)",
	"citation": "Regulation (EU) 2023/1543, Articles 4(3), 6 and 11",
	"issuer_kinds": ["judge", "court", "prosecutor"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 24,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": true,
	"emergency": false,
	"voluntary": false,
	"national_security": false,
	"hold_days": 60,
	"hold_until_produced": true,
	"extension_days": 30,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"purposes": [],
	"offence_grounds": [],
	"validity": [],
	"serve_within": null,
	"urgent_only": null,
	"window_from_issue": null,
	"national_security_purposes": [],
	"excepted": null,
	"notification": null,
	"user_notice": {
		"rule": "never",
		"gag": false,
		"code": "eu_art13_issuing_authority_informs",
		"citation": "Regulation (EU) 2023/1543, Article 13",
		"text": "Nothing is disclosed under a preservation order, and the issuing authority, not the provider, informs the person whose data is sought (Regulation (EU) 2023/1543, Article 13).",
	},
	"applies_from": "2026-08-18",
	"notes": [
		"May be issued for all criminal offences by a judge, a court or a prosecutor (Articles 4(3) and 6).",
		"Data is preserved for 60 days, extended once by 30 days where the issuing authority needs the time to issue a production request (Article 11(1)). Once it confirms that the production request has been issued, the data is kept until it is produced (Article 11(1)). Nothing is disclosed under the preservation order itself.",
	],
}
