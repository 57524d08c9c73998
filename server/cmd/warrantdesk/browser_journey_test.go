package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestBrowserJourney walks a request's whole life through the pages in
// real Chromium, each person in a browser of their own, and runs axe-core
// (WCAG 2.2 A and AA) on every page on the way: the officer files a court
// order under 18 U.S.C. § 2703(d) one step at a time, correcting the
// mistakes the form points out; intake verifies it; the reviewer asks for
// information; the officer answers with a corrected order; the reviewer
// approves; counsel countersigns (the order gags the provider for more
// than a year); the officer downloads the package; the auditor finds
// every event of the request in the audit trail. The emergency journey
// (an officer files, the supervisor co-signs) is TestBrowserEmergencyCosigned.
func TestBrowserJourney(t *testing.T) {
	base := MustRunMain(t)
	dir := t.TempDir()
	order, corrected := filepath.Join(dir, "order.pdf"), filepath.Join(dir, "order-corrected.pdf")
	if err := os.WriteFile(order, minimalPDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corrected, request.PlaceholderPDF("the judge's signature page attached"), 0o600); err != nil {
		t.Fatal(err)
	}

	officer := newTab(t)
	officer.signIn(base, "officer@riverside-pd.example", `a[href="/agency/requests/new"]`)
	officer.axe("the agency's requests", nil)

	// Step 1, the process: continuing without one is pointed out.
	officer.step("continue without a process",
		chromedp.Click(`a[href="/agency/requests/new"]`),
		chromedp.WaitVisible(`#f-process`),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`.error-summary`),
	)
	officer.expectErrorFocused("process", "Choose the legal process")
	officer.axe("step 1 with its error", nil)
	if got := officer.options("#f-process"); strings.Contains(got, "uk.") || strings.Contains(got, "eu.") || !strings.Contains(got, "us.2703d") {
		t.Errorf("a U.S. agency is offered %s, want only U.S. processes", got)
	}
	officer.step("choose the process",
		chromedp.SetValue(`#f-process`, "us.2703d"),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#f-docket`),
	)
	ref := regexp.MustCompile(`WD-\d{4}-\d{6}`).FindString(officer.text(".caption"))
	if ref == "" {
		t.Fatalf("step 2 names no draft: %q", officer.text(".caption"))
	}
	officer.axe("step 2, the authority and the order", nil)

	// Step 2, the order: an impossible date is refused beside its field,
	// and what was typed stays.
	officer.step("an impossible date",
		chromedp.SetValue(`#f-issuing_authority-kind`, "court"),
		chromedp.SendKeys(`#f-issuing_authority-name`, "U.S. District Court for the Central District of California"),
		chromedp.SendKeys(`#f-issuing_authority-signed_by`, "Hon. A. Example"),
		chromedp.SendKeys(`#f-docket`, "2:26-mj-01234"),
		chromedp.SendKeys(`#f-issued_on`, "2026-02-30"),
		chromedp.Click(`#f-nondisclosure input[name=nondisclosure_ordered]`),
		chromedp.SetValue(`#f-nondisclosure-issued_by`, "court"),
		chromedp.SendKeys(`#f-nondisclosure-until`, daysFromToday(540)),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`.error-summary`),
	)
	officer.expectErrorFocused("issued_on", "")
	if got := officer.value(`#f-docket`); got != "2:26-mj-01234" {
		t.Errorf("after the error the docket reads %q, want it kept", got)
	}
	officer.step("correct the date",
		chromedp.SetValue(`#f-issued_on`, daysFromToday(-5)),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#form-upload`),
	)

	// Step 3, the signed order.
	officer.axe("step 3, the signed order", nil)
	officer.step("upload the order",
		chromedp.SetUploadFiles(`#f-file`, []string{order}),
		chromedp.Click(`#form-upload button[type=submit]`),
		chromedp.WaitVisible(`[role=status]`),
		chromedp.Click(`#continue`),
		chromedp.WaitVisible(`#f-target-value`),
	)

	// Step 4, the targets: add two, remove one.
	officer.axe("step 4, the targets", nil)
	officer.step("add two targets and remove the second",
		chromedp.SendKeys(`#f-target-value`, "+1 (555) 010-0123"),
		chromedp.Click(`button[name=add]`),
		chromedp.WaitVisible(`#targets`),
		chromedp.SendKeys(`#f-target-value`, "+1 555 0100 999"),
		chromedp.Click(`button[name=add]`),
		chromedp.WaitVisible(`button[name=remove][value="1"]`),
		chromedp.Click(`button[name=remove][value="1"]`),
		chromedp.WaitNotPresent(`button[name=remove][value="1"]`),
	)
	if got := officer.text("#targets"); !strings.Contains(got, "+15550100123") || strings.Contains(got, "+15550100999") {
		t.Errorf("the targets read %q, want only +15550100123", got)
	}
	officer.step("continue to the data",
		chromedp.Click(`#form-step button[type=submit]:not([name])`),
		chromedp.WaitVisible(`#f-date_from`),
	)

	// Step 5, data and dates: content is explained, not offered.
	officer.axe("step 5, the data and dates", nil)
	if got := officer.text("#content-explained"); !strings.Contains(got, "end-to-end encrypted") {
		t.Errorf("the data step does not explain why content is not offered: %q", got)
	}
	officer.step("the data and dates",
		chromedp.SendKeys(`#f-date_from`, daysFromToday(-116)),
		chromedp.SendKeys(`#f-date_to`, daysFromToday(-24)),
		chromedp.Click(`input[name=categories][value=subscriber]`),
		chromedp.Click(`input[name=categories][value=connection_log]`),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#f-offence-description`),
	)

	// Step 6, the offence, then check your answers.
	officer.axe("step 6, the offence", nil)
	officer.step("the offence",
		chromedp.SendKeys(`#f-offence-description`, "wire fraud"),
		chromedp.SendKeys(`#f-offence-max_penalty_months`, "20"),
		chromedp.SendKeys(`#f-summary`, "Payments to the target's number from the victims' accounts."),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#form-submit`),
	)
	officer.axe("check your answers", nil)
	for _, want := range []string{"Court order under 18 U.S.C. § 2703(d)", "2:26-mj-01234", "order.pdf", "+15550100123", "wire fraud", "What the policy would allow"} {
		if got := officer.text("main"); !strings.Contains(got, want) {
			t.Errorf("check your answers lacks %q:\n%s", want, got)
		}
	}
	officer.step("change the docket from check your answers",
		chromedp.Click(`a[href$="/steps/order?return=check#f-docket"]`),
		chromedp.WaitVisible(`#f-docket`),
		chromedp.SetValue(`#f-docket`, "2:26-mj-01235"),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#form-submit`),
	)
	if got := officer.text("main"); !strings.Contains(got, "2:26-mj-01235") {
		t.Errorf("check your answers does not show the changed docket:\n%s", got)
	}
	officer.stepFor("submit", patience,
		chromedp.Click(`#form-submit button[type=submit]`),
		chromedp.WaitNotPresent(`#form-submit`),
		chromedp.WaitVisible(`h1`),
	)
	if got := officer.text("h1"); !strings.Contains(got, ref) || !strings.Contains(got, "Submitted to the provider") {
		t.Fatalf("after submitting the heading says %q, want %s submitted", got, ref)
	}
	officer.axe("the submitted request", nil)
	loc, err := chromedp.Run(officer.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	review := base + "/provider/requests/" + id + "/review"

	// Intake verifies from the queue.
	intake := newTab(t)
	intake.signIn(base, "intake@provider.example", `a[href="/provider/queue"]`)
	intake.axe("the intake queue", nil)
	intake.step("verify",
		open(review),
		chromedp.WaitVisible(`#form-verify`),
	)
	intake.axe("the review page, to verify", nil)
	intake.step("verify",
		chromedp.SendKeys(`#f-verification-requester`, "Badge checked with the agency's switchboard."),
		chromedp.SendKeys(`#f-verification-document`, "Docket checked with the court."),
		chromedp.Click(`#form-verify button[type=submit]`),
		chromedp.WaitNotPresent(`#form-verify`),
	)

	// The reviewer asks; the officer answers with a corrected order.
	reviewer := newTab(t)
	reviewer.signIn(base, "reviewer@provider.example", `a[href="/provider/queue"]`)
	reviewer.step("ask the agency",
		open(review),
		chromedp.WaitVisible(`#form-request-info`),
	)
	reviewer.axe("the review page, in review", nil)
	reviewer.step("ask the agency",
		chromedp.SendKeys(`#f-request_info-note`, "The order lacks the judge's signature page; attach the signed order."),
		chromedp.Click(`#form-request-info button[type=submit]`),
		chromedp.WaitNotPresent(`#form-request-info`),
	)
	officer.step("the question",
		open(base+"/agency/requests/"+id),
		chromedp.WaitVisible(`#form-answer`),
		chromedp.WaitVisible(`#form-attach`),
	)
	officer.axe("the request, asked for information", nil)
	officer.step("attach the corrected order",
		chromedp.SetUploadFiles(`#form-attach #f-file`, []string{corrected}),
		chromedp.Click(`#form-attach button[type=submit]`),
		chromedp.WaitVisible(`[role=status]`),
		chromedp.WaitVisible(`#form-answer`),
		chromedp.SendKeys(`#form-answer textarea`, "The signed order is attached."),
		chromedp.Click(`#form-answer button[type=submit]`),
		chromedp.WaitNotPresent(`#form-answer`),
	)

	// The reviewer approves, seeing what will be released; counsel
	// countersigns.
	reviewer.step("approve",
		open(review),
		chromedp.WaitVisible(`#form-approve`),
		chromedp.Click(`#form-approve button[type=submit]`),
		chromedp.WaitVisible(`#form-confirm`),
	)
	reviewer.axe("the approval's confirmation", nil)
	if got := reviewer.text("main"); !strings.Contains(got, "Subscriber information") {
		t.Errorf("the approval's confirmation does not say what is released:\n%s", got)
	}
	reviewer.step("confirm the approval",
		chromedp.Click(`#form-confirm button[type=submit]`),
		chromedp.WaitNotPresent(`#form-approve`),
	)
	counsel := newTab(t)
	counsel.signIn(base, "counsel@provider.example", `a[href="/provider/queue"]`)
	counsel.step("counsel's queue", open(base+"/provider/queue"), chromedp.WaitVisible(`a[href="/provider/requests/`+id+`/review"]`))
	counsel.axe("counsel's queue", nil)
	counsel.step("countersign",
		chromedp.Click(`a[href="/provider/requests/`+id+`/review"]`),
		chromedp.WaitVisible(`#form-countersign`),
	)
	counsel.axe("the review page, awaiting the countersignature", nil)
	counsel.step("countersign",
		chromedp.Click(`#form-countersign button[type=submit]`),
		chromedp.WaitVisible(`#form-confirm`),
	)
	counsel.axe("the countersignature's confirmation", nil)
	counsel.step("confirm the countersignature",
		chromedp.Click(`#form-confirm button[type=submit]`),
		chromedp.WaitNotPresent(`#form-countersign`),
	)

	// The officer downloads the package once it is built.
	officer.waitHeading(base+"/agency/requests/"+id, "Disclosed")
	officer.step("the package", chromedp.WaitVisible(`a[href="/agency/requests/`+id+`/production"]`))
	officer.axe("the disclosed request", nil)
	// The page's policy forbids script from fetching, so the package is
	// fetched as the officer with the browser's session cookie.
	if b := officer.download(base + "/agency/requests/" + id + "/production"); len(b) < 100 || string(b[:2]) != "PK" {
		t.Errorf("the package downloaded is %d bytes, not a zip", len(b))
	}

	// The auditor finds the request's events by its reference.
	auditor := newTab(t)
	auditor.signIn(base, "auditor@provider.example", `a[href="/provider/audit"]`)
	auditor.step("search the audit trail",
		open(base+"/provider/audit"),
		chromedp.WaitVisible(`#f-reference`),
		chromedp.SendKeys(`#f-reference`, ref),
		chromedp.Click(`form.audit-filters button[type=submit]`),
		chromedp.WaitVisible(`a[href*="audit.csv"]`),
	)
	auditor.axe("the audit trail of one request", nil)
	got := auditor.text("main")
	for _, want := range []string{"Dana Reyes", "countersign", "download"} {
		if !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			t.Errorf("the audit trail of %s lacks %q:\n%s", ref, want, got)
		}
	}
}

// expectErrorFocused checks the page's error summary: the title starts
// "Error:", the summary has focus and links to field, whose input says it
// is invalid and names its message; and, when want is not "", the message
// says it.
func (c *chromeTab) expectErrorFocused(field, want string) {
	c.t.Helper()
	id := "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(field)
	type state struct {
		Title, Focused, Invalid, DescribedBy, Link string
	}
	st, err := chromedp.Run(c.ctx, chromedp.Evaluate[state](`(() => {
		const f = document.getElementById("`+id+`"), a = document.querySelector('.error-summary a[href$="#`+id+`"]');
		return {Title: document.title, Focused: document.activeElement.className,
			Invalid: f ? f.getAttribute("aria-invalid") || "" : "", DescribedBy: f ? f.getAttribute("aria-describedby") || "" : "",
			Link: a ? a.textContent : ""};
	})()`))
	if err != nil {
		c.t.Fatalf("read the error summary: %v", err)
	}
	title, focused, invalid, describedBy, link := st.Title, st.Focused, st.Invalid, st.DescribedBy, st.Link
	if !strings.HasPrefix(title, "Error:") {
		c.t.Errorf("the title %q does not start with Error:", title)
	}
	if !strings.Contains(focused, "error-summary") {
		c.t.Errorf("the focus is on %q, want the error summary", focused)
	}
	if invalid != "true" || !strings.Contains(describedBy, id+"-error") {
		c.t.Errorf("#%s: aria-invalid=%q aria-describedby=%q, want it invalid and described by its message", id, invalid, describedBy)
	}
	if link == "" || want != "" && !strings.Contains(link, want) {
		c.t.Errorf("the summary's link to #%s says %q, want %q", id, link, want)
	}
}

// options lists the values of the select at sel, comma-separated.
func (c *chromeTab) options(sel string) string {
	c.t.Helper()
	vals, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("`+sel+` option")).map(o => o.value)`))
	if err != nil {
		c.t.Fatalf("options of %s: %v", sel, err)
	}
	return strings.Join(vals, ",")
}

// value is the current value of the input at sel.
func (c *chromeTab) value(sel string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`document.querySelector("`+sel+`").value`))
	if err != nil {
		c.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// download fetches url with the tab's cookies, as a click on a download
// link would, and returns the body (failing the test on any other answer
// than 200).
func (c *chromeTab) download(url string) []byte {
	c.t.Helper()
	got, err := chromedp.Call(c.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		c.t.Fatalf("the browser's cookies: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range got.Cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("download %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		c.t.Fatalf("download %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

// waitHeading opens url until its heading says want, as a person reloads
// a page while jobs finish; a slow load under the race detector is tried
// again like a stale heading, and only patience running out fails.
func (c *chromeTab) waitHeading(url, want string) {
	c.t.Helper()
	deadline := time.Now().Add(patience)
	for {
		h1, err := c.try(url)
		if err == nil && strings.Contains(h1, want) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still says %q after %s, want %q (last error: %v)", url, h1, patience, want, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
