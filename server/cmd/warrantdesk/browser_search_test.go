package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearch: in real Chromium, an officer finds their agency's
// request by a phone number written the way people write them; an officer
// of another agency finds nothing by its reference, exactly as for a
// request that does not exist (and nor does that agency's system through
// the API); and the reviewer lands on the legal team's queue after signing
// in, on live work, and finds the request on the list received by the
// same number.
func TestBrowserSearch(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	r := fileRequest(t, riverside)
	found := `#request-search ~ .table-scroll table a[href$="/requests/` + r.ID + `"]`
	searched := `#request-search a[href="/agency"]` // "Clear the search"

	officer := newTab(t)
	officer.signIn(base, "officer@riverside-pd.example", `#request-search`)
	officer.step("search by a formatted phone number",
		chromedp.SendKeys(`#q`, "+1 (555) 010-0123"),
		chromedp.Click(`#request-search button[type=submit]`),
		// Only the answer to a search offers to clear it: the list of the
		// page before must not be mistaken for the result.
		chromedp.WaitVisible(searched),
		chromedp.WaitVisible(found),
	)
	if value, err := chromedp.Run(officer.ctx, chromedp.Value(`#q`)); err != nil || value != "+1 (555) 010-0123" {
		t.Errorf("search box holds %q (%v) after the search, want what was typed", value, err)
	}

	other := newTab(t)
	other.signIn(base, "officer@northshire-police.example", `#request-search`)
	other.step("search for the other agency's reference",
		chromedp.SendKeys(`#q`, r.Reference),
		chromedp.Click(`#request-search button[type=submit]`),
		chromedp.WaitVisible(searched),
		chromedp.WaitVisible(`#request-search ~ .table-scroll table`),
	)
	if got := other.text(`#request-search ~ .table-scroll table`); strings.Contains(got, r.Reference) || !strings.Contains(got, "No request matches") {
		t.Errorf("another agency's search for %s shows:\n%s", r.Reference, got)
	}
	var list struct {
		Items []apiReq `json:"items"`
	}
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")
	if code := northshire.call(http.MethodGet, "/api/v1/requests?q="+url.QueryEscape(r.Reference), nil, &list); code != http.StatusOK || len(list.Items) != 0 {
		t.Errorf("another agency's system searching %s: %d, %d items; want 200 and none", r.Reference, code, len(list.Items))
	}
	// Its own system finds it, with page numbers (the answer is checked
	// against the OpenAPI document like every other).
	var numbered struct {
		Items              []apiReq `json:"items"`
		Page, Pages, Total int
	}
	q := url.Values{"q": {"+1 (555) 010-0123"}, "process": {"us.subpoena"}, "page": {"1"}}
	if code := riverside.call(http.MethodGet, "/api/v1/requests?"+q.Encode(), nil, &numbered); code != http.StatusOK ||
		numbered.Page != 1 || numbered.Total < 1 || !slices.ContainsFunc(numbered.Items, func(it apiReq) bool { return it.ID == r.ID }) {
		t.Errorf("its agency's system searching by number: %d, page %d of %d, %d in all; want 200 and the request", code, numbered.Page, numbered.Pages, numbered.Total)
	}

	reviewer := newTab(t)
	reviewer.signIn(base, "reviewer@provider.example", `#queue`)
	landed, err := chromedp.Run(reviewer.ctx, chromedp.Location())
	if u, perr := url.Parse(landed); err != nil || perr != nil || u.Path != "/provider/queue" {
		t.Errorf("the reviewer landed on %s (%v), want /provider/queue", landed, err)
	}
	if got := reviewer.text(`nav[aria-label=Teams] a[aria-current=page]`); !strings.Contains(strings.ToLower(got), "legal") {
		t.Errorf("the current team tab is %q, want the reviewer's legal team", got)
	}
	// The demo's legal queue holds disclosed requests waiting to be
	// closed; the queue opens on live work without them.
	if got := reviewer.text(`#queue`); strings.Contains(got, "Disclosed") {
		t.Errorf("the queue opens with disclosed requests:\n%s", got)
	}
	reviewer.step("search the requests received by the same number",
		open(base+"/provider?q="+url.QueryEscape("+1 555-010-0123")),
		chromedp.WaitVisible(found),
	)
}
