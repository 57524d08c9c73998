# METADATA
# title: Catalogue
# description: |
#   What the provider retains, for how long, and which legal process of which
#   jurisdiction can compel which of it. Each jurisdiction has its own file
#   (us.rego, uk.rego, eu.rego) adding, by id, to jurisdiction_info, classes,
#   category_classes, class_exceptions and processes. This file holds what is
#   common and publishes the law-enforcement guide (rule "public").
#
#   Everything here is a constant looked up by key: decisions read only the
#   entries they need, never a document assembled on the fly.
package catalogue

# The provider is established in the United States: U.S. process is domestic,
# everything else arrives under an international instrument.
provider := {
	"name": "the provider",
	"home_jurisdiction": "us",
	"eu_legal_representative": eu_legal_representative,
}

# Content is refused by construction, whatever the process: the service is
# end-to-end encrypted, the provider holds no key, and no content column exists.
content_refusal := {
	"code": "content_e2ee",
	"text": "Message content is end-to-end encrypted; the provider holds no key and stores no content, so it cannot be produced under any legal process.",
}

# The order in which categories are listed everywhere.
category_order := [
	"subscriber",
	"activity",
	"connection_log",
	"device",
	"contacts",
	"groups",
	"envelope",
	"content",
]

# The data categories, with the provider's retention policy.
#
# time_bound: records carry a date, so a request's date range selects them and
# retention cuts them off; the others are a current state (as of today).
# prospective_only: never stored; collected only while a live order runs.
categories := {
	"subscriber": {
		"name": "Subscriber information",
		"description": "Account id, phone number (E.164), username, email if given, profile name, registration time, account status.",
		"retention_days": 90,
		"retention": "Kept while the account exists and for 90 days after it is deleted.",
		"time_bound": false,
		"prospective_only": false,
		"disclosable": true,
	},
	"activity": {
		"name": "Account activity",
		"description": "Service start date and the last-seen / last-connection time: the minimum the service keeps.",
		"retention_days": 90,
		"retention": "Only the latest value is kept, while the account exists and for 90 days after it is deleted.",
		"time_bound": false,
		"prospective_only": false,
		"disclosable": true,
	},
	"connection_log": {
		"name": "Connection log",
		"description": "Connection events: time, IP address, port and event (session times and temporarily assigned network addresses).",
		"retention_days": 90,
		"retention": "Kept for 90 days, then deleted.",
		"time_bound": true,
		"prospective_only": false,
		"disclosable": true,
	},
	"device": {
		"name": "Device information",
		"description": "Device model, operating system, app version, first and last seen.",
		"retention_days": 180,
		"retention": "Kept until 180 days after the device was last seen.",
		"time_bound": true,
		"prospective_only": false,
		"disclosable": true,
	},
	"contacts": {
		"name": "Contacts",
		"description": "Address book entries and blocked contacts, identifiers only (no names).",
		"retention_days": 30,
		"retention": "The current list only; removed entries are purged after 30 days.",
		"time_bound": false,
		"prospective_only": false,
		"disclosable": true,
	},
	"groups": {
		"name": "Group memberships",
		"description": "Group id, date joined, role and member count. Never group names, avatars or messages, which are encrypted.",
		"retention_days": 180,
		"retention": "Current memberships, and past ones for 180 days after leaving.",
		"time_bound": true,
		"prospective_only": false,
		"disclosable": true,
	},
	"envelope": {
		"name": "Message envelope (routing metadata)",
		"description": "Sender, recipient, time, type and size of messages: routing metadata only.",
		"retention_days": 0,
		"retention": "Not retained. Collected only prospectively, while a live pen-register-type order runs.",
		"time_bound": false,
		"prospective_only": true,
		"disclosable": true,
	},
	"content": {
		"name": "Message and call content",
		"description": "Messages, calls, media and attachments.",
		"retention_days": 0,
		"retention": "Never stored in readable form: end-to-end encrypted, and the provider holds no key.",
		"time_bound": false,
		"prospective_only": false,
		"disclosable": false,
	},
}

# What can never be produced, whatever the process, and why.
never_produced := [
	{
		"what": "Message content: text, voice and video calls, media, attachments, stickers",
		"reason": content_refusal.text,
	},
	{
		"what": "Encryption keys, or a way to decrypt past or future messages",
		"reason": "Keys are created and kept on users' devices; the provider never holds them and cannot be compelled to hold them by this portal.",
	},
	{
		"what": "Group names, group avatars and profile photos",
		"reason": "They are end-to-end encrypted like messages; the provider stores only ciphertext it cannot read.",
	},
	{
		"what": "Records older than the retention periods above",
		"reason": "They have been deleted; a preservation order keeps only what exists when it is received.",
	},
]

# Who issues legal process (the request's issuing_authority.kind).
authority_kinds := {
	"court": "A court",
	"judge": "A judge or magistrate",
	"prosecutor": "A prosecutor",
	"grand_jury": "A grand jury (U.S.)",
	"agency": "The law-enforcement agency itself, without a court",
	"ocda": "The Office for Communications Data Authorisations (UK)",
	"designated_senior_officer": "A designated senior officer of the agency (UK)",
}

authority_kind_order := ["court", "judge", "prosecutor", "grand_jury", "agency", "ocda", "designated_senior_officer"]

# The kinds of identifier a request may name.
target_types := {
	"phone": "Phone number (E.164)",
	"username": "Username",
	"account_id": "Account id",
	"email": "Email address",
}

jurisdiction_order := ["us", "uk", "eu"]

# Whose agencies may use which jurisdiction's processes, by ISO 3166-1
# alpha-2 country code.
countries := {
	# United States: federal law binds agencies of the states and the
	# territories alike.
	"US": "us",
	"PR": "us",
	"GU": "us",
	"VI": "us",
	"AS": "us",
	"MP": "us",
	# United Kingdom.
	"GB": "uk",
	# European Union: every Member State bound by Regulation (EU) 2023/1543,
	# all but Denmark, which does not take part (Protocol No 22 to the
	# Treaties).
	"AT": "eu",
	"BE": "eu",
	"BG": "eu",
	"CY": "eu",
	"CZ": "eu",
	"DE": "eu",
	"EE": "eu",
	"ES": "eu",
	"FI": "eu",
	"FR": "eu",
	"GR": "eu",
	"HR": "eu",
	"HU": "eu",
	"IE": "eu",
	"IT": "eu",
	"LT": "eu",
	"LU": "eu",
	"LV": "eu",
	"MT": "eu",
	"NL": "eu",
	"PL": "eu",
	"PT": "eu",
	"RO": "eu",
	"SE": "eu",
	"SI": "eu",
	"SK": "eu",
}

# The jurisdictions, whole, for the guide and the tests. Decisions read the
# parts they need by key instead.
jurisdictions[j] := object.union(jurisdiction_info[j], {
	"countries": sort([cc | some cc, x in countries; x == j]),
	"classes": classes[j],
	"category_classes": category_classes[j],
	"class_exceptions": class_exceptions[j],
	"processes": {id: processes[id] | some id in jurisdiction_info[j].process_order},
}) if {
	some j in jurisdiction_order
}

# Guidance given when an agency uses another country's process.
cross_border_guidance := "Otherwise ask for the data through mutual legal assistance (MLAT) via the U.S. Department of Justice Office of International Affairs or, where one is in force between your country and the United States, under an executive agreement made under the CLOUD Act (18 U.S.C. § 2523), such as the UK–US Data Access Agreement."

# country_jurisdiction(cc) is the jurisdiction whose processes an agency of
# country cc may use; undefined when none here.
country_jurisdiction(cc) := countries[upper(cc)]

# class_of(j, c, purpose) is the jurisdiction's own class for category c
# under an order stating purpose (some classes depend on it, e.g. EU
# identification data). The id of a process starts with its jurisdiction's.
class_of(j, c, purpose) := x.class if {
	some x in class_exceptions[j]
	x.category == c
	purpose in x.purposes
} else := category_classes[j][c]

# fields_of(j, c, purpose) are the only fields category c releases under an
# order stating purpose; undefined when it releases all of them.
fields_of(j, c, purpose) := x.fields if {
	some x in class_exceptions[j]
	x.category == c
	purpose in x.purposes
}

# The law-enforcement guide: the whole catalogue, ordered, for
# GET /api/v1/catalogue and the /guide page.
public := {
	"provider": provider,
	"categories": [object.union(categories[id], {"id": id}) | some id in category_order],
	"authority_kinds": [{"id": id, "name": authority_kinds[id]} | some id in authority_kind_order],
	"target_types": [{"id": id, "name": target_types[id]} | some id in ["phone", "username", "account_id", "email"]],
	"jurisdictions": [public_jurisdiction(j) | some j in jurisdiction_order],
	"never_produced": never_produced,
	"cross_border_guidance": cross_border_guidance,
	"transparency": transparency,
}

public_jurisdiction(j) := {
	"id": j,
	"name": jd.name,
	"law_name": jd.law_name,
	"law": jd.law,
	"countries": jd.countries,
	"classes": [public_class(jd, k) | some k in jd.class_order],
	"nondisclosure": jd.nondisclosure,
	"processes": [public_process(jd, j, id) | some id in jd.process_order],
} if {
	jd := jurisdictions[j]
}

public_class(jd, k) := {
	"id": k,
	"name": jd.classes[k].name,
	"citation": jd.classes[k].citation,
	"categories": [c | some c in category_order; jd.category_classes[c] == k],
}

public_process(jd, j, id) := {
	"id": id,
	"jurisdiction": j,
	"name": p.name,
	"short_name": p.short_name,
	"citation": p.citation,
	"country": jd.country,
	"issuer_kinds": p.issuer_kinds,
	"categories": [c | some c in category_order; c in p.categories],
	"max_range_days": p.max_range_days,
	"deadline_hours": p.deadline_hours,
	"emergency_deadline_hours": p.emergency_deadline_hours,
	"flags": {
		"prospective": p.prospective,
		"preservation": p.preservation,
		"emergency": p.emergency,
		"voluntary": p.voluntary,
		"national_security": p.national_security,
	},
	"hold_days": p.hold_days,
	"hold_until_produced": p.hold_until_produced,
	"extension_days": p.extension_days,
	"cosign_required": p.cosign_required,
	"follow_up_days": p.follow_up_days,
	"category_classes": [public_category_class(jd, c) | some c in category_order],
	"requirements": p.requirements,
	"applies_from": p.applies_from,
	"notes": p.notes,
	"purposes": p.purposes,
	"offence_grounds": p.offence_grounds,
	"validity": p.validity,
	"serve_within": p.serve_within,
	"urgent_only": p.urgent_only,
	"window_from_issue": p.window_from_issue,
	"national_security_purposes": p.national_security_purposes,
	"excepted": p.excepted,
	"notification": p.notification,
	"user_notice": p.user_notice,
} if {
	p := jd.processes[id]
}

public_category_class(jd, c) := {
	"category": c,
	"class": k,
	"class_name": jd.classes[k].name,
	"exceptions": [x.text | some x in jd.class_exceptions; x.category == c],
} if {
	k := jd.category_classes[c]
}
