package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserStepUp: in real Chromium, a reviewer signed in with the
// password alone reads on the review page that approving will ask for the
// second factor, presses Approve, signs in again at the provider with the
// authenticator's code, and is back on the review page — returned there by
// the browser's own Referer, as the portal's referrer policy allows within
// its origin — where Approve now asks for its confirmation.
func TestBrowserStepUp(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	review := "/provider/requests/" + r.ID + "/review"
	intake := newBrowser(t, base)
	intake.login("intake@provider.example")
	_, page := intake.get(review)
	resp, page := intake.postForm(review, url.Values{"csrf_token": {intake.csrf(page)}, "version": {versionOn(t, page)},
		"action": {"verify"}, "verification_requester": {"Called the switchboard."}, "verification_document": {"Checked the docket."}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is now: In review") {
		t.Fatalf("verify: %d", resp.StatusCode)
	}

	const reviewer = "reviewer@provider.example"
	tab := newTab(t)
	tab.signInOnly(base, reviewer, `header.site .who button`)
	tab.step("open the review page", open(base+review), chromedp.WaitVisible(`#approve-step-up`))
	tab.step("approve, and be asked to sign in again",
		chromedp.Click(`#form-approve button[type=submit]`),
		chromedp.WaitVisible(`input[name=password]`),
	)
	if got := read(tab, "the provider's e-mail field", chromedp.Evaluate[string](`document.querySelector("input[name=username]").value`)); got != reviewer {
		t.Errorf("the provider's sign-in asks for %q, want the reviewer named (login_hint)", got)
	}
	tab.step("the password again", chromedp.SendKeys(`input[name=password]`, "demo"), chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`input[name=otp]`))
	tab.enterCode(base, reviewer, `#form-approve`)
	if got := read(tab, "where the step-up returned", chromedp.Evaluate[string](`location.pathname`)); got != review {
		t.Errorf("after the second factor the reviewer is at %s, want back at %s", got, review)
	}
	if n := read(tab, "the step-up hint", chromedp.Evaluate[int](`document.querySelectorAll("#approve-step-up").length`)); n != 0 {
		t.Error("after the second factor the page still says approving will ask for it")
	}
	tab.step("approve now", chromedp.Click(`#form-approve button[type=submit]`), chromedp.WaitVisible(`#form-confirm`))
}
