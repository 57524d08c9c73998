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
		"text": "The provider may be required not to disclose the request. Requirements of more than one year are flagged for counsel.",
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

processes["uk.ipa"] := {
	"short_name": "an IPA communications data authorisation",
	"name": "Communications data authorisation (Investigatory Powers Act 2016, Part 3)",
	"citation": "Investigatory Powers Act 2016, ss. 60A, 61 and 61A",
	"issuer_kinds": ["ocda", "designated_senior_officer"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 24,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [{
		"classes": ["events_data"],
		"issuer_kinds": [],
		"min_max_penalty_years": 0,
		"serious_crime": true,
		"code": "serious_crime_required",
		"citation": "Investigatory Powers Act 2016, ss. 60A(7)–(8) and 86(2A)",
		"text": "Events data may be obtained to prevent or detect crime only where the crime is a serious crime (Investigatory Powers Act 2016, ss. 60A(7)–(8) and 86(2A)); the request does not state that the offence is a serious crime.",
	}],
	"applies_from": "",
	"notes": [
		"Entity data (subscriber, device) for any applicable crime; events data (activity, connection log, groups, contacts) only where the request states a serious crime.",
		"Authorised by the Office for Communications Data Authorisations, or in urgent cases by a designated senior officer.",
	],
}

processes["uk.opo"] := {
	"short_name": "an Overseas Production Order",
	"name": "Overseas Production Order",
	"citation": "Crime (Overseas Production Orders) Act 2019, s. 1; UK–US Data Access Agreement, Article 4",
	"issuer_kinds": ["judge", "court"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 168,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [{
		"classes": ["entity_data", "events_data"],
		"issuer_kinds": [],
		"min_max_penalty_years": 3,
		"serious_crime": false,
		"code": "offence_threshold",
		"citation": "UK–US Data Access Agreement, Article 1 (definition of Serious Crime) and Article 4",
		"text": "Orders under the UK–US Data Access Agreement are limited to serious crime: offences punishable by a maximum term of imprisonment of at least three years (Article 1); the request does not state such an offence.",
	}],
	"applies_from": "",
	"notes": [
		"Made by a judge for an indictable offence or a terrorist investigation, and served on the provider in the United States under the UK–US Data Access Agreement.",
		"Produce within seven days of service unless the order sets another period (2019 Act, s. 5).",
	],
}
