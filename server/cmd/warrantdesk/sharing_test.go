package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSharePages: need-to-know on the pages. A request Riverside's system
// files is not the officer's to see (404, as a missing one) until a
// supervisor shares it with them from the request's "Who can see this
// request" section; sharing with someone of another agency is refused
// beside the field, and unsharing takes the request away again.
func TestSharePages(t *testing.T) {
	base := MustRunMain(t)
	// Riverside's system files on its own (no officer named), so its
	// officer is a colleague the draft is not shared with.
	riverside := newSystemClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	var r apiReq
	if got := riverside.call(http.MethodPost, "/api/v1/requests", subpoena, &r); got != http.StatusCreated {
		t.Fatalf("create: %d", got)
	}
	newBrowser(t, base).login("inspector@northshire-police.example")
	inspector := personID(t, base, "northshire-police", "inspector@northshire-police.example")
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	sergeant := newBrowser(t, base)
	sergeant.login("sergeant@riverside-pd.example")
	path := "/agency/requests/" + r.ID

	resp, _ := officer.get(path)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the officer opens a request not shared with them: %d, want 404", resp.StatusCode)
	}
	resp, page := sergeant.get(path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Who can see this request") || !strings.Contains(page, "your agency&#39;s supervisors") {
		t.Fatalf("the sergeant's page (%d) lacks who can see it:\n%s", resp.StatusCode, page)
	}
	officerID := optionValue(t, page, "officer@riverside-pd.example")
	csrf := sergeant.csrf(page)

	resp, page = sergeant.postForm(path+"/shares", url.Values{"csrf_token": {csrf}, "person_id": {inspector}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="f-person_id-error"`) ||
		!strings.Contains(page, "The person you chose is not in your agency") {
		t.Fatalf("share with another agency's inspector: %d, want 422 beside the field:\n%s", resp.StatusCode, page)
	}
	if resp, _ := officer.get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after a refused share the officer gets %d, want 404", resp.StatusCode)
	}

	resp, page = sergeant.postForm(path+"/shares", url.Values{"csrf_token": {csrf}, "person_id": {officerID}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "can now see this request") {
		t.Fatalf("share with the officer: %d:\n%s", resp.StatusCode, page)
	}
	resp, page = officer.get(path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, r.Reference) {
		t.Fatalf("the officer opens it once shared: %d", resp.StatusCode)
	}
	if strings.Contains(page, `action="`+path+`/unshare"`) {
		t.Errorf("the colleague it is shared with is offered to unshare it")
	}

	resp, page = sergeant.postForm(path+"/unshare", url.Values{"csrf_token": {csrf}, "person_id": {officerID}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "can no longer see this request") {
		t.Fatalf("unshare: %d:\n%s", resp.StatusCode, page)
	}
	if resp, _ := officer.get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("once unshared the officer gets %d, want 404", resp.StatusCode)
	}
}

// optionValue is the value of the option on page whose label names email.
func optionValue(t *testing.T, page, email string) string {
	t.Helper()
	for _, part := range strings.Split(page, "<option value=\"")[1:] {
		value, rest, _ := strings.Cut(part, "\"")
		label, _, _ := strings.Cut(rest, "</option>")
		if strings.Contains(label, email) {
			return value
		}
	}
	t.Fatalf("no option for %s on the page:\n%s", email, page)
	return ""
}
