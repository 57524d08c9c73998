package signals_test

import data.signals

# A request nothing is unusual about: an officer of two years with earlier
# requests, signed in with a second factor, from an agency with a steady
# history and its own e-mail domain.
quiet := {
	"emergency": false,
	"mfa": true,
	"person": {"earlier_requests": 4, "first_seen_days": 700},
	"agency": {
		"earlier_requests": 40,
		"domains": ["riverside-pd.example"],
		"submitted_last_day": 1,
		"submitted_prior_30_days": 30,
	},
	"email_domain": "riverside-pd.example",
	"shared_identifiers": 0,
	"targets": ["phone:+15550100123"],
	"same_docket": [],
}

with_facts(fields) := object.union(quiet, fields)

person(fields) := with_facts({"person": object.union(quiet.person, fields)})

agency(fields) := with_facts({"agency": object.union(quiet.agency, fields)})

codes(facts) := {s.code | some s in signals.found with input as facts}

# Each signal with the facts that raise it (yes) and the nearest facts that
# do not (no).
cases := {
	"first_request_person": {
		"yes": person({"earlier_requests": 0}),
		"no": person({"earlier_requests": 1}),
	},
	"new_person": {
		"yes": person({"first_seen_days": 29}),
		"no": person({"first_seen_days": 30}),
	},
	"first_request_agency": {
		"yes": agency({"earlier_requests": 0}),
		"no": agency({"earlier_requests": 1}),
	},
	"no_mfa": {
		"yes": with_facts({"mfa": false}),
		"no": object.remove(quiet, ["mfa"]), # not yet submitted: nobody to judge
	},
	"emergency_first_request": {
		"yes": object.union(person({"earlier_requests": 0}), {"emergency": true}),
		"no": with_facts({"emergency": true}),
	},
	"identifier_other_agency": {
		"yes": with_facts({"shared_identifiers": 1}),
		"no": quiet,
	},
	"volume_spike": {
		"yes": agency({"submitted_last_day": 5, "submitted_prior_30_days": 30}),
		"no": agency({"submitted_last_day": 4, "submitted_prior_30_days": 0}), # below the minimum
	},
	"docket_reused": {
		"yes": with_facts({"same_docket": [["phone:+15550100123"], ["phone:+15550100999"]]}),
		"no": with_facts({"same_docket": [["phone:+15550100123"]]}), # a second request on the same order for the same target
	},
	"email_domain_outside": {
		"yes": with_facts({"email_domain": "mail.example"}),
		"no": object.union(agency({"domains": []}), {"email_domain": "mail.example"}), # no domains recorded
	},
}

test_signal_raised[code] if {
	some code, tc in cases
	code in codes(tc.yes)
}

test_signal_not_raised[code] if {
	some code, tc in cases
	not code in codes(tc.no)
}

test_quiet_request_has_none if {
	signals.found == [] with input as quiet
}

test_spike_is_against_the_average if {
	# 15 in a day against 150 in 30 days (5 a day): three times, not more.
	not "volume_spike" in codes(agency({"submitted_last_day": 15, "submitted_prior_30_days": 150}))
	"volume_spike" in codes(agency({"submitted_last_day": 16, "submitted_prior_30_days": 150}))
}

test_every_signal_has_words if {
	found := signals.found with input as object.union(cases.emergency_first_request.yes, {"mfa": false})
	count(found) == 3
	every s in found {
		count(s.text) > 20
	}
}

test_ordered_by_code if {
	found := signals.found with input as with_facts({"mfa": false, "shared_identifiers": 2})
	[s.code | some s in found] == ["identifier_other_agency", "no_mfa"]
}

test_reasons_say_the_numbers if {
	found := signals.found with input as person({"first_seen_days": 3})
	found[0].text == "This person was first seen 3 days ago, less than 30 days."
}

test_no_facts_no_signals if {
	signals.found == [] with input as {}
}
