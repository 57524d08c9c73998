package web

import (
	"bytes"
	"context"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TestMonthsText: penalties are stored in months; pages say them as a
// person would.
func TestMonthsText(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		in   any
		want string
	}{
		{1.0, "1 month"},
		{6.0, "6 months"},
		{2.5, "2.5 months"},
		{12.0, "1 year"},
		{18.0, "1 year and 6 months"},
		{36.0, "3 years"},
		{240.0, "20 years"},
		{30.5, "30.5 months"},
		{f(13), "1 year and 1 month"},
		{(*float64)(nil), ""},
	}
	for _, tc := range tests {
		if got := monthsText(tc.in, mustLocales(t).Printer("en")); got != tc.want {
			t.Errorf("monthsText(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// mustRenderer parses the real templates, naming processes and categories
// from the embedded policy catalogue.
func mustRenderer(tb testing.TB) *renderer {
	tb.Helper()
	pol, err := policy.Load(context.Background(), policies.FS)
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := pol.Catalogue(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	static, err := newStaticFiles(frontend.Static)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := newRenderer(frontend.Templates, static, wording.NewBook(cat), mustLocales(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// mustLocales loads the real catalogues.
func mustLocales(tb testing.TB) *locale.Catalogue {
	tb.Helper()
	l, err := locale.Load(frontend.Locales)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// mustRender renders a page in English; mustRenderIn in a language.
func mustRender(tb testing.TB, r *renderer, page string, data any) string {
	tb.Helper()
	return mustRenderIn(tb, r, "en", page, data)
}

func mustRenderIn(tb testing.TB, r *renderer, lang, page string, data any) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.pages[lang][page].ExecuteTemplate(&buf, "base", data); err != nil {
		tb.Fatalf("render %s: %v", page, err)
	}
	// As the server sends it to a reader in UTC (Server.html).
	return string(zonedTimes(buf.Bytes(), time.UTC))
}

// TestRequestPageShowsTheStoredPackage renders the request page for every
// production state × outcome × sealing the disclosure package stores, and
// checks each is said as stored: a package that found nothing never reads
// "records found", and a package sealed to the agency's recipient never
// reads as served by the portal.
func TestRequestPageShowsTheStoredPackage(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}
	produced := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	statuses := []string{disclosure.StatusQueued, disclosure.StatusBuilding, disclosure.StatusReady, disclosure.StatusFailed, disclosure.StatusExpired}
	outcomes := []string{"", disclosure.OutcomeRecords, disclosure.OutcomeNoRecords}
	sealings := []string{disclosure.SealRecipient, disclosure.SealAtRest}
	for _, status := range statuses {
		for _, outcome := range outcomes {
			for _, seal := range sealings {
				t.Run(status+"/"+outcome+"/"+seal, func(t *testing.T) {
					prod := &apiProduction{RequestID: "r1", Reference: "WD-2026-000001", Status: status, Outcome: outcome, Sealing: seal,
						Counts: map[string]int64{"subscriber": 1}, ProducedAt: &produced}
					if status == disclosure.StatusReady {
						prod.Download = "/api/v1/requests/r1/production"
					}
					page := requestDetailPage{Page: Page{Title: "Request", User: officer}, Base: "/agency", Production: prod,
						R: apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateDisclosed), Process: "us.2703d"}}
					html := mustRender(t, r, "request_detail", page)
					section := html[strings.Index(html, `id="package"`):]
					section = section[:strings.Index(section, "</section>")]
					want := []string{wording.ProductionState(status), wording.Sealing(seal)}
					if outcome != "" {
						want = append(want, wording.ProductionOutcome(outcome))
					}
					for _, w := range want {
						if !strings.Contains(section, template.HTMLEscapeString(w)) {
							t.Errorf("the package section does not say %q:\n%s", w, section)
						}
					}
					if outcome == disclosure.OutcomeNoRecords && strings.Contains(section, "Records found") {
						t.Errorf("a package that found no records reads \"Records found\":\n%s", section)
					}
					if seal == disclosure.SealRecipient && strings.Contains(section, "only through the portal") {
						t.Errorf("a package sealed to the recipient reads as served by the portal:\n%s", section)
					}
					if seal == disclosure.SealAtRest && strings.Contains(section, "age recipient") {
						t.Errorf("a package sealed at rest reads as sealed to the recipient:\n%s", section)
					}
					if got := strings.Contains(section, "Download the package"); got != (status == disclosure.StatusReady) {
						t.Errorf("download offered: %v, want only when ready", got)
					}
					if !strings.Contains(section, "Subscriber information") || strings.Contains(section, ">subscriber ") {
						t.Errorf("the record counts do not name the category in words:\n%s", section)
					}
				})
			}
		}
	}
}

// TestRequestPageInWords: the state, the process, the categories and the
// history read as words, for the officer and for the provider's staff.
func TestRequestPageInWords(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	req := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateInReview), Process: "us.2703d",
		Categories: []string{"subscriber"},
		History: []apiHistory{
			{At: at, Action: request.ActionCreate, To: string(request.StateDraft), ActorID: "p-officer"},
			{At: at, Action: request.ActionUpload, From: string(request.StateDraft), To: string(request.StateDraft), Comment: "Uploaded order.pdf.", ActorID: "p-officer"},
			{At: at, Action: request.ActionSubmit, From: string(request.StateDraft), To: string(request.StateSubmitted), ActorID: "p-officer"},
			{At: at, Action: string(workflow.ActionVerify), From: string(request.StateSubmitted), To: string(request.StateInReview), ActorID: "p-intake"},
		},
		Scope: &apiScope{Categories: []string{"subscriber"}, DateFrom: "2026-01-01", DateTo: "2026-01-31"},
	}
	tests := []struct {
		desc   string
		user   *identity.Principal
		base   string
		actors map[string]string
		want   []string
	}{
		{"Officer", &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}, "/agency",
			map[string]string{"p-officer": "Dana Reyes", "p-intake": "The provider's legal team"},
			[]string{"Waiting for others:</span> With the provider&#39;s legal team", "Court order under 18 U.S.C. § 2703(d)", "Subscriber information",
				"Dana Reyes uploaded order.pdf", "Dana Reyes submitted it to the provider", "Draft: not yet submitted → Submitted to the provider",
				"The provider&#39;s legal team verified the requester and the order", "What the policy would allow"}},
		{"Staff", &identity.Principal{Name: "Sam Ortiz", Provider: true}, "/provider",
			map[string]string{"p-officer": "Dana Reyes", "p-intake": "Ira Intake"},
			[]string{"Needs your action:</span> In review", "Ira Intake verified the requester and the order", "Submitted: awaiting intake → In review"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			html := mustRender(t, r, "request_detail", requestDetailPage{Page: Page{Title: "Request", User: tc.user}, Base: tc.base, R: req, Actors: tc.actors})
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the page does not say %q", w)
				}
			}
			for _, code := range []string{"in_review", "request.document.upload", "request.submit", ">us.2703d<", ">subscriber<", "draft → draft"} {
				if strings.Contains(html, code) {
					t.Errorf("the page shows the code %q", code)
				}
			}
		})
	}
}

// TestZonedTimes: a moment is said in the reader's zone, with UTC beside
// it where legal precision matters, and only what datetime wrote changes.
func TestZonedTimes(t *testing.T) {
	at := time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC)
	page := []byte(`<p>` + string(timeElement(at, "full")) + ` · ` + string(timeElement(&at, "local")) +
		` · &lt;time datetime="2026-01-01T00:00:00Z" data-form="full"&gt;typed&lt;/time&gt;</p>`)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, `<time datetime="2026-12-07T23:30:00Z">2026-12-07 23:30 UTC</time> · <time datetime="2026-12-07T23:30:00Z">2026-12-07 23:30 UTC</time>`},
		{berlin, `<time datetime="2026-12-07T23:30:00Z">2026-12-08 00:30 CET (2026-12-07 23:30 UTC)</time> · <time datetime="2026-12-07T23:30:00Z">2026-12-08 00:30 CET</time>`},
		{newYork, `<time datetime="2026-12-07T23:30:00Z">2026-12-07 18:30 EST (23:30 UTC)</time> · <time datetime="2026-12-07T23:30:00Z">2026-12-07 18:30 EST</time>`},
	} {
		got := string(zonedTimes(page, tc.loc))
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %s\nwant %s", tc.loc, got, tc.want)
		}
		if !strings.Contains(got, `&lt;time datetime="2026-01-01T00:00:00Z" data-form="full"&gt;typed&lt;/time&gt;`) {
			t.Errorf("%s: escaped text that looks like a time changed: %s", tc.loc, got)
		}
	}
	if timeElement((*time.Time)(nil), "full") != "" || timeElement(time.Time{}, "full") != "" {
		t.Error("no time should say nothing")
	}
}
