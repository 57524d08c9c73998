package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// agencyFields is every field path an agency may read in the API's
// answers to it, by answer: keys joined by ".", "[]" for an array's items.
// A field the server adds to what an agency reads fails
// TestInternalWordsStayInternal until it is added here — after someone
// has decided that the agency may know it. That is the point: the
// provider's queue, assignee, verification, callback, internal notes and
// requester signals are never in this list.
var agencyFields = map[string][]string{
	"request": {
		"id", "reference", "status", "version", "process", "docket", "issued_on", "expires_on", "date_from", "date_to",
		"purpose", "summary", "person_resides_in_issuing_state", "submitted_at", "created_at", "updated_at",
		"agency.id", "agency.name", "agency.country",
		"issuing_authority.kind", "issuing_authority.name", "issuing_authority.signed_by",
		"targets[].type", "targets[].value", "categories[]",
		"nondisclosure.ordered", "nondisclosure.until", "nondisclosure.issued_by",
		"emergency",
		"filed_via.id", "filed_via.name", // the agency's own system a request was filed through for its officer
		"offence.description", "offence.max_penalty_months", "offence.max_penalty_years", "offence.grounds[]",
		"offence.sentence_months", "offence.committed_in_issuing_state",
		"documents[].id", "documents[].filename", "documents[].sha256", "documents[].size", "documents[].uploaded_at", "documents[].url",
		"history[].at", "history[].action", "history[].from", "history[].to", "history[].comment",
		"scope.valid", "scope.categories[]", "scope.refused[].category", "scope.refused[].code", "scope.refused[].reason",
		"scope.date_from", "scope.date_to", "scope.warnings[]", "scope.jurisdiction", "scope.process_kind", "scope.national_security",
		"scope.user_notice.allowed", "scope.user_notice.until", "scope.user_notice.indefinite", "scope.user_notice.code", "scope.user_notice.reason",
		"deadline", "overdue", "allowed_actions[]",
		"messages[].id", "messages[].at", "messages[].from", "messages[].author", "messages[].body",
		"workflow.kind", "workflow.emergency", "workflow.approvals_required",
		"workflow.decision.outcome", "workflow.decision.categories[]", "workflow.decision.targets[].type", "workflow.decision.targets[].value",
		"workflow.decision.date_from", "workflow.decision.date_to", "workflow.decision.reason_code", "workflow.decision.reason",
		"workflow.preservation.hold_until", "workflow.preservation.extended", "workflow.preservation.kept_until_produced",
	},
	"list":    {"next_cursor", "page", "pages", "total"}, // and items[] as "request"
	"status":  {"id", "reference", "status", "version", "deadline", "overdue", "allowed_actions[]"},
	"receipt": {"checkpoint", "index", "leaf", "proof[]", "salt"},
	"productions": {"next_cursor", "items[].request_id", "items[].reference", "items[].status", "items[].outcome", "items[].produced_at",
		"items[].expires_at", "items[].sha256", "items[].manifest_sha256", "items[].size", "items[].sealing", "items[].download",
		"items[].counts.*"}, // counts by category id
	"notifications": {"next_cursor", "items[].id", "items[].created_at", "items[].request_id", "items[].kind", "items[].subject", "items[].body", "items[].email"},
}

// fieldPaths lists the leaf field paths of a JSON document.
func fieldPaths(v any, at string, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 && at != "" {
			out[at] = true
		}
		for k, x := range v {
			p := k
			if at != "" {
				p = at + "." + k
			}
			fieldPaths(x, p, out)
		}
	case []any:
		if len(v) == 0 {
			out[at+"[]"] = true
		}
		for _, x := range v {
			fieldPaths(x, at+"[]", out)
		}
	default:
		out[at] = true
	}
}

// allowed reports whether leaf path p is in list: a value, or an empty
// list or object whose items or fields the list names; "x.*" names every
// key of object x (a map by id).
func allowed(list []string, p string) bool {
	for _, a := range list {
		if prefix, ok := strings.CutSuffix(a, ".*"); ok && strings.HasPrefix(p, prefix+".") && !strings.Contains(strings.TrimPrefix(p, prefix+"."), ".") {
			return true
		}
		if p == a || strings.HasPrefix(a, p+".") || strings.HasPrefix(a, p) && strings.HasSuffix(p, "[]") {
			return true
		}
	}
	return false
}

// TestInternalWordsStayInternal takes requests through the review with
// notes to the agency, internal notes, verification records and an
// assignment, then reads everything the agency may read — the API's
// answers to its system and its supervisor, its pages — and fails on any
// field outside agencyFields and on any internal word anywhere (issue 16).
func TestInternalWordsStayInternal(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	// reviewer2 signs in to be known to the portal, to be assigned.
	people := signedIn(t, base, "intake@provider.example", "reviewer@provider.example", "admin@provider.example",
		"sergeant@riverside-pd.example", "reviewer2@provider.example")
	intake, reviewer, admin, sergeant := people[0], people[1], people[2], people[3]

	// secrets are what the agency must never read.
	secrets := []string{"Lena Novak", "reviewer2@provider.example", "Sam Okafor", "Priya Shah",
		"In the Intake queue", "In the Legal review queue", "In der Arbeitsliste"}
	var agencyNotes []string
	act := func(b *browser, id string, body map[string]any) {
		t.Helper()
		var cur struct{ Version int }
		if code := b.api(http.MethodGet, "/api/v1/requests/"+id, nil, &cur); code != http.StatusOK {
			t.Fatalf("read %s: %d", id, code)
		}
		body["version"] = cur.Version
		a, _ := body["action"].(string)
		if _, ok := body["internal_note"]; !ok {
			body["internal_note"] = "STAFF-ONLY " + a + " on " + id
		}
		secrets = append(secrets, body["internal_note"].(string))
		if n, ok := body["note"].(string); ok {
			agencyNotes = append(agencyNotes, n)
		}
		var raw json.RawMessage
		if code := b.api(http.MethodPost, "/api/v1/requests/"+id+"/transitions", body, &raw); code != http.StatusOK {
			t.Fatalf("%s on %s: %d %s", a, id, code, raw)
		}
	}
	verification := map[string]any{"requester": "VERIFIED-REQUESTER badge 4411 with the switchboard", "document": "VERIFIED-DOCUMENT docket seen on the court portal"}
	secrets = append(secrets, "VERIFIED-REQUESTER", "VERIFIED-DOCUMENT", "LEGACY-COMMENT")

	approved := file(t, riverside, with(subpoena, datesAround()))
	act(intake, approved.ID, map[string]any{"action": "take"})
	act(intake, approved.ID, map[string]any{"action": "verify", "verification": verification, "note": "AGENCY-NOTE your order is genuine"})
	act(admin, approved.ID, map[string]any{"action": "assign", "assignee": assigneeID(t, admin, approved.ID, "Lena Novak")})
	act(reviewer, approved.ID, map[string]any{"action": "request_info", "note": "AGENCY-NOTE which account is the suspect's?"})
	var answered json.RawMessage
	if code := riverside.call(http.MethodPost, "/api/v1/requests/"+approved.ID+"/messages", map[string]any{"body": "The first one."}, &answered); code != http.StatusOK {
		t.Fatalf("answer: %d %s", code, answered)
	}
	act(reviewer, approved.ID, map[string]any{"action": "approve", "note": "AGENCY-NOTE within the subpoena's reach", "comment": "LEGACY-COMMENT"})
	waitReady(t, riverside, approved.ID)

	rejected := file(t, riverside, with(subpoena, datesAround()))
	// Through the review page's form, too.
	_, page := intake.get("/provider/requests/" + rejected.ID + "/review")
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
	secrets = append(secrets, "STAFF-ONLY from the page")
	agencyNotes = append(agencyNotes, "AGENCY-NOTE from the page")
	if resp, page := intake.postForm("/provider/requests/"+rejected.ID+"/review", url.Values{"csrf_token": {intake.csrf(page)}, "version": {version},
		"action": {"take"}, "note": {"AGENCY-NOTE from the page"}, "internal_note": {"STAFF-ONLY from the page"}}); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "STAFF-ONLY from the page") {
		t.Fatalf("take from the page: %d, or its internal note is not on the provider's page", resp.StatusCode)
	}
	act(intake, rejected.ID, map[string]any{"action": "verify", "verification": verification})
	act(reviewer, rejected.ID, map[string]any{"action": "reject", "reason_code": "overbroad", "note": "AGENCY-NOTE narrow it to one month"})

	preserved := file(t, riverside, with(subpoena, with(datesAround(), map[string]any{"process": "us.preservation",
		"issuing_authority": map[string]any{"kind": "agency", "name": "Riverside Police Department", "signed_by": "Det. D. Reyes"},
		"docket":            "PR-2026-0001", "categories": []string{"subscriber", "connection_log", "device"}})))
	act(intake, preserved.ID, map[string]any{"action": "verify", "verification": verification, "note": "AGENCY-NOTE preserved as asked"})
	act(reviewer, preserved.ID, map[string]any{"action": "extend", "note": "AGENCY-NOTE extended once"})
	requests := []string{approved.ID, rejected.ID, preserved.ID}

	// The provider reads its internal notes, and the agency's.
	for _, id := range requests {
		resp, page := reviewer.get("/provider/requests/" + id + "/review")
		var provider struct {
			History []struct {
				Comment      string `json:"comment"`
				InternalNote string `json:"internal_note"`
			} `json:"history"`
		}
		if code := reviewer.api(http.MethodGet, "/api/v1/requests/"+id, nil, &provider); code != http.StatusOK || resp.StatusCode != http.StatusOK {
			t.Fatalf("the provider reads %s: %d %d", id, code, resp.StatusCode)
		}
		var internal strings.Builder
		for _, h := range provider.History {
			internal.WriteString(h.InternalNote + "\n")
		}
		for _, want := range []string{"STAFF-ONLY verify on " + id, "In the Intake queue"} {
			if !strings.Contains(internal.String(), want) || !strings.Contains(page, want) {
				t.Errorf("the provider's view of %s lacks %q", id, want)
			}
		}
	}

	// Everything the agency reads.
	type answer struct {
		what, kind string
		body       []byte
	}
	var answers []answer
	getJSON := func(what, kind, path string, viaSergeant bool) {
		t.Helper()
		var raw json.RawMessage
		code := 0
		if viaSergeant {
			code = sergeant.api(http.MethodGet, path, nil, &raw)
		} else {
			code = riverside.call(http.MethodGet, path, nil, &raw)
		}
		if code != http.StatusOK {
			t.Fatalf("the agency reads %s: %d %s", path, code, raw)
		}
		answers = append(answers, answer{what + " " + path, kind, raw})
	}
	for _, who := range []bool{false, true} {
		getJSON("list", "list", "/api/v1/requests", who)
		getJSON("notifications", "notifications", "/api/v1/notifications", who)
		for _, id := range requests {
			getJSON("request", "request", "/api/v1/requests/"+id, who)
		}
	}
	answers = append(answers, answer{"the answer's status", "status", answered})
	getJSON("receipt", "receipt", "/api/v1/requests/"+approved.ID+"/receipt", false)
	getJSON("productions", "productions", "/api/v1/productions", false)

	for _, a := range answers {
		var v any
		if err := json.Unmarshal(a.body, &v); err != nil {
			t.Fatalf("%s: %v", a.what, err)
		}
		paths := map[string]bool{}
		fieldPaths(v, "", paths)
		var unknown []string
		for p := range paths {
			list := agencyFields[a.kind]
			if a.kind == "list" && strings.HasPrefix(p, "items[].") {
				p, list = strings.TrimPrefix(p, "items[]."), agencyFields["request"]
			}
			if !allowed(list, p) && !slices.Contains(unknown, p) {
				unknown = append(unknown, p)
			}
		}
		sort.Strings(unknown)
		if len(unknown) > 0 {
			t.Errorf("%s: fields outside the agency's allow-list: %v", a.what, unknown)
		}
	}
	pages := []answer{}
	for _, path := range []string{"/agency", "/agency/requests/" + approved.ID, "/agency/requests/" + rejected.ID, "/agency/requests/" + preserved.ID} {
		resp, page := sergeant.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the agency's page %s: %d", path, resp.StatusCode)
		}
		pages = append(pages, answer{"page " + path, "", []byte(page)})
	}
	everything := append(answers, pages...)
	for _, a := range everything {
		for _, s := range secrets {
			if strings.Contains(string(a.body), s) {
				t.Errorf("%s shows %q, which is the provider's own", a.what, s)
			}
		}
	}
	// The notes to the agency do reach it, in the API and on its page.
	for _, n := range agencyNotes {
		inAPI, onPage := false, false
		for _, a := range answers {
			inAPI = inAPI || strings.Contains(string(a.body), n)
		}
		for _, p := range pages {
			onPage = onPage || strings.Contains(string(p.body), strings.ReplaceAll(n, "'", "&#39;"))
		}
		if !inAPI || !onPage {
			t.Errorf("the agency's note %q: in the API %v, on its page %v; want both", n, inAPI, onPage)
		}
	}
}

// assigneeID finds a person's id in the assignment list of a review page
// that b, who may assign, reads.
func assigneeID(t *testing.T, b *browser, requestID, name string) string {
	t.Helper()
	_, page := b.get("/provider/requests/" + requestID + "/review")
	m := regexp.MustCompile(`<option value="([^"]+)">` + regexp.QuoteMeta(name) + ` \(`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s to assign %s to", name, requestID)
	}
	return m[1]
}

// signedIn signs each of emails in, in a browser of their own.
func signedIn(t *testing.T, base string, emails ...string) []*browser {
	out := make([]*browser, 0, len(emails))
	for _, e := range emails {
		b := newBrowser(t, base)
		b.login(e)
		out = append(out, b)
	}
	return out
}
