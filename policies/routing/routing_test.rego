package routing_test

import data.routing

base(country, process, authority, status) := {
	"agency": {"id": "agency-1", "country": country, "kind": "police"},
	"request": {
		"id": "req-1",
		"agency_id": "agency-1",
		"status": status,
		"process": process,
		"authority_kind": authority,
		"categories": ["subscriber"],
		"targets": [{"type": "phone", "value": "+15550100123"}],
		"date_from": "2026-10-01",
		"date_to": "2026-11-20",
		"issued_on": "2026-11-20",
		"expires_on": "",
		"emergency": false,
		"emergency_narrative": "",
		"offence_max_penalty_years": 10,
		"serious_crime": true,
		"nondisclosure_ordered": false,
		"nondisclosure_until": "",
	},
	"today": "2026-11-25",
}

patch(x, fields) := object.union(x, {"request": object.union(x.request, fields)})

emergency := {"emergency": true, "emergency_narrative": "A child is missing.", "issued_on": ""}

cases := {
	"submitted goes to intake": {"in": base("US", "us.warrant", "judge", "submitted"), "queue": "intake", "hours": 240, "code": "unverified"},
	"intake stays in intake": {"in": base("US", "us.warrant", "judge", "intake"), "queue": "intake", "hours": 240, "code": "unverified"},
	"domestic review is legal": {"in": base("US", "us.warrant", "judge", "in_review"), "queue": "legal", "hours": 240, "code": "legal_review"},
	"needs_info stays legal": {"in": base("US", "us.subpoena", "grand_jury", "needs_info"), "queue": "legal", "hours": 240, "code": "legal_review"},
	"emergency at once": {"in": patch(base("US", "us.emergency", "agency", "submitted"), emergency), "queue": "emergency", "hours": 4, "code": "emergency"},
	"emergency in review": {"in": patch(base("US", "us.emergency", "agency", "in_review"), emergency), "queue": "emergency", "hours": 4, "code": "emergency"},
	"eu emergency eight hours": {"in": patch(base("DE", "eu.epoc", "judge", "in_review"), emergency), "queue": "emergency", "hours": 8, "code": "emergency"},
	"eu is international": {"in": base("DE", "eu.epoc", "judge", "in_review"), "queue": "international", "hours": 240, "code": "international"},
	"uk is international": {"in": base("GB", "uk.opo", "judge", "in_review"), "queue": "international", "hours": 168, "code": "international"},
	"pen register to counsel": {"in": patch(base("US", "us.prtt", "judge", "in_review"), {"categories": ["envelope"]}), "queue": "counsel", "hours": 24, "code": "prospective"},
	"countersign to counsel": {"in": base("US", "us.warrant", "judge", "awaiting_countersign"), "queue": "counsel", "hours": 240, "code": "countersign"},
	# The emergency team, counsel among them, gives an emergency's second approval at once.
	"emergency countersign stays with the emergency team": {"in": patch(base("US", "us.emergency", "agency", "awaiting_countersign"), emergency), "queue": "emergency", "hours": 4, "code": "emergency"},
	"long nondisclosure to counsel": {"in": patch(base("US", "us.warrant", "judge", "in_review"), {"nondisclosure_ordered": true, "nondisclosure_until": "2028-06-01"}), "queue": "counsel", "hours": 240, "code": "long_nondisclosure"},
	"preservation within a day": {"in": base("US", "us.preservation", "agency", "in_review"), "queue": "legal", "hours": 24, "code": "legal_review"},
	"unknown process default deadline": {"in": base("US", "us.letter", "judge", "in_review"), "queue": "legal", "hours": 240, "code": "legal_review"},
}

test_route[note] if {
	some note, tc in cases
	r := routing.route with input as tc.in
	r.queue == tc.queue
	r.deadline_hours == tc.hours
	r.reasons[0].code == tc.code
	r.reasons[1].code == "deadline"
	contains(r.reasons[1].text, sprintf("%d hours", [tc.hours]))
}

test_unknown_process_deadline_says_default if {
	r := routing.route with input as base("US", "us.letter", "judge", "in_review")
	contains(r.reasons[1].text, "default")
}

test_default_route_is_intake if {
	r := routing.route with input as "not an object"
	r.queue == "intake"
	r.reasons[0].code == "policy_error"
}
