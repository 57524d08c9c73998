package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// read runs one action that reads the page and returns what it read,
// failing the test if it does not complete within 20 seconds.
func read[T any](c *chromeTab, desc string, a chromedp.Action[T]) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		c.t.Fatalf("%s: %v", desc, err)
	}
	return v
}

// TestBrowserRejectIsConfirmed: a reviewer's rejection with no reason
// comes back with the error summary focused at the top, linking to the
// field, and what they typed kept; corrected, it leads to a confirmation
// page that says what will happen, and only confirming rejects.
func TestBrowserRejectIsConfirmed(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	intake := newBrowser(t, base)
	intake.login("intake@provider.example")
	var got apiFull
	if code := intake.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "verify", "version": r.Version,
		"verification": map[string]any{"requester": "Badge checked.", "document": "Docket checked."}}, &got); code != http.StatusOK {
		t.Fatalf("verify: %d", code)
	}

	reviewer := newTab(t)
	reviewer.signIn(base, "reviewer@provider.example", `a[href="/provider/queue"]`)
	const why = "The subpoena names no offence."
	reviewer.step("reject without a reason",
		chromedp.Navigate(base+"/provider/requests/"+r.ID+"/review"),
		chromedp.WaitVisible(`#form-reject`),
		chromedp.SendKeys(`#f-reject-comment`, why),
		chromedp.Click(`#form-reject button[type=submit]`),
		chromedp.WaitVisible(`.error-summary`),
	)
	title := read(reviewer, "the title", chromedp.Title())
	typed := read(reviewer, "the explanation", chromedp.Value(`#f-reject-comment`))
	if !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title %q, want it to start with Error:", title)
	}
	// Focused without script: the summary has autofocus and tabindex=-1.
	if got := read(reviewer, "the focus", chromedp.Evaluate[string](`document.activeElement.className`)); got != "error-summary" {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	if got := reviewer.text(`.error-summary a[href="#f-reason_code"]`); got != "Choose the reason for the rejection." {
		t.Errorf("the summary links the reason with %q", got)
	}
	if typed != why {
		t.Errorf("the explanation came back as %q, want %q", typed, why)
	}
	if got := read(reviewer, "aria-describedby", chromedp.AttributeValue(`#f-reason_code`, "aria-describedby")).Value; got != "f-reason_code-error" {
		t.Errorf("the reason's aria-describedby is %q", got)
	}

	reviewer.step("choose a reason and go on",
		chromedp.SetValue(`#f-reason_code`, "insufficient_process"),
		chromedp.Click(`#form-reject button[type=submit]`),
		chromedp.WaitVisible(`#form-confirm`),
	)
	if got := reviewer.text("main"); !strings.Contains(got, "Reject request "+r.Reference) || !strings.Contains(got, why) ||
		!strings.Contains(got, "This cannot be undone") {
		t.Errorf("the confirmation does not say what will happen:\n%s", got)
	}
	if code := intake.api(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &got); code != http.StatusOK || got.Status != "in_review" {
		t.Fatalf("before confirming the request is %d %s, want still in review", code, got.Status)
	}
	reviewer.step("confirm",
		chromedp.Click(`#form-confirm button[type=submit]`),
		chromedp.WaitVisible(`.notification-banner`),
	)
	if got := reviewer.text(".notification-banner"); !strings.Contains(got, "is now: Rejected") {
		t.Errorf("after confirming: %q", got)
	}
}

// TestBrowserSuspendIsConfirmed: an administrator suspends a person
// through a confirmation that names them; the person is suspended only
// once confirmed, and a stale confirmation of a decision says who acted.
func TestBrowserSuspendIsConfirmed(t *testing.T) {
	base := MustRunMain(t)
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example") // the admin page lists people who have signed in

	admin := newTab(t)
	admin.signIn(base, "admin@provider.example", `a[href="/provider/agencies"]`)
	suspend := `input[name=name][value="Dana Reyes"] ~ button`
	admin.step("open the agencies", chromedp.Navigate(base+"/provider/agencies"), chromedp.WaitVisible(suspend))
	if got := admin.text(suspend); got != "Suspend Dana Reyes" {
		t.Errorf("the button says %q", got)
	}
	admin.step("suspend", chromedp.Click(suspend), chromedp.WaitVisible(`#form-confirm`))
	if got := admin.text("h1"); got != "Suspend Dana Reyes?" {
		t.Errorf("the confirmation asks %q", got)
	}
	if resp, _ := officer.get("/agency"); resp.StatusCode != http.StatusOK {
		t.Fatalf("before confirming the officer gets %d, want 200", resp.StatusCode)
	}
	admin.step("confirm",
		chromedp.Click(`#form-confirm button[type=submit]`),
		chromedp.WaitVisible(`.notification-banner`),
	)
	if got := admin.text(".notification-banner"); !strings.Contains(got, "Dana Reyes is now suspended") {
		t.Errorf("after confirming: %q", got)
	}
	if resp, _ := officer.get("/agency"); resp.StatusCode == http.StatusOK && !strings.Contains(resp.Request.URL.Path, "login") {
		t.Errorf("the suspended officer still reaches %s", resp.Request.URL)
	}
}

// TestStaleConfirmation: a confirmation posted after someone else acted
// says who did what and the state now, and acts on nothing.
func TestStaleConfirmation(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	intake, reviewer, reviewer2 := newBrowser(t, base), newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")
	reviewer2.login("reviewer2@provider.example")
	var st apiFull
	if code := intake.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "verify", "version": r.Version,
		"verification": map[string]any{"requester": "Badge checked.", "document": "Docket checked."}}, &st); code != http.StatusOK {
		t.Fatalf("verify: %d", code)
	}
	_, page := reviewer.get("/provider/requests/" + r.ID + "/review")
	form := url.Values{"csrf_token": {reviewer.csrf(page)}, "version": {strconv.Itoa(st.Version)}, "action": {"reject"},
		"reason_code": {"insufficient_process"}, "comment": {"No offence named."}}
	resp, page := reviewer.postForm("/provider/requests/"+r.ID+"/review", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="form-confirm"`) || !strings.Contains(resp.Request.URL.Path, "/review/confirm") {
		t.Fatalf("the rejection did not lead to its confirmation: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if code := reviewer2.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "approve", "version": st.Version}, nil); code != http.StatusOK {
		t.Fatalf("the other reviewer's approval: %d", code)
	}
	form.Set("csrf_token", reviewer.csrf(page))
	form.Set("confirm", "yes")
	resp, page = reviewer.postForm("/provider/requests/"+r.ID+"/review", form)
	// The approval may already have moved on to its package: the page names
	// the last step, whoever took it, and the state now.
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, ", before you.") || !strings.Contains(page, "Request "+r.Reference+" is now: ") {
		t.Errorf("a stale confirmation: %d, want 409 naming who acted and the state now", resp.StatusCode)
	}
	if code := reviewer.api(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &st); code != http.StatusOK || st.Status == "rejected" {
		t.Errorf("the stale confirmation rejected it: %d %s", code, st.Status)
	}
}
