package workflow

import "slices"

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
	// at all ("" when it does): an action that concerns only some requests
	// (a notified EU order, a process whose preservation can be kept until
	// produced) is not allowed on the others, and is not offered for them.
	applies func(fit) string
	guard   func(*step) error
	next    func(*step) State
	effect  func(*step) error
}

// Stays reports whether the rule leaves the request in its state.
func (r Rule) Stays() bool { return len(r.To) == 0 }

var (
	// preDecision are the states in which a request waits for a decision:
	// an expired order ends them.
	preDecision = []State{StateSubmitted, StateIntake, StateInReview, StateNeedsInfo, StateAwaitingCountersign}
	// withdrawable are the states an agency may withdraw from: anything
	// not yet being produced or finished.
	withdrawable = []State{
		StateDraft, StateSubmitted, StateIntake, StateInReview, StateNeedsInfo, StateAwaitingCountersign,
		StateApproved, StatePreserved, StateExtended,
	}
	// assignable are the states an administrator may (re)assign in.
	assignable = []State{
		StateSubmitted, StateIntake, StateInReview, StateNeedsInfo, StateAwaitingCountersign,
		StateApproved, StatePreserved, StateExtended,
	}
	// enforcingAnswerable are the states in which an enforcing authority's
	// answer is recorded: from verification, when its notification is
	// recorded, until the request is finished.
	enforcingAnswerable = []State{StateInReview, StateNeedsInfo, StateAwaitingCountersign, StateApproved, StateProducing, StateDisclosed}
	// timed are the states with a deadline from the routing policy: the
	// provider owes the next step.
	timed = []State{StateSubmitted, StateIntake, StateInReview, StateAwaitingCountersign, StateApproved, StateProducing}
)

// rules is the transition table. At most one rule matches an (action, state)
// pair; TestRulesAreUnambiguous checks it.
var rules = []Rule{
	// Intake.
	{Action: ActionTake, From: []State{StateSubmitted, StateIntake}, To: []State{StateIntake}, By: ByProvider,
		Guard: "not already taken", guard: (*step).guardTake, effect: (*step).take},
	{Action: ActionRelease, From: []State{StateIntake, StateInReview, StateNeedsInfo, StateAwaitingCountersign}, By: ByProvider,
		Guard: "only by whoever took it", guard: (*step).guardRelease, effect: (*step).release},
	{Action: ActionVerify, From: []State{StateSubmitted, StateIntake}, To: []State{StateInReview, StatePreserved}, By: ByProvider,
		Guard: "requester and document verified; emergencies: a confirmed callback on an independently found number; preservations: a hold period",
		guard: (*step).guardVerify, next: (*step).nextVerify, effect: (*step).verify},

	// Review. Counsel takes the countersignature in its queue as reviewers
	// take a review; the first approver cannot take what they cannot give.
	{Action: ActionTake, From: []State{StateInReview, StateNeedsInfo, StateAwaitingCountersign}, By: ByProvider,
		Guard: "not already taken; awaiting_countersign: not by the first approver", guard: (*step).guardTake, effect: (*step).take},
	{Action: ActionAssign, From: assignable, By: ByProvider,
		Guard: "the assignee is active provider staff with a role of the queue's team", guard: (*step).guardAssign, effect: (*step).assign},
	{Action: ActionRequestInfo, From: []State{StateInReview}, To: []State{StateNeedsInfo}, By: ByProvider,
		Guard: "a question", guard: (*step).guardQuestion, effect: (*step).question},
	{Action: ActionApprove, From: []State{StateInReview}, To: []State{StateApproved, StateAwaitingCountersign}, By: ByProvider,
		Guard: "the scope is within the policy's scope decision; two approvers when the approvals policy asks",
		guard: (*step).guardApprove, next: (*step).nextApprove, effect: (*step).approve},
	{Action: ActionCountersign, From: []State{StateAwaitingCountersign}, To: []State{StateApproved}, By: ByProvider,
		Guard: "a different person (issuer, subject) from the first approver, with the second approver's role",
		guard: (*step).guardCountersign, effect: (*step).countersign},
	{Action: ActionReject, From: []State{StateInReview, StateNeedsInfo, StateAwaitingCountersign}, To: []State{StateRejected}, By: ByProvider,
		Guard: "a reason code and a text", guard: (*step).guardReject, effect: (*step).reject},

	// Preservation.
	{Action: ActionExtend, From: []State{StatePreserved}, To: []State{StateExtended}, By: ByProvider,
		Guard: "the process allows an extension (once: extended cannot be extended)", guard: (*step).guardExtend, effect: (*step).extend},
	{Action: ActionRelease, From: []State{StatePreserved, StateExtended}, To: []State{StateReleased}, By: ByProvider,
		effect: (*step).releaseHold},
	{Action: ActionClose, From: []State{StateDisclosed, StatePreserved, StateExtended, StateReleased}, To: []State{StateClosed}, By: ByProvider,
		Guard: "no enforcing authority may still object", guard: (*step).guardClose},
	{Action: ActionConfirmProductionIssued, From: []State{StatePreserved, StateExtended}, By: ByProvider,
		Guard:   "the process keeps a preservation until produced once the issuing authority confirms its production request (catalogue hold_until_produced); once",
		applies: confirmApplies, effect: (*step).confirmProductionIssued},

	// EU orders notified to the enforcing authority (Regulation (EU)
	// 2023/1543, Arts. 8, 10 and 12). Raised before the data is produced,
	// a ground for refusal rejects the request; no ground, or an objection
	// after an emergency production, leaves it where it is.
	{Action: ActionRecordEnforcingAuthority, From: enforcingAnswerable, To: []State{StateRejected}, By: ByProvider,
		Guard:   "an enforcing authority was notified, has not answered yet and may still answer; an outcome; raised grounds come from the notified checklist, with a text",
		applies: answerApplies, guard: (*step).guardEnforcing, next: (*step).nextEnforcing, effect: (*step).recordEnforcing},

	// The agency.
	{Action: ActionCosign, From: []State{StateSubmitted}, By: ByAgency,
		Guard: "an emergency with its harm narrative, not yet co-signed, by a supervisor of the agency who is not the filer, signed in as a person",
		guard: (*step).guardCosign, effect: (*step).cosign},
	{Action: ActionMessage, From: []State{StateNeedsInfo}, To: []State{StateInReview}, By: ByAgency,
		Guard: "an answer", guard: (*step).guardAnswer, effect: (*step).answer},
	{Action: ActionWithdraw, From: withdrawable, To: []State{StateWithdrawn}, By: ByAgency,
		effect: (*step).withdraw},

	// The engine.
	{Action: ActionProduce, From: []State{StateApproved}, To: []State{StateProducing}, By: BySystem,
		Guard: "not held for the enforcing authority", guard: (*step).guardProduce, effect: (*step).produce},
	{Action: ActionDisclose, From: []State{StateProducing}, To: []State{StateDisclosed}, By: BySystem,
		effect: (*step).disclosed},
	{Action: ActionExpire, From: append(slices.Clone(preDecision), StatePreserved, StateExtended), To: []State{StateExpired}, By: BySystem,
		effect: (*step).expired},
	{Action: ActionFulfil, From: []State{StatePreserved, StateExtended}, To: []State{StateClosed}, By: BySystem,
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
	case ActionCosign:
		return "request.cosign"
	case ActionMessage:
		return "request.message"
	case ActionWithdraw:
		return "request.withdraw"
	}
	return string(a)
}
