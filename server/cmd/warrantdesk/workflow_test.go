package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// The workflow's end-to-end tests: real `serve --demo`, the demo provider's
// people signing in, agency systems with bearer tokens.

type apiStatus struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	Version        int      `json:"version"`
	Queue          string   `json:"queue"`
	AllowedActions []string `json:"allowed_actions"`
}

type apiFull struct {
	ID             string   `json:"id"`
	Reference      string   `json:"reference"`
	Status         string   `json:"status"`
	Version        int      `json:"version"`
	Queue          string   `json:"queue"`
	Deadline       *string  `json:"deadline"`
	AllowedActions []string `json:"allowed_actions"`
	Messages       []struct {
		From, Author, Body string
	} `json:"messages"`
	Workflow *struct {
		Kind              string                              `json:"kind"`
		ApprovalsRequired int                                 `json:"approvals_required"`
		Cosign            *struct{ By struct{ Name string } } `json:"cosign"`
		Decision          *struct{ Outcome string }           `json:"decision"`
		Approvals         []struct{ Seq int }                 `json:"approvals"`
		Verification      *struct{ Requester string }         `json:"verification"`
	} `json:"workflow"`
}

type apiProblemAllowed struct {
	Status  int      `json:"status"`
	Detail  string   `json:"detail"`
	Allowed []string `json:"allowed_actions"`
	Errors  []struct {
		Field, Message string
	} `json:"errors"`
}

// api calls the JSON API as the signed-in person (session cookie; a JSON
// body needs no CSRF token).
func (b *browser) api(method, path string, body, out any) int {
	b.t.Helper()
	var rd *bytes.Reader
	ctype := ""
	if body != nil {
		raw, _ := json.Marshal(body)
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	var resp *http.Response
	var data string
	if rd != nil {
		resp, data = b.do(method, path, ctype, rd)
	} else {
		resp, data = b.do(method, path, "", nil)
	}
	if out != nil && data != "" {
		if err := json.Unmarshal([]byte(data), out); err != nil {
			b.t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// file creates, uploads and submits a request as an agency system.
func file(t *testing.T, api *apiClient, body map[string]any) apiFull {
	t.Helper()
	var r apiFull
	fileInto(t, api, body, &r)
	return r
}

// fileInto creates, uploads and submits a request as an agency system and
// decodes the submitted request into r, a pointer.
func fileInto(t testing.TB, api *apiClient, body map[string]any, r any) {
	t.Helper()
	var created struct{ ID string }
	if code := api.call(http.MethodPost, "/api/v1/requests", body, &created); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	shareWithOfficer(t, api, created.ID)
	if code, b := api.upload("/api/v1/requests/"+created.ID+"/documents", "order.pdf", minimalPDF()); code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, b)
	}
	if code := api.call(http.MethodPost, "/api/v1/requests/"+created.ID+"/submit", nil, r); code != http.StatusOK {
		t.Fatalf("submit: %d", code)
	}
}

// officers are the demo officers' people ids, by base URL and e-mail.
var officers sync.Map

// shareWithOfficer shares request id, which the agency system api filed,
// with its agency's demo officer (officer@riverside-pd.example for
// Riverside's systems), who follows it up in the pages: inside an agency a
// request is need-to-know, seen only by its filer, its supervisors and
// whom it is shared with. The officer signs in once, to be known.
func shareWithOfficer(t testing.TB, api *apiClient, id string) {
	t.Helper()
	email := demoOfficer(api.id)
	if email == "" {
		return
	}
	key := api.base + " " + email
	person, ok := officers.Load(key)
	if !ok {
		b := newBrowser(t, api.base)
		b.login(email)
		var me struct {
			ID string `json:"id"`
		}
		if code := b.api(http.MethodGet, "/api/v1/me", nil, &me); code != http.StatusOK || me.ID == "" {
			t.Fatalf("who is %s: %d", email, code)
		}
		person, _ = officers.LoadOrStore(key, me.ID)
	}
	if code := api.call(http.MethodPost, "/api/v1/requests/"+id+"/shares", map[string]any{"person_id": person}, nil); code != http.StatusCreated {
		t.Fatalf("share %s with %s: %d", id, email, code)
	}
}

// demoOfficer is the e-mail of the demo officer (no supervisor) of the
// agency of the demo system clientID, or "".
func demoOfficer(clientID string) string {
	for _, c := range demo.Clients {
		if c.ID != clientID {
			continue
		}
		for _, p := range demo.People {
			if p.Org == c.Org && slices.Equal(p.Roles, []string{"officer"}) {
				return p.Email
			}
		}
	}
	return ""
}

func with(base map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

func datesAround() map[string]any {
	today := time.Now().UTC()
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	return map[string]any{"issued_on": d(-2), "expires_on": d(90), "date_from": d(-20), "date_to": d(-2),
		"nondisclosure": map[string]any{"ordered": true, "until": d(200)}}
}

// TestWorkflowAPI walks the review through the API: an agency system files,
// intake verifies, a reviewer asks and the officer answers, the reviewer
// approves; four eyes where the policy asks; an emergency co-signed by a
// supervisor through their own sign-in; and the errors of the issue.
func TestWorkflowAPI(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	intake, reviewer, reviewer2, counsel := newBrowser(t, base), newBrowser(t, base), newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")
	reviewer2.login("reviewer2@provider.example")
	counsel.login("counsel@provider.example")
	sergeant := newBrowser(t, base)
	sergeant.login("sergeant@riverside-pd.example")

	get := func(t *testing.T, b *browser, id string) apiFull {
		t.Helper()
		var r apiFull
		if code := b.api(http.MethodGet, "/api/v1/requests/"+id, nil, &r); code != http.StatusOK {
			t.Fatalf("get %s: %d", id, code)
		}
		return r
	}
	act := func(t *testing.T, b *browser, id string, body map[string]any, want int) (apiStatus, apiProblemAllowed) {
		t.Helper()
		var raw json.RawMessage
		code := b.api(http.MethodPost, "/api/v1/requests/"+id+"/transitions", body, &raw)
		var st apiStatus
		var p apiProblemAllowed
		_ = json.Unmarshal(raw, &st)
		_ = json.Unmarshal(raw, &p)
		if code != want {
			t.Fatalf("%v on %s: %d, want %d: %s", body["action"], id, code, want, raw)
		}
		return st, p
	}
	verification := map[string]any{"requester": "Badge checked with the agency's switchboard.", "document": "Docket checked with the court."}

	r := file(t, riverside, with(subpoena, datesAround()))
	if r.Status != "submitted" || r.Queue != "" || r.Deadline == nil {
		t.Fatalf("submitted request as the agency reads it: status %q queue %q deadline %v; want submitted with a deadline and no queue (the provider's own)", r.Status, r.Queue, r.Deadline)
	}
	if q := get(t, intake, r.ID).Queue; q != "intake" {
		t.Fatalf("submitted request as intake reads it: queue %q, want intake", q)
	}

	t.Run("QueueShowsIt", func(t *testing.T) {
		var q struct {
			Items []struct{ ID, Reference string }
		}
		if code := intake.api(http.MethodGet, "/api/v1/queue?team=intake", nil, &q); code != http.StatusOK {
			t.Fatalf("queue: %d", code)
		}
		found := false
		for _, it := range q.Items {
			found = found || it.ID == r.ID
		}
		if !found {
			t.Errorf("intake's queue lacks %s", r.Reference)
		}
		if code := riverside.call(http.MethodGet, "/api/v1/queue", nil, nil); code != http.StatusForbidden {
			t.Errorf("an agency reads the queue: %d, want 403", code)
		}
	})
	t.Run("NotAllowedIs409WithAllowed", func(t *testing.T) {
		_, p := act(t, intake, r.ID, map[string]any{"action": "approve", "version": get(t, intake, r.ID).Version}, http.StatusConflict)
		if strings.Join(p.Allowed, ",") != "take,verify" {
			t.Errorf("allowed_actions %v, want [take verify]", p.Allowed)
		}
	})
	st, _ := act(t, intake, r.ID, map[string]any{"action": "take", "version": get(t, intake, r.ID).Version}, http.StatusOK)
	t.Run("StaleVersionIs409", func(t *testing.T) {
		act(t, intake, r.ID, map[string]any{"action": "verify", "version": st.Version - 1, "verification": verification}, http.StatusConflict)
	})
	st, _ = act(t, intake, r.ID, map[string]any{"action": "verify", "version": st.Version, "verification": verification}, http.StatusOK)
	if st.Status != "in_review" || st.Queue != "legal" {
		t.Fatalf("verified: %+v, want in_review in legal", st)
	}
	st, _ = act(t, reviewer, r.ID, map[string]any{"action": "request_info", "version": st.Version, "comment": "Which account is the suspect's?"}, http.StatusOK)

	t.Run("OfficerAnswers", func(t *testing.T) {
		var full apiFull
		riverside.call(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &full)
		if len(full.Messages) != 1 || full.Messages[0].Author != "The provider's legal team" || !strings.Contains(strings.Join(full.AllowedActions, ","), "message") {
			t.Fatalf("officer sees messages %+v, allowed %v", full.Messages, full.AllowedActions)
		}
		var s apiStatus
		if code := riverside.call(http.MethodPost, "/api/v1/requests/"+r.ID+"/messages", map[string]any{"body": "The one ending 0123."}, &s); code != http.StatusOK || s.Status != "in_review" {
			t.Fatalf("answer: %d %+v", code, s)
		}
	})
	v := get(t, reviewer, r.ID).Version
	t.Run("WiderScopeIs422", func(t *testing.T) {
		_, p := act(t, reviewer, r.ID, map[string]any{"action": "approve", "version": v, "scope": map[string]any{"categories": []string{"subscriber", "device"}}}, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "scope.categories" || !strings.Contains(p.Errors[0].Message, "device") {
			t.Errorf("problem %+v, want scope.categories naming device", p)
		}
	})
	st, _ = act(t, reviewer, r.ID, map[string]any{"action": "approve", "version": v, "scope": map[string]any{"categories": []string{"subscriber"}}}, http.StatusOK)
	if st.Status != "approved" {
		t.Fatalf("approved: %+v", st)
	}
	var full apiFull
	riverside.call(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &full)
	if full.Workflow == nil || full.Workflow.Decision == nil || full.Workflow.Decision.Outcome != "narrowed" || full.Workflow.Approvals != nil || full.Workflow.Verification != nil {
		t.Errorf("officer's view of the decision: %+v", full.Workflow)
	}

	t.Run("FourEyes", func(t *testing.T) {
		targets := []any{}
		for i := range 11 {
			targets = append(targets, map[string]any{"type": "phone", "value": fmt.Sprintf("+1 555 010 %04d", 200+i)})
		}
		m := file(t, riverside, with(subpoena, with(datesAround(), map[string]any{"process": "us.2703d", "targets": targets,
			"categories": []string{"subscriber", "connection_log"}})))
		st, _ := act(t, intake, m.ID, map[string]any{"action": "verify", "version": m.Version, "verification": verification}, http.StatusOK)
		st, _ = act(t, reviewer, m.ID, map[string]any{"action": "approve", "version": st.Version}, http.StatusOK)
		if st.Status != "awaiting_countersign" || st.Queue != "counsel" {
			t.Fatalf("approved by one: %+v", st)
		}
		act(t, reviewer2, m.ID, map[string]any{"action": "countersign", "version": st.Version}, http.StatusForbidden)
		st, _ = act(t, counsel, m.ID, map[string]any{"action": "countersign", "version": st.Version}, http.StatusOK)
		if st.Status != "approved" {
			t.Errorf("countersigned: %+v", st)
		}
	})

	t.Run("Emergency", func(t *testing.T) {
		body := with(subpoena, with(datesAround(), map[string]any{"process": "us.emergency",
			"issuing_authority": map[string]any{"kind": "agency", "name": "Riverside Police Department", "signed_by": "Sgt. M. Hill"},
			"categories":        []string{"subscriber", "connection_log"},
			"emergency": map[string]any{"narrative": "A child is held hostage; the kidnapper uses this number.",
				"callback": "+1 555 0100 199", "supervisor_id": personID(t, base, "riverside-pd", "sergeant@riverside-pd.example")}}))
		em := file(t, riverside, body)
		if em.Queue != "" || !strings.Contains(strings.Join(get(t, sergeant, em.ID).AllowedActions, ","), "cosign") {
			t.Fatalf("uncosigned emergency: queue %q", em.Queue)
		}
		// Until co-signed it has not reached the provider: 404 as a missing
		// request, and absent from the provider's list.
		if code := intake.api(http.MethodGet, "/api/v1/requests/"+em.ID, nil, nil); code != http.StatusNotFound {
			t.Errorf("the provider reads an uncosigned emergency: %d, want 404", code)
		}
		act(t, intake, em.ID, map[string]any{"action": "take", "version": em.Version}, http.StatusNotFound)
		var list struct{ Items []struct{ ID string } }
		if code := intake.api(http.MethodGet, "/api/v1/requests?limit=100", nil, &list); code != http.StatusOK {
			t.Fatalf("provider list: %d", code)
		}
		for _, it := range list.Items {
			if it.ID == em.ID {
				t.Errorf("the provider's list shows an uncosigned emergency")
			}
		}
		if code := riverside.call(http.MethodPost, "/api/v1/requests/"+em.ID+"/cosign", nil, nil); code != http.StatusForbidden {
			t.Errorf("an agency system co-signs: %d, want 403", code)
		}
		var s apiStatus
		if code := sergeant.api(http.MethodPost, "/api/v1/requests/"+em.ID+"/cosign", map[string]any{"comment": "Confirmed."}, &s); code != http.StatusOK || s.Queue != "" {
			// The queue is the provider's own: the agency's answer has none.
			t.Fatalf("sergeant co-signs: %d %+v", code, s)
		}
		// A number the request gave, or another agency's directory entry,
		// does not verify it: only Riverside's own directory does.
		for _, bad := range []map[string]any{{"number": "+1 555 0100 199", "outcome": "confirmed"},
			{"directory_id": demo.CallbackID("northshire-police", 0), "outcome": "confirmed"}} {
			refused := map[string]any{"requester": verification["requester"], "document": verification["document"], "callback": bad}
			act(t, intake, em.ID, map[string]any{"action": "verify", "version": s.Version, "verification": refused}, http.StatusUnprocessableEntity)
		}
		cb := map[string]any{"requester": verification["requester"], "document": verification["document"],
			"callback": map[string]any{"directory_id": demo.CallbackID("riverside-pd", 0), "outcome": "confirmed", "note": "The duty sergeant confirmed."}}
		st, _ := act(t, intake, em.ID, map[string]any{"action": "verify", "version": s.Version, "verification": cb}, http.StatusOK)
		st, _ = act(t, reviewer, em.ID, map[string]any{"action": "approve", "version": st.Version}, http.StatusOK)
		if st.Status != "awaiting_countersign" {
			t.Errorf("an emergency approved by one person: %+v", st)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		resp, page := reviewer.get("/provider/queue?team=legal")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="queue"`) {
			t.Fatalf("queue page: %d", resp.StatusCode)
		}
		// Every provider page leads to the queue.
		if _, list := counsel.get("/provider"); !strings.Contains(list, `<a href="/provider/queue">Queue</a>`) {
			t.Errorf("the provider's navigation has no link to the queue")
		}
		rr := file(t, riverside, with(subpoena, datesAround()))
		resp, page = intake.get("/provider/requests/" + rr.ID + "/review")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="form-verify"`) || !strings.Contains(page, rr.Reference) {
			t.Fatalf("review page: %d", resp.StatusCode)
		}
		// The court's non-disclosure order decides when the account holder may be told.
		for _, want := range []string{"Telling the account holder", "Not before the order ends on ", "A non-disclosure order of a court forbids telling the account holder"} {
			if !strings.Contains(page, want) {
				t.Errorf("the review page does not say %q", want)
			}
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		resp, page = intake.postForm("/provider/requests/"+rr.ID+"/review", url.Values{"csrf_token": {intake.csrf(page)}, "version": {version},
			"action": {"verify"}, "verification_requester": {"Called the switchboard."}, "verification_document": {"Checked the docket."}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is now: In review") {
			t.Fatalf("verify from the page: %d", resp.StatusCode)
		}
		_, page = reviewer.get("/provider/requests/" + rr.ID + "/review")
		version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		resp, page = reviewer.postForm("/provider/requests/"+rr.ID+"/review", url.Values{"csrf_token": {reviewer.csrf(page)}, "version": {version},
			"action": {"request_info"}, "comment": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "There is a problem") {
			t.Errorf("empty question from the page: %d, want 422 with the error summary", resp.StatusCode)
		}
	})
}
