package approvals_test

import data.approvals

base(country, process, authority) := {
	"agency": {"id": "agency-1", "country": country, "kind": "police"},
	"request": {
		"id": "req-1",
		"agency_id": "agency-1",
		"status": "in_review",
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

targets(n) := [{"type": "username", "value": sprintf("user%d", [i])} | some i in numbers.range(1, n)]

cases := {
	"ordinary request": {"in": base("US", "us.warrant", "judge"), "required": 1, "codes": {"single_approval"}},
	"envelope": {"in": patch(base("US", "us.prtt", "judge"), {"categories": ["envelope"], "date_from": "2026-12-01", "date_to": "2026-12-31"}), "required": 2, "codes": {"envelope"}},
	"refused envelope needs no second": {"in": patch(base("US", "us.warrant", "judge"), {"categories": ["subscriber", "envelope"]}), "required": 1, "codes": {"single_approval"}},
	"emergency": {"in": patch(base("US", "us.emergency", "agency"), {"emergency": true, "emergency_narrative": "threat to life", "issued_on": ""}), "required": 2, "codes": {"emergency"}},
	"ten targets": {"in": patch(base("US", "us.warrant", "judge"), {"targets": targets(10)}), "required": 1, "codes": {"single_approval"}},
	"eleven targets": {"in": patch(base("US", "us.warrant", "judge"), {"targets": targets(11)}), "required": 2, "codes": {"many_targets"}},
	"long nondisclosure": {"in": patch(base("US", "us.warrant", "judge"), {"nondisclosure_ordered": true, "nondisclosure_until": "2028-01-01"}), "required": 2, "codes": {"long_nondisclosure"}},
	"several reasons": {"in": patch(base("US", "us.emergency", "agency"), {"emergency": true, "emergency_narrative": "x", "issued_on": "", "targets": targets(12)}), "required": 2, "codes": {"emergency", "many_targets"}},
}

test_approvals[note] if {
	some note, tc in cases
	a := approvals.required with input as tc.in
	a.required == tc.required
	count(a.roles) == tc.required
	a.roles[0] == "reviewer"
	{r.code | some r in a.reasons} == tc.codes
}

test_second_approver_is_counsel if {
	a := approvals.required with input as cases.emergency["in"]
	a.roles == ["reviewer", "counsel"]
}

test_default_asks_for_two if {
	a := approvals.required with input as "not an object"
	a.required == 2
	a.reasons[0].code == "policy_error"
}
