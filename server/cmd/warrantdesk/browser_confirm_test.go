package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// read runs one action that reads the page and returns what it read,
// failing the test if it does not complete within browserPatience.
func read[T any](c *chromeTab, desc string, a chromedp.Action[T]) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, browserPatience)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		c.t.Fatalf("%s: %v", desc, err)
	}
	return v
}

// keepsOutOfHistory fails the test if an address in the tab's history
// holds a word of typed (one of seven letters or more, as typed or as a
// URL encodes it): what a person types is posted, never put in a URL.
func (c *chromeTab) keepsOutOfHistory(typed string) {
	c.t.Helper()
	h := read(c, "the history", chromedp.NavigationEntries())
	for _, e := range h.Entries {
		addr := strings.ToLower(e.URL)
		for _, w := range strings.Fields(strings.ToLower(typed)) {
			if len(w) >= 7 && (strings.Contains(addr, w) || strings.Contains(addr, url.QueryEscape(w))) {
				c.t.Errorf("the history holds %q, typed in %q", e.URL, typed)
			}
		}
	}
}

// confirmation reads the confirmation page's form: where it posts and the
// fields it posts (a fresh CSRF token, the inputs carried over, confirm=yes).
func confirmation(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	start := strings.Index(page, `id="form-confirm"`)
	if start < 0 {
		t.Fatalf("no confirmation:\n%s", page)
	}
	start = strings.LastIndex(page[:start], "<form")
	form := page[start : start+strings.Index(page[start:], "</form>")]
	action := reAction.FindStringSubmatch(form)
	if action == nil {
		t.Fatalf("the confirmation posts nowhere:\n%s", form)
	}
	fields := url.Values{}
	for _, m := range reHidden.FindAllStringSubmatch(form, -1) {
		fields.Add(m[1], htmlUnescape(m[2]))
	}
	return htmlUnescape(action[1]), fields
}

var reHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// answeredInPlace fails the test unless resp is the answer to the POST to
// path itself: no redirect, nothing in its address but the path.
func answeredInPlace(t *testing.T, resp *http.Response, path string) {
	t.Helper()
	if u := resp.Request.URL; resp.Request.Method != http.MethodPost || u.Path != path || u.RawQuery != "" {
		t.Errorf("the confirmation came from %s %s, want the answer to POST %s", resp.Request.Method, u, path)
	}
}

// TestBrowserRejectIsConfirmed: a reviewer's rejection with no reason
// comes back with the error summary focused at the top, linking to the
// field, and what they typed kept; corrected, it is answered with a
// confirmation page that says what will happen, at the address the form
// posted to, and only confirming rejects. What they typed is in no
// address of the browser's history.
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
		open(base+"/provider/requests/"+r.ID+"/review"),
		chromedp.WaitVisible(`#form-reject`),
		chromedp.SendKeys(`#f-reject-note`, why),
		chromedp.Click(`#form-reject button[type=submit]`),
		chromedp.WaitVisible(`.error-summary`),
	)
	title := read(reviewer, "the title", chromedp.Title())
	typed := read(reviewer, "the explanation", chromedp.Value(`#f-reject-note`))
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
	if got, want := read(reviewer, "the address", chromedp.Location()), base+"/provider/requests/"+r.ID+"/review"; got != want {
		t.Errorf("the confirmation is at %s, want the answer to the form's POST at %s", got, want)
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
	reviewer.keepsOutOfHistory(why)
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
	admin.step("open the agencies", open(base+"/provider/agencies"), chromedp.WaitVisible(suspend))
	if got := admin.text(suspend); got != "Suspend Dana Reyes" {
		t.Errorf("the button says %q", got)
	}
	admin.step("suspend", chromedp.Click(suspend), chromedp.WaitVisible(`#form-confirm`))
	if got := admin.text("h1"); got != "Suspend Dana Reyes?" {
		t.Errorf("the confirmation asks %q", got)
	}
	if got := read(admin, "the address", chromedp.Location()); !strings.HasPrefix(got, base+"/provider/people/") || !strings.HasSuffix(got, "/status") {
		t.Errorf("the confirmation is at %s, want the answer to the form's POST", got)
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

// TestStaleConfirmation: a rejection is answered with its confirmation,
// which carries the explanation in its form, not in an address; posted
// after someone else acted, it says who did what and the state now, and
// acts on nothing.
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
	review := "/provider/requests/" + r.ID + "/review"
	resp, page := reviewer.postForm(review, form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="form-confirm"`) {
		t.Fatalf("the rejection was not answered with its confirmation: %d %s", resp.StatusCode, resp.Request.URL)
	}
	answeredInPlace(t, resp, review)
	action, confirm := confirmation(t, page)
	if action != review || confirm.Get("comment") != "No offence named." || confirm.Get("reason_code") != "insufficient_process" ||
		confirm.Get("confirm") != "yes" || confirm.Get("csrf_token") == "" {
		t.Errorf("the confirmation posts %v to %s, want the rejection with confirm=yes to %s", confirm, action, review)
	}
	// The former address of the confirmation shows nothing and acts on nothing.
	if resp, page := reviewer.get(review + "/confirm?" + form.Encode()); resp.StatusCode == http.StatusOK || strings.Contains(page, `id="form-confirm"`) {
		t.Errorf("GET %s/confirm: %d, want no confirmation", review, resp.StatusCode)
	}
	if code := reviewer2.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "approve", "version": st.Version}, nil); code != http.StatusOK {
		t.Fatalf("the other reviewer's approval: %d", code)
	}
	resp, page = reviewer.postForm(action, confirm)
	// The approval may already have moved on to its package: the page names
	// the last step, whoever took it, and the state now.
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, ", before you.") || !strings.Contains(page, "Request "+r.Reference+" is now: ") {
		t.Errorf("a stale confirmation: %d, want 409 naming who acted and the state now", resp.StatusCode)
	}
	if code := reviewer.api(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &st); code != http.StatusOK || st.Status == "rejected" {
		t.Errorf("the stale confirmation rejected it: %d %s", code, st.Status)
	}
}

// TestWithdrawConfirmation: an officer's withdrawal, with why, is answered
// with its confirmation at the address it was posted to, why carried in
// its form and in no address; the old address of the confirmation acts on
// nothing. Overtaken by the provider's step, confirming says who did what
// and keeps what was typed; confirmed afresh, it withdraws.
func TestWithdrawConfirmation(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	officer, intake := newBrowser(t, base), newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	intake.login("intake@provider.example")
	const why = "Filed twice by mistake; the other request covers the same account."
	withdraw, show := "/agency/requests/"+r.ID+"/withdraw", "/agency/requests/"+r.ID
	current := func() apiFull {
		var st apiFull
		if code := officer.api(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &st); code != http.StatusOK {
			t.Fatalf("get: %d", code)
		}
		return st
	}
	ask := func() (string, url.Values) {
		t.Helper()
		_, page := officer.get(show)
		resp, page := officer.postForm(withdraw, url.Values{"csrf_token": {officer.csrf(page)}, "version": {strconv.Itoa(current().Version)}, "comment": {why}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Withdraw request "+r.Reference+"?") || !strings.Contains(page, why) {
			t.Fatalf("the withdrawal was not answered with its confirmation: %d\n%s", resp.StatusCode, page)
		}
		answeredInPlace(t, resp, withdraw)
		action, confirm := confirmation(t, page)
		if action != withdraw || confirm.Get("comment") != why || confirm.Get("confirm") != "yes" {
			t.Errorf("the confirmation posts %v to %s, want why with confirm=yes to %s", confirm, action, withdraw)
		}
		return action, confirm
	}

	action, confirm := ask()
	if resp, page := officer.get(withdraw + "?" + url.Values{"version": {confirm.Get("version")}, "comment": {why}, "confirm": {"yes"}}.Encode()); resp.StatusCode == http.StatusOK || strings.Contains(page, `id="form-confirm"`) {
		t.Errorf("GET %s: %d, want no confirmation", withdraw, resp.StatusCode)
	}
	if st := current(); st.Status == "withdrawn" {
		t.Fatal("withdrawn before confirming")
	}

	// The provider verifies it while the officer reads the confirmation.
	var st apiFull
	if code := intake.api(http.MethodPost, "/api/v1/requests/"+r.ID+"/transitions", map[string]any{"action": "verify", "version": current().Version,
		"verification": map[string]any{"requester": "Badge checked.", "document": "Docket checked."}}, &st); code != http.StatusOK {
		t.Fatalf("verify: %d", code)
	}
	resp, page := officer.postForm(action, confirm)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, ", before you.") || !strings.Contains(page, "Request "+r.Reference+" is now: ") {
		t.Errorf("a stale confirmation: %d, want 409 naming who acted and the state now:\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, ">"+why+"</textarea>") {
		t.Errorf("the stale confirmation lost what was typed:\n%s", page)
	}
	if st := current(); st.Status == "withdrawn" {
		t.Fatal("the stale confirmation withdrew it")
	}

	action, confirm = ask()
	resp, page = officer.postForm(action, confirm)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != show || !strings.Contains(page, "Withdrawn. Request "+r.Reference) {
		t.Errorf("after confirming: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if st := current(); st.Status != "withdrawn" {
		t.Errorf("after confirming the request is %s, want withdrawn", st.Status)
	}
}
