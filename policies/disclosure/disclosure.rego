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
# default authorises nothing and says the request cannot be filed.
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
# order of precedence; undefined when it can.
refusal(c) := catalogue.content_refusal if {
	not catalogue.categories[c].disclosable
} else := r if {
	not process
	r := {"code": "unknown_process", "text": "The legal process is unknown, so no data can be authorised."}
} else := foreign_refusal if {
	foreign
} else := not_compellable(c) if {
	not c in process.categories
} else := fails[0] if {
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
# (preservation and voluntary disclosure compel nothing).
not_compellable(c) := {"code": "not_compellable", "text": text} if {
	others := [named(id) |
		some id in jurisdiction.process_order
		p := catalogue.processes[id]
		c in p.categories
		not p.preservation
		not p.voluntary
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

# The jurisdiction's own class of each requested category, for this request.
category_class := {c: catalogue.class_of(jurisdiction_id, c, requested) | some c in requested}

# A requirement of the process binds the categories of its classes: who must
# issue it, the least maximum penalty, a statement of serious crime.
requirement_fails(c, r) if {
	category_class[c] in r.classes
	count(r.issuer_kinds) > 0
	not request.authority_kind in r.issuer_kinds
}

requirement_fails(c, r) if {
	category_class[c] in r.classes
	r.min_max_penalty_years > 0
	not penalty_at_least(r.min_max_penalty_years)
}

requirement_fails(c, r) if {
	category_class[c] in r.classes
	r.serious_crime
	not request.serious_crime
}

penalty_at_least(n) if {
	is_number(request.offence_max_penalty_years)
	request.offence_max_penalty_years >= n
}

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

pro_to := min([pro_to_valid, pro_from + (process.max_range_days * day_ns)])

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
	"offence_max_penalty_years": "offence.max_penalty_years",
	"serious_crime": "serious_crime",
	"nondisclosure_ordered": "nondisclosure.ordered",
	"nondisclosure_until": "nondisclosure.until",
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

errors contains field_error("offence.max_penalty_years", "invalid", "The maximum penalty cannot be negative.") if {
	request.offence_max_penalty_years < 0
	is_number(request.offence_max_penalty_years)
}

errors contains field_error("nondisclosure.until", "required", "Give the date the non-disclosure order ends.") if {
	request.nondisclosure_ordered
	request.nondisclosure_until == ""
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
	pro_to < pro_to_valid
}

warnings contains sprintf("The order expired on %s; a current order is needed before anything is produced.", [request.expires_on]) if {
	expires_ns < today_ns
}

warnings contains sprintf("The date range ends on %s, after the order was issued on %s; the reviewer will check that the order reaches records created after its issue.", [request.date_to, request.issued_on]) if {
	to_ns > issued_ns
	not process.prospective
}

warnings contains "Events data was refused because the request does not state that the offence is a serious crime; if it is one (Investigatory Powers Act 2016, s. 86(2A)), say so and the events data can be considered." if {
	some r in refusals
	r.code == "serious_crime_required"
}

warnings contains "The request does not state the offence's maximum penalty, which decides whether traffic data can be ordered." if {
	some r in refusals
	r.code == "offence_threshold"
	not is_number(request.offence_max_penalty_years)
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
