package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageLoad is what Chromium's Navigation and Resource Timing say of one
// page load: the bytes it fetched (the HTML and every resource it used,
// before compression is undone) and how long until its load event.
type pageLoad struct {
	HTMLBytes  float64 `json:"html"`
	TotalBytes float64 `json:"total"`
	LoadMS     float64 `json:"load"`
	Resources  float64 `json:"resources"`
}

// measureLoad reads the current page's timing: the navigation entry and
// the resources (stylesheets) it fetched.
const measureLoad = `(() => {
  const n = performance.getEntriesByType('navigation')[0];
  const rs = performance.getEntriesByType('resource');
  const bytes = e => e.decodedBodySize || e.encodedBodySize || e.transferSize || 0;
  return {html: bytes(n), total: bytes(n) + rs.reduce((a, r) => a + bytes(r), 0),
          load: n.loadEventEnd - n.startTime, resources: rs.length};
})()`

// BenchmarkPages loads the pages officers and reviewers work in, in real
// Chromium against the real binary (SQLite, the demo), and reports each
// page's weight (HTML and everything it fetched) and its load time from
// the browser's own timing. The physical limit beside it is the same
// browser loading the smallest thing the portal serves (/healthz) over the
// same connection: the round trip and navigation cost no page can avoid.
// The stylesheet is cached after the first load, as it is for people.
func BenchmarkPages(b *testing.B) {
	base := MustRunMain(b, "WARRANTDESK_LOG_LEVEL=error", "WARRANTDESK_RATE_LIMIT=0")
	riverside := newAPIClient(b, base, "riverside-pd-cms", "riverside-demo-secret")
	r := fileRequest(b, riverside)
	// A draft, for the form's steps and check your answers.
	var draft struct{ ID string }
	if code := riverside.call(http.MethodPost, "/api/v1/requests", subpoena, &draft); code != http.StatusCreated {
		b.Fatalf("create a draft: %d", code)
	}
	officer := newTab(b)
	officer.signIn(base, "officer@riverside-pd.example", `a[href="/agency/requests/new"]`)
	reviewer := newTab(b)
	reviewer.signIn(base, "reviewer@provider.example", `a[href="/provider/queue"]`)
	// The German agency's officer reads German (issue 15): the same pages,
	// translated, in the same run.
	lka := newAPIClient(b, base, "lka-musterland-cms", "lka-demo-secret")
	var lkaDraft struct{ ID string }
	if code := lka.call(http.MethodPost, "/api/v1/requests", map[string]any{"process": "eu.epoc", "docket": "LKA 3.1-2026-004711"}, &lkaDraft); code != http.StatusCreated {
		b.Fatalf("create a German draft: %d", code)
	}
	german := newTab(b)
	german.signIn(base, "ermittler@lka-musterland.example", `a[href="/agency/requests/new"]`)

	load := func(b *testing.B, tab *chromeTab, path string) pageLoad {
		ctx, cancel := context.WithTimeout(tab.ctx, patience)
		defer cancel()
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(base+path))
		if err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		if resp.Status != http.StatusOK {
			b.Fatalf("%s: %d", path, resp.Status)
		}
		// The load event has fired when Navigate returns; its end is
		// recorded a moment later.
		var pl pageLoad
		for pl.LoadMS <= 0 {
			if pl, err = chromedp.Run(ctx, chromedp.Evaluate[pageLoad](measureLoad)); err != nil {
				b.Fatalf("%s: timing: %v", path, err)
			}
		}
		return pl
	}
	for _, p := range []struct {
		name string
		tab  *chromeTab
		path string
	}{
		{"limit=healthz", officer, "/healthz"},
		{"officer=dashboard", officer, "/agency"},
		{"officer=new-request", officer, "/agency/requests/new"},
		{"officer=step-order", officer, "/agency/requests/" + draft.ID + "/steps/order"},
		{"officer=step-targets", officer, "/agency/requests/" + draft.ID + "/steps/targets"},
		{"officer=step-data", officer, "/agency/requests/" + draft.ID + "/steps/data"},
		{"officer=step-offence", officer, "/agency/requests/" + draft.ID + "/steps/offence"},
		{"officer=check-answers", officer, "/agency/requests/" + draft.ID + "/check"},
		{"officer=request", officer, "/agency/requests/" + r.ID},
		{"reviewer=queue", reviewer, "/provider/queue"},
		{"reviewer=requests", reviewer, "/provider"},
		{"reviewer=review", reviewer, "/provider/requests/" + r.ID + "/review"},
		{"german-officer=dashboard", german, "/agency"},
		{"german-officer=step-order", german, "/agency/requests/" + lkaDraft.ID + "/steps/order"},
		{"german-officer=check-answers", german, "/agency/requests/" + lkaDraft.ID + "/check"},
		{"german-officer=guide", german, "/guide"},
		{"public=guide", officer, "/guide"},
		{"public=transparency", officer, "/transparency"},
	} {
		b.Run(p.name, func(b *testing.B) {
			load(b, p.tab, p.path) // warm: the stylesheet is cached from here on
			var last pageLoad
			var total time.Duration
			for b.Loop() {
				last = load(b, p.tab, p.path)
				total += time.Duration(last.LoadMS * float64(time.Millisecond))
			}
			b.ReportMetric(last.HTMLBytes, "html-B")
			b.ReportMetric(last.TotalBytes, "total-B")
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "load-ms")
			b.ReportMetric(last.Resources, "resources")
		})
	}
}
