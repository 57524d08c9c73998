package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestBrowserQuestionWithCorrectedOrder walks the exchange a reviewer
// starts when an order is not good enough: the reviewer asks the agency,
// the officer attaches a corrected order and answers on the request page,
// and the reviewer finds the request back in review with the corrected
// order among its documents. axe judges the pages on the way.
func TestBrowserQuestionWithCorrectedOrder(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	corrected := filepath.Join(t.TempDir(), "order-corrected.pdf")
	if err := os.WriteFile(corrected, request.PlaceholderPDF("the judge's signature page attached"), 0o600); err != nil {
		t.Fatal(err)
	}
	review := base + "/provider/requests/" + r.ID + "/review"

	intake := newTab(t)
	intake.signIn(base, "intake@provider.example", `a[href="/provider/queue"]`)
	intake.step("verify",
		chromedp.Navigate(review),
		chromedp.WaitVisible(`#form-verify`),
		chromedp.SendKeys(`#f-verification-requester`, "Badge checked with the agency's switchboard."),
		chromedp.SendKeys(`#f-verification-document`, "Docket checked with the court."),
		chromedp.Click(`#form-verify button[type=submit]`),
		chromedp.WaitNotPresent(`#form-verify`),
	)

	reviewer := newTab(t)
	reviewer.signIn(base, "reviewer@provider.example", `a[href="/provider/queue"]`)
	reviewer.step("ask the agency",
		chromedp.Navigate(review),
		chromedp.WaitVisible(`#form-request-info`),
		chromedp.SendKeys(`#f-request_info-comment`, "The order lacks the judge's signature page; attach the signed order."),
		chromedp.Click(`#form-request-info button[type=submit]`),
		chromedp.WaitNotPresent(`#form-request-info`),
	)

	officer := newTab(t)
	officer.signIn(base, "officer@riverside-pd.example", `a[href="/agency/requests/new"]`)
	officer.step("open the question",
		chromedp.Navigate(base+"/agency/requests/"+r.ID),
		chromedp.WaitVisible(`#form-answer`),
		chromedp.WaitVisible(`#form-attach`),
	)
	if got := officer.text("#messages"); !strings.Contains(got, "judge's signature page") {
		t.Errorf("the officer does not see the question: %q", got)
	}
	officer.axe("the officer's request page, asked for information", nil)
	officer.step("attach the corrected order",
		chromedp.SetUploadFiles(`#form-attach #f-file`, []string{corrected}),
		chromedp.Click(`#form-attach button[type=submit]`),
		// The success banner is on the page after the upload only.
		chromedp.WaitVisible(`[role=status]`),
		chromedp.WaitVisible(`#form-answer`),
	)
	if got := officer.text("main"); !strings.Contains(got, "order-corrected.pdf") {
		t.Errorf("the request page does not list the corrected order:\n%s", got)
	}
	officer.step("answer",
		chromedp.SendKeys(`#form-answer textarea`, "The signed order is attached."),
		chromedp.Click(`#form-answer button[type=submit]`),
		chromedp.WaitNotPresent(`#form-answer`),
	)
	if got := officer.text("main"); strings.Contains(got, "Attach a corrected") {
		t.Error("the page still offers to attach an order after the answer")
	}

	reviewer.step("back in review",
		chromedp.Navigate(review),
		chromedp.WaitVisible(`h1`),
	)
	if got := reviewer.text("h1"); !strings.Contains(got, "In review") {
		t.Errorf("after the answer the review page says %q, want In review", got)
	}
	if got := reviewer.text("main"); !strings.Contains(got, "order-corrected.pdf") || !strings.Contains(got, "The signed order is attached.") {
		t.Errorf("the reviewer does not see the corrected order and the answer:\n%s", got)
	}
	reviewer.axe("the review page after the answer", nil)
}
