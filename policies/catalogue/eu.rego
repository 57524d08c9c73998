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
		"text": "The issuing authority informs the person whose data is sought, and may delay, restrict or omit that information; the provider informs the person only where the issuing authority asks it to. Restrictions of more than one year are flagged for counsel.",
	},
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

# IP addresses with their ports and times, asked for on their own or with
# subscriber data only, serve solely to identify the user (Article 3(10)).
class_exceptions["eu"] := [{
	"category": "connection_log",
	"class": "identification_data",
	"when_only": ["subscriber", "connection_log"],
	"text": "Identification data when the request asks only for subscriber data and the connection log; otherwise traffic data.",
}]

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
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [
		{
			"classes": ["traffic_data"],
			"issuer_kinds": ["judge", "court"],
			"min_max_penalty_years": 0,
			"serious_crime": false,
			"code": "issuer_not_competent",
			"citation": "Regulation (EU) 2023/1543, Article 4(2)",
			"text": "A European Production Order for traffic data must be issued, or validated, by a judge, a court or an investigating judge (Regulation (EU) 2023/1543, Article 4(2)); a prosecutor may order only subscriber data and data requested solely to identify the user.",
		},
		{
			"classes": ["traffic_data"],
			"issuer_kinds": [],
			"min_max_penalty_years": 3,
			"serious_crime": false,
			"code": "offence_threshold",
			"citation": "Regulation (EU) 2023/1543, Article 5(4)",
			"text": "A European Production Order for traffic data may be issued only for offences punishable by a custodial sentence of a maximum of at least three years, or for the offences listed in Article 5(4)(b)–(c) (Regulation (EU) 2023/1543, Article 5(4)); the request does not state such a penalty.",
		},
	],
	"applies_from": "2026-08-18",
	"notes": [
		"Subscriber data and data requested solely to identify the user: a judge, a court or a prosecutor, for any criminal offence (Articles 4(1) and 5(3)).",
		"Traffic data: a judge or a court, for offences punishable by at least three years (Articles 4(2) and 5(4)).",
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
	"hold_days": 60,
	"extension_days": 30,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "2026-08-18",
	"notes": [
		"May be issued for all criminal offences by a judge, a court or a prosecutor (Articles 4(3) and 6).",
		"Data is preserved for 60 days, extended by 30 days where the issuing authority confirms a production request will follow (Article 11). Nothing is disclosed.",
	],
}
