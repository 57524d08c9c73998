// Package wording says in words what the portal stores as codes: request
// states, workflow actions, history rows, teams, production states and
// outcomes, legal processes and data categories. Pages show these words;
// the API keeps the codes. Keeping every word here, in one place, lets a
// test check that no state, action, process or category is left without
// words when one is added.
//
// The words are written in English, each marked with locale.M so the
// catalogues translate it (frontend/locales/de/wording.json); Words says
// them in a reader's language (In(printer)), the package's functions in
// English.
package wording

import (
	"embed"
	"strings"
	"sync"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// Words says the words of this package in one language: each table holds
// the English words, marked with locale.M, and Words says them through a
// printer of the reader's language. The package's functions say them in
// English.
type Words struct{ pr *locale.Printer }

// In is the words in pr's language; a nil pr says them in English.
func In(pr *locale.Printer) Words { return Words{pr: pr} }

// English says the words as written.
var English = Words{}

// englishPrinter is English with its plural forms ("1 day left"), from
// the portal's catalogues (or, were they broken, which the locale tests
// catch, without them).
var englishPrinter = sync.OnceValue(func() *locale.Printer {
	c, err := locale.Load(frontend.Locales)
	if err != nil {
		c, _ = locale.Load(embed.FS{}) // no files: English as written
	}
	return c.Printer(locale.Default)
})

// T says message id in the words' language, formatted with args (as
// locale.Printer.Sprintf).
func (w Words) T(id string, args ...any) string {
	pr := w.pr
	if pr == nil {
		pr = englishPrinter()
	}
	return pr.Sprintf(id, args...)
}

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

// meanings are the meanings in words.
var meanings = map[Meaning]string{
	NeedsAction: locale.M("Needs your action"),
	Waiting:     locale.M("Waiting for others"),
	Done:        locale.M("Done"),
	Refused:     locale.M("Stopped"),
}

// Text says the meaning in English words.
func (m Meaning) Text() string { return English.Meaning(m) }

// Meaning says meaning m in words.
func (w Words) Meaning(m Meaning) string {
	if t, ok := meanings[m]; ok {
		return w.T(t)
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
	request.StateDraft:               {locale.M("Draft"), locale.M("Draft: not yet submitted"), Waiting, NeedsAction},
	request.StateSubmitted:           {locale.M("Submitted: awaiting intake"), locale.M("Submitted to the provider"), NeedsAction, Waiting},
	request.StateIntake:              {locale.M("In intake"), locale.M("Being checked by the provider"), NeedsAction, Waiting},
	request.StateInReview:            {locale.M("In review"), locale.M("With the provider's legal team"), NeedsAction, Waiting},
	request.StateNeedsInfo:           {locale.M("Waiting for the agency's answer"), locale.M("The provider asks for information"), Waiting, NeedsAction},
	request.StateAwaitingCountersign: {locale.M("Awaiting countersignature"), locale.M("With the provider's legal team"), NeedsAction, Waiting},
	request.StateApproved:            {locale.M("Approved: production queued"), locale.M("Approved: the package is being prepared"), Waiting, Waiting},
	request.StateProducing:           {locale.M("Producing the package"), locale.M("The package is being prepared"), Waiting, Waiting},
	request.StateDisclosed:           {locale.M("Disclosed"), locale.M("Disclosed"), Done, Done},
	request.StateClosed:              {locale.M("Closed"), locale.M("Closed"), Done, Done},
	request.StateRejected:            {locale.M("Rejected"), locale.M("Refused by the provider"), Refused, Refused},
	request.StateWithdrawn:           {locale.M("Withdrawn"), locale.M("Withdrawn"), Refused, Refused},
	request.StateExpired:             {locale.M("Expired"), locale.M("Expired"), Refused, Refused},
	// A preservation waits for the agency's legal process: the agency acts.
	request.StatePreserved: {locale.M("Preserved"), locale.M("Records preserved: file your legal process"), Waiting, NeedsAction},
	request.StateExtended:  {locale.M("Preservation extended"), locale.M("Preservation extended: file your legal process"), Waiting, NeedsAction},
	request.StateReleased:  {locale.M("Preservation released"), locale.M("Preservation released"), Done, Done},
}

// State says state s to audience a in English.
func State(s request.State, a Audience) string { return English.State(s, a) }

// State says state s to audience a; an unknown state is shown as stored.
func (w Words) State(s request.State, a Audience) string { return w.TagOf(s, a).Text }

// TagOf is state s's status tag for audience a, in English.
func TagOf(s request.State, a Audience) Tag { return English.TagOf(s, a) }

// TagOf is state s's status tag for audience a.
func (w Words) TagOf(s request.State, a Audience) Tag {
	sw, ok := states[s]
	switch {
	case !ok:
		return Tag{Text: string(s), Meaning: Waiting}
	case a == Provider:
		return Tag{Text: w.T(sw.provider), Meaning: sw.providerMeaning}
	}
	return Tag{Text: w.T(sw.agency), Meaning: sw.agencyMeaning}
}

// RequestTag is the status tag of a request in state s for audience a.
// An emergency still waiting for its supervisor's co-signature (awaiting)
// has not reached the provider although it is "submitted", so its agency
// reads that it waits for the co-signature, which is the agency's to give.
func RequestTag(s request.State, awaitingCosign bool, a Audience) Tag {
	return English.RequestTag(s, awaitingCosign, a)
}

// RequestTag is the status tag of a request in state s for audience a.
func (w Words) RequestTag(s request.State, awaitingCosign bool, a Audience) Tag {
	if awaitingCosign && s == request.StateSubmitted && a == Agency {
		return Tag{Text: w.T(AwaitingCosign), Meaning: NeedsAction}
	}
	return w.TagOf(s, a)
}

// AwaitingCosign is what an agency reads of an emergency its supervisor
// has not co-signed yet.
var AwaitingCosign = locale.M("Waiting for your supervisor's co-signature")

// Submitted is what the officer reads once request reference is
// submitted: sent to the provider, or, for an emergency, waiting for the
// co-signature of supervisor, who has been told.
func Submitted(reference string, awaitingCosign bool, supervisor string) string {
	return English.Submitted(reference, awaitingCosign, supervisor)
}

// Submitted is what the officer reads once request reference is submitted.
func (w Words) Submitted(reference string, awaitingCosign bool, supervisor string) string {
	switch {
	case !awaitingCosign:
		return w.T("Request %s submitted to the provider.", reference)
	case supervisor == "":
		return w.T("Emergency request %s is waiting for your supervisor's co-signature; it reaches the provider once co-signed.", reference)
	}
	return w.T("Emergency request %s is waiting for your supervisor's co-signature: %s has been notified, and it reaches the provider once they co-sign it.",
		reference, supervisor)
}

// actions are the workflow's actions as a button or a menu names them.
var actions = map[workflow.Action]string{
	workflow.ActionTake:                     locale.M("Take it"),
	workflow.ActionRelease:                  locale.M("Release it"),
	workflow.ActionAssign:                   locale.M("Assign it"),
	workflow.ActionVerify:                   locale.M("Verify the requester and the order"),
	workflow.ActionRequestInfo:              locale.M("Ask the agency for information"),
	workflow.ActionApprove:                  locale.M("Approve"),
	workflow.ActionCountersign:              locale.M("Countersign"),
	workflow.ActionReject:                   locale.M("Reject"),
	workflow.ActionExtend:                   locale.M("Extend the preservation"),
	workflow.ActionClose:                    locale.M("Close"),
	workflow.ActionRecordEnforcingAuthority: locale.M("Record the enforcing authority's answer"),
	workflow.ActionConfirmProductionIssued:  locale.M("Record that the production order was issued"),
	workflow.ActionSubmit:                   locale.M("Submit to the provider"),
	workflow.ActionCosign:                   locale.M("Co-sign the emergency request"),
	workflow.ActionMessage:                  locale.M("Answer the provider's question"),
	workflow.ActionWithdraw:                 locale.M("Withdraw the request"),
	workflow.ActionProduce:                  locale.M("Build the package"),
	workflow.ActionDisclose:                 locale.M("Release the package"),
	workflow.ActionExpire:                   locale.M("End it when the order or hold runs out"),
	workflow.ActionFulfil:                   locale.M("Close the preservation as fulfilled"),
}

// Action names workflow action a in English.
func Action(a workflow.Action) string { return English.Action(a) }

// Action names workflow action a; an unknown one is shown as stored.
func (w Words) Action(a workflow.Action) string {
	if t, ok := actions[a]; ok {
		return w.T(t)
	}
	return string(a)
}

// An event is how a history row reads: with the person who acted
// ("%s approved it": "Dana Reyes approved it") and without one, for the portal's own steps or
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
	request.ActionCreate: {locale.M("%s created the draft"), locale.M("Draft created")},
	request.ActionEdit:   {locale.M("%s edited the draft"), locale.M("Draft edited")},
	request.ActionUpload: {locale.M("%s uploaded the signed order"), locale.M("Signed order uploaded")},
	request.ActionSubmit: {locale.M("%s submitted it to the provider"), locale.M("Submitted to the provider")},

	string(workflow.ActionTake):                     {locale.M("%s took it"), locale.M("Taken up by the provider")},
	string(workflow.ActionRelease):                  {locale.M("%s returned it to the team's queue"), locale.M("Returned to the team's queue")},
	string(workflow.ActionAssign):                   {locale.M("%s assigned it"), locale.M("Assigned")},
	string(workflow.ActionVerify):                   {locale.M("%s verified the requester and the order"), locale.M("Requester and order verified")},
	string(workflow.ActionRequestInfo):              {locale.M("%s asked the agency for information"), locale.M("Information asked of the agency")},
	string(workflow.ActionApprove):                  {locale.M("%s approved it"), locale.M("Approved")},
	string(workflow.ActionCountersign):              {locale.M("%s countersigned the approval"), locale.M("Approval countersigned")},
	string(workflow.ActionReject):                   {locale.M("%s rejected it"), locale.M("Rejected")},
	string(workflow.ActionExtend):                   {locale.M("%s extended the preservation"), locale.M("Preservation extended")},
	string(workflow.ActionClose):                    {locale.M("%s closed it"), locale.M("Closed")},
	string(workflow.ActionRecordEnforcingAuthority): {locale.M("%s recorded the enforcing authority's answer"), locale.M("Enforcing authority's answer recorded")},
	string(workflow.ActionConfirmProductionIssued):  {locale.M("%s recorded that the production order was issued"), locale.M("Production order recorded as issued")},
	string(workflow.ActionCosign):                   {locale.M("%s co-signed the emergency request"), locale.M("Emergency request co-signed")},
	string(workflow.ActionMessage):                  {locale.M("%s answered the provider's question"), locale.M("The agency answered")},
	string(workflow.ActionWithdraw):                 {locale.M("%s withdrew the request"), locale.M("Withdrawn by the agency")},
	string(workflow.ActionProduce):                  {locale.M("%s started building the package"), locale.M("Building the package")},
	string(workflow.ActionDisclose):                 {locale.M("%s released the package to the agency"), locale.M("Package released to the agency")},
	string(workflow.ActionExpire):                   {locale.M("%s ended it: the order or the hold ran out"), locale.M("Ended: the order or the hold ran out")},
	string(workflow.ActionFulfil):                   {locale.M("%s closed the preservation: the production request was disclosed"), locale.M("Preservation fulfilled: the production request was disclosed")},
	eventEscalate:                                   {locale.M("%s escalated it to the team: the deadline passed"), locale.M("Deadline passed: escalated to the team")},
	eventFollowUpOverdue:                            {locale.M("%s flagged the follow-up legal process as overdue"), locale.M("Follow-up legal process overdue")},
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
func History(action, actor, comment string) Line { return English.History(action, actor, comment) }

// History says history row action (with its comment) in words.
func (w Words) History(action, actor, comment string) Line {
	if action == request.ActionUpload {
		if file, ok := strings.CutPrefix(comment, uploadComment); ok && file != "" {
			file = strings.TrimSuffix(file, ".")
			if actor == "" {
				return Line{Text: w.T("%s uploaded", file)}
			}
			return Line{Text: w.T("%[1]s uploaded %[2]s", actor, file)}
		}
	}
	e, ok := events[action]
	switch {
	case !ok && actor == "":
		return Line{Text: action, Comment: comment}
	case !ok:
		return Line{Text: w.T("%s did %s", actor, action), Comment: comment}
	case actor == "":
		return Line{Text: w.T(e.passive), Comment: comment}
	}
	return Line{Text: w.T(e.active, actor), Comment: comment}
}

// Happened says what action did, without who, in English.
func Happened(a workflow.Action) string { return English.Happened(a) }

// Happened says what action did, without who: "Approved", for a notice
// after the action.
func (w Words) Happened(a workflow.Action) string {
	if a == workflow.ActionSubmit {
		return w.T(events[request.ActionSubmit].passive)
	}
	if e, ok := events[string(a)]; ok {
		return w.T(e.passive)
	}
	return string(a)
}

// Change says a history row's change of state in English.
func Change(from, to request.State, a Audience) string { return English.Change(from, to, a) }

// Change says a history row's change of state, "" when it stayed.
func (w Words) Change(from, to request.State, a Audience) string {
	if from == to || to == "" {
		return ""
	}
	if from == "" {
		return w.State(to, a)
	}
	return w.State(from, a) + " → " + w.State(to, a)
}

// teams are the provider's queues, as history and notes name them too.
var teams = workflow.TeamNames

// Team names the provider's team (queue) q; an unknown one as stored.
func Team(q string) string { return English.Team(q) }

// Team says q in the reader's words; an unknown one as stored.
func (w Words) Team(q string) string { return w.lookup(teams, q) }

// decisions are the provider's decision outcomes.
var decisions = map[string]string{
	workflow.OutcomeApproved: locale.M("Approved as the policy allows"),
	workflow.OutcomeNarrowed: locale.M("Approved, narrowed"),
	workflow.OutcomeRejected: locale.M("Rejected"),
}

// Decision says the provider's decision outcome o.
func Decision(o string) string { return English.Decision(o) }

// Decision says o in the reader's words; an unknown one as stored.
func (w Words) Decision(o string) string { return w.lookup(decisions, o) }

// productionStates are a package's states (disclosure.Status*).
var productionStates = map[string]string{
	disclosure.StatusQueued:   locale.M("Queued: the package will be built shortly"),
	disclosure.StatusBuilding: locale.M("Being built"),
	disclosure.StatusReady:    locale.M("Ready to download"),
	disclosure.StatusFailed:   locale.M("Building failed; the provider will retry"),
	disclosure.StatusExpired:  locale.M("Expired: the download link has lapsed and the package is deleted"),
}

// ProductionState says a package's state s (disclosure.Status*).
func ProductionState(s string) string { return English.ProductionState(s) }

// ProductionState says s in the reader's words; an unknown one as stored.
func (w Words) ProductionState(s string) string { return w.lookup(productionStates, s) }

// productionOutcomes are what a package found (disclosure.Outcome*).
var productionOutcomes = map[string]string{
	disclosure.OutcomeRecords:   locale.M("Records found within the approved scope"),
	disclosure.OutcomeNoRecords: locale.M("No records within the approved scope (a signed answer)"),
}

// ProductionOutcome says what a package found: o is disclosure.Outcome*,
// "" before it is built.
func ProductionOutcome(o string) string { return English.ProductionOutcome(o) }

// ProductionOutcome says o in the reader's words; an unknown one as stored.
func (w Words) ProductionOutcome(o string) string { return w.lookup(productionOutcomes, o) }

// sealings are how a package is encrypted (disclosure.Seal*).
var sealings = map[string]string{
	disclosure.SealRecipient: locale.M("Encrypted to your agency's age recipient: only your agency's key opens the download"),
	disclosure.SealAtRest:    locale.M("Encrypted at rest with a key of its own; served only through the portal"),
}

// Sealing says how a package is sealed: s is disclosure.Seal*.
func Sealing(s string) string { return English.Sealing(s) }

// Sealing says s in the reader's words; an unknown one as stored.
func (w Words) Sealing(s string) string { return w.lookup(sealings, s) }

// kinds are the workflow's kinds of request (workflow.Kind*).
var kinds = map[string]string{
	workflow.KindLegalProcess: locale.M("Legal process"),
	workflow.KindEmergency:    locale.M("Emergency disclosure"),
	workflow.KindPreservation: locale.M("Preservation"),
}

// Kind names a request's kind (workflow.Kind*).
func Kind(k string) string { return English.Kind(k) }

// Kind says k in the reader's words; an unknown one as stored.
func (w Words) Kind(k string) string { return w.lookup(kinds, k) }

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
func ProductionTag(s string) Tag { return English.ProductionTag(s) }

// ProductionTag is the status tag of a package's state s.
func (w Words) ProductionTag(s string) Tag {
	m, ok := productionMeanings[s]
	if !ok {
		m = Waiting
	}
	return Tag{Text: w.ProductionState(s), Meaning: m}
}

// AccountTag is the status tag of an agency's or a person's account:
// pending, active or suspended (agency.Status*; identity.Status* are the same words).
func AccountTag(status string) Tag { return English.AccountTag(status) }

// AccountTag is the status tag of an account's status.
func (w Words) AccountTag(status string) Tag {
	switch status {
	case agency.StatusActive:
		return Tag{Text: w.T("Active"), Meaning: Done}
	case agency.StatusSuspended:
		return Tag{Text: w.T("Suspended"), Meaning: Refused}
	case agency.StatusPending:
		return Tag{Text: w.T("Pending activation"), Meaning: Waiting}
	}
	return Tag{Text: status, Meaning: Waiting}
}

// roles are the portal's roles as the page header names them.
var roles = map[identity.Role]string{
	identity.RoleOfficer:    locale.M("Officer"),
	identity.RoleSupervisor: locale.M("Supervisor"),
	identity.RoleIntake:     locale.M("Intake"),
	identity.RoleReviewer:   locale.M("Reviewer"),
	identity.RoleCounsel:    locale.M("Counsel"),
	identity.RoleAdmin:      locale.M("Administrator"),
	identity.RoleAuditor:    locale.M("Auditor"),
}

// Role names role r ("officer" → "Officer"); an unknown one as stored.
func (w Words) Role(r string) string {
	if t, ok := roles[identity.Role(r)]; ok {
		return w.T(t)
	}
	return r
}

// reasons are why a request is rejected (workflow.ReasonCodes), as
// history and notes say them too.
var reasons = workflow.ReasonNames

// Reason says why a request was rejected: code is one of
// workflow.ReasonCodes.
func Reason(code string) string { return English.Reason(code) }

// Reason says code in the reader's words; an unknown one as stored.
func (w Words) Reason(code string) string { return w.lookup(reasons, code) }

// callbacks are the outcomes of intake's callback to an emergency's
// requester (workflow.CallbackOutcomes).
var callbacks = map[string]string{
	"confirmed":     locale.M("Confirmed: the requester answered and confirmed the request"),
	"not_confirmed": locale.M("Not confirmed"),
	"no_answer":     locale.M("No answer"),
}

// Callback says the outcome of a callback (workflow.CallbackOutcomes).
func Callback(outcome string) string { return English.Callback(outcome) }

// Callback says outcome in the reader's words; an unknown one as stored.
func (w Words) Callback(outcome string) string { return w.lookup(callbacks, outcome) }

// lookup says code's words in table, or code as stored when it has none.
func (w Words) lookup(table map[string]string, code string) string {
	if t, ok := table[code]; ok {
		return w.T(t)
	}
	return code
}
