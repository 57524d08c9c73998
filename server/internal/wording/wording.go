// Package wording says in words what the portal stores as codes: request
// states, workflow actions, history rows, teams, production states and
// outcomes, legal processes and data categories. Pages show these words;
// the API keeps the codes. Keeping every word here, in one place, lets a
// test check that no state, action, process or category is left without
// words when one is added.
package wording

import (
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// An Audience is who reads the words: an agency's people or the
// provider's staff. The same state reads differently to each: "in_review"
// is "In review" to a reviewer and "With the provider's legal team" to the
// officer who filed it.
type Audience string

// Audiences.
const (
	Agency   Audience = "agency"
	Provider Audience = "provider"
)

// AudienceOf is the audience of a signed-in person: Provider for the
// provider's staff, Agency for everyone else.
func AudienceOf(provider bool) Audience {
	if provider {
		return Provider
	}
	return Agency
}

// A Meaning is what a state asks of the reader, which a status tag's colour
// shows (and its words say too, so colour is never the only sign).
type Meaning string

// Meanings.
const (
	NeedsAction Meaning = "action"  // the reader (or their side) acts next
	Waiting     Meaning = "waiting" // someone else acts next
	Done        Meaning = "done"    // finished as asked
	Refused     Meaning = "refused" // finished without (or against) what was asked
)

// Text says the meaning in words.
func (m Meaning) Text() string {
	switch m {
	case NeedsAction:
		return "Needs your action"
	case Waiting:
		return "Waiting for others"
	case Done:
		return "Done"
	case Refused:
		return "Stopped"
	}
	return string(m)
}

// A Tag is a status as a page shows it: the state in words and its meaning.
type Tag struct {
	Text    string
	Meaning Meaning
}

// stateWords are each state's words for the provider's staff and for the
// agency, and its meaning to each.
type stateWords struct {
	provider, agency               string
	providerMeaning, agencyMeaning Meaning
}

var states = map[request.State]stateWords{
	request.StateDraft:               {"Draft", "Draft: not yet submitted", Waiting, NeedsAction},
	request.StateSubmitted:           {"Submitted: awaiting intake", "Submitted to the provider", NeedsAction, Waiting},
	request.StateIntake:              {"In intake", "Being checked by the provider", NeedsAction, Waiting},
	request.StateInReview:            {"In review", "With the provider's legal team", NeedsAction, Waiting},
	request.StateNeedsInfo:           {"Waiting for the agency's answer", "The provider asks for information", Waiting, NeedsAction},
	request.StateAwaitingCountersign: {"Awaiting countersignature", "With the provider's legal team", NeedsAction, Waiting},
	request.StateApproved:            {"Approved: production queued", "Approved: the package is being prepared", Waiting, Waiting},
	request.StateProducing:           {"Producing the package", "The package is being prepared", Waiting, Waiting},
	request.StateDisclosed:           {"Disclosed", "Disclosed", Done, Done},
	request.StateClosed:              {"Closed", "Closed", Done, Done},
	request.StateRejected:            {"Rejected", "Refused by the provider", Refused, Refused},
	request.StateWithdrawn:           {"Withdrawn", "Withdrawn", Refused, Refused},
	request.StateExpired:             {"Expired", "Expired", Refused, Refused},
	// A preservation waits for the agency's legal process: the agency acts.
	request.StatePreserved: {"Preserved", "Records preserved: file your legal process", Waiting, NeedsAction},
	request.StateExtended:  {"Preservation extended", "Preservation extended: file your legal process", Waiting, NeedsAction},
	request.StateReleased:  {"Preservation released", "Preservation released", Done, Done},
}

// State says state s to audience a; an unknown state is shown as stored.
func State(s request.State, a Audience) string {
	w, ok := states[s]
	switch {
	case !ok:
		return string(s)
	case a == Provider:
		return w.provider
	}
	return w.agency
}

// TagOf is state s's status tag for audience a.
func TagOf(s request.State, a Audience) Tag {
	w, ok := states[s]
	switch {
	case !ok:
		return Tag{Text: string(s), Meaning: Waiting}
	case a == Provider:
		return Tag{Text: w.provider, Meaning: w.providerMeaning}
	}
	return Tag{Text: w.agency, Meaning: w.agencyMeaning}
}

// RequestTag is the status tag of a request in state s for audience a.
// An emergency still waiting for its supervisor's co-signature (awaiting)
// has not reached the provider although it is "submitted", so its agency
// reads that it waits for the co-signature, which is the agency's to give.
func RequestTag(s request.State, awaitingCosign bool, a Audience) Tag {
	if awaitingCosign && s == request.StateSubmitted && a == Agency {
		return Tag{Text: AwaitingCosign, Meaning: NeedsAction}
	}
	return TagOf(s, a)
}

// AwaitingCosign is what an agency reads of an emergency its supervisor
// has not co-signed yet.
const AwaitingCosign = "Waiting for your supervisor's co-signature"

// Submitted is what the officer reads once request reference is
// submitted: sent to the provider, or, for an emergency, waiting for the
// co-signature of supervisor, who has been told.
func Submitted(reference string, awaitingCosign bool, supervisor string) string {
	switch {
	case !awaitingCosign:
		return "Request " + reference + " submitted to the provider."
	case supervisor == "":
		return "Emergency request " + reference + " is waiting for your supervisor's co-signature; it reaches the provider once co-signed."
	}
	return "Emergency request " + reference + " is waiting for your supervisor's co-signature: " + supervisor +
		" has been notified, and it reaches the provider once they co-sign it."
}

// actions are the workflow's actions as a button or a menu names them.
var actions = map[workflow.Action]string{
	workflow.ActionTake:                     "Take it",
	workflow.ActionRelease:                  "Release it",
	workflow.ActionAssign:                   "Assign it",
	workflow.ActionVerify:                   "Verify the requester and the order",
	workflow.ActionRequestInfo:              "Ask the agency for information",
	workflow.ActionApprove:                  "Approve",
	workflow.ActionCountersign:              "Countersign",
	workflow.ActionReject:                   "Reject",
	workflow.ActionExtend:                   "Extend the preservation",
	workflow.ActionClose:                    "Close",
	workflow.ActionRecordEnforcingAuthority: "Record the enforcing authority's answer",
	workflow.ActionConfirmProductionIssued:  "Record that the production order was issued",
	workflow.ActionSubmit:                   "Submit to the provider",
	workflow.ActionCosign:                   "Co-sign the emergency request",
	workflow.ActionMessage:                  "Answer the provider's question",
	workflow.ActionWithdraw:                 "Withdraw the request",
	workflow.ActionProduce:                  "Build the package",
	workflow.ActionDisclose:                 "Release the package",
	workflow.ActionExpire:                   "End it when the order or hold runs out",
	workflow.ActionFulfil:                   "Close the preservation as fulfilled",
}

// Action names workflow action a; an unknown one is shown as stored.
func Action(a workflow.Action) string {
	if w, ok := actions[a]; ok {
		return w
	}
	return string(a)
}

// An event is how a history row reads: with the person who acted
// ("Dana Reyes approved it") and without one, for the portal's own steps or
// as a notice after the action ("Approved").
type event struct{ active, passive string }

// Events the workflow engine records that are not transitions (its jobs
// write them as literals: see workflow/jobs.go).
const (
	eventEscalate        = "escalate"
	eventFollowUpOverdue = "follow_up_overdue"
)

// events are the history's actions: the request's own (request.Action*) and
// the workflow's (workflow.Action*, the submission recorded as
// request.ActionSubmit).
var events = map[string]event{
	request.ActionCreate: {"created the draft", "Draft created"},
	request.ActionEdit:   {"edited the draft", "Draft edited"},
	request.ActionUpload: {"uploaded the signed order", "Signed order uploaded"},
	request.ActionSubmit: {"submitted it to the provider", "Submitted to the provider"},

	string(workflow.ActionTake):                     {"took it", "Taken up by the provider"},
	string(workflow.ActionRelease):                  {"returned it to the team's queue", "Returned to the team's queue"},
	string(workflow.ActionAssign):                   {"assigned it", "Assigned"},
	string(workflow.ActionVerify):                   {"verified the requester and the order", "Requester and order verified"},
	string(workflow.ActionRequestInfo):              {"asked the agency for information", "Information asked of the agency"},
	string(workflow.ActionApprove):                  {"approved it", "Approved"},
	string(workflow.ActionCountersign):              {"countersigned the approval", "Approval countersigned"},
	string(workflow.ActionReject):                   {"rejected it", "Rejected"},
	string(workflow.ActionExtend):                   {"extended the preservation", "Preservation extended"},
	string(workflow.ActionClose):                    {"closed it", "Closed"},
	string(workflow.ActionRecordEnforcingAuthority): {"recorded the enforcing authority's answer", "Enforcing authority's answer recorded"},
	string(workflow.ActionConfirmProductionIssued):  {"recorded that the production order was issued", "Production order recorded as issued"},
	string(workflow.ActionCosign):                   {"co-signed the emergency request", "Emergency request co-signed"},
	string(workflow.ActionMessage):                  {"answered the provider's question", "The agency answered"},
	string(workflow.ActionWithdraw):                 {"withdrew the request", "Withdrawn by the agency"},
	string(workflow.ActionProduce):                  {"started building the package", "Building the package"},
	string(workflow.ActionDisclose):                 {"released the package to the agency", "Package released to the agency"},
	string(workflow.ActionExpire):                   {"ended it: the order or the hold ran out", "Ended: the order or the hold ran out"},
	string(workflow.ActionFulfil):                   {"closed the preservation: the production request was disclosed", "Preservation fulfilled: the production request was disclosed"},
	eventEscalate:                                   {"escalated it to the team: the deadline passed", "Deadline passed: escalated to the team"},
	eventFollowUpOverdue:                            {"flagged the follow-up legal process as overdue", "Follow-up legal process overdue"},
}

// A Line is one history row in words: what happened, and the row's comment
// when the words do not already say it.
type Line struct {
	Text    string
	Comment string
}

// uploadComment is how the request package comments an upload
// ("Uploaded order.pdf."); the line names the file instead.
const uploadComment = "Uploaded "

// History says history row action (with its comment) in words; actor is
// the name of the person who acted as the reader may see it, "" for the
// portal's own steps. An unknown action is shown as stored.
func History(action, actor, comment string) Line {
	e, ok := events[action]
	if !ok {
		e = event{active: "did " + action, passive: action}
	}
	if action == request.ActionUpload {
		if file, ok := strings.CutPrefix(comment, uploadComment); ok && file != "" {
			file = strings.TrimSuffix(file, ".")
			e = event{active: "uploaded " + file, passive: file + " uploaded"}
			comment = ""
		}
	}
	if actor == "" {
		return Line{Text: e.passive, Comment: comment}
	}
	return Line{Text: actor + " " + e.active, Comment: comment}
}

// Happened says what action did, without who: "Approved", for a notice
// after the action.
func Happened(a workflow.Action) string {
	if a == workflow.ActionSubmit {
		return events[request.ActionSubmit].passive
	}
	if e, ok := events[string(a)]; ok {
		return e.passive
	}
	return string(a)
}

// Change says a history row's change of state, "" when it stayed.
func Change(from, to request.State, a Audience) string {
	if from == to || to == "" {
		return ""
	}
	if from == "" {
		return State(to, a)
	}
	return State(from, a) + " → " + State(to, a)
}

// teams are the provider's queues.
var teams = map[string]string{
	policy.QueueIntake:        "Intake",
	policy.QueueLegal:         "Legal review",
	policy.QueueEmergency:     "Emergencies",
	policy.QueueInternational: "International requests",
	policy.QueueCounsel:       "Counsel",
}

// Team names the provider's team (queue) q; an unknown one as stored.
func Team(q string) string {
	if w, ok := teams[q]; ok {
		return w
	}
	return q
}

// decisions are the provider's decision outcomes.
var decisions = map[string]string{
	workflow.OutcomeApproved: "Approved as the policy allows",
	workflow.OutcomeNarrowed: "Approved, narrowed",
	workflow.OutcomeRejected: "Rejected",
}

// Decision says the provider's decision outcome o.
func Decision(o string) string {
	if w, ok := decisions[o]; ok {
		return w
	}
	return o
}

// productionStates are a package's states (disclosure.Status*).
var productionStates = map[string]string{
	disclosure.StatusQueued:   "Queued: the package will be built shortly",
	disclosure.StatusBuilding: "Being built",
	disclosure.StatusReady:    "Ready to download",
	disclosure.StatusFailed:   "Building failed; the provider will retry",
	disclosure.StatusExpired:  "Expired: the download link has lapsed and the package is deleted",
}

// ProductionState says a package's state s (disclosure.Status*).
func ProductionState(s string) string {
	if w, ok := productionStates[s]; ok {
		return w
	}
	return s
}

// productionOutcomes are what a package found (disclosure.Outcome*).
var productionOutcomes = map[string]string{
	disclosure.OutcomeRecords:   "Records found within the approved scope",
	disclosure.OutcomeNoRecords: "No records within the approved scope (a signed answer)",
}

// ProductionOutcome says what a package found: o is disclosure.Outcome*,
// "" before it is built.
func ProductionOutcome(o string) string {
	if w, ok := productionOutcomes[o]; ok {
		return w
	}
	return o
}

// sealings are how a package is encrypted (disclosure.Seal*).
var sealings = map[string]string{
	disclosure.SealRecipient: "Encrypted to your agency's age recipient: only your agency's key opens the download",
	disclosure.SealAtRest:    "Encrypted at rest with a key of its own; served only through the portal",
}

// Sealing says how a package is sealed: s is disclosure.Seal*.
func Sealing(s string) string {
	if w, ok := sealings[s]; ok {
		return w
	}
	return s
}

// kinds are the workflow's kinds of request (workflow.Kind*).
var kinds = map[string]string{
	workflow.KindLegalProcess: "Legal process",
	workflow.KindEmergency:    "Emergency disclosure",
	workflow.KindPreservation: "Preservation",
}

// Kind names a request's kind (workflow.Kind*).
func Kind(k string) string {
	if w, ok := kinds[k]; ok {
		return w
	}
	return k
}

// productionMeanings are what a package's state asks of its reader: the
// agency waits while it is built (and the provider retries a failure).
var productionMeanings = map[string]Meaning{
	disclosure.StatusQueued:   Waiting,
	disclosure.StatusBuilding: Waiting,
	disclosure.StatusReady:    Done,
	disclosure.StatusFailed:   Waiting,
	disclosure.StatusExpired:  Refused,
}

// ProductionTag is the status tag of a package's state s.
func ProductionTag(s string) Tag {
	m, ok := productionMeanings[s]
	if !ok {
		m = Waiting
	}
	return Tag{Text: ProductionState(s), Meaning: m}
}

// AccountTag is the status tag of an agency's or a person's account:
// active or suspended (agency.Status*; identity.Status* are the same words).
func AccountTag(status string) Tag {
	switch status {
	case agency.StatusActive:
		return Tag{Text: "Active", Meaning: Done}
	case agency.StatusSuspended:
		return Tag{Text: "Suspended", Meaning: Refused}
	}
	return Tag{Text: status, Meaning: Waiting}
}

// reasons are why a request is rejected (workflow.ReasonCodes).
var reasons = map[string]string{
	"insufficient_process":                   "The legal process does not compel this data",
	"overbroad":                              "The request is broader than the order allows",
	"defective_document":                     "The order is missing, unreadable or not signed",
	"wrong_jurisdiction":                     "The process is not one the agency's jurisdiction may use",
	"no_such_account":                        "No account matches the identifiers given",
	"suspected_fraud":                        "The request could not be verified as genuine",
	workflow.ReasonEnforcingAuthorityRefusal: "The enforcing authority raised a ground for refusal",
	"other":                                  "Another reason (see the comment)",
}

// Reason says why a request was rejected: code is one of
// workflow.ReasonCodes.
func Reason(code string) string {
	if w, ok := reasons[code]; ok {
		return w
	}
	return code
}

// callbacks are the outcomes of intake's callback to an emergency's
// requester (workflow.CallbackOutcomes).
var callbacks = map[string]string{
	"confirmed":     "Confirmed: the requester answered and confirmed the request",
	"not_confirmed": "Not confirmed",
	"no_answer":     "No answer",
}

// Callback says the outcome of a callback (workflow.CallbackOutcomes).
func Callback(outcome string) string {
	if w, ok := callbacks[outcome]; ok {
		return w
	}
	return outcome
}
