# United States: Legal process under the Stored Communications Act (18 U.S.C.
# §§ 2701–2713) and the Pen Register Act (18 U.S.C. §§ 3121–3127). The
# provider is established in the United States, so this is its domestic law.
package catalogue

jurisdiction_info["us"] := {
	"country": "US",
	"name": "United States",
	"law_name": "U.S. law",
	"law": "Stored Communications Act, 18 U.S.C. §§ 2701–2713; Pen Register and Trap and Trace Devices, 18 U.S.C. §§ 3121–3127",
	"class_order": ["basic_subscriber_information", "other_records", "dialing_routing", "contents"],
	"process_order": [
		"us.subpoena",
		"us.2703d",
		"us.warrant",
		"us.prtt",
		"us.preservation",
		"us.emergency",
	],
	"nondisclosure": {
		"citation": "18 U.S.C. § 2705(b)",
		"flag_after_days": 365,
		"text": "A court may order the provider not to notify anyone of the request. Orders of more than one year are flagged for counsel (U.S. Department of Justice policy of 19 October 2017 limits them to one year in most cases).",
	},
}

classes["us"] := {
	"basic_subscriber_information": {
		"name": "Basic subscriber information",
		"citation": "18 U.S.C. § 2703(c)(2): name, address, session times and durations, length and type of service, subscriber number or identity including temporarily assigned network addresses, means of payment",
	},
	"other_records": {
		"name": "Other records or information pertaining to a subscriber",
		"citation": "18 U.S.C. § 2703(c)(1)",
	},
	"dialing_routing": {
		"name": "Dialing, routing, addressing and signaling information",
		"citation": "18 U.S.C. § 3127(3)–(4)",
	},
	"contents": {
		"name": "Contents of communications",
		"citation": "18 U.S.C. § 2510(8)",
	},
}

# Our categories onto the classes of U.S. law. Activity (service start date,
# last connection) is "length of service" and "records of session times";
# the connection log is session times and temporarily assigned network
# addresses: both are basic subscriber information, as the subscriber is.
category_classes["us"] := {
	"subscriber": "basic_subscriber_information",
	"activity": "basic_subscriber_information",
	"connection_log": "basic_subscriber_information",
	"device": "other_records",
	"contacts": "other_records",
	"groups": "other_records",
	"envelope": "dialing_routing",
	"content": "contents",
}

class_exceptions["us"] := []

processes["us.subpoena"] := {
	"short_name": "a subpoena",
	"name": "Subpoena (grand jury, trial or administrative)",
	"citation": "18 U.S.C. § 2703(c)(2)",
	"issuer_kinds": ["grand_jury", "prosecutor", "agency", "court"],
	"categories": ["subscriber", "activity", "connection_log"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "",
	"notes": ["A subpoena compels basic subscriber information only. Device, contacts and groups need a 2703(d) order or a search warrant."],
}

processes["us.2703d"] := {
	"short_name": "a 2703(d) order",
	"name": "Court order under 18 U.S.C. § 2703(d)",
	"citation": "18 U.S.C. § 2703(c)(1)(B) and (d)",
	"issuer_kinds": ["court", "judge"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "",
	"notes": ["Issued on specific and articulable facts showing reasonable grounds to believe the records are relevant and material to an ongoing criminal investigation."],
}

processes["us.warrant"] := {
	"short_name": "a search warrant",
	"name": "Search warrant",
	"citation": "18 U.S.C. § 2703(c)(1)(A); Federal Rule of Criminal Procedure 41 or an equivalent State warrant procedure",
	"issuer_kinds": ["court", "judge"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 240,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "",
	"notes": [
		"A warrant reaches every retained category. It cannot reach content: no content is stored in a form the provider can read.",
		"Envelope data is not retained, so a warrant for stored records cannot reach it; it is collected only under a pen register order.",
	],
}

processes["us.prtt"] := {
	"short_name": "a pen register / trap and trace order",
	"name": "Pen register / trap and trace order",
	"citation": "18 U.S.C. § 3123",
	"issuer_kinds": ["court", "judge"],
	"categories": ["envelope"],
	"max_range_days": 60,
	"deadline_hours": 24,
	"emergency_deadline_hours": 0,
	"prospective": true,
	"preservation": false,
	"emergency": false,
	"voluntary": false,
	"hold_days": 0,
	"extension_days": 60,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "",
	"notes": [
		"Prospective only: routing metadata of messages sent or received after the order, for at most 60 days (§ 3123(c)(1)).",
		"Extensions of up to 60 days each need a new order (§ 3123(c)(2)).",
	],
}

processes["us.preservation"] := {
	"short_name": "a preservation request",
	"name": "Preservation request",
	"citation": "18 U.S.C. § 2703(f)",
	"issuer_kinds": ["agency", "prosecutor", "court", "judge", "grand_jury"],
	"categories": ["subscriber", "activity", "connection_log", "device", "contacts", "groups"],
	"max_range_days": 365,
	"deadline_hours": 24,
	"emergency_deadline_hours": 0,
	"prospective": false,
	"preservation": true,
	"emergency": false,
	"voluntary": false,
	"hold_days": 90,
	"extension_days": 90,
	"cosign_required": false,
	"follow_up_days": 0,
	"requirements": [],
	"applies_from": "",
	"notes": ["Records that exist when the request arrives are kept for 90 days, and for 90 more on a renewed request. Nothing is disclosed until legal process is served."],
}

processes["us.emergency"] := {
	"short_name": "an emergency disclosure request",
	"name": "Emergency disclosure request",
	"citation": "18 U.S.C. § 2702(c)(4)",
	"issuer_kinds": ["agency"],
	"categories": ["subscriber", "activity", "connection_log"],
	"max_range_days": 30,
	"deadline_hours": 4,
	"emergency_deadline_hours": 4,
	"prospective": false,
	"preservation": false,
	"emergency": true,
	"voluntary": true,
	"hold_days": 0,
	"extension_days": 0,
	"cosign_required": true,
	"follow_up_days": 30,
	"requirements": [],
	"applies_from": "",
	"notes": [
		"Voluntary disclosure where the provider believes in good faith that an emergency involving danger of death or serious physical injury requires it without delay.",
		"A supervisor of the requesting agency must co-sign, and legal process for the same data is due within 30 days.",
	],
}
