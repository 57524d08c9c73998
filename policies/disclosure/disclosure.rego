# METADATA
# title: Disclosure scope
# description: |
#   What a request may obtain: the intersection of what it asks for, what its
#   legal process can compel from this agency, and what the retention policy
#   still holds for its date range. Every category asked for is either
#   authorised or refused with a reason; the date range is clipped to retention
#   and to the process's longest range. The decision is data.disclosure.scope.
package disclosure

import data.catalogue
import input.request

# The decision. Undefined must never look like an authorisation, so the
# default authorises nothing, says the request cannot be filed, and never
# lets the account holder be told by mistake.
default scope := {
	"valid": false,
	"errors": [{
		"field": "",
		"code": "policy_error",
		"text": "The legal policy could not evaluate this request.",
	}],
	"categories": [],
	"refused": [],
	"date_from": "",
	"date_to": "",
	"warnings": [],
	"jurisdiction": "",
	"process_kind": "",
	"fields": {},
	"national_security": false,
	"notification": {
		"required": false,
		"citation": "",
		"text": "",
		"hold_hours": 0,
		"objection_hours": 0,
		"refusal_grounds": [],
	},
	"user_notice": {
		"allowed": false,
		"until": "",
		"indefinite": false,
		"gagged": false,
		"code": "undecided",
		"reason": "The legal policy has not decided whether the account holder may be told, so nobody is told.",
	},
}

scope := {
	"valid": count(errors) == 0,
	"errors": [e | some f in sort({x.field | some x in errors}); some e in errors; e.field == f],
	"categories": [c | some c in catalogue.category_order; c in authorised],
	"refused": [{"category": c, "code": r.code, "reason": r.text} |
		some c in catalogue.category_order
		r := refusals[c]
	],
	"date_from": window.from,
	"date_to": window.to,
	"warnings": [w | some w in warnings],
	"jurisdiction": jurisdiction_id,
	"process_kind": process_kind,
	"fields": fields,
	"national_security": national_security,
	"notification": notification,
	"user_notice": user_notice,
}

day_ns := 86400000000000

today_ns := time.parse_ns("2006-01-02", input.today)

# process is the catalogue entry of the request's process; undefined when
# the process is unknown.
process := catalogue.processes[request.process]

# A process id starts with its jurisdiction's.
jurisdiction_id := split(request.process, ".")[0] if process

default jurisdiction_id := ""

jurisdiction := catalogue.jurisdiction_info[jurisdiction_id]

agency_jurisdiction := catalogue.country_jurisdiction(input.agency.country)

# An agency may use only the processes of its own jurisdiction.
foreign if {
	process
	not agency_jurisdiction == jurisdiction_id
}

# The known categories the request asks for (unknown ones are errors).
requested contains c if {
	some c in request.categories
	catalogue.categories[c]
}

# Each refused category with its reason, computed once per decision.
refusals := {c: r | some c in requested; r := refusal(c)}

authorised := requested - {c | some c, _ in refusals}

# refusal(c) is why category c cannot be obtained, as {"code", "text"}, in
# order of precedence; undefined when it can. A process used outside its
# conditions (wrong issuer, no urgency, void or lapsed by age) refuses every
# category with the section it breaks, so nothing is released under it.
refusal(c) := catalogue.content_refusal if {
	not catalogue.categories[c].disclosable
} else := r if {
	not process
	r := {"code": "unknown_process", "text": "The legal process is unknown, so no data can be authorised."}
} else := foreign_refusal if {
	foreign
} else := eu_domestic_refusal if {
	eu_domestic
} else := issuer_refusal if {
	not request.authority_kind in process.issuer_kinds
} else := void_refusal if {
	void_by_age
} else := lapsed_refusal if {
	lapsed
} else := urgency_refusal if {
	urgency_missing
} else := not_compellable(c) if {
	not c in process.categories
} else := purpose_refusal(c) if {
	not category_class[c] in purpose_classes
} else := requirement_refusal(c, fails[0]) if {
	fails := [x | some x in process.requirements; requirement_fails(c, x)]
	count(fails) > 0
} else := r if {
	catalogue.categories[c].time_bound
	not process.prospective
	keep := catalogue.categories[c].retention_days
	to_ns < today_ns - (keep * day_ns)
	r := {
		"code": "outside_retention",
		"text": sprintf("%s is kept for %d days; nothing from the requested dates still exists.", [catalogue.categories[c].name, keep]),
	}
}

foreign_refusal := {
	"code": "foreign_process",
	"text": sprintf("%s is a process of %s; an agency in %s cannot use it. %s%s", [
		capitalise(named(request.process)),
		jurisdiction.law_name,
		upper(input.agency.country),
		own_process_hint,
		catalogue.cross_border_guidance,
	]),
}

own_process_hint := sprintf("Use a process of %s instead: %s. ", [own.law_name, concat(", ", names)]) if {
	own := catalogue.jurisdiction_info[agency_jurisdiction]
	names := [named(id) | some id in own.process_order]
}

default own_process_hint := ""

# A refusal names the processes of the same law that do compel the category
# (preservation and voluntary disclosure compel nothing). A process whose
# statute excepts what the provider holds says so instead.
not_compellable(c) := {"code": process.excepted.code, "text": process.excepted.text} if {
	process.excepted != null
} else := {"code": "not_compellable", "text": text} if {
	others := [named(id) |
		some id in jurisdiction.process_order
		p := catalogue.processes[id]
		c in p.categories
		not p.preservation
		not p.voluntary
		not p.national_security
	]
	text := compellable_text(c, others)
}

compellable_text(c, others) := sprintf("%s cannot be compelled by %s (%s); it needs %s.", [
	catalogue.categories[c].name,
	process.short_name,
	process.citation,
	concat(" or ", others),
]) if {
	count(others) > 0
} else := sprintf("%s cannot be compelled by %s (%s), and no process of %s in this catalogue reaches it.", [
	catalogue.categories[c].name,
	process.short_name,
	process.citation,
	jurisdiction.law_name,
])

# named(id) is how a sentence names a process: "a subpoena (us.subpoena)".
named(id) := sprintf("%s (%s)", [catalogue.processes[id].short_name, id])

capitalise(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

# The purpose the order states ("" for none).
purpose := object.get(request, "purpose", "")

# The jurisdiction's own class of each requested category, for this order.
category_class := {c: catalogue.class_of(jurisdiction_id, c, purpose) | some c in requested}

# The classes an order stating its purpose may reach: some purposes reach
# only some classes (EU identification: subscriber and identification
# data). Every class when the purpose says nothing of them.
purpose_classes := ks if {
	ks := {k | some x in process.purposes; x.id == purpose; some k in object.get(x, "classes", [])}
	count(ks) > 0
} else := object.keys(catalogue.classes[jurisdiction_id])

purpose_refusal(c) := {"code": "purpose_limited", "text": sprintf("%s is %s. %s", [
	catalogue.categories[c].name,
	lower(catalogue.classes[jurisdiction_id][category_class[c]].name),
	stated_purpose.limit,
])}

stated_purpose := x if {
	some x in process.purposes
	x.id == purpose
}

# The grounds the request states that its process knows.
stated_grounds := {g | some g in request.offence_grounds; some x in process.offence_grounds; x.id == g}

# A requirement of the process binds the categories of its classes, for the
# purposes it names (all when none): who must issue it, the least maximum
# penalty (unless a stated ground suffices), the least sentence executed.
applies(c, r) if {
	category_class[c] in r.classes
	purpose_applies(r)
}

purpose_applies(r) if count(r.purposes) == 0

purpose_applies(r) if purpose in r.purposes

requirement_fails(c, r) if {
	applies(c, r)
	count(r.issuer_kinds) > 0
	not request.authority_kind in r.issuer_kinds
}

requirement_fails(c, r) if {
	applies(c, r)
	r.min_max_penalty_months > 0
	not threshold_met(r)
}

requirement_fails(c, r) if {
	applies(c, r)
	r.min_sentence_months > 0
	not months_at_least(request.offence_sentence_months, r.min_sentence_months)
}

threshold_met(r) if months_at_least(request.offence_max_penalty_months, r.min_max_penalty_months)

threshold_met(r) if {
	r.grounds_suffice
	count(stated_grounds) > 0
}

months_at_least(m, n) if {
	is_number(m)
	m >= n
}

# A refused requirement says what the law asks and what the request stated.
requirement_refusal(_, r) := {"code": r.code, "text": concat(" ", [r.text, stated_facts(r)])}

stated_facts(r) := sprintf("The request states %s.", [stated_penalty]) if {
	r.min_max_penalty_months > 0
	not r.grounds_suffice
} else := sprintf("The request states %s and no ground listed for it.", [stated_penalty]) if {
	r.min_max_penalty_months > 0
} else := sprintf("The request states %s.", [stated_sentence]) if {
	r.min_sentence_months > 0
} else := sprintf("It was issued by %s.", [lower(object.get(catalogue.authority_kinds, request.authority_kind, "an unknown authority"))])

stated_penalty := sprintf("a maximum penalty of %s", [months_text(request.offence_max_penalty_months)]) if {
	is_number(request.offence_max_penalty_months)
} else := "no maximum penalty"

stated_sentence := sprintf("a sentence of %s", [months_text(request.offence_sentence_months)]) if {
	is_number(request.offence_sentence_months)
} else := "no sentence"

# months_text(m) says a number of months as a person would: "6 months",
# "3 years", "1 year and 6 months", "2.5 months".
months_text(m) := "1 month" if {
	m == 1
} else := sprintf("%d years", [m / 12]) if {
	m >= 24
	round(m) == m
	m % 12 == 0
} else := "1 year" if {
	m == 12
} else := sprintf("%v months", [m])

eu_domestic if {
	jurisdiction_id == "eu"
	upper(input.agency.country) == catalogue.eu_legal_representative.country
}

eu_domestic_refusal := {"code": "eu_domestic", "text": sprintf(
	"The provider's legal representative in the Union is in %s, and a European order is for a provider established or represented in another Member State (Regulation (EU) 2023/1543, Article 1(1)); an authority of %s uses its national law.",
	[catalogue.eu_legal_representative.state, catalogue.eu_legal_representative.state],
)}

issuer_refusal := {"code": "issuer_not_competent", "text": sprintf(
	"%s cannot issue %s (%s); it is issued by: %s. Nothing can be obtained under it.",
	[issuer_name, process.short_name, process.citation, concat(", ", [lower(catalogue.authority_kinds[k]) | some k in process.issuer_kinds])],
)}

issuer_name := n if {
	n := catalogue.authority_kinds[request.authority_kind]
} else := "An unstated authority"

# The day the provider was served: the day it received the request, or
# today for a draft.
served_ns := time.parse_ns("2006-01-02", request.received_on) if request.received_on != ""

else := today_ns

void_by_age if {
	process.serve_within != null
	served_ns >= time.add_date(issued_ns, 0, process.serve_within.months, 0)
}

void_refusal := {"code": "order_void", "text": sprintf(
	"%s not served within %d months of being made is void (%s): this one was made on %s and served on %s.",
	[capitalise(process.short_name), process.serve_within.months, process.serve_within.citation, request.issued_on, fmt_date(served_ns)],
)}

# How long an authorisation by this issuer lasts, if its statute says.
validity := v if {
	some v in process.validity
	request.authority_kind in v.issuer_kinds
}

# The first day the authorisation no longer has effect. A period "beginning
# with" the grant includes its first day; three days from the time of grant
# are counted by the day, so the third day after it counts as lapsed.
lapse_ns := time.add_date(issued_ns, 0, validity.months, validity.days)

lapsed if today_ns >= lapse_ns

validity_text := sprintf("%d months", [validity.months]) if validity.months > 1

else := "one month" if validity.months == 1

else := sprintf("%d days", [validity.days])

lapsed_refusal := {"code": "authorisation_lapsed", "text": sprintf(
	"An authorisation by %s lasts %s (%s): this one, granted on %s, ceased to have effect at the end of %s, so nothing can be obtained under it.",
	[lower(issuer_name), validity_text, validity.citation, request.issued_on, fmt_date(lapse_ns - day_ns)],
)}

urgency_missing if {
	process.urgent_only != null
	request.authority_kind in process.urgent_only.issuer_kinds
	not request.emergency
}

urgency_refusal := {"code": "urgency_required", "text": sprintf(
	"%s may authorise %s only in an urgent case (%s), and the request does not state that this is one: mark it as urgent and say why, or ask the Office for Communications Data Authorisations.",
	[issuer_name, process.short_name, process.urgent_only.citation],
)}

# Dates of the request, in nanoseconds since the epoch; undefined when empty
# or malformed.
from_ns := time.parse_ns("2006-01-02", request.date_from)

to_ns := time.parse_ns("2006-01-02", request.date_to)

issued_ns := time.parse_ns("2006-01-02", request.issued_on)

expires_ns := time.parse_ns("2006-01-02", request.expires_on)

until_ns := time.parse_ns("2006-01-02", request.nondisclosure_until)

fmt_date(ns) := time.format([ns, "UTC", "2006-01-02"])

valid_range if from_ns <= to_ns

# The longest retention among the authorised categories whose records carry a
# date: older records exist for none of them.
max_retention := max({catalogue.categories[c].retention_days |
	some c in authorised
	catalogue.categories[c].time_bound
})

# Retrospective processes reach records that exist: up to today, back to the
# oldest record still kept, and no further back than the process allows
# (every process has a longest range).
retro_to := min([to_ns, today_ns])

retro_from_kept := x if {
	x := max([from_ns, today_ns - (max_retention * day_ns)])
} else := from_ns

retro_from := max([retro_from_kept, retro_to - (process.max_range_days * day_ns)])

# Prospective processes collect from today and from the order's issue, until
# the order expires, for no longer than the process allows.
pro_from := max([from_ns, today_ns, issued_ns]) if issued_ns

else := max([from_ns, today_ns])

pro_to_valid := min([to_ns, expires_ns]) if expires_ns

else := to_ns

# A prospective order collects for at most its statute's days counted from
# the order's date, that day included (18 U.S.C. § 3123(c)(1): 60 days).
pro_to_issued := min([pro_to_valid, issued_ns + ((process.window_from_issue.days - 1) * day_ns)]) if {
	process.window_from_issue != null
	issued_ns
} else := pro_to_valid

pro_to := min([pro_to_issued, pro_from + (process.max_range_days * day_ns)])

clipped := [retro_from, retro_to] if {
	not process.prospective
	valid_range
}

clipped := [pro_from, pro_to] if {
	process.prospective
	valid_range
}

window := {"from": fmt_date(clipped[0]), "to": fmt_date(clipped[1])} if {
	clipped
} else := {"from": object.get(request, "date_from", ""), "to": object.get(request, "date_to", "")}

emergency_procedure if has_emergency_procedure(process)

has_emergency_procedure(p) if p.emergency

has_emergency_procedure(p) if p.emergency_deadline_hours > 0

process_kind := "emergency" if {
	request.emergency
	emergency_procedure
} else := "emergency" if {
	process.emergency
} else := "preservation" if {
	process.preservation
} else := "legal_process"

# A non-disclosure order longer than the jurisdiction's flag (a year), counted
# from the order's issue, goes to counsel.
long_nondisclosure if {
	request.nondisclosure_ordered
	until_ns - nondisclosure_start > jurisdiction.nondisclosure.flag_after_days * day_ns
}

nondisclosure_start := issued_ns if issued_ns

else := today_ns

field_error(field, code, text) := {"field": field, "code": code, "text": text}

# Every field a request carries, with its name in the API; one that is
# absent is reported, so that a caller sending a partial request never skips
# a check.
request_fields := {
	"process": "process",
	"authority_kind": "issuing_authority.kind",
	"categories": "categories",
	"targets": "targets",
	"date_from": "date_from",
	"date_to": "date_to",
	"issued_on": "issued_on",
	"expires_on": "expires_on",
	"emergency": "emergency",
	"emergency_narrative": "emergency.narrative",
	"received_on": "received_on",
	"purpose": "purpose",
	"offence_max_penalty_months": "offence.max_penalty_months",
	"offence_grounds": "offence.grounds",
	"offence_sentence_months": "offence.sentence_months",
	"offence_in_issuing_state": "offence.committed_in_issuing_state",
	"resides_in_issuing_state": "person_resides_in_issuing_state",
	"nondisclosure_ordered": "nondisclosure.ordered",
	"nondisclosure_until": "nondisclosure.until",
	"nondisclosure_issued_by": "nondisclosure.issued_by",
}

errors contains field_error(request_fields[k], "missing", "The request does not say.") if {
	some k in (object.keys(request_fields) - object.keys(input.request))
}

errors contains field_error("request", "required", "The request is missing.") if {
	not is_object(input.request)
}

errors contains field_error("today", "invalid_date", "The policy needs today's date as YYYY-MM-DD.") if {
	not today_ns
}

errors contains field_error("process", "required", "Choose the legal process the request is made under.") if {
	request.process == ""
}

errors contains field_error("process", "unknown_jurisdiction", text) if {
	request.process != ""
	not process
	j := split(request.process, ".")[0]
	not catalogue.jurisdiction_info[j]
	text := sprintf("Unknown jurisdiction %q in process %q. Known jurisdictions: %s.", [j, request.process, concat(", ", catalogue.jurisdiction_order)])
}

errors contains field_error("process", "unknown_process", text) if {
	request.process != ""
	not process
	jd := catalogue.jurisdiction_info[split(request.process, ".")[0]]
	text := sprintf("Unknown legal process %q. Known processes of %s: %s.", [request.process, jd.name, concat(", ", jd.process_order)])
}

errors contains field_error("process", "not_yet_applicable", text) if {
	process.applies_from != ""
	input.today < process.applies_from
	text := sprintf("%s can be used only from %s.", [capitalise(process.short_name), process.applies_from])
}

errors contains field_error("categories", "required", "Choose at least one data category.") if {
	count(request.categories) == 0
}

errors contains field_error(sprintf("categories[%d]", [i]), "unknown_category", text) if {
	count(requested) != count(request.categories)
	some i, c in request.categories
	not catalogue.categories[c]
	text := sprintf("Unknown data category %q. Known categories: %s.", [c, concat(", ", catalogue.category_order)])
}

errors contains field_error("issuing_authority.kind", "required", "Say who issued the order.") if {
	request.authority_kind == ""
}

errors contains field_error("issuing_authority.kind", "unknown_authority", text) if {
	not catalogue.authority_kinds[request.authority_kind]
	request.authority_kind != ""
	text := sprintf("Unknown kind of issuing authority %q. Known kinds: %s.", [request.authority_kind, concat(", ", catalogue.authority_kind_order)])
}

errors contains field_error("issuing_authority.kind", "authority_not_competent", text) if {
	not request.authority_kind in process.issuer_kinds
	catalogue.authority_kinds[request.authority_kind]
	text := sprintf("%s cannot issue %s (%s); it is issued by: %s.", [
		catalogue.authority_kinds[request.authority_kind],
		process.short_name,
		process.citation,
		concat(", ", [lower(catalogue.authority_kinds[k]) | some k in process.issuer_kinds]),
	])
}

errors contains field_error("targets", "required", "Name at least one target identifier.") if {
	count(request.targets) == 0
}

errors contains field_error(sprintf("targets[%d].type", [i]), "unknown_target_type", text) if {
	some i, t in request.targets
	not catalogue.target_types[t.type]
	text := sprintf("Unknown kind of identifier %q. Known kinds: phone, username, account_id, email.", [t.type])
}

errors contains field_error(sprintf("targets[%d].value", [i]), "required", "Give the identifier.") if {
	some i, t in request.targets
	trim_space(t.value) == ""
}

errors contains field_error(f, "invalid_date", "Use a date of the form YYYY-MM-DD.") if {
	some f, v in {
		"date_from": request.date_from,
		"date_to": request.date_to,
		"issued_on": request.issued_on,
		"expires_on": request.expires_on,
		"nondisclosure.until": request.nondisclosure_until,
	}
	v != ""
	not time.parse_ns("2006-01-02", v)
}

errors contains field_error("date_from", "required", "Give the first day of the date range.") if {
	request.date_from == ""
}

errors contains field_error("date_to", "required", "Give the last day of the date range.") if {
	request.date_to == ""
}

errors contains field_error("date_to", "range_reversed", "The date range ends before it begins.") if {
	to_ns < from_ns
}

errors contains field_error("date_from", "in_future", text) if {
	from_ns > today_ns
	not process.prospective
	text := "This process reaches only records that already exist; the date range cannot begin after today."
}

errors contains field_error("date_to", "not_prospective", text) if {
	process.prospective
	valid_range
	pro_to < pro_from
	text := sprintf("%s collects only from today and while the order is in force; the date range lies outside that.", [capitalise(process.short_name)])
}

# Voluntary emergency requests have no order to date; everything else does.
errors contains field_error("issued_on", "required", "Give the date the order was issued.") if {
	request.issued_on == ""
	not process.voluntary
}

errors contains field_error("issued_on", "in_future", "The order cannot have been issued after today.") if {
	issued_ns > today_ns
}

errors contains field_error("expires_on", "before_issue", "The order cannot expire before it was issued.") if {
	expires_ns < issued_ns
}

errors contains field_error("emergency", "emergency_required", text) if {
	process.emergency
	not request.emergency
	text := sprintf("%s is only for emergencies: mark the request as an emergency and describe it.", [capitalise(process.short_name)])
}

errors contains field_error("emergency", "no_emergency_procedure", text) if {
	request.emergency
	process
	not emergency_procedure
	others := [named(id) |
		some id in jurisdiction.process_order
		has_emergency_procedure(catalogue.processes[id])
	]
	text := sprintf("%s has no emergency procedure. In an emergency involving danger of death or serious physical injury, use %s.", [capitalise(process.short_name), concat(" or ", others)])
}

errors contains field_error("emergency.narrative", "required", text) if {
	request.emergency
	trim_space(request.emergency_narrative) == ""
	text := "Describe the emergency: who is in danger, of what, and why the data is needed without delay."
}

errors contains field_error("offence.max_penalty_months", "invalid", "The maximum penalty cannot be negative.") if {
	is_number(request.offence_max_penalty_months)
	request.offence_max_penalty_months < 0
}

errors contains field_error("offence.sentence_months", "invalid", "The sentence cannot be negative.") if {
	is_number(request.offence_sentence_months)
	request.offence_sentence_months < 0
}

# A threshold the law sets is asked for, never guessed: a request that states
# no penalty (and no ground that would do instead) where one decides what it
# may obtain cannot be filed until it does.
errors contains field_error("offence.max_penalty_months", "penalty_required", text) if {
	some c in requested
	some r in process.requirements
	applies(c, r)
	r.min_max_penalty_months > 0
	not is_number(request.offence_max_penalty_months)
	not threshold_met(r)
	text := sprintf("State the offence's maximum penalty for an adult, in months or years: %s (%s).", [r.text, r.citation])
}

errors contains field_error("offence.sentence_months", "sentence_required", text) if {
	some c in requested
	some r in process.requirements
	applies(c, r)
	r.min_sentence_months > 0
	not is_number(request.offence_sentence_months)
	text := sprintf("State the custodial sentence being executed, in months: %s", [r.text])
}

errors contains field_error("purpose", "required", text) if {
	count(process.purposes) > 0
	purpose == ""
	text := sprintf("State the purpose of %s (%s): %s.", [process.short_name, process.purposes[0].citation, concat("; ", [lower(x.name) | some x in process.purposes])])
}

errors contains field_error("purpose", "unknown_purpose", text) if {
	count(process.purposes) > 0
	purpose != ""
	not stated_purpose
	text := sprintf("%q is not a purpose of %s; choose one of: %s.", [purpose, process.short_name, concat(", ", [x.id | some x in process.purposes])])
}

errors contains field_error("purpose", "not_applicable", text) if {
	count(process.purposes) == 0
	purpose != ""
	text := sprintf("%s states no statutory purpose; leave the purpose empty.", [capitalise(process.short_name)])
}

errors contains field_error(sprintf("offence.grounds[%d]", [i]), "unknown_ground", text) if {
	process
	some i, g in request.offence_grounds
	not g in stated_grounds
	text := sprintf("%q is not a ground %s knows; choose from: %s.", [g, process.short_name, concat(", ", [x.id | some x in process.offence_grounds])])
}

errors contains field_error("nondisclosure.issued_by", "unknown_authority", text) if {
	request.nondisclosure_issued_by != ""
	not catalogue.authority_kinds[request.nondisclosure_issued_by]
	text := sprintf("Unknown kind of authority %q. Known kinds: %s.", [request.nondisclosure_issued_by, concat(", ", catalogue.authority_kind_order)])
}

errors contains field_error("agency.country", "required", "The agency has no country; an administrator must record it.") if {
	object.get(input.agency, "country", "") == ""
}

warnings contains sprintf("The date range ends after today; it now ends on %s, because %s reaches only records that already exist.", [input.today, process.short_name]) if {
	to_ns > today_ns
	not process.prospective
	valid_range
}

warnings contains sprintf("%s is kept for %d days; records before %s no longer exist.", [cat.name, cat.retention_days, fmt_date(oldest)]) if {
	from_ns < retro_from_kept
	not process.prospective
	valid_range
	some c in authorised
	cat := catalogue.categories[c]
	cat.time_bound
	oldest := today_ns - (cat.retention_days * day_ns)
	from_ns < oldest
}

warnings contains sprintf("%s covers at most %d days; the date range now starts on %s.", [capitalise(process.short_name), process.max_range_days, fmt_date(retro_from)]) if {
	retro_from > retro_from_kept
	not process.prospective
	valid_range
}

warnings contains sprintf("%s collects only from today and once the order is in force; the date range now starts on %s.", [capitalise(process.short_name), fmt_date(pro_from)]) if {
	process.prospective
	valid_range
	pro_from > from_ns
}

warnings contains sprintf("The date range runs past the order's expiry on %s; collection stops that day.", [request.expires_on]) if {
	process.prospective
	valid_range
	expires_ns < to_ns
}

warnings contains sprintf("%s covers at most %d days (extensions need a new order); the date range now ends on %s.", [capitalise(process.short_name), process.max_range_days, fmt_date(pro_to)]) if {
	process.prospective
	valid_range
	pro_to < pro_to_issued
}

warnings contains sprintf("%s runs for at most %d days from its date (%s); collection ends on %s.", [capitalise(process.short_name), process.window_from_issue.days, process.window_from_issue.citation, fmt_date(pro_to_issued)]) if {
	process.prospective
	valid_range
	pro_to_issued < pro_to_valid
}

warnings contains sprintf("The order expired on %s; a current order is needed before anything is produced.", [request.expires_on]) if {
	expires_ns < today_ns
}

warnings contains sprintf("The date range ends on %s, after the order was issued on %s; the reviewer will check that the order reaches records created after its issue.", [request.date_to, request.issued_on]) if {
	to_ns > issued_ns
	not process.prospective
}

warnings contains sprintf("%s lasts at most %s (%s): it ceases to have effect at the end of %s, whatever expiry the request states.", [capitalise(process.short_name), validity_text, validity.citation, fmt_date(lapse_ns - day_ns)]) if {
	expires_ns >= lapse_ns
}

warnings contains sprintf("The non-disclosure order was not made by a court (it was made by %s): under %s only a court's order binds the provider, so the account holder may be told. The reviewer decides whether to ask the agency for a court order first.", [lower(catalogue.authority_kinds[ndo_issuer]), jurisdiction.nondisclosure.citation]) if {
	request.nondisclosure_ordered
	not ndo_binding
	catalogue.authority_kinds[ndo_issuer]
}

warnings contains "The business-records authority of 50 U.S.C. § 1861 lapsed on 15 March 2020 except for investigations begun, or offences committed, before then: counsel checks that the order relies on that exception." if {
	request.process == "us.fisa_br"
}

warnings contains sprintf("The non-disclosure order runs for more than %d days (until %s); counsel reviews it (%s).", [nd.flag_after_days, request.nondisclosure_until, nd.citation]) if {
	long_nondisclosure
	nd := jurisdiction.nondisclosure
}

warnings contains sprintf("The non-disclosure order ended on %s; the account holder may be told of the request.", [request.nondisclosure_until]) if {
	until_ns < today_ns
	request.nondisclosure_ordered
}

warnings contains sprintf("A supervisor of your agency must co-sign %s before the provider reviews it.", [process.short_name]) if {
	process.cosign_required
}

warnings contains sprintf("Voluntary disclosure under %s: legal process for the same data is due within %d days.", [process.citation, process.follow_up_days]) if {
	process.follow_up_days > 0
}

warnings contains sprintf("Emergency: %s is answered within %d hours.", [process.short_name, process.emergency_deadline_hours]) if {
	request.emergency
	not process.emergency
	process.emergency_deadline_hours > 0
}

warnings contains sprintf("Preservation only: records are kept for %d days (one extension of %d days on request) and nothing is disclosed until legal process is served.", [process.hold_days, process.extension_days]) if {
	process.preservation
}

# The fields each authorised category releases, where the order limits them.
fields := {c: f |
	some c in authorised
	f := catalogue.fields_of(jurisdiction_id, c, purpose)
}

# Reported only in bands and late: a national-security process, or a
# process used for a national-security purpose.
default national_security := false

national_security if process.national_security

national_security if purpose in process.national_security_purposes

# An order for the classes its process names (EU: traffic data) is notified
# to the enforcing authority (the Member State of the provider's legal
# representative) unless the issuing authority believes both that the offence
# was committed and that the person lives in its own State (Regulation (EU)
# 2023/1543, Article 8(1)–(2)).
default notification := {
	"required": false,
	"citation": "",
	"text": "",
	"hold_hours": 0,
	"objection_hours": 0,
	"refusal_grounds": [],
}

notification := object.union(
	{"required": true, "citation": n.citation, "refusal_grounds": n.refusal_grounds},
	notification_timing,
) if {
	n := process.notification
	n != null
	some c in authorised
	category_class[c] in n.classes
	not both_in_issuing_state
}

both_in_issuing_state if {
	request.offence_in_issuing_state
	request.resides_in_issuing_state
}

notification_timing := {
	"hold_hours": 0,
	"objection_hours": n.emergency_objection_hours,
	"text": sprintf("The enforcing authority of %s is notified of this order (Article 8). In an emergency the data is produced within 8 hours; that authority has %d hours to raise a ground for refusal (Articles 10(4) and 12), and the reviewer records its answer.", [n.enforcing_state, n.emergency_objection_hours]),
} if {
	n := process.notification
	process_kind == "emergency"
} else := {
	"hold_hours": n.hold_hours,
	"objection_hours": n.hold_hours,
	"text": sprintf("The enforcing authority of %s is notified of this order (Article 8). The data is produced at the end of %d days after receipt unless that authority confirms earlier that it raises no ground for refusal; if it raises one, nothing is produced (Articles 10(2) and 12).", [n.enforcing_state, n.hold_hours / 24]),
} if {
	n := process.notification
}

# Whether the provider may tell the account holder, and from when: the
# statute decides first (never, or not while an order is sealed), then a
# binding non-disclosure order. The default never tells.
default user_notice := {
	"allowed": false,
	"until": "",
	"indefinite": false,
	"gagged": false,
	"code": "undecided",
	"reason": "The legal policy has not decided whether the account holder may be told, so nobody is told.",
}

user_notice := notice(false, "", false, statute.gag, statute.code, statute.text) if {
	statute.rule == "never"
} else := notice(true, request.nondisclosure_until, false, true, statute.code, concat(" ", [statute.text, sprintf("The court set the seal to end on %s.", [request.nondisclosure_until])])) if {
	statute.rule == "sealed"
	request.nondisclosure_until != ""
} else := notice(true, "", true, true, statute.code, statute.text) if {
	statute.rule == "sealed"
} else := notice(true, request.nondisclosure_until, false, true, "nondisclosure_order", sprintf("A non-disclosure order of %s forbids telling the account holder until %s (%s).", [lower(catalogue.authority_kinds[ndo_issuer]), request.nondisclosure_until, jurisdiction.nondisclosure.citation])) if {
	request.nondisclosure_ordered
	ndo_binding
	request.nondisclosure_until != ""
} else := notice(true, "", true, true, "nondisclosure_order", sprintf("A non-disclosure order of %s with no end date forbids telling the account holder until it is lifted (%s).", [lower(catalogue.authority_kinds[ndo_issuer]), jurisdiction.nondisclosure.citation])) if {
	request.nondisclosure_ordered
	ndo_binding
} else := notice(true, "", false, false, "nondisclosure_not_binding", sprintf("The non-disclosure order was made by %s, which cannot bind the provider (%s): the account holder may be told.", [lower(catalogue.authority_kinds[ndo_issuer]), jurisdiction.nondisclosure.citation])) if {
	request.nondisclosure_ordered
} else := notice(true, "", false, false, statute.code, statute.text) if {
	statute
}

statute := process.user_notice

# gagged: an order or a statute forbids the provider to tell the account
# holder (what transparency reports count as "under a non-disclosure
# order"); false where nothing binds it, or where another authority informs
# the person instead (EU Art. 13).
notice(allowed, until, indefinite, gagged, code, reason) := {
	"allowed": allowed,
	"until": until,
	"indefinite": indefinite,
	"gagged": gagged,
	"code": code,
	"reason": reason,
}

# Who ordered the non-disclosure: the request says, or else the authority
# that issued the process made the order with it.
ndo_issuer := request.nondisclosure_issued_by if request.nondisclosure_issued_by != ""

else := request.authority_kind

# A non-disclosure order binds when its jurisdiction accepts it from that
# issuer (in the U.S., only from a court: 18 U.S.C. § 2705(b)).
ndo_binding if count(jurisdiction.nondisclosure.binding_issuer_kinds) == 0

ndo_binding if ndo_issuer in jurisdiction.nondisclosure.binding_issuer_kinds
