package authz_test

import data.authz

# People who signed in with a second factor a minute ago, so that step-up
# actions are decided on their grants; the step-up tests below vary it.
recent := {"kind": "person", "mfa": true, "auth_age": 60}

officer := object.union(recent, {"id": "u-officer", "roles": ["officer"], "provider": false, "agency_id": "agency-1"})

supervisor := object.union(recent, {"id": "u-supervisor", "roles": ["supervisor"], "provider": false, "agency_id": "agency-1"})

intake := staff("intake")

reviewer := staff("reviewer")

counsel := staff("counsel")

admin := staff("admin")

auditor := staff("auditor")

staff(role) := object.union(recent, {"id": concat("-", ["u", role]), "roles": [role], "provider": true, "agency_id": ""})

# Filed by the officer, shared with nobody.
req(status) := {"id": "req-1", "agency_id": "agency-1", "status": status, "emergency": false, "created_by": "u-officer", "shared_with": []}

# A colleague of the officer's agency, and the officer's request shared with them.
colleague := object.union(officer, {"id": "u-colleague"})

shared_req(status) := object.union(req(status), {"shared_with": ["u-colleague"]})

# The agency's case-management system, with an officer's and a supervisor's roles.
agency_system := object.union(officer, {"id": "u-cms", "kind": "client", "roles": ["officer", "supervisor"]})

emergency_req(status) := object.union(req(status), {"emergency": true})

ask(actor, action, relation, request) := {"actor": actor, "action": action, "relation": relation, "request": request}

# Every action with at least one allow and one deny; "code" is the reason a
# denial must give.
cases := {
	"officer creates": {"in": ask(officer, "request.create", "", null), "allow": true},
	"supervisor does not create": {"in": ask(supervisor, "request.create", "", null), "allow": false, "code": "role_not_permitted"},
	"reviewer does not create": {"in": ask(reviewer, "request.create", "", null), "allow": false, "code": "role_not_permitted"},
	"officer lists": {"in": ask(officer, "request.list", "", null), "allow": true},
	"auditor lists": {"in": ask(auditor, "request.list", "", null), "allow": true},
	"roleless account lists nothing": {"in": ask(object.union(officer, {"roles": []}), "request.list", "", null), "allow": false, "code": "no_role"},
	"officer views own": {"in": ask(officer, "request.view", "own_agency", req("in_review")), "allow": true},
	"supervisor views own draft": {"in": ask(supervisor, "request.view", "own_agency", req("draft")), "allow": true},
	"officer views no other agency's": {"in": ask(officer, "request.view", "other_agency", object.union(req("in_review"), {"agency_id": "agency-2"})), "allow": false, "code": "other_agency"},
	"reviewer views submitted": {"in": ask(reviewer, "request.view", "provider", req("submitted")), "allow": true},
	"auditor views closed": {"in": ask(auditor, "request.view", "provider", req("closed")), "allow": true},
	"provider never sees drafts": {"in": ask(reviewer, "request.view", "provider", req("draft")), "allow": false, "code": "state_not_permitted"},
	"officer edits draft": {"in": ask(officer, "request.edit", "own_agency", req("draft")), "allow": true},
	"officer edits no submitted request": {"in": ask(officer, "request.edit", "own_agency", req("submitted")), "allow": false, "code": "state_not_permitted"},
	"supervisor does not edit": {"in": ask(supervisor, "request.edit", "own_agency", req("draft")), "allow": false, "code": "role_not_permitted"},
	"reviewer does not edit": {"in": ask(reviewer, "request.edit", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"officer uploads to draft": {"in": ask(officer, "request.document.upload", "own_agency", req("draft")), "allow": true},
	"officer uploads nothing under review": {"in": ask(officer, "request.document.upload", "own_agency", req("in_review")), "allow": false, "code": "state_not_permitted"},
	"officer attaches a corrected order when asked": {"in": ask(officer, "request.document.upload", "own_agency", req("needs_info")), "allow": true},
	"another agency attaches nothing when asked": {"in": ask(officer, "request.document.upload", "other_agency", req("needs_info")), "allow": false},
	"supervisor downloads own documents": {"in": ask(supervisor, "request.document.download", "own_agency", req("in_review")), "allow": true},
	"counsel downloads documents": {"in": ask(counsel, "request.document.download", "provider", req("awaiting_countersign")), "allow": true},
	"auditor downloads no documents": {"in": ask(auditor, "request.document.download", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"admin downloads no documents": {"in": ask(admin, "request.document.download", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"officer submits draft": {"in": ask(officer, "request.submit", "own_agency", req("draft")), "allow": true},
	"officer submits only once": {"in": ask(officer, "request.submit", "own_agency", req("submitted")), "allow": false, "code": "state_not_permitted"},
	"supervisor does not submit": {"in": ask(supervisor, "request.submit", "own_agency", req("draft")), "allow": false, "code": "role_not_permitted"},
	"supervisor cosigns emergency": {"in": ask(supervisor, "request.cosign", "own_agency", emergency_req("submitted")), "allow": true},
	"supervisor cosigns no ordinary request": {"in": ask(supervisor, "request.cosign", "own_agency", req("submitted")), "allow": false, "code": "not_emergency"},
	"supervisor cosigns before intake only": {"in": ask(supervisor, "request.cosign", "own_agency", emergency_req("in_review")), "allow": false, "code": "state_not_permitted"},
	"officer does not cosign": {"in": ask(officer, "request.cosign", "own_agency", emergency_req("submitted")), "allow": false, "code": "role_not_permitted"},
	"officer withdraws under review": {"in": ask(officer, "request.withdraw", "own_agency", req("in_review")), "allow": true},
	"supervisor withdraws draft": {"in": ask(supervisor, "request.withdraw", "own_agency", req("draft")), "allow": true},
	"officer withdraws nothing disclosed": {"in": ask(officer, "request.withdraw", "own_agency", req("disclosed")), "allow": false, "code": "state_not_permitted"},
	"officer answers questions": {"in": ask(officer, "request.message", "own_agency", req("needs_info")), "allow": true},
	"officer messages only when asked": {"in": ask(officer, "request.message", "own_agency", req("in_review")), "allow": false, "code": "state_not_permitted"},
	"officer gets receipt": {"in": ask(officer, "request.receipt", "own_agency", req("submitted")), "allow": true},
	"drafts have no receipt": {"in": ask(officer, "request.receipt", "own_agency", req("draft")), "allow": false, "code": "state_not_permitted"},
	"officer downloads production": {"in": ask(officer, "request.production.download", "own_agency", req("disclosed")), "allow": true},
	"no production before disclosure": {"in": ask(officer, "request.production.download", "own_agency", req("approved")), "allow": false, "code": "state_not_permitted"},
	"supervisor downloads no production": {"in": ask(supervisor, "request.production.download", "own_agency", req("disclosed")), "allow": false, "code": "role_not_permitted"},
	"provider downloads no production": {"in": ask(reviewer, "request.production.download", "provider", req("disclosed")), "allow": false, "code": "role_not_permitted"},
	"intake views queue": {"in": ask(intake, "queue.view", "", null), "allow": true},
	"auditor views no queue": {"in": ask(auditor, "queue.view", "", null), "allow": false, "code": "role_not_permitted"},
	"officer views no queue": {"in": ask(officer, "queue.view", "", null), "allow": false, "code": "role_not_permitted"},
	"auditor reads audit": {"in": ask(auditor, "audit.view", "", null), "allow": true},
	"admin reads no audit": {"in": ask(admin, "audit.view", "", null), "allow": false, "code": "role_not_permitted"},
	"admin manages agencies": {"in": ask(admin, "agency.manage", "", null), "allow": true},
	"reviewer manages no agencies": {"in": ask(reviewer, "agency.manage", "", null), "allow": false, "code": "role_not_permitted"},
	"admin sees the agencies": {"in": ask(admin, "agency.view", "", null), "allow": true},
	"auditor does not see the agencies": {"in": ask(auditor, "agency.view", "", null), "allow": false, "code": "role_not_permitted"},
	"admin publishes reports": {"in": ask(admin, "report.publish", "", null), "allow": true},
	"reviewer publishes no reports": {"in": ask(reviewer, "report.publish", "", null), "allow": false, "code": "role_not_permitted"},
	"intake sees the user notices": {"in": ask(intake, "notice.list", "", null), "allow": true},
	"an officer sees no user notices": {"in": ask(officer, "notice.list", "", null), "allow": false, "code": "role_not_permitted"},
	"reviewer retries a production": {"in": ask(reviewer, "production.retry", "", null), "allow": true},
	"intake retries no production": {"in": ask(intake, "production.retry", "", null), "allow": false, "code": "role_not_permitted"},
	"officer manages the agency's key": {"in": ask(officer, "agency.recipient.manage", "", null), "allow": true},
	"reviewer manages no agency's key": {"in": ask(reviewer, "agency.recipient.manage", "", null), "allow": false, "code": "role_not_permitted"},
	"officer lists the agency's supervisors": {"in": ask(officer, "agency.supervisors.list", "", null), "allow": true},
	"supervisor lists the agency's supervisors": {"in": ask(supervisor, "agency.supervisors.list", "", null), "allow": true},
	"admin lists no agency's supervisors": {"in": ask(admin, "agency.supervisors.list", "", null), "allow": false, "code": "role_not_permitted"},
	"intake takes submitted": {"in": ask(intake, "take", "provider", req("submitted")), "allow": true},
	"reviewer takes in review": {"in": ask(reviewer, "take", "provider", req("in_review")), "allow": true},
	"intake takes nothing in review": {"in": ask(intake, "take", "provider", req("in_review")), "allow": false, "code": "state_not_permitted"},
	"counsel takes no review": {"in": ask(counsel, "take", "provider", req("in_review")), "allow": false, "code": "state_not_permitted"},
	"counsel takes the countersignature": {"in": ask(counsel, "take", "provider", req("awaiting_countersign")), "allow": true},
	"reviewer takes no countersignature": {"in": ask(reviewer, "take", "provider", req("awaiting_countersign")), "allow": false, "code": "state_not_permitted"},
	"counsel releases the countersignature": {"in": ask(counsel, "release", "provider", req("awaiting_countersign")), "allow": true},
	"intake releases no countersignature": {"in": ask(intake, "release", "provider", req("awaiting_countersign")), "allow": false, "code": "state_not_permitted"},
	"intake releases": {"in": ask(intake, "release", "provider", req("intake")), "allow": true},
	"reviewer releases preservation": {"in": ask(reviewer, "release", "provider", req("preserved")), "allow": true},
	"reviewer releases nothing approved": {"in": ask(reviewer, "release", "provider", req("approved")), "allow": false, "code": "state_not_permitted"},
	"admin assigns": {"in": ask(admin, "assign", "provider", req("in_review")), "allow": true},
	"admin assigns nothing closed": {"in": ask(admin, "assign", "provider", req("closed")), "allow": false, "code": "state_not_permitted"},
	"reviewer does not assign": {"in": ask(reviewer, "assign", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"intake verifies": {"in": ask(intake, "verify", "provider", req("intake")), "allow": true},
	"reviewer does not verify": {"in": ask(reviewer, "verify", "provider", req("intake")), "allow": false, "code": "role_not_permitted"},
	"reviewer asks for information": {"in": ask(reviewer, "request_info", "provider", req("in_review")), "allow": true},
	"reviewer asks once at a time": {"in": ask(reviewer, "request_info", "provider", req("needs_info")), "allow": false, "code": "state_not_permitted"},
	"reviewer approves": {"in": ask(reviewer, "approve", "provider", req("in_review")), "allow": true},
	"counsel approves": {"in": ask(counsel, "approve", "provider", req("in_review")), "allow": true},
	"intake does not approve": {"in": ask(intake, "approve", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"approval only in review": {"in": ask(reviewer, "approve", "provider", req("awaiting_countersign")), "allow": false, "code": "state_not_permitted"},
	"counsel countersigns": {"in": ask(counsel, "countersign", "provider", req("awaiting_countersign")), "allow": true},
	"reviewer does not countersign": {"in": ask(reviewer, "countersign", "provider", req("awaiting_countersign")), "allow": false, "code": "role_not_permitted"},
	"reviewer rejects": {"in": ask(reviewer, "reject", "provider", req("in_review")), "allow": true},
	"counsel rejects at countersign": {"in": ask(counsel, "reject", "provider", req("awaiting_countersign")), "allow": true},
	"nothing approved is rejected": {"in": ask(reviewer, "reject", "provider", req("approved")), "allow": false, "code": "state_not_permitted"},
	"reviewer extends preservation": {"in": ask(reviewer, "extend", "provider", req("preserved")), "allow": true},
	"preservation extends once": {"in": ask(reviewer, "extend", "provider", req("extended")), "allow": false, "code": "state_not_permitted"},
	"reviewer closes disclosed": {"in": ask(reviewer, "close", "provider", req("disclosed")), "allow": true},
	"reviewer closes nothing in review": {"in": ask(reviewer, "close", "provider", req("in_review")), "allow": false, "code": "state_not_permitted"},
	"reviewer records the enforcing authority's answer": {"in": ask(reviewer, "record_enforcing_authority", "provider", req("in_review")), "allow": true},
	"counsel records it while production is held": {"in": ask(counsel, "record_enforcing_authority", "provider", req("approved")), "allow": true},
	"reviewer records an objection after an emergency disclosure": {"in": ask(reviewer, "record_enforcing_authority", "provider", req("disclosed")), "allow": true},
	"intake records no enforcing authority's answer": {"in": ask(intake, "record_enforcing_authority", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"no answer is recorded before verification": {"in": ask(reviewer, "record_enforcing_authority", "provider", req("intake")), "allow": false, "code": "state_not_permitted"},
	"no answer is recorded once closed": {"in": ask(reviewer, "record_enforcing_authority", "provider", req("closed")), "allow": false, "code": "state_not_permitted"},
	"officer records no enforcing authority's answer": {"in": ask(officer, "record_enforcing_authority", "own_agency", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"reviewer confirms production issued": {"in": ask(reviewer, "confirm_production_issued", "provider", req("extended")), "allow": true},
	"confirmation only while preserved": {"in": ask(reviewer, "confirm_production_issued", "provider", req("released")), "allow": false, "code": "state_not_permitted"},
	"counsel does not confirm production issued": {"in": ask(counsel, "confirm_production_issued", "provider", req("preserved")), "allow": false, "code": "role_not_permitted"},
	# Need-to-know inside the agency (request.AgencySees is the same rule in SQL).
	"colleague sees no request not shared": {"in": ask(colleague, "request.view", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"colleague withdraws no request not shared": {"in": ask(colleague, "request.withdraw", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"colleague downloads no document not shared": {"in": ask(colleague, "request.document.download", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"colleague gets no receipt not shared": {"in": ask(colleague, "request.receipt", "own_agency", req("submitted")), "allow": false, "code": "need_to_know"},
	"colleague downloads no production not shared": {"in": ask(colleague, "request.production.download", "own_agency", req("disclosed")), "allow": false, "code": "need_to_know"},
	"colleague sees a request shared with them": {"in": ask(colleague, "request.view", "own_agency", shared_req("in_review")), "allow": true},
	"shared colleague answers questions": {"in": ask(colleague, "request.message", "own_agency", shared_req("needs_info")), "allow": true},
	"shared colleague downloads the production": {"in": ask(colleague, "request.production.download", "own_agency", shared_req("disclosed")), "allow": true},
	"supervisor sees every request of the agency": {"in": ask(supervisor, "request.view", "own_agency", req("closed")), "allow": true},
	"agency system sees what it filed": {"in": ask(agency_system, "request.view", "own_agency", object.union(req("in_review"), {"created_by": "u-cms"})), "allow": true},
	"agency system is no supervisor": {"in": ask(agency_system, "request.view", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"anonymous actor files nothing": {"in": ask(object.union(officer, {"id": ""}), "request.view", "own_agency", object.union(req("in_review"), {"created_by": ""})), "allow": false, "code": "need_to_know"},
	"filer sees who sees it": {"in": ask(officer, "request.shares.list", "own_agency", req("in_review")), "allow": true},
	"shared colleague sees who sees it": {"in": ask(colleague, "request.shares.list", "own_agency", shared_req("in_review")), "allow": true},
	"colleague not shared sees nobody": {"in": ask(colleague, "request.shares.list", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"provider sees no agency's sharing": {"in": ask(reviewer, "request.shares.list", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"filer shares": {"in": ask(officer, "request.share", "own_agency", req("draft")), "allow": true},
	"supervisor shares": {"in": ask(supervisor, "request.share", "own_agency", req("closed")), "allow": true},
	"shared colleague shares no further": {"in": ask(colleague, "request.share", "own_agency", shared_req("in_review")), "allow": false, "code": "filer_or_supervisor"},
	"colleague not shared shares nothing": {"in": ask(colleague, "request.share", "own_agency", req("in_review")), "allow": false, "code": "need_to_know"},
	"other agency shares nothing": {"in": ask(supervisor, "request.share", "other_agency", object.union(req("in_review"), {"agency_id": "agency-2"})), "allow": false, "code": "other_agency"},
	"provider shares nothing": {"in": ask(admin, "request.share", "provider", req("in_review")), "allow": false, "code": "role_not_permitted"},
	"filer unshares": {"in": ask(officer, "request.unshare", "own_agency", shared_req("in_review")), "allow": true},
	"supervisor unshares": {"in": ask(supervisor, "request.unshare", "own_agency", shared_req("in_review")), "allow": true},
	"shared colleague unshares nobody": {"in": ask(colleague, "request.unshare", "own_agency", shared_req("in_review")), "allow": false, "code": "filer_or_supervisor"},
	"agency system unshares only what it filed": {"in": ask(agency_system, "request.unshare", "own_agency", object.union(shared_req("in_review"), {"shared_with": ["u-cms"]})), "allow": false, "code": "filer_or_supervisor"},
	# Rules that cut across every action.
	"nobody reviews own agency": {"in": ask(object.union(reviewer, {"agency_id": "agency-1"}), "approve", "provider", req("in_review")), "allow": false, "code": "own_agency_review"},
	"agency role on provider account counts for nothing": {"in": ask(object.union(officer, {"provider": true}), "request.create", "", null), "allow": false, "code": "no_role"},
	"provider role on agency account counts for nothing": {"in": ask(object.union(officer, {"roles": ["reviewer"]}), "approve", "provider", req("in_review")), "allow": false},
	"agency role without agency counts for nothing": {"in": ask(object.union(officer, {"agency_id": ""}), "request.create", "", null), "allow": false, "code": "no_role"},
	"claimed own agency must be own": {"in": ask(officer, "request.view", "own_agency", object.union(req("in_review"), {"agency_id": "agency-2"})), "allow": false, "code": "relation_mismatch"},
	"agency staff cannot act as provider": {"in": ask(officer, "request.view", "provider", req("in_review")), "allow": false, "code": "relation_mismatch"},
	"other agency never allowed anything": {"in": ask(supervisor, "request.withdraw", "other_agency", object.union(req("draft"), {"agency_id": "agency-2"})), "allow": false, "code": "other_agency"},
	"unknown action": {"in": ask(admin, "request.delete", "", null), "allow": false, "code": "unknown_action"},
	"unknown relation": {"in": ask(officer, "request.view", "friend", req("draft")), "allow": false, "code": "unknown_relation"},
	"request action needs a request": {"in": ask(officer, "request.view", "own_agency", null), "allow": false, "code": "request_missing"},
	"unknown state": {"in": ask(officer, "request.view", "own_agency", req("lost")), "allow": false, "code": "unknown_state"},
	"wrong relation for the grant": {"in": ask(reviewer, "request.view", "", req("in_review")), "allow": false, "code": "relation_not_permitted"},
}

test_authz[note] if {
	some note, tc in cases
	d := authz.decision with input as tc["in"]
	d.allow == tc.allow
	count(d.reasons) > 0
	expect_code(tc, d)
}

expect_code(tc, _) if tc.allow

expect_code(tc, _) if {
	not tc.allow
	not tc.code
}

expect_code(tc, d) if {
	not tc.allow
	tc.code in {r.code | some r in d.reasons}
}

test_every_action_has_an_allow_and_a_deny[action] if {
	some action, _ in authz.actions
	some yes in cases
	yes["in"].action == action
	yes.allow
	some no in cases
	no["in"].action == action
	not no.allow
}

test_every_granted_action_is_described if {
	object.keys(authz.grants) == object.keys(authz.actions)
}

test_grants_name_known_roles_and_states if {
	every _, gs in authz.grants {
		every g in gs {
			every r in g.roles {
				r in (authz.agency_roles | authz.provider_roles)
			}
			every s in g.states {
				s in authz.states
			}
		}
	}
}

test_allow_says_which_rule if {
	d := authz.decision with input as ask(officer, "request.submit", "own_agency", req("draft"))
	d.reasons == [{"code": "granted", "text": "Officers submit their agency's drafts."}]
}

test_state_denial_names_allowed_states if {
	d := authz.decision with input as ask(reviewer, "extend", "provider", req("in_review"))
	contains(d.reasons[0].text, "while the request is in_review; only when it is preserved")
}

test_role_denial_names_roles if {
	d := authz.decision with input as ask(auditor, "approve", "provider", req("in_review"))
	d.reasons[0].text == "Your roles (auditor) do not allow you to approve this request."
}

test_filer_denial_says_who_may if {
	d := authz.decision with input as ask(colleague, "request.share", "own_agency", shared_req("in_review"))
	d.reasons[0].text == "Only the person who filed this request and your agency's supervisors may share this request with a colleague."
}

test_relation_denial_names_relation if {
	d := authz.decision with input as ask(reviewer, "request.view", "", req("in_review"))
	contains(d.reasons[0].text, "only as the provider's staff")
}

test_garbage_is_denied if {
	d := authz.decision with input as "not an object"
	not d.allow
}

test_default_denies if {
	d := authz.decision with input as ask(officer, "request.view", "own_agency", req("draft"))
		with authz.grants as {"request.view": [{"roles": ["supervisor"], "relation": "own_agency", "states": {"draft"}, "emergency": false, "text": ""}]}
		with authz.actions as {}
	not d.allow
	d.reasons[0].code == "policy_error"
}

test_grants_give_each_side_its_own_roles if {
	every _, gs in authz.grants {
		every g in gs {
			grant_roles_on_side(g)
		}
	}
}

grant_roles_on_side(g) if {
	g.relation == "own_agency"
	every r in g.roles {
		r in authz.agency_roles
	}
}

grant_roles_on_side(g) if {
	g.relation == "provider"
	every r in g.roles {
		r in authz.provider_roles
	}
}

grant_roles_on_side(g) if {
	g.relation == ""
	g.states == []
}

test_capabilities_follow_the_roles if {
	c := authz.capabilities with input as {"actor": {"id": "u", "roles": ["reviewer"], "provider": true, "agency_id": ""}}
	c.actions == ["notice.list", "production.retry", "queue.view", "request.list"]
	c.home_queue == "legal"
	o := authz.capabilities with input as {"actor": {"id": "o", "roles": ["officer"], "provider": false, "agency_id": "a"}}
	o.actions == ["agency.recipient.manage", "agency.supervisors.list", "request.create", "request.list"]
	o.home_queue == ""
	a := authz.capabilities with input as {"actor": {"id": "x", "roles": ["admin", "auditor"], "provider": true, "agency_id": ""}}
	a.actions == ["agency.manage", "agency.view", "audit.view", "notice.list", "production.retry", "queue.view", "report.publish", "request.list"]
	u := authz.capabilities with input as {"actor": {"id": "z", "roles": ["auditor"], "provider": true, "agency_id": ""}}
	u.actions == ["audit.view", "notice.list", "request.list"]
	# A provider role held by an agency account counts for nothing.
	n := authz.capabilities with input as {"actor": {"id": "y", "roles": ["admin"], "provider": false, "agency_id": "a"}}
	n.actions == []
	d := authz.capabilities with input as {}
	d.actions == []
}

# Step-up: a granted step-up action is refused, saying so, to a person
# without a recent second factor; systems are held by their credentials.
step_up_cases := {
	"approve with a recent second factor": {"actor": reviewer, "action": "approve", "relation": "provider", "request": req("in_review"), "allow": true},
	"approve with a password only": {"actor": object.union(reviewer, {"mfa": false}), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": false},
	"approve 16 minutes after the second factor": {"actor": object.union(reviewer, {"auth_age": 960}), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": false},
	"approve exactly 15 minutes after": {"actor": object.union(reviewer, {"auth_age": 900}), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": true},
	"approve, auth time unknown": {"actor": object.union(reviewer, {"auth_age": -1}), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": false},
	"approve, no kind said, password only": {"actor": object.remove(object.union(reviewer, {"mfa": false}), ["kind"]), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": false},
	"approve, nothing about the sign-in": {"actor": object.remove(reviewer, ["mfa", "auth_age"]), "action": "approve", "relation": "provider", "request": req("in_review"), "allow": false},
	"countersign with a password only": {"actor": object.union(counsel, {"mfa": false}), "action": "countersign", "relation": "provider", "request": req("awaiting_countersign"), "allow": false},
	"co-sign with a password only": {"actor": object.union(supervisor, {"mfa": false}), "action": "request.cosign", "relation": "own_agency", "request": emergency_req("submitted"), "allow": false},
	"download a package with a password only": {"actor": object.union(officer, {"mfa": false}), "action": "request.production.download", "relation": "own_agency", "request": req("disclosed"), "allow": false},
	"agency system downloads a package": {"actor": object.union(officer, {"kind": "client", "mfa": false, "auth_age": -1}), "action": "request.production.download", "relation": "own_agency", "request": req("disclosed"), "allow": true},
	"manage agencies with a password only": {"actor": object.union(admin, {"mfa": false}), "action": "agency.manage", "relation": "", "request": null, "allow": false},
	"publish a report with a password only": {"actor": object.union(admin, {"mfa": false}), "action": "report.publish", "relation": "", "request": null, "allow": false},
	"see the agencies with a password only": {"actor": object.union(admin, {"mfa": false}), "action": "agency.view", "relation": "", "request": null, "allow": true},
	"take with a password only": {"actor": object.union(reviewer, {"mfa": false}), "action": "take", "relation": "provider", "request": req("in_review"), "allow": true},
	"reject with a password only": {"actor": object.union(reviewer, {"mfa": false}), "action": "reject", "relation": "provider", "request": req("in_review"), "allow": true},
}

test_step_up[note] if {
	some note, tc in step_up_cases
	d := authz.decision with input as ask(tc.actor, tc.action, tc.relation, tc.request)
	d.allow == tc.allow
	step_up_said(tc, d)
}

step_up_said(tc, d) if {
	tc.allow
	not d.step_up
}

step_up_said(tc, d) if {
	not tc.allow
	d.step_up == true
	d.reasons[0].code == "step_up_required"
}

# Step-up never lets anyone do what their grants do not: a password-only
# auditor is refused approving for their role, not offered a step-up.
test_step_up_only_for_what_is_granted if {
	d := authz.decision with input as ask(object.union(auditor, {"mfa": false}), "approve", "provider", req("in_review"))
	not d.allow
	not d.step_up
	d.reasons[0].code == "role_not_permitted"
}

test_step_up_reason_says_what_to_do if {
	d := authz.decision with input as ask(object.union(reviewer, {"mfa": false}), "approve", "provider", req("in_review"))
	d.reasons[0].text == "To approve this request, confirm it is you: sign in again with your second factor (needed within 15 minutes of this action)."
}

test_step_up_actions_are_actions if {
	every a in authz.step_up_actions {
		a in object.keys(authz.actions)
	}
}
