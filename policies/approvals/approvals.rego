# METADATA
# title: Approvals
# description: |
#   How many distinct people must approve a request before anything is
#   produced, and from which roles. Four eyes wherever the intrusion or the
#   risk of error is higher. The decision is data.approvals.required.
package approvals

import data.disclosure

# roles[i] is the role whose holder gives the i-th approval; the second is a
# countersignature by counsel, and never by the first approver.

# Undefined must never lower the bar: the default asks for two people.
default required := {
	"required": 2,
	"roles": ["reviewer", "counsel"],
	"reasons": [{
		"code": "policy_error",
		"text": "The approvals policy could not evaluate this request, so two approvals are required.",
	}],
}

required := {
	"required": 2,
	"roles": ["reviewer", "counsel"],
	"reasons": [t | some t in triggers],
} if {
	is_object(input.request)
	count(triggers) > 0
} else := {
	"required": 1,
	"roles": ["reviewer"],
	"reasons": [{
		"code": "single_approval",
		"text": "One legal reviewer approves.",
	}],
} if {
	is_object(input.request)
}

# More targets than this need a second approver: broad requests sweep in
# more people.
max_single_approval_targets := 10

triggers contains {
	"code": "envelope",
	"text": "Envelope data is collected prospectively about who talks to whom; counsel countersigns.",
} if {
	"envelope" in disclosure.authorised
}

triggers contains {
	"code": "emergency",
	"text": "Emergency disclosure happens before any court has looked at it; a second person approves.",
} if {
	disclosure.process_kind == "emergency"
}

triggers contains {
	"code": "many_targets",
	"text": sprintf("The request names %d targets, more than %d; a second person approves.", [n, max_single_approval_targets]),
} if {
	n := count(input.request.targets)
	n > max_single_approval_targets
}

triggers contains {
	"code": "long_nondisclosure",
	"text": "A non-disclosure order of more than a year keeps the account holder uninformed for long; counsel countersigns.",
} if {
	disclosure.long_nondisclosure
}
