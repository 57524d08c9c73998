package metadata_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// allowed lists every column of the whole database, ours and River's and
// goose's, after review: none holds message content, media, attachments or
// keys. A migration that adds a column fails TestSchemaHoldsNoContent until
// the column is reviewed and added here (and, if its name suggests content,
// media or keys, explained in reviewed).
var allowed = map[string][]string{
	// Foundation (0001): agencies, the people who sign in, sessions, requests.
	"agencies": {"id", "name", "country", "kind", "status", "issuer", "issuer_org", "created_at", "updated_at",
		"language", "time_zone", // its people's default language and IANA zone (0021)
		"jurisdiction", "created_by", "activated_by", "activated_at"}, // onboarding with four eyes (0024)
	// Who is asking (0024): how each agency was verified, its e-mail domains,
	// the callback directory, its status moves, intake's callbacks.
	"agency_verifications":  {"id", "agency_id", "method", "note", "verified_by", "verified_at"},
	"agency_documents":      {"id", "agency_id", "verification_id", "sha256", "size_bytes", "filename", "content_type", "uploaded_by", "created_at"},
	"agency_email_domains":  {"agency_id", "domain", "added_by", "added_at"},
	"agency_callbacks":      {"id", "agency_id", "label", "phone", "source", "added_by", "added_at", "removed_by", "removed_at"},
	"agency_status_changes": {"id", "agency_id", "from_status", "to_status", "actor_id", "reason", "at"},
	"request_callbacks":     {"id", "request_id", "callback_id", "called_by", "called_at", "outcome", "note"},
	// The sign-in behind each submission, for the requester signals (0025).
	"request_submissions": {"request_id", "submitted_by", "submitted_at", "mfa"},
	// The provider's internal notes on a history row (0027).
	"request_internal_notes": {"history_id", "request_id", "note", "words"},
	"people": {"id", "issuer", "subject", "kind", "agency_id", "email", "name", "roles", "status", "last_seen_at", "created_at", "updated_at",
		"language", "time_zone"}, // the person's own language and IANA zone (0021)
	"sessions":           {"id_hash", "person_id", "csrf_token", "created_at", "expires_at", "last_seen_at", "id_token", "mfa", "auth_time"}, // id_token: 0018; mfa, auth_time: 0019
	"login_states":       {"state_hash", "issuer", "nonce", "code_verifier", "return_to", "created_at", "expires_at", "purpose", "initiator_id"},
	"reference_counters": {"year", "last"},
	// A view: the request package's published read interface (migration 0015).
	"request_summaries": {"id", "reference", "status", "process", "agency_id", "emergency", "submitted_at",
		"agency_name", "agency_country", "agency_kind"},
	"requests": {"id", "reference", "agency_id", "created_by", "status", "version", "process", "authority_kind", "authority_name",
		"authority_signed_by", "docket", "issued_on", "expires_on", "date_from", "date_to", "categories", "nondisclosure_ordered",
		"nondisclosure_until", "emergency", "emergency_narrative", "offence_description", "summary",
		"submitted_at", "created_at", "updated_at",
		// The legal facts of migration 0011: ids, numbers and booleans.
		"purpose", "offence_max_penalty_months", "offence_grounds", "offence_sentence_months",
		"offence_committed_in_issuing_state", "person_resides_in_issuing_state", "nondisclosure_issued_by",
		"national_security",
		// An emergency's callback number and the supervisor named to co-sign
		// it (0016): a phone number and a people id.
		"emergency_callback", "emergency_supervisor_id",
		// The agency system a request was filed through for its officer (0028).
		"filed_via"},
	// Lifecycle events of national-security requests, kept out of the public
	// log (only bands are published): the fields of a log leaf, no content.
	"national_security_events": {"id", "request_id", "event", "date", "country", "agency_kind", "process", "request_type",
		"outcome", "accounts", "ndo", "created_at"},
	"request_targets": {"id", "request_id", "position", "type", "value"},
	// Who inside the agency a request is shared with (0026): people ids and a time.
	"request_shares":    {"request_id", "person_id", "shared_by", "shared_at"},
	"request_documents": {"id", "request_id", "sha256", "size_bytes", "filename", "content_type", "uploaded_by", "created_at"},
	"request_history": {"id", "request_id", "at", "actor_id", "action", "from_status", "to_status", "comment",
		// The comment's sentences the portal wrote, as English formats and
		// their arguments, to say them in each reader's language (0023).
		"words"},

	// Accountability (0002, 0004, 0005): the audit chain and the public log.
	"audit_events": {"seq", "at", "actor_issuer", "actor_subject", "actor_role", "actor_agency_id", "action", "object_type",
		"object_id", "outcome", "request_id", "decision", "details", "prev_hash", "hash"},
	"audit_head": {"id", "seq", "hash"},
	"audit_pending": {"id", "at", "actor_issuer", "actor_subject", "actor_role", "actor_agency_id", "action", "object_type",
		"object_id", "outcome", "request_id", "decision", "details"},
	"audit_anchors":    {"seq", "hash", "note", "created_at"},
	"tlog_leaves":      {"idx", "request_id", "event", "salt", "leaf", "created_at"},
	"tlog_hashes":      {"id", "hash"},
	"tlog_head":        {"id", "size"},
	"tlog_checkpoints": {"size", "root_hash", "note", "created_at"},

	// Workflow (0006).
	"workflow_requests": {"request_id", "status", "queue", "assignee_id", "due_at", "overdue", "emergency", "kind",
		"approvals_required", "cosigned_by", "cosigned_at", "verified_by", "verified_at", "verification", "decision",
		"hold_until", "extended", "follow_up_due", "follow_up_met_at", "follow_up_overdue", "routed_at", "updated_at",
		// EU orders (0014): the enforcing authority notified, its deadlines, its
		// answer (grounds are ids; the comment is the reviewer's note of its
		// reasons), and a preservation's confirmed production request.
		"ea_country", "ea_state", "ea_notified_at", "ea_recorded_by", "ea_produce_after", "ea_objection_until", "ea_citation",
		"ea_refusal_grounds", "ea_answer", "ea_grounds", "ea_answered_at", "ea_answered_by", "ea_after_production", "ea_comment",
		"production_confirmed_at", "production_confirmed_by"},
	"workflow_approvals": {"request_id", "seq", "person_id", "issuer", "subject", "role", "scope", "at"},
	"workflow_links":     {"request_id", "linked_id", "linked_by", "linked_at"},
	"workflow_messages":  {"id", "request_id", "at", "author_id", "side", "body"},
	"notifications": {"id", "created_at", "request_id", "audience", "agency_id", "team", "kind", "subject", "body",
		"email_state", "emailed_at",
		// The one person a notification is addressed to (0016), or NULL.
		"person_id",
		// The subject and body as the portal's English formats and their
		// arguments, to say them in each reader's language (0022).
		"words"},

	// Retained metadata (0007): the categories of DESIGN.md, nothing else.
	"md_accounts":          {"id", "phone", "username", "email", "profile_name", "status", "registered_at", "deleted_at"},
	"md_activity":          {"account_id", "service_start", "last_seen"},
	"md_connection_events": {"id", "account_id", "at", "ip", "port", "event"},
	"md_devices":           {"id", "account_id", "device_no", "model", "os", "app_version", "first_seen_at", "last_seen_at"},
	"md_contacts":          {"id", "account_id", "kind", "identifier", "added_at", "removed_at"},
	"md_group_memberships": {"id", "account_id", "group_id", "role", "member_count", "joined_at", "left_at"},
	"md_collection_orders": {"id", "request_id", "account_id", "starts_at", "ends_at", "stopped_at"},
	"md_envelopes":         {"id", "order_id", "account_id", "at", "sender", "recipient", "type", "size_bytes"},
	"md_holds": {"id", "request_id", "account_id", "category", "from_at", "to_at", "expires_at", "status", "created_at",
		"updated_at"},

	// Productions (0009).
	"agency_recipients": {"agency_id", "recipient", "set_by", "created_at", "updated_at"},
	"productions": {"id", "request_id", "agency_id", "status", "attempts", "error", "scope", "counts", "outcome", "sealing",
		"recipient", "blob_sha256", "blob_size", "served_sha256", "served_size", "manifest_sha256", "produced_at",
		"expires_at", "deleted_at", "created_at", "updated_at"},
	"production_downloads": {"id", "production_id", "person_id", "at", "sha256", "bytes", "complete"},
	"user_notices": {"id", "production_id", "request_id", "account_id", "status", "due_at", "attempts", "next_attempt_at",
		"last_error", "sent_at", "created_at", "updated_at",
		"reason_code", "reason", "citation"}, // 0013: the policy's user-notice decision, about the notice, never content

	// Transparency reports (0010): published, signed, never changed.
	"transparency_reports": {"id", "period", "version", "body", "signature", "tree_size", "root_hash", "reason",
		"published_by", "published_at"},

	// River's job tables (rivermigrate) and goose's bookkeeping.
	"river_job": {"id", "args", "attempt", "attempted_at", "attempted_by", "created_at", "errors", "finalized_at", "kind",
		"max_attempts", "metadata", "priority", "queue", "state", "scheduled_at", "tags", "unique_key", "unique_states"},
	"river_leader":       {"elected_at", "expires_at", "leader_id", "name"},
	"river_migration":    {"line", "version", "created_at"},
	"river_queue":        {"name", "created_at", "metadata", "paused_at", "updated_at"},
	"river_notification": {"id", "created_at", "payload", "topic"},
	"river_client":       {"id", "created_at", "metadata", "paused_at", "updated_at"},
	"river_client_queue": {"river_client_id", "name", "created_at", "max_workers", "metadata", "num_jobs_completed", "num_jobs_running", "updated_at"},
	"goose_db_version":   {"id", "version_id", "is_applied", "tstamp"},
}

// suspicious matches column names that could hold content, media or keys.
// Each such column must be explained in reviewed.
var suspicious = regexp.MustCompile(`(?i)content|body|message|text|media|attach|avatar|photo|image|picture|voice|audio|video|sticker|` +
	`key|secret|token|password|cipher|plain|payload|blob|leaf|salt|verifier|nonce|note|args|recipient|sender|file`)

// reviewed says, for each column whose name looks like content, media or a
// key, what it actually holds.
var reviewed = map[string]string{
	"sessions.csrf_token":                "the portal's anti-CSRF token of a sign-in session; no messaging key",
	"sessions.id_token":                  "the OpenID Provider's ID token of a sign-in (who signed in), kept for id_token_hint at sign-out; never accepted as a credential",
	"login_states.nonce":                 "the OpenID Connect nonce of a sign-in in progress, deleted when used",
	"login_states.code_verifier":         "the PKCE verifier of a sign-in in progress, deleted when used",
	"request_documents.filename":         "the uploaded court order's file name; its bytes are in the blob store",
	"request_documents.content_type":     "the court order's media type (application/pdf)",
	"requests.filed_via":                 "the people id of the agency system a request was filed through for its officer",
	"agency_verifications.note":          "the administrator's account of how an agency was verified",
	"agency_documents.filename":          "a supporting document's file name; its bytes are in the blob store",
	"agency_documents.content_type":      "a supporting document's media type (PDF, PNG, JPEG)",
	"request_callbacks.note":             "intake's note of a callback to the agency's directory number",
	"request_internal_notes.note":        "a provider staff member's internal note on an action, never shown to the agency",
	"audit_anchors.note":                 "a signed note over the audit chain's head (public checkpoint)",
	"tlog_leaves.leaf":                   "the public log leaf: counts and categories, no personal data",
	"tlog_leaves.salt":                   "the salt of the leaf's commitment to the request reference",
	"tlog_checkpoints.note":              "the signed, public checkpoint of the transparency log",
	"workflow_messages.body":             "the reviewer's questions and the officer's answers about the request; never a user's message",
	"notifications.body":                 "the text of a portal notification written by warrantdesk",
	"md_accounts.profile_name":           "the display name the account holder set (subscriber category), not a file or photo",
	"md_envelopes.sender":                "the sender's phone number (routing metadata under a live order)",
	"md_envelopes.recipient":             "the recipient's phone number (routing metadata under a live order)",
	"agency_recipients.recipient":        "the agency's age recipient: a public key that packages are encrypted to; no secret",
	"productions.recipient":              "the public age recipient a package was sealed to",
	"productions.blob_sha256":            "the SHA-256 naming the encrypted package in the blob store",
	"productions.blob_size":              "the size of the encrypted package",
	"transparency_reports.body":          "a published transparency report: aggregate counts, no personal data",
	"river_job.args":                     "job arguments: request and production ids, states and times only",
	"river_job.unique_key":               "River's hash of a unique job's arguments",
	"river_notification.payload":         "River's internal signalling between clients (queue names)",
	"river_client_queue.river_client_id": "River's id of a worker process",
}

func columnsOf(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	type col struct{ Table, Column string }
	var rows []col
	var err error
	switch d.Dialect {
	case db.Postgres:
		err = d.Raw(`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
			WHERE table_schema = current_schema()`).Scan(&rows).Error
	default:
		err = d.Raw(`SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%'`).Scan(&rows).Error
	}
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Table] = append(out[r.Table], r.Column)
	}
	return out
}

// TestSchemaHoldsNoContent lists every column of the whole schema on both
// databases and fails on any that is not on the reviewed allow-list, and on
// any suspicious name without a written review. This is how the promise
// "no column anywhere holds message content, media or keys" is kept.
func TestSchemaHoldsNoContent(t *testing.T) {
	for _, d := range []struct {
		desc string
		open func(testing.TB) *db.DB
	}{
		{"sqlite", dbtest.OpenSQLite},
		{"postgres", dbtest.OpenPostgres},
	} {
		t.Run(d.desc, func(t *testing.T) {
			if missing := unlisted(columnsOf(t, d.open(t))); len(missing) > 0 {
				t.Errorf("columns not on the reviewed allow-list (check each holds no message content, media or keys, then add it to allowed):\n  %s",
					strings.Join(missing, "\n  "))
			}
		})
	}
}

// unlisted returns the columns of have that are not on the allow-list.
func unlisted(have map[string][]string) []string {
	var missing []string
	for table, cols := range have {
		for _, c := range cols {
			if !slices.Contains(allowed[table], c) {
				missing = append(missing, table+"."+c)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// TestSchemaTestCatchesAContentColumn proves the check bites: a migration
// that slipped a message body into the store would fail it.
func TestSchemaTestCatchesAContentColumn(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	if err := d.Exec(`ALTER TABLE md_envelopes ADD COLUMN message_body TEXT`).Error; err != nil {
		t.Fatal(err)
	}
	if got, want := unlisted(columnsOf(t, d)), []string{"md_envelopes.message_body"}; !slices.Equal(got, want) {
		t.Errorf("unlisted columns %v, want %v", got, want)
	}
}

// TestSuspiciousColumnsReviewed checks the allow-list itself: every name
// that suggests content, media or keys carries a written explanation, and
// no explanation is left over for a column that no longer exists.
func TestSuspiciousColumnsReviewed(t *testing.T) {
	listed := map[string]bool{}
	for table, cols := range allowed {
		for _, c := range cols {
			name := table + "." + c
			listed[name] = true
			if suspicious.MatchString(c) && reviewed[name] == "" {
				t.Errorf("%s looks like it could hold content, media or a key: explain what it holds in reviewed", name)
			}
		}
	}
	for name := range reviewed {
		if !listed[name] {
			t.Errorf("reviewed explains %s, which is not on the allow-list", name)
		}
	}
	// The store's categories never include content.
	if slices.Contains(metadata.Categories, "content") || metadata.IsCategory("content") {
		t.Errorf("the metadata store claims to hold content: %v", metadata.Categories)
	}
}
