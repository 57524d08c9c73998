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
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// auditActions are the audit trail's actions (audit.Event.Action) that are
// not a workflow transition, as an auditor reads them: what was done, the
// person being named beside it. A transition reads as its history row does
// (AuditAction: "workflow." and the action).
var auditActions = map[string]string{
	"audit.view":                  "Read the audit trail",
	"auth.login":                  "Signed in",
	"auth.logout":                 "Signed out",
	"auth.token":                  "API access token refused",
	"session.backchannel_logout":  "Signed out at their identity provider: their sessions here ended",
	"agency.seed":                 "Agency set up at installation",
	"agency.create":               "Agency added",
	"agency.list":                 "Listed the agencies",
	"identity.inspect":            "Checked the identity providers",
	"identity.test":               "Tested a sign-in at an identity provider",
	"agency.manage":               "Managed agencies and their people",
	"agency.suspend":              "Agency suspended",
	"agency.activate":             "Agency reinstated",
	"person.list":                 "Listed an agency's people",
	"person.suspend":              "Person suspended",
	"person.activate":             "Person reinstated",
	"agency.recipient.manage":     "Managed the agency's encryption recipient",
	"agency.recipient.get":        "Read the agency's encryption recipient",
	"agency.recipient.set":        "Set the agency's encryption recipient",
	"agency.recipient.delete":     "Removed the agency's encryption recipient",
	request.ActionSupervisorsList: "Listed the agency's supervisors",
	request.ActionCreate:          "Request drafted",
	request.ActionEdit:            "Draft edited",
	request.ActionUpload:          "Signed order uploaded",
	request.ActionDownload:        "Signed order downloaded",
	request.ActionSubmit:          "Request submitted to the provider",
	request.ActionView:            "Request opened",
	request.ActionList:            "Requests listed",
	request.ActionReceipt:         "Log receipt read",
	"request.cosign":              "Emergency request co-signed",
	"request.message":             "The agency answered the provider's question",
	"request.withdraw":            "Request withdrawn by the agency",
	"request.production.download": "Package download asked for",
	"workflow.link":               "Preservation linked to its production request",
	"workflow.follow_up_met":      "Follow-up legal process received",
	"queue.view":                  "Queue opened",
	"production.queue":            "Package queued",
	"production.build":            "Package built",
	"production.ready":            "Package ready to download",
	"production.fail":             "Building the package failed",
	"production.retry":            "Building the package retried",
	"production.download.start":   "Package download link opened",
	"production.download":         "Package downloaded",
	"production.expire":           "Package expired and deleted",
	"notice.list":                 "User notices listed",
	"notice.queue":                "User notices queued",
	"notice.withhold":             "User notices withheld (non-disclosure order)",
	"notice.release":              "User notices released",
	"notice.send":                 "User notices sent",
	"notice.reschedule":           "User notices rescheduled",
	"report.publish":              "Transparency report published",
	"metadata.purge":              "Retained metadata deleted (retention)",
	"history.seed":                "Demonstration history generation started",
	"history.done":                "Demonstration history generated",
}

// AuditAction says audit action a (audit.Event.Action) in words: a
// workflow transition ("workflow.approve") as its history row says it
// ("Approved"). An unknown action is shown as stored.
func AuditAction(a string) string {
	if w, ok := auditActions[a]; ok {
		return w
	}
	if step, ok := strings.CutPrefix(a, "workflow."); ok {
		if e, ok := events[step]; ok {
			return e.passive
		}
	}
	return a
}

// auditOutcomes are an audit event's outcomes (audit.Outcome*).
var auditOutcomes = map[string]Tag{
	"success": {"Carried out", Done},
	"denied":  {"Refused by the policy", Refused},
	"failure": {"Failed", Refused},
}

// AuditOutcome is the tag of an audit event's outcome (audit.Outcome*).
func AuditOutcome(o string) Tag {
	if t, ok := auditOutcomes[o]; ok {
		return t
	}
	return Tag{Text: o, Meaning: Waiting}
}

// A Detail is one fact of an audit event's details, in words.
type Detail struct {
	Name, Value string
}

// detailNames are the keys audit events record in their details.
var detailNames = map[string]string{
	"from": "From", "to": "To", "version": "Version", "comment": "Comment",
	"reference": "Reference", "reason": "Reason", "reason_code": "Reason",
	"sha256": "SHA-256", "blob_sha256": "SHA-256 of the stored file", "size": "Size (bytes)", "bytes": "Bytes",
	"assignee": "Assigned to", "verification": "Verification", "scope": "Scope", "log_index": "Log entry",
	"fields": "Fields changed", "kind": "Kind", "roles": "Roles", "name": "Name", "issuer": "Sign-in service",
	"org": "Organisation", "issuer_org": "Organisation", "country": "Country", "recipient": "Recipient",
	"attempt": "Attempt", "attempts": "Attempts", "status": "State", "last_error": "Last error",
	"expires_at": "Expires", "filename": "File", "complete": "Complete", "linked": "Linked request",
	"by": "Met by request", "accounts_held": "Accounts held", "unmatched_targets": "Targets with no account",
	"message_id": "Message", "hold_was_until": "Hold was until", "enforcing_authority": "Enforcing authority",
	"period": "Period", "tree_size": "Log size", "table": "Table", "category": "Category", "rows": "Rows",
	"cutoff": "Older than", "request_id": "Request", "actor": "Person (subject)", "action": "Action",
	"people": "People (subjects)", "person": "Person", "cursor": "Page cursor", "through": "Up to event",
	"offset": "Skipped", "export": "Exported as", "due": "Due", "requests": "Requests", "failed": "Failed",
	"leaves": "Log entries",
}

// AuditDetails says an audit event's details (a JSON object) in words, in
// the order of their names; a state reads as State says it to a. Details
// that are not a JSON object are shown as stored, under "Details".
func AuditDetails(details string, a Audience) []Detail {
	if details == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(details), &m); err != nil {
		return []Detail{{Name: "Details", Value: details}}
	}
	var out []Detail
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, detailsOf(k, m[k], a)...)
	}
	return out
}

// refusals say why a sign-in or an access token was refused (the reason
// codes of package identity and of the sign-in), as an administrator
// reads them; the code stays beside the words.
var refusals = map[string]string{
	identity.ReasonNotAToken:           "Not a token at all",
	identity.ReasonUnknownIssuer:       "Issued by an identity provider the portal does not trust",
	identity.ReasonBadSignature:        "Its signature or claims do not verify",
	identity.ReasonExpired:             "Expired",
	identity.ReasonWrongAudience:       "Issued for another audience",
	identity.ReasonIDToken:             "An ID token presented as an access token",
	identity.ReasonPersonToken:         "A person's access token presented by a system",
	identity.ReasonNoSubject:           "Names no subject",
	identity.ReasonNoOrganisation:      "Names no organisation",
	identity.ReasonUnknownOrganisation: "Organisation not registered",
	identity.ReasonNoRole:              "No role in the portal",
	identity.ReasonSuspended:           "The person or their agency is suspended",
	identity.ReasonKindMismatch:        "A person's identity used as a system's, or the reverse",
	identity.ReasonInactive:            "Not active at its issuer: revoked, expired or never issued",
	identity.ReasonMFARequired:         "No second factor, which the sign-in or the action needed",
	identity.ReasonStaleAuthTime:       "The identity provider did not ask the person to sign in again",
}

// Refusal is the words for a refused sign-in's or token's reason code, or
// the code itself for one without words (a protocol failure such as
// state_mismatch, which only the code can name).
func Refusal(code string) string {
	if w, ok := refusals[code]; ok {
		return w
	}
	return code
}

func detailsOf(k string, v any, a Audience) []Detail {
	name, ok := detailNames[k]
	if !ok {
		name = strings.ToUpper(k[:1]) + strings.ReplaceAll(k[1:], "_", " ")
	}
	switch v := v.(type) {
	case map[string]any:
		var out []Detail
		for _, sub := range slices.Sorted(maps.Keys(v)) {
			for _, d := range detailsOf(sub, v[sub], a) {
				out = append(out, Detail{Name: name + ": " + d.Name, Value: d.Value})
			}
		}
		return out
	case string:
		switch k {
		case "from", "to", "status":
			if _, ok := states[request.State(v)]; ok {
				return []Detail{{name, State(request.State(v), a)}}
			}
		case "reason_code":
			return []Detail{{name, Reason(v)}}
		case "reason":
			if w, ok := refusals[v]; ok {
				return []Detail{{name, w + " (" + v + ")"}}
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return []Detail{{name, t.UTC().Format("2006-01-02 15:04 UTC")}}
		}
		return []Detail{{name, v}}
	}
	return []Detail{{name, detailValue(v)}}
}

// detailValue says a JSON value that is not an object.
func detailValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "none"
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, detailValue(e))
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
