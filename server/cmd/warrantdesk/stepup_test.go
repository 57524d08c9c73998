package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestStepUp: a reviewer signed in with the password alone is offered
// approval but, taking it, is sent to the provider to sign in again with
// the second factor, and comes back to the review page, where approving now
// works; the API refuses the same session with the policy's reason. An
// administrator reads the agencies without a step-up and is sent for one
// when changing them.
func TestStepUp(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	intake, reviewer := newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.signIn("reviewer@provider.example")

	r := file(t, riverside, with(subpoena, datesAround()))
	review := "/provider/requests/" + r.ID + "/review"
	version := func(page string) string { return versionOn(t, page) }
	_, page := intake.get(review)
	resp, page := intake.postForm(review, url.Values{"csrf_token": {intake.csrf(page)}, "version": {version(page)},
		"action": {"verify"}, "verification_requester": {"Called the switchboard."}, "verification_document": {"Checked the docket."}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is now: In review") {
		t.Fatalf("verify: %d", resp.StatusCode)
	}

	// The API answers the password-only session with the policy's reason.
	var raw json.RawMessage
	code := reviewer.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "approve", "version": 2}, &raw)
	if code != http.StatusForbidden || !strings.Contains(string(raw), "confirm it is you") {
		t.Errorf("approve over the API without a second factor: %d %s, want 403 saying to confirm", code, raw)
	}

	// The page offers approval, and taking it leads to the provider.
	_, page = reviewer.get(review)
	if !strings.Contains(page, `value="approve"`) || !strings.Contains(page, `id="approve-step-up"`) {
		t.Fatalf("the review page does not offer approval to a password-only reviewer, saying it will ask for the second factor:\n%s", page)
	}
	resp, page = reviewer.postForm(review, url.Values{"csrf_token": {reviewer.csrf(page)}, "version": {version(page)}, "action": {"approve"}})
	if !strings.HasPrefix(resp.Request.URL.Path, "/idp/") || !strings.Contains(page, `value="reviewer@provider.example"`) {
		t.Fatalf("approving without a second factor ended at %s (%d), want the provider's sign-in with the reviewer named:\n%s",
			resp.Request.URL, resp.StatusCode, page)
	}
	resp, page = reviewer.providerForm(resp, page, "reviewer@provider.example")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != review {
		t.Fatalf("after the second factor: %s (%d), want back at %s", resp.Request.URL, resp.StatusCode, review)
	}

	if strings.Contains(page, `id="approve-step-up"`) {
		t.Error("after the step-up the review page still says approving will ask for the second factor")
	}

	// Now the same action asks for its confirmation, and approves the
	// scope the page proposes (its ticked boxes and dates).
	form := url.Values{"csrf_token": {reviewer.csrf(page)}, "version": {version(page)}, "action": {"approve"}}
	for _, m := range regexp.MustCompile(`name="(scope_[a-z]+)" value="([^"]*)" checked`).FindAllStringSubmatch(page, -1) {
		form.Add(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`name="(scope_date_[a-z]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	resp, page = reviewer.postForm(review, form)
	action, fields := confirmation(t, page)
	resp, page = reviewer.postForm(action, fields)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is now:") {
		t.Fatalf("approve after the step-up: %d\n%s", resp.StatusCode, page)
	}
	var full apiFull
	if code := riverside.call(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &full); code != http.StatusOK || full.Status == "in_review" {
		t.Errorf("after approving: %d, status %q", code, full.Status)
	}

	// An administrator reads without a step-up and changes with one.
	admin := newBrowser(t, base)
	admin.signIn("admin@provider.example")
	resp, page = admin.get("/provider/agencies")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("agencies page without a second factor: %d", resp.StatusCode)
	}
	resp, _ = admin.postForm("/provider/agencies", url.Values{"csrf_token": {admin.csrf(page)}, "name": {"Eastport Police"},
		"country": {"US"}, "kind": {"police"}, "issuer": {base + "/idp"}, "issuer_org": {"eastport-pd"}})
	if !strings.HasPrefix(resp.Request.URL.Path, "/idp/") {
		t.Errorf("creating an agency without a second factor ended at %s (%d), want the provider's sign-in", resp.Request.URL, resp.StatusCode)
	}
}

// versionOn is the request version a page's forms carry.
func versionOn(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no version on the page:\n%s", page)
	}
	return m[1]
}
