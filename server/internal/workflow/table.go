package workflow

import (
	"slices"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// By says who takes an action.
type By string

// Who takes an action.
const (
	ByProvider By = "provider" // the provider's staff, as the policy grants
	ByAgency   By = "agency"   // the requesting agency's people
	BySystem   By = "system"   // the engine itself: jobs and the disclosure seam
)

// A Rule is one line of the transition table: Action taken by By moves a
// request from any state in From to one of To (nil To: it stays where it
// is). Every rule is also guarded by the policy's authorisation decision
// (except the system's) and by the guard named in Guard.
type Rule struct {
	Action Action
	From   []State
	To     []State
	By     By
	Guard  string // what the engine checks besides the policy, for documentation and tests

	// applies, when set, says why the rule does not apply to this request
	// at all (a zero Text when it does): an action that concerns only some requests
	// (a notified EU order, a process whose preservation can be kept until
	// produced) is not allowed on the others, and is not offered for them.
	applies func(fit) errs.Text
	guard   func(*step) error
	next    func(*step) State
	effect  func(*step) error
}

// Stays reports whether the rule leaves the request in its state.
func (r Rule) Stays() bool { return len(r.To) == 0 }

var (
	// preDecision are the states in which a request waits for a decision:
	// an expired order ends them.
	preDecision = []State{request.StateSubmitted, request.StateIntake, request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign}
	// withdrawable are the states an agency may withdraw from: anything
	// not yet being produced or finished.
	withdrawable = []State{
		request.StateDraft, request.StateSubmitted, request.StateIntake, request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign,
		request.StateApproved, request.StatePreserved, request.StateExtended,
	}
	// assignable are the states an administrator may (re)assign in.
	assignable = []State{
		request.StateSubmitted, request.StateIntake, request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign,
		request.StateApproved, request.StatePreserved, request.StateExtended,
	}
	// enforcingAnswerable are the states in which an enforcing authority's
	// answer is recorded: from verification, when its notification is
	// recorded, until the request is finished.
	enforcingAnswerable = []State{request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign, request.StateApproved, request.StateProducing, request.StateDisclosed}
	// timed are the states with a deadline from the routing policy: the
	// provider owes the next step.
	timed = []State{request.StateSubmitted, request.StateIntake, request.StateInReview, request.StateAwaitingCountersign, request.StateApproved, request.StateProducing}
)

// rules is the transition table. At most one rule matches an (action, state)
// pair; TestRulesAreUnambiguous checks it.
var rules = []Rule{
	// Intake.
	{Action: ActionTake, From: []State{request.StateSubmitted, request.StateIntake}, To: []State{request.StateIntake}, By: ByProvider,
		Guard: "not already taken", guard: (*step).guardTake, effect: (*step).take},
	{Action: ActionRelease, From: []State{request.StateIntake, request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign}, By: ByProvider,
		Guard: "only by whoever took it", guard: (*step).guardRelease, effect: (*step).release},
	{Action: ActionVerify, From: []State{request.StateSubmitted, request.StateIntake}, To: []State{request.StateInReview, request.StatePreserved}, By: ByProvider,
		Guard: "requester and document verified; emergencies: a confirmed callback on an independently found number; preservations: a hold period",
		guard: (*step).guardVerify, next: (*step).nextVerify, effect: (*step).verify},

	// Review. Counsel takes the countersignature in its queue as reviewers
	// take a review; the first approver cannot take what they cannot give.
	{Action: ActionTake, From: []State{request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign}, By: ByProvider,
		Guard: "not already taken; awaiting_countersign: not by the first approver", guard: (*step).guardTake, effect: (*step).take},
	{Action: ActionAssign, From: assignable, By: ByProvider,
		Guard: "the assignee is active provider staff with a role of the queue's team", guard: (*step).guardAssign, effect: (*step).assign},
	{Action: ActionRequestInfo, From: []State{request.StateInReview}, To: []State{request.StateNeedsInfo}, By: ByProvider,
		Guard: "a question", guard: (*step).guardQuestion, effect: (*step).question},
	{Action: ActionApprove, From: []State{request.StateInReview}, To: []State{request.StateApproved, request.StateAwaitingCountersign}, By: ByProvider,
		Guard: "the scope is within the policy's scope decision; two approvers when the approvals policy asks",
		guard: (*step).guardApprove, next: (*step).nextApprove, effect: (*step).approve},
	{Action: ActionCountersign, From: []State{request.StateAwaitingCountersign}, To: []State{request.StateApproved}, By: ByProvider,
		Guard: "a different person (issuer, subject) from the first approver, with the second approver's role",
		guard: (*step).guardCountersign, effect: (*step).countersign},
	{Action: ActionReject, From: []State{request.StateInReview, request.StateNeedsInfo, request.StateAwaitingCountersign}, To: []State{request.StateRejected}, By: ByProvider,
		Guard: "a reason code and a text", guard: (*step).guardReject, effect: (*step).reject},

	// Preservation.
	{Action: ActionExtend, From: []State{request.StatePreserved}, To: []State{request.StateExtended}, By: ByProvider,
		Guard: "the process allows an extension (once: extended cannot be extended)", guard: (*step).guardExtend, effect: (*step).extend},
	{Action: ActionRelease, From: []State{request.StatePreserved, request.StateExtended}, To: []State{request.StateReleased}, By: ByProvider,
		effect: (*step).releaseHold},
	{Action: ActionClose, From: []State{request.StateDisclosed, request.StatePreserved, request.StateExtended, request.StateReleased}, To: []State{request.StateClosed}, By: ByProvider,
		Guard: "no enforcing authority may still object", guard: (*step).guardClose},
	{Action: ActionConfirmProductionIssued, From: []State{request.StatePreserved, request.StateExtended}, By: ByProvider,
		Guard:   "the process keeps a preservation until produced once the issuing authority confirms its production request (catalogue hold_until_produced); once",
		applies: confirmApplies, effect: (*step).confirmProductionIssued},

	// EU orders notified to the enforcing authority (Regulation (EU)
	// 2023/1543, Arts. 8, 10 and 12). Raised before the data is produced,
	// a ground for refusal rejects the request; no ground, or an objection
	// after an emergency production, leaves it where it is.
	{Action: ActionRecordEnforcingAuthority, From: enforcingAnswerable, To: []State{request.StateRejected}, By: ByProvider,
		Guard:   "an enforcing authority was notified, has not answered yet and may still answer; an outcome; raised grounds come from the notified checklist, with a text",
		applies: answerApplies, guard: (*step).guardEnforcing, next: (*step).nextEnforcing, effect: (*step).recordEnforcing},

	// The agency.
	{Action: ActionSubmit, From: []State{request.StateDraft}, To: []State{request.StateSubmitted}, By: ByAgency,
		Guard: "complete (every field the process needs, the signed order uploaded) and the legal policy authorises something; routed to its team queue in the same transaction",
		guard: (*step).guardSubmit, effect: (*step).submit},
	{Action: ActionCosign, From: []State{request.StateSubmitted}, By: ByAgency,
		Guard: "an emergency with its harm narrative, not yet co-signed, by a supervisor of the agency who is not the filer, signed in as a person",
		guard: (*step).guardCosign, effect: (*step).cosign},
	{Action: ActionMessage, From: []State{request.StateNeedsInfo}, To: []State{request.StateInReview}, By: ByAgency,
		Guard: "an answer", guard: (*step).guardAnswer, effect: (*step).answer},
	{Action: ActionWithdraw, From: withdrawable, To: []State{request.StateWithdrawn}, By: ByAgency,
		effect: (*step).withdraw},

	// The engine.
	{Action: ActionProduce, From: []State{request.StateApproved}, To: []State{request.StateProducing}, By: BySystem,
		Guard: "not held for the enforcing authority", guard: (*step).guardProduce, effect: (*step).produce},
	{Action: ActionDisclose, From: []State{request.StateProducing}, To: []State{request.StateDisclosed}, By: BySystem,
		effect: (*step).disclosed},
	{Action: ActionExpire, From: append(slices.Clone(preDecision), request.StatePreserved, request.StateExtended), To: []State{request.StateExpired}, By: BySystem,
		effect: (*step).expired},
	{Action: ActionFulfil, From: []State{request.StatePreserved, request.StateExtended}, To: []State{request.StateClosed}, By: BySystem,
		effect: (*step).fulfilled},
}

// Rules returns the transition table.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

// ruleFor returns the rule for action in state s, or nil.
func ruleFor(a Action, s State) *Rule {
	for i := range rules {
		if rules[i].Action == a && slices.Contains(rules[i].From, s) {
			return &rules[i]
		}
	}
	return nil
}

// actionBy returns who takes a, or "" for an unknown action.
func actionBy(a Action) By {
	for _, r := range rules {
		if r.Action == a {
			return r.By
		}
	}
	return ""
}

// ProviderActions are the actions of POST /api/v1/requests/{id}/transitions.
var ProviderActions = []Action{
	ActionTake, ActionRelease, ActionAssign, ActionVerify, ActionRequestInfo, ActionApprove,
	ActionCountersign, ActionReject, ActionExtend, ActionClose, ActionRecordEnforcingAuthority, ActionConfirmProductionIssued,
}

// policyAction is the action the authorisation policy knows a workflow
// action by.
func policyAction(a Action) string {
	switch a {
	case ActionSubmit:
		return "request.submit"
	case ActionCosign:
		return "request.cosign"
	case ActionMessage:
		return "request.message"
	case ActionWithdraw:
		return "request.withdraw"
	}
	return string(a)
}
