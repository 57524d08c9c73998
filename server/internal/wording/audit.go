package wording

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// auditActions are the audit trail's actions (audit.Event.Action) that are
// not a workflow transition, as an auditor reads them: what was done, the
// person being named beside it. A transition reads as its history row does
// (AuditAction: "workflow." and the action).
var auditActions = map[string]string{
	"audit.view":                  locale.M("Read the audit trail"),
	"auth.login":                  locale.M("Signed in"),
	"auth.logout":                 locale.M("Signed out"),
	"auth.token":                  locale.M("API access token refused"),
	"session.backchannel_logout":  locale.M("Signed out at their identity provider: their sessions here ended"),
	"agency.seed":                 locale.M("Agency set up at installation"),
	"agency.create":               locale.M("Agency added"),
	"agency.list":                 locale.M("Listed the agencies"),
	"identity.inspect":            locale.M("Checked the identity providers"),
	"identity.test":               locale.M("Tested a sign-in at an identity provider"),
	"agency.manage":               locale.M("Managed agencies and their people"),
	"agency.suspend":              locale.M("Agency suspended"),
	"agency.activate":             locale.M("Agency reinstated"),
	"agency.approve":              locale.M("Agency activated by a second administrator"),
	"agency.view":                 locale.M("Opened an agency's record"),
	"agency.verify":               locale.M("Recorded how an agency was verified"),
	"agency.document.upload":      locale.M("Uploaded a document verifying an agency"),
	"agency.document.download":    locale.M("Downloaded a document verifying an agency"),
	"agency.domain.add":           locale.M("Added an agency's e-mail domain"),
	"agency.callback.add":         locale.M("Added a number to an agency's callback directory"),
	"agency.callback.remove":      locale.M("Removed a number from an agency's callback directory"),
	"person.list":                 locale.M("Listed an agency's people"),
	"person.suspend":              locale.M("Person suspended"),
	"person.activate":             locale.M("Person reinstated"),
	"person.preferences":          locale.M("Changed their language or time zone"),
	"agency.recipient.manage":     locale.M("Managed the agency's encryption recipient"),
	"agency.recipient.get":        locale.M("Read the agency's encryption recipient"),
	"agency.recipient.set":        locale.M("Set the agency's encryption recipient"),
	"agency.recipient.delete":     locale.M("Removed the agency's encryption recipient"),
	request.ActionSupervisorsList: locale.M("Listed the agency's supervisors"),
	request.ActionCreate:          locale.M("Request drafted"),
	request.ActionEdit:            locale.M("Draft edited"),
	request.ActionUpload:          locale.M("Signed order uploaded"),
	request.ActionDownload:        locale.M("Signed order downloaded"),
	request.ActionSubmit:          locale.M("Request submitted to the provider"),
	request.ActionView:            locale.M("Request opened"),
	request.ActionList:            locale.M("Requests listed"),
	request.ActionReceipt:         locale.M("Log receipt read"),
	request.ActionShare:           locale.M("Request shared with a colleague"),
	request.ActionUnshare:         locale.M("Request no longer shared with a colleague"),
	request.ActionResponsible:     locale.M("Officer took responsibility for a system's draft"),
	"request.cosign":              locale.M("Emergency request co-signed"),
	"request.message":             locale.M("The agency answered the provider's question"),
	"request.withdraw":            locale.M("Request withdrawn by the agency"),
	"request.production.download": locale.M("Package download asked for"),
	"workflow.link":               locale.M("Preservation linked to its production request"),
	"workflow.follow_up_met":      locale.M("Follow-up legal process received"),
	"queue.view":                  locale.M("Queue opened"),
	"production.queue":            locale.M("Package queued"),
	"production.build":            locale.M("Package built"),
	"production.ready":            locale.M("Package ready to download"),
	"production.fail":             locale.M("Building the package failed"),
	"production.retry":            locale.M("Building the package retried"),
	"production.download.start":   locale.M("Package download link opened"),
	"production.download":         locale.M("Package downloaded"),
	"production.expire":           locale.M("Package expired and deleted"),
	"notice.list":                 locale.M("User notices listed"),
	"notice.queue":                locale.M("User notices queued"),
	"notice.withhold":             locale.M("User notices withheld (non-disclosure order)"),
	"notice.release":              locale.M("User notices released"),
	"notice.send":                 locale.M("User notices sent"),
	"notice.reschedule":           locale.M("User notices rescheduled"),
	"report.publish":              locale.M("Transparency report published"),
	"metadata.purge":              locale.M("Retained metadata deleted (retention)"),
	"history.seed":                locale.M("Demonstration history generation started"),
	"history.done":                locale.M("Demonstration history generated"),
}

// AuditAction says audit action a (audit.Event.Action) in words: a
// workflow transition ("workflow.approve") as its history row says it
// ("Approved"). An unknown action is shown as stored.
func AuditAction(a string) string { return English.AuditAction(a) }

// AuditAction says audit action a in the reader's words.
func (w Words) AuditAction(a string) string {
	if t, ok := auditActions[a]; ok {
		return w.T(t)
	}
	if step, ok := strings.CutPrefix(a, "workflow."); ok {
		if e, ok := events[step]; ok {
			return w.T(e.passive)
		}
	}
	return a
}

// auditOutcomes are an audit event's outcomes (audit.Outcome*).
var auditOutcomes = map[string]Tag{
	"success": {locale.M("Carried out"), Done},
	"denied":  {locale.M("Refused by the policy"), Refused},
	"failure": {locale.M("Failed"), Refused},
}

// AuditOutcome is the tag of an audit event's outcome (audit.Outcome*).
func AuditOutcome(o string) Tag { return English.AuditOutcome(o) }

// AuditOutcome is the tag of an audit event's outcome in the reader's words.
func (w Words) AuditOutcome(o string) Tag {
	if t, ok := auditOutcomes[o]; ok {
		return Tag{Text: w.T(t.Text), Meaning: t.Meaning}
	}
	return Tag{Text: o, Meaning: Waiting}
}

// A Detail is one fact of an audit event's details, in words.
type Detail struct {
	Name, Value string
}

// detailNames are the keys audit events record in their details.
var detailNames = map[string]string{
	"from": locale.M("From"), "to": locale.M("To"), "version": locale.M("Version"), "comment": locale.M("Comment"),
	"reference": locale.M("Reference"), "reason": locale.M("Reason"), "reason_code": locale.M("Reason"),
	"sha256": locale.M("SHA-256"), "blob_sha256": locale.M("SHA-256 of the stored file"), "size": locale.M("Size (bytes)"), "bytes": locale.M("Bytes"),
	"assignee": locale.M("Assigned to"), "verification": locale.M("Verification"), "scope": locale.M("Scope"), "log_index": locale.M("Log entry"),
	"fields": locale.M("Fields changed"), "kind": locale.M("Kind"), "roles": locale.M("Roles"), "name": locale.M("Name"), "issuer": locale.M("Sign-in service"),
	"org": locale.M("Organisation"), "issuer_org": locale.M("Organisation"), "country": locale.M("Country"), "recipient": locale.M("Recipient"),
	"attempt": locale.M("Attempt"), "attempts": locale.M("Attempts"), "status": locale.M("State"), "last_error": locale.M("Last error"),
	"expires_at": locale.M("Expires"), "filename": locale.M("File"), "complete": locale.M("Complete"), "linked": locale.M("Linked request"),
	"by": locale.M("Met by request"), "accounts_held": locale.M("Accounts held"), "unmatched_targets": locale.M("Targets with no account"),
	"message_id": locale.M("Message"), "hold_was_until": locale.M("Hold was until"), "enforcing_authority": locale.M("Enforcing authority"),
	"period": locale.M("Period"), "tree_size": locale.M("Log size"), "table": locale.M("Table"), "category": locale.M("Category"), "rows": locale.M("Rows"),
	"cutoff": locale.M("Older than"), "request_id": locale.M("Request"), "actor": locale.M("Person (subject)"), "action": locale.M("Action"),
	"people": locale.M("People (subjects)"), "person": locale.M("Person"), "cursor": locale.M("Page cursor"), "through": locale.M("Up to event"),
	"offset": locale.M("Skipped"), "export": locale.M("Exported as"), "due": locale.M("Due"), "requests": locale.M("Requests"), "failed": locale.M("Failed"),
	"leaves": locale.M("Log entries"), "language": locale.M("Language"), "time_zone": locale.M("Time zone"),
}

// AuditDetails says an audit event's details (a JSON object) in words, in
// the order of their names; a state reads as State says it to a. Details
// that are not a JSON object are shown as stored, under "Details".
func AuditDetails(details string, a Audience) []Detail { return English.AuditDetails(details, a) }

// AuditDetails says an audit event's details in the reader's words.
func (w Words) AuditDetails(details string, a Audience) []Detail {
	if details == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(details), &m); err != nil {
		return []Detail{{Name: w.T("Details"), Value: details}}
	}
	var out []Detail
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, w.detailsOf(k, m[k], a)...)
	}
	return out
}

// refusals say why a sign-in or an access token was refused (the reason
// codes of package identity and of the sign-in), as an administrator
// reads them; the code stays beside the words.
var refusals = map[string]string{
	identity.ReasonNotAToken:           locale.M("Not a token at all"),
	identity.ReasonUnknownIssuer:       locale.M("Issued by an identity provider the portal does not trust"),
	identity.ReasonBadSignature:        locale.M("Its signature or claims do not verify"),
	identity.ReasonExpired:             locale.M("Expired"),
	identity.ReasonWrongAudience:       locale.M("Issued for another audience"),
	identity.ReasonIDToken:             locale.M("An ID token presented as an access token"),
	identity.ReasonPersonToken:         locale.M("A person's access token presented by a system"),
	identity.ReasonNoSubject:           locale.M("Names no subject"),
	identity.ReasonNoOrganisation:      locale.M("Names no organisation"),
	identity.ReasonUnknownOrganisation: locale.M("Organisation not registered"),
	identity.ReasonNoRole:              locale.M("No role in the portal"),
	identity.ReasonSuspended:           locale.M("The person or their agency is suspended"),
	identity.ReasonPending:             locale.M("Their agency is registered but not yet activated"),
	identity.ReasonKindMismatch:        locale.M("A person's identity used as a system's, or the reverse"),
	identity.ReasonInactive:            locale.M("Not active at its issuer: revoked, expired or never issued"),
	identity.ReasonMFARequired:         locale.M("No second factor, which the sign-in or the action needed"),
	identity.ReasonStaleAuthTime:       locale.M("The identity provider did not ask the person to sign in again"),
}

// Refusal is the words for a refused sign-in's or token's reason code, or
// the code itself for one without words (a protocol failure such as
// state_mismatch, which only the code can name).
func Refusal(code string) string { return English.Refusal(code) }

// Refusal is the words for a refused sign-in's or token's reason code.
func (w Words) Refusal(code string) string { return w.lookup(refusals, code) }

func (w Words) detailsOf(k string, v any, a Audience) []Detail {
	name, ok := detailNames[k]
	if ok {
		name = w.T(name)
	} else {
		name = strings.ToUpper(k[:1]) + strings.ReplaceAll(k[1:], "_", " ")
	}
	switch v := v.(type) {
	case map[string]any:
		var out []Detail
		for _, sub := range slices.Sorted(maps.Keys(v)) {
			for _, d := range w.detailsOf(sub, v[sub], a) {
				out = append(out, Detail{Name: name + ": " + d.Name, Value: d.Value})
			}
		}
		return out
	case string:
		switch k {
		case "from", "to", "status":
			if _, ok := states[request.State(v)]; ok {
				return []Detail{{name, w.State(request.State(v), a)}}
			}
		case "reason_code":
			return []Detail{{name, w.Reason(v)}}
		case "reason":
			if _, ok := refusals[v]; ok {
				return []Detail{{name, w.Refusal(v) + " (" + v + ")"}}
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return []Detail{{name, t.UTC().Format("2006-01-02 15:04 UTC")}}
		}
		return []Detail{{name, v}}
	}
	return []Detail{{name, w.detailValue(v)}}
}

// detailValue says a JSON value that is not an object.
func (w Words) detailValue(v any) string {
	switch v := v.(type) {
	case nil:
		return w.T("none")
	case bool:
		if v {
			return w.T("yes")
		}
		return w.T("no")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, w.detailValue(e))
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
