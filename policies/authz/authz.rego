# METADATA
# title: Authorisation
# description: |
#   Who may take which action on a request in which state, given the actor's
#   relation to it. The web layer asks on every route; the decision is
#   data.authz.decision. Anything not granted below is denied.
package authz

agency_roles := {"officer", "supervisor"}

provider_roles := {"intake", "reviewer", "counsel", "admin", "auditor"}

# The workflow's states (DESIGN.md). The provider never sees an agency's
# drafts: they are not yet a request.
states := {
	"draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign",
	"approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired",
	"preserved", "extended", "released",
}

# What each action is, for reasons.
actions := {
	"request.create": "create requests",
	"request.list": "list requests",
	"request.view": "view this request",
	"request.edit": "edit this request",
	"request.document.upload": "upload documents to this request",
	"request.document.download": "download this request's documents",
	"request.submit": "submit this request",
	"request.cosign": "co-sign this request",
	"request.withdraw": "withdraw this request",
	"request.message": "send messages on this request",
	"request.receipt": "get this request's log receipt",
	"request.production.download": "download this request's production",
	"queue.view": "view the provider's queues",
	"audit.view": "read the audit trail",
	"agency.manage": "manage agencies",
	"agency.view": "see the agencies, their people and the identity providers",
	"report.publish": "publish transparency reports",
	"notice.list": "see the user notices",
	"production.retry": "start or retry a production",
	"agency.recipient.manage": "manage your agency's encryption key for packages",
	"agency.supervisors.list": "list your agency's supervisors",
	"request.shares.list": "see who in your agency can see this request",
	"request.share": "share this request with a colleague",
	"request.unshare": "stop sharing this request with a colleague",
	"take": "take this request",
	"release": "release this request",
	"assign": "assign this request",
	"verify": "verify this request",
	"request_info": "ask the agency for information",
	"approve": "approve this request",
	"countersign": "countersign this request",
	"reject": "reject this request",
	"extend": "extend this preservation",
	"close": "close this request",
	"record_enforcing_authority": "record the enforcing authority's answer",
	"confirm_production_issued": "record that a production request has been issued",
}

# grants[action] lists who may take it: the roles, the relation to the
# request ("" for an action on no request, "own_agency", "provider"), the
# states the request must be in, whether it must be an emergency, and (where
# said) whether only the person who filed it and the agency's supervisors
# may ("filer_or_supervisor"). Agency staff never act on another agency's
# requests, nor on one of their own agency's they have no need to know
# (need_to_know below); the provider's staff never act on their own agency's
# (they have none, but the rule stands). Each action is its own rule so that
# a decision reads only its own grants.

grants["request.create"] := [
	{
		"roles": ["officer"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Officers file requests for their agency.",
	},
]

grants["request.list"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Agency staff list their agency's requests.",
	},
	{
		"roles": ["intake", "reviewer", "counsel", "admin", "auditor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Provider staff list submitted requests.",
	},
]

grants["request.view"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Agency staff see their agency's requests.",
	},
	{
		"roles": ["intake", "reviewer", "counsel", "admin", "auditor"],
		"relation": "provider",
		"states": ["submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Provider staff see every submitted request.",
	},
]

grants["request.edit"] := [
	{
		"roles": ["officer"],
		"relation": "own_agency",
		"states": ["draft"],
		"emergency": false,
		"text": "Officers edit their agency's drafts.",
	},
]

grants["request.document.upload"] := [
	{
		"roles": ["officer"],
		"relation": "own_agency",
		"states": ["draft", "needs_info"],
		"emergency": false,
		"text": "Officers attach the order to their agency's drafts, and a corrected order while the provider asks them for information.",
	},
]

grants["request.document.download"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Agency staff read their agency's documents.",
	},
	{
		"roles": ["intake", "reviewer", "counsel"],
		"relation": "provider",
		"states": ["submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Intake, reviewers and counsel read the order they check.",
	},
]

grants["request.submit"] := [
	{
		"roles": ["officer"],
		"relation": "own_agency",
		"states": ["draft"],
		"emergency": false,
		"text": "Officers submit their agency's drafts.",
	},
]

grants["request.cosign"] := [
	{
		"roles": ["supervisor"],
		"relation": "own_agency",
		"states": ["submitted"],
		"emergency": true,
		"text": "Supervisors co-sign their agency's emergency requests.",
	},
]

grants["request.withdraw"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "preserved", "extended"],
		"emergency": false,
		"text": "Agency staff withdraw their agency's open requests.",
	},
]

grants["request.message"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["needs_info"],
		"emergency": false,
		"text": "Agency staff answer the reviewer's questions.",
	},
]

grants["request.receipt"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Agency staff get the log receipt of their agency's requests.",
	},
]

grants["request.production.download"] := [
	{
		"roles": ["officer"],
		"relation": "own_agency",
		"states": ["disclosed"],
		"emergency": false,
		"text": "Officers download their agency's productions.",
	},
]

grants["queue.view"] := [
	{
		"roles": ["intake", "reviewer", "counsel", "admin"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Provider teams work from the queues.",
	},
]

grants["audit.view"] := [
	{
		"roles": ["auditor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Auditors read the audit trail.",
	},
]

grants["agency.manage"] := [
	{
		"roles": ["admin"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Administrators onboard agencies.",
	},
]

grants["agency.view"] := [
	{
		"roles": ["admin"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Administrators see the agencies they manage, their people and the identity providers.",
	},
]

grants["report.publish"] := [
	{
		"roles": ["admin"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Administrators publish transparency reports.",
	},
]

grants["notice.list"] := [
	{
		"roles": ["intake", "reviewer", "counsel", "admin", "auditor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Provider teams see the user notices owed, withheld and sent.",
	},
]

grants["production.retry"] := [
	{
		"roles": ["reviewer", "counsel", "admin"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Reviewers, counsel and administrators start or retry productions.",
	},
]

grants["agency.recipient.manage"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Agency staff register the key their agency's packages are encrypted to.",
	},
]

# An agency's own systems file emergencies through the API and must name
# the supervisor who co-signs: they list whom they may name. The provider's
# staff file nothing, and another agency's people are never listed.
grants["agency.supervisors.list"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "",
		"states": [],
		"emergency": false,
		"text": "Agency staff list their agency's supervisors, to name the one who co-signs an emergency.",
	},
]

# Need-to-know inside the agency: whoever sees a request sees who else
# does; the person who filed it and the agency's supervisors name the
# colleagues who may see it too, and take them off again.
grants["request.shares.list"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Agency staff who see a request see who in their agency can see it.",
	},
]

grants["request.share"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"filer_or_supervisor": true,
		"text": "The person who filed a request, and their agency's supervisors, share it with colleagues.",
	},
]

grants["request.unshare"] := [
	{
		"roles": ["officer", "supervisor"],
		"relation": "own_agency",
		"states": ["draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released"],
		"emergency": false,
		"filer_or_supervisor": true,
		"text": "The person who filed a request, and their agency's supervisors, stop sharing it with colleagues.",
	},
]

grants["take"] := [
	{
		"roles": ["intake"],
		"relation": "provider",
		"states": ["submitted", "intake"],
		"emergency": false,
		"text": "Intake takes unverified requests.",
	},
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["in_review", "needs_info"],
		"emergency": false,
		"text": "Reviewers take requests under review.",
	},
	{
		"roles": ["counsel"],
		"relation": "provider",
		"states": ["awaiting_countersign"],
		"emergency": false,
		"text": "Counsel takes the countersignature it gives.",
	},
]

grants["release"] := [
	{
		"roles": ["intake"],
		"relation": "provider",
		"states": ["intake"],
		"emergency": false,
		"text": "Intake releases requests it took.",
	},
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["in_review", "needs_info", "preserved", "extended"],
		"emergency": false,
		"text": "Reviewers release requests and preservations.",
	},
	{
		"roles": ["counsel"],
		"relation": "provider",
		"states": ["awaiting_countersign"],
		"emergency": false,
		"text": "Counsel releases a countersignature it took.",
	},
]

grants["assign"] := [
	{
		"roles": ["admin"],
		"relation": "provider",
		"states": ["submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "preserved", "extended"],
		"emergency": false,
		"text": "Administrators assign open requests.",
	},
]

grants["verify"] := [
	{
		"roles": ["intake"],
		"relation": "provider",
		"states": ["submitted", "intake"],
		"emergency": false,
		"text": "Intake verifies the agency and the order.",
	},
]

grants["request_info"] := [
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["in_review"],
		"emergency": false,
		"text": "Reviewers ask the agency for information.",
	},
]

grants["approve"] := [
	{
		"roles": ["reviewer", "counsel"],
		"relation": "provider",
		"states": ["in_review"],
		"emergency": false,
		"text": "Reviewers and counsel approve requests under review.",
	},
]

grants["countersign"] := [
	{
		"roles": ["counsel"],
		"relation": "provider",
		"states": ["awaiting_countersign"],
		"emergency": false,
		"text": "Counsel gives the second approval.",
	},
]

grants["reject"] := [
	{
		"roles": ["reviewer", "counsel"],
		"relation": "provider",
		"states": ["in_review", "needs_info", "awaiting_countersign"],
		"emergency": false,
		"text": "Reviewers and counsel reject requests.",
	},
]

grants["extend"] := [
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["preserved"],
		"emergency": false,
		"text": "Reviewers extend a preservation once.",
	},
]

grants["close"] := [
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["disclosed", "preserved", "extended", "released"],
		"emergency": false,
		"text": "Reviewers close finished requests.",
	},
]

# The answer of the authority notified of an EU production order (Regulation
# (EU) 2023/1543, Articles 8, 10 and 12) decides whether the order is
# executed, so those who decide requests record it: before the decision,
# while an approved request is held for it, and after an emergency
# production, when an objection still restricts the use of the data.
grants["record_enforcing_authority"] := [
	{
		"roles": ["reviewer", "counsel"],
		"relation": "provider",
		"states": ["in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed"],
		"emergency": false,
		"text": "Reviewers and counsel record the enforcing authority's answer.",
	},
]

# The issuing authority's confirmation that a production request has been
# issued keeps an EU preservation until the data is produced (Article 11(1)):
# reviewers, who extend preservations, record it.
grants["confirm_production_issued"] := [
	{
		"roles": ["reviewer"],
		"relation": "provider",
		"states": ["preserved", "extended"],
		"emergency": false,
		"text": "Reviewers record that the issuing authority has issued its production request.",
	},
]

# Step-up. The actions that cannot be undone or that change who may do what
# need a person who signed in with more than a password, and recently:
# approving and countersigning a disclosure, co-signing an emergency,
# downloading a package, and every administrator's change (agency.manage:
# onboarding, suspending and reactivating agencies and people; publishing a
# report). Reading (agency.view) needs no step-up. A stolen password,
# or a session left open on a shared desk, is then not enough to release data
# or to let someone else in. "Recently" is step_up_max_age seconds since the
# person authenticated at their OpenID Provider (the ID token's auth_time),
# with a second factor as their issuer's configuration defines it (acr or
# amr). Agency systems (client credentials) and the portal's own jobs have no
# second factor to give; they are held by their own credentials.
step_up_actions := {
	"approve",
	"countersign",
	"request.cosign",
	"request.production.download",
	"agency.manage",
	"report.publish",
}

step_up_max_age := 900

step_up_reason := {"code": "step_up_required", "text": sprintf(
	"To %s, confirm it is you: sign in again with your second factor (needed within %d minutes of this action).",
	[actions[input.action], step_up_max_age / 60],
)}

step_up_missing if {
	input.action in step_up_actions
	not step_up_exempt
	not recent_mfa
}

step_up_exempt if input.actor.kind == "client"

step_up_exempt if input.actor.kind == "system"

recent_mfa if {
	input.actor.mfa == true
	input.actor.auth_age >= 0
	input.actor.auth_age <= step_up_max_age
}

# Undefined must never allow.
default decision := {"allow": false, "reasons": [{"code": "policy_error", "text": "The authorisation policy could not decide; access is denied."}]}

# Allowed when a grant of the action matches the actor, its relation to the
# request and the request's state; the first such grant is the reason.
# A granted step-up action is still denied, with "step_up": true, to a person
# who has not proved a second factor recently: the pages then offer it and
# ask them to sign in again with it. Otherwise denied, with every rule that
# forbids it, or why no grant matched.
decision := {"allow": false, "step_up": true, "reasons": [step_up_reason]} if {
	count(allowed_by) > 0
	step_up_missing
} else := {"allow": true, "reasons": [{"code": "granted", "text": allowed_by[0].text}]} if {
	count(allowed_by) > 0
} else := {"allow": false, "reasons": [d | some d in denials]} if {
	count(denials) > 0
} else := {"allow": false, "reasons": [why_not]}

allowed_by := [g | some g in grants[input.action]; grant_matches(g)]

# A grant for no particular request: the role must be on the actor's side.
grant_matches(g) if {
	g.relation == ""
	input.relation == ""
	some r in g.roles
	r in roles
}

# A grant to the requesting agency's staff: the request must be theirs,
# and one they need to know.
grant_matches(g) if {
	g.relation == "own_agency"
	input.relation == "own_agency"
	own_agency
	need_to_know
	input.request.status in g.states
	not emergency_missing(g)
	not filer_or_supervisor_missing(g)
	some r in g.roles
	r in roles
}

# Need-to-know: inside its agency a request is for the person who filed it
# (request.created_by), the colleagues it is shared with
# (request.shared_with) and the agency's supervisors (people, not the
# agency's systems). The request package applies the same rule in SQL to
# every read (request.AgencySees), so a request outside it is missing there;
# here it bounds every grant to the agency's staff.
need_to_know if filer

need_to_know if input.actor.id in input.request.shared_with

need_to_know if agency_supervisor

filer if {
	input.actor.id != ""
	input.actor.id == input.request.created_by
}

agency_supervisor if {
	"supervisor" in roles
	not input.actor.kind == "client"
}

filer_or_supervisor_missing(g) if {
	g.filer_or_supervisor == true
	not filer
	not agency_supervisor
}

# A grant to the provider's staff: never on their own agency's request.
grant_matches(g) if {
	g.relation == "provider"
	input.relation == "provider"
	input.actor.provider == true
	not provider_own_agency
	input.request.status in g.states
	some r in g.roles
	r in roles
}

emergency_missing(g) if {
	g.emergency
	not input.request.emergency == true
}

is_provider if input.actor.provider == true

# Roles count only on the right side of the table: an agency role held by a
# provider account, or a provider role held by an agency account, is ignored.
roles contains r if {
	some r in input.actor.roles
	r in agency_roles
	not is_provider
	input.actor.agency_id != ""
}

roles contains r if {
	some r in input.actor.roles
	r in provider_roles
	is_provider
}

about_request if {
	some g in grants[input.action]
	g.relation != ""
}

denials contains {"code": "unknown_action", "text": sprintf("Unknown action %q.", [input.action])} if {
	not grants[input.action]
}

denials contains {"code": "no_role", "text": "Your account has no role here."} if {
	count(roles) == 0
}

denials contains {"code": "unknown_relation", "text": sprintf("Unknown relation %q.", [input.relation])} if {
	not input.relation in {"", "own_agency", "other_agency", "provider"}
}

denials contains {"code": "request_missing", "text": "This action needs a request."} if {
	about_request
	not is_object(input.request)
}

denials contains {"code": "unknown_state", "text": sprintf("The request is in an unknown state %q.", [input.request.status])} if {
	is_object(input.request)
	not input.request.status in states
}

denials contains {"code": "other_agency", "text": "This request belongs to another agency."} if {
	input.relation == "other_agency"
}

# Answered as NotFound, exactly as another agency's request.
denials contains {"code": "need_to_know", "text": "This request is not shared with you."} if {
	input.relation == "own_agency"
	own_agency
	is_object(input.request)
	not need_to_know
}

# The caller states the relation; it must agree with the actor and the request.
denials contains {"code": "relation_mismatch", "text": "The request is not your agency's."} if {
	input.relation == "own_agency"
	not own_agency
}

denials contains {"code": "relation_mismatch", "text": "Only the provider's staff act as the provider."} if {
	input.relation == "provider"
	not is_provider
}

# Nobody reviews their own agency's request.
denials contains {"code": "own_agency_review", "text": "Nobody acts as the provider on a request of their own agency."} if {
	provider_own_agency
}

provider_own_agency if {
	is_provider
	input.actor.agency_id != ""
	input.actor.agency_id == input.request.agency_id
}

own_agency if {
	not is_provider
	input.actor.agency_id != ""
	input.actor.agency_id == input.request.agency_id
}

# why_not explains a denial when no grant matched: the role, then the
# relation, then the state.
why_not := {"code": "role_not_permitted", "text": sprintf("Your roles (%s) do not allow you to %s.", [concat(", ", sort(roles)), actions[input.action]])} if {
	count(by_role) == 0
} else := {"code": "relation_not_permitted", "text": sprintf("You may %s only as %s.", [actions[input.action], concat(" or ", {relation_text[g.relation] | some g in by_role})])} if {
	count([g | some g in by_role; g.relation == input.relation]) == 0
} else := {"code": "filer_or_supervisor", "text": sprintf("Only the person who filed this request and your agency's supervisors may %s.", [actions[input.action]])} if {
	some g in by_role
	g.relation == input.relation
	g.filer_or_supervisor == true
	input.request.status in g.states
} else := {"code": "not_emergency", "text": "Only emergency requests are co-signed."} if {
	some g in by_role
	g.relation == input.relation
	g.emergency
	input.request.status in g.states
} else := {"code": "state_not_permitted", "text": sprintf("You cannot %s while the request is %s; only when it is %s.", [
	actions[input.action],
	input.request.status,
	concat(" or ", sort({s | some g in by_role; g.relation == input.relation; some s in g.states})),
])}

by_role := [g |
	some g in grants[input.action]
	some r in g.roles
	r in roles
]

relation_text := {
	"": "someone acting on no particular request",
	"own_agency": "staff of the requesting agency",
	"provider": "the provider's staff",
}

# What the actor may do beyond any particular request, for the pages'
# menus and buttons (data.authz.capabilities): the actions granted to its
# roles for no particular request, and the team queue it works from.
default capabilities := {"actions": [], "home_queue": ""}

capabilities := {"actions": sort({a |
	some a, gs in grants
	some g in gs
	g.relation == ""
	some r in g.roles
	r in roles
}), "home_queue": home_queue}

home_queue := q if {
	some q in ["intake", "legal", "counsel"]
	team_roles[q] in roles
} else := ""

# The role that works each team queue first.
team_roles := {"intake": "intake", "legal": "reviewer", "counsel": "counsel"}
