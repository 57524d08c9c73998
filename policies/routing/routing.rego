# METADATA
# title: Routing
# description: |
#   Which team queue a request sits in, and how many hours the provider has to
#   answer it. The decision is data.routing.route.
package routing

import data.catalogue
import data.disclosure

# Queues: intake, legal, emergency, international, counsel.

# Undefined must never park a request nowhere: the default sends it to intake,
# where a person looks at every request, with a short deadline.
default route := {
	"queue": "intake",
	"deadline_hours": 24,
	"reasons": [{
		"code": "policy_error",
		"text": "The routing policy could not evaluate this request; intake routes it by hand.",
	}],
}

route := {
	"queue": choice.queue,
	"deadline_hours": deadline_hours,
	"reasons": [choice.reason, deadline_reason],
} if {
	is_object(input.request)
}

# Requests not yet verified by intake.
intake_states := {"draft", "submitted", "intake"}

# The provider's own deadline where the catalogue does not know the process.
default_deadline_hours := 240

choice := {"queue": "emergency", "reason": {
	"code": "emergency",
	"text": "Emergency requests go to the emergency team, which verifies and reviews them at once.",
}} if {
	disclosure.process_kind == "emergency"
} else := {"queue": "intake", "reason": {
	"code": "unverified",
	"text": "Intake verifies the requesting agency and the order before legal review.",
}} if {
	input.request.status in intake_states
} else := {"queue": "counsel", "reason": {
	"code": "countersign",
	"text": "A second approval by counsel is required.",
}} if {
	input.request.status == "awaiting_countersign"
} else := {"queue": "counsel", "reason": {
	"code": "prospective",
	"text": "Prospective collection under a live order is reviewed by counsel.",
}} if {
	disclosure.process.prospective
} else := {"queue": "counsel", "reason": {
	"code": "long_nondisclosure",
	"text": "A non-disclosure order of more than a year is reviewed by counsel.",
}} if {
	disclosure.long_nondisclosure
} else := {"queue": "international", "reason": {
	"code": "international",
	"text": sprintf("Process under %s arrives under an international instrument; the international team handles it.", [disclosure.jurisdiction.law_name]),
}} if {
	disclosure.jurisdiction_id != ""
	disclosure.jurisdiction_id != catalogue.provider.home_jurisdiction
} else := {"queue": "legal", "reason": {
	"code": "legal_review",
	"text": "Legal reviewers decide the request.",
}}

deadline_hours := disclosure.process.emergency_deadline_hours if {
	disclosure.process_kind == "emergency"
	disclosure.process.emergency_deadline_hours > 0
} else := disclosure.process.deadline_hours if {
	disclosure.process
} else := default_deadline_hours

deadline_reason := {
	"code": "deadline",
	"text": sprintf("Answer within %d hours, the deadline for %s.", [deadline_hours, disclosure.process.short_name]),
} if {
	disclosure.process
} else := {
	"code": "deadline",
	"text": sprintf("Answer within %d hours (the provider's default; the process is unknown).", [deadline_hours]),
}
