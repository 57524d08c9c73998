# METADATA
# title: Requester signals
# description: |
#   What is unusual about who is asking. Forged emergency requests from
#   hijacked police accounts are the attack providers meet most; intake and
#   reviewers see these signals beside the request, each with its reason, so
#   that they know when to call the agency back and look harder. A signal
#   refuses nothing: it is a fact worth a second look. The decision is
#   data.signals.found, a list of {code, text} ordered by code.
#
#   Go gathers the facts for one request (server/internal/signals), as of
#   its submission (or now, for a draft):
#     emergency            bool
#     mfa                  bool; absent while nobody has submitted it
#     person               {earlier_requests, first_seen_days}
#     agency               {earlier_requests, domains, submitted_last_day,
#                           submitted_prior_30_days}
#     email_domain         the filer's e-mail domain, lower case
#     shared_identifiers   how many of its targets another agency named in
#                          the last identifier_days days
#     targets              its targets as "type:value"
#     same_docket          the targets of each other request of the agency
#                          with the same docket number
package signals

# A person the portal first saw less than this many days ago is new.
new_person_days := 30

# Identifiers named by another agency within this many days.
identifier_days := 90

# A spike: more requests in the last day than spike_factor times the
# agency's daily average over the 30 days before, and at least spike_minimum
# (so that an agency filing its second request ever is no spike).
spike_factor := 3

spike_minimum := 5

default found := []

found := [s | some code in sort(object.keys(signal)); s := {"code": code, "text": signal[code]}] if {
	is_object(input.person)
	is_object(input.agency)
}

# Takeover of an officer's account shows first as a request from someone
# who never filed before.
signal["first_request_person"] := "This person has not submitted a request before." if {
	input.person.earlier_requests == 0
}

# A new account is where a forged identity starts: recently created at the
# agency's identity provider, or recently given access.
signal["new_person"] := sprintf("This person was first seen %d days ago, less than %d days.", [input.person.first_seen_days, new_person_days]) if {
	input.person.first_seen_days < new_person_days
}

# An agency that never filed before has no history to compare against;
# the provider knows it only from onboarding.
signal["first_request_agency"] := "This agency has not submitted a request before." if {
	input.agency.earlier_requests == 0
}

# A stolen password alone signs in where no second factor is asked; the
# submission is what counts, so the sign-in that submitted it is judged.
signal["no_mfa"] := "It was submitted from a sign-in without a second factor." if {
	input.mfa == false
}

# The forged-emergency pattern: urgency that leaves no time to check, from
# someone with no track record.
signal["emergency_first_request"] := "An emergency from someone who has not submitted a request before: call the agency back on a directory number." if {
	input.emergency == true
	input.person.earlier_requests == 0
}

# The same account asked for by two agencies: parallel investigations, or a
# stalker using a second agency's name.
signal["identifier_other_agency"] := sprintf("Another agency named %d of its identifiers in the last %d days.", [input.shared_identifiers, identifier_days]) if {
	input.shared_identifiers > 0
}

# A burst of requests from one agency is what a compromised agency account
# or a scripted abuse looks like.
signal["volume_spike"] := sprintf("The agency submitted %d requests in the last 24 hours, more than %d times its daily average of the 30 days before.", [input.agency.submitted_last_day, spike_factor]) if {
	n := input.agency.submitted_last_day
	n >= spike_minimum
	n > (spike_factor * input.agency.submitted_prior_30_days) / 30
}

# One court order covers the targets it names; the same docket number on a
# request for other targets suggests a reused or invented order.
signal["docket_reused"] := "The agency used this docket number on another request for different targets." if {
	mine := {t | some t in input.targets}
	some other in input.same_docket
	{t | some t in other} != mine
}

# An officer's address outside the agency's own domains: a personal or a
# look-alike mailbox. No domains recorded: nothing to compare with.
signal["email_domain_outside"] := sprintf("The filer's e-mail domain %s is not one of the agency's.", [input.email_domain]) if {
	count(input.agency.domains) > 0
	not input.email_domain in input.agency.domains
}
