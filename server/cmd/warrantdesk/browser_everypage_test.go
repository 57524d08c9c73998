package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// pageRoutes are the page routes of server/internal/web/routes.go that a
// browser opens (GET, HTML), each as the test names it. The test fails when
// it did not visit one of them, so a new page joins the list or the test
// says so.
var pageRoutes = []string{
	"/", "/login", "/guide", "/transparency", "/log",
	"/account",
	"/agency", "/agency/requests/new", "/agency/requests/{id}", "/agency/requests/{id}/steps/{step}",
	"/agency/requests/{id}/check", "/agency/settings",
	"/provider", "/provider/queue", "/provider/requests/{id}", "/provider/requests/{id}/review",
	"/provider/agencies", "/provider/agencies/{id}", "/provider/identity", "/provider/audit", "/provider/notices",
}

// viewports are the widths every page must fit: a 390 px phone and a
// 1280 px desktop.
var viewports = []struct{ w, h int64 }{{1280, 900}, {390, 844}}

// englishWords are words of English sentences that no German page may
// show outside a legal citation: a German officer must meet none.
// A word joined to others by a hyphen, a slash or an underscore is part of
// a German compound ("Download-Link", "Trap-and-Trace-Anordnung") or of a
// code or path, not English prose.
var englishWords = regexp.MustCompile(`(?:^|[^\pL\-/_.])(the|and|your|with|this|which|request|requests|agency|order|date|dates|submitted|review|withdraw|sign|before|after|not|are|has|have|from)(?:$|[^\pL\-/_])`)

// foreignLaw are the names of other countries' laws and orders, and
// citations in parentheses, which German prose quotes as they are.
var foreignLaw = regexp.MustCompile(`(?i)overseas production orders?|investigatory powers act|stored communications act|foreign intelligence surveillance act|pen register and trap and trace devices|\([^()]*(?:act|u\.s\.c\.|regulation|verordnung)[^()]*\)`)

// TestBrowserEveryPage opens every page of the route table — public,
// agency and provider, including a request in each state the demo history
// reaches — in English and in German, at 1280 and 390 px, as the people
// who use them, and fails on any axe-core WCAG 2.2 A/AA violation, any
// console or Content-Security-Policy error, any sideways scroll, a title
// that does not say what the page is, a page that breaks without
// JavaScript, and an English word on a German officer's page.
func TestBrowserEveryPage(t *testing.T) {
	chromium(t)
	url := filepath.Join(t.TempDir(), "pages.db")
	if dbtestPostgres() {
		url = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DEMO_HISTORY=48", "WARRANTDESK_DATABASE_URL="+url)
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	waitHistory(t, d)

	// A draft of the German agency, for the form's steps and check your
	// answers; and a request of Riverside's filed now.
	lka := newAPIClient(t, base, "lka-musterland-cms", "lka-demo-secret")
	var draft struct{ ID string }
	if code := lka.call(http.MethodPost, "/api/v1/requests", map[string]any{
		"process": "eu.epoc", "docket": "LKA 3.1-2026-004711",
		"offence": map[string]any{"description": "Bandenmäßiger Computerbetrug"},
	}, &draft); code != http.StatusCreated {
		t.Fatalf("draft: %d", code)
	}
	// Riverside's requests in the states a review passes through, which
	// the history (all of it past) leaves behind.
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	intake, reviewer := newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")
	act := func(b *browser, id string, body map[string]any) int {
		t.Helper()
		var st struct{ Version int }
		if code := b.api(http.MethodPost, "/api/v1/requests/"+id+"/transitions", body, &st); code != http.StatusOK {
			t.Fatalf("%v on %s: %d", body["action"], id, code)
		}
		return st.Version
	}
	verification := map[string]any{"requester": "Badge checked with the agency's switchboard.", "document": "Docket checked with the court."}
	file(t, riverside, with(subpoena, datesAround())) // with intake
	r := file(t, riverside, with(subpoena, datesAround()))
	act(intake, r.ID, map[string]any{"action": "verify", "version": r.Version, "verification": verification}) // in review
	r = file(t, riverside, with(subpoena, datesAround()))
	v := act(intake, r.ID, map[string]any{"action": "verify", "version": r.Version, "verification": verification})
	act(reviewer, r.ID, map[string]any{"action": "request_info", "version": v, "comment": "Which account is the suspect's?"})
	var targets []any
	for i := range 11 {
		targets = append(targets, map[string]any{"type": "phone", "value": fmt.Sprintf("+1 555 010 %04d", 200+i)})
	}
	r = file(t, riverside, with(subpoena, with(datesAround(), map[string]any{"process": "us.2703d", "targets": targets,
		"categories": []string{"subscriber", "connection_log"}})))
	v = act(intake, r.ID, map[string]any{"action": "verify", "version": r.Version, "verification": verification})
	act(reviewer, r.ID, map[string]any{"action": "approve", "version": v}) // awaiting counsel's countersignature
	r = file(t, riverside, with(subpoena, with(datesAround(), map[string]any{"process": "us.preservation",
		"issuing_authority": map[string]any{"kind": "agency", "name": "Riverside Police Department", "signed_by": "Det. D. Reyes"},
		"docket":            "PR-2026-0001", "categories": []string{"subscriber", "connection_log", "device"}})))
	act(intake, r.ID, map[string]any{"action": "verify", "version": r.Version, "verification": verification}) // preserved at once
	r = file(t, riverside, with(subpoena, datesAround()))
	v = act(intake, r.ID, map[string]any{"action": "verify", "version": r.Version, "verification": verification})
	act(reviewer, r.ID, map[string]any{"action": "reject", "version": v, "reason_code": "insufficient_process",
		"comment": "A subpoena cannot compel these records."}) // rejected, whatever the demo's dates reached

	// One request in each state, and whose it is.
	type row struct{ ID, Reference, Status, Org string }
	var rows []row
	if err := d.Raw(`SELECT r.id, r.reference, r.status, a.issuer_org AS org FROM requests r
		JOIN agencies a ON a.id = r.agency_id ORDER BY r.id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	byState := map[string]row{}
	for _, r := range rows {
		if _, ok := byState[r.Status]; !ok || r.Org == "lka-musterland" {
			byState[r.Status] = r // the German agency's where it has one
		}
	}
	var states []string
	for s := range byState {
		states = append(states, s)
	}
	slices.Sort(states)
	t.Logf("requests in %d states: %v", len(states), states)
	if len(states) < 10 {
		t.Fatalf("the demo history reached only %v: too few states to show every page", states)
	}
	officers := map[string]string{
		"riverside-pd": "officer@riverside-pd.example", "northshire-police": "officer@northshire-police.example",
		"lka-musterland": "ermittler@lka-musterland.example",
	}
	agencyPages := map[string][]string{}
	var reviewPages []string
	for _, s := range states {
		r := byState[s]
		agencyPages[r.Org] = append(agencyPages[r.Org], "/agency/requests/"+r.ID)
		if s != "draft" {
			reviewPages = append(reviewPages, "/provider/requests/"+r.ID+"/review")
		}
	}
	// The provider's read-only request page is the review page's facts
	// without its forms: one in review and one decided are enough.
	for _, s := range []string{"in_review", "disclosed"} {
		if r, ok := byState[s]; ok {
			reviewPages = append(reviewPages, "/provider/requests/"+r.ID)
		}
	}
	for _, step := range []string{"process", "order", "document", "targets", "data", "offence"} {
		agencyPages["lka-musterland"] = append(agencyPages["lka-musterland"], "/agency/requests/"+draft.ID+"/steps/"+step)
	}
	agencyPages["lka-musterland"] = append(agencyPages["lka-musterland"],
		"/agency/requests/"+draft.ID+"/check", "/agency/requests/new", "/account")
	references := map[string]string{}
	for _, r := range rows {
		references[r.ID] = r.Reference
	}

	people := []struct {
		email, org string
		extra      []string
	}{
		{"", "", []string{"/", "/login", "/guide", "/transparency", "/log"}},
		{officers["lka-musterland"], "lka-musterland", agencyPages["lka-musterland"]},
		{officers["riverside-pd"], "riverside-pd", agencyPages["riverside-pd"]},
		{officers["northshire-police"], "northshire-police", agencyPages["northshire-police"]},
		{"sergeant@riverside-pd.example", "riverside-pd", nil},
		{"intake@provider.example", "", nil},
		{"reviewer@provider.example", "", reviewPages},
		{"counsel@provider.example", "", nil},
		{"admin@provider.example", "", []string{"/account", "/provider/agencies/" + demoAgencyID("lka-musterland")}},
		{"auditor@provider.example", "", []string{"/provider/audit?reference=" + byState[states[0]].Reference}},
	}
	visited := map[string]bool{}
	for _, lang := range []string{"en", "de"} {
		for _, p := range people {
			tab := newTab(t)
			tab.listen()
			tab.setLanguage(base, lang)
			pages := p.extra
			if p.email != "" {
				tab.signIn(base, p.email, `header.site`)
				menu, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](
					`Array.from(document.querySelectorAll("header.site nav a")).map(a => a.getAttribute("href"))`))
				if err != nil || len(menu) < 3 {
					t.Fatalf("%s's menu has %v (%v)", p.email, menu, err)
				}
				pages = append(slices.DeleteFunc(menu, func(h string) bool {
					return slices.Contains([]string{"/", "/guide", "/transparency", "/log"}, h)
				}), p.extra...)
			}
			seen := map[string]bool{}
			for _, path := range pages {
				if seen[path] {
					continue
				}
				seen[path] = true
				name := routeName(path)
				visited[name] = true
				who := p.email
				if who == "" {
					who = "the public"
				}
				t.Logf("%s, %s: %s", lang, who, path)
				tab.checkPage(base, path, lang, who, references)
				if lang == "de" && (p.org == "lka-musterland" || p.email == "") {
					tab.noEnglish(path)
				}
			}
		}
	}
	for _, r := range pageRoutes {
		if !visited[r] {
			t.Errorf("page %s was not visited: add it to the people's pages", r)
		}
	}
}

// waitHistory waits until the demo history is filed and its jobs worked.
// digits are the counts in a title.
var digits = regexp.MustCompile(`[0-9]+`)

func waitHistory(t *testing.T, d *db.DB) {
	t.Helper()
	deadline := time.Now().Add(6 * time.Minute) // -race on two busy cores files slowly
	for {
		var seeded, pending int64
		d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'history.seed'`).Scan(&seeded)
		d.Raw(`SELECT COUNT(*) FROM river_job WHERE kind LIKE 'workflow.%' AND state IN ('available', 'running', 'retryable')`).Scan(&pending)
		if seeded == 1 && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo history was not filed and worked within 6 minutes (seeded %d, jobs pending %d)", seeded, pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var (
	uuidInPath = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f-]{27,}`)
	stepInPath = regexp.MustCompile(`/steps/[a-z]+$`)
)

// routeName is the route a path is a page of: "/agency/requests/{id}".
func routeName(path string) string {
	path, _, _ = strings.Cut(path, "?")
	return stepInPath.ReplaceAllString(uuidInPath.ReplaceAllString(path, "/{id}"), "/steps/{step}")
}

// listen collects what the tab's console reports as an error: script
// errors, failed loads and Content-Security-Policy violations.
func (c *chromeTab) listen() {
	c.t.Helper()
	c.console = &consoleErrors{}
	chromedp.Listen(c.ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			c.console.add("exception: " + e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				c.console.add("console.error: " + strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				c.console.add(string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL)
			}
		}
	})
	c.step("enable the console log", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, cdplog.Enable, cdp.Empty{})
		return err
	}))
}

// consoleErrors are the errors a tab's console reported since last taken.
type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func (e *consoleErrors) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, s)
}

func (e *consoleErrors) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.list
	e.list = nil
	return out
}

// setLanguage sets the language switch's cookie for base, as choosing a
// language on any page does.
func (c *chromeTab) setLanguage(base, lang string) {
	c.t.Helper()
	c.step("language "+lang, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: "wd_lang", Value: lang, URL: base + "/"})
		return err
	}))
}

// checkPage opens path and checks it at every viewport: axe, console,
// sideways scroll, its title and language; then without JavaScript.
func (c *chromeTab) checkPage(base, path, lang, who string, references map[string]string) {
	c.t.Helper()
	name := lang + " " + routeName(path)
	for _, vp := range viewports {
		c.step(fmt.Sprintf("%s at %d px", name, vp.w), chromedp.EmulateViewport(vp.w, vp.h))
		if _, err := c.tryFor(base+path, browserPatience); err != nil {
			serverAnswers(c.t, base+path)
			c.t.Fatalf("%s (%s): open at %d px: %v", name, who, vp.w, err)
		}
		at := fmt.Sprintf("%s at %d px (%s)", name, vp.w, who)
		c.axe(at, nil)
		c.fitsWidth(at, vp.w)
		for _, e := range c.console.take() {
			c.t.Errorf("%s: the console says %s", at, e)
		}
	}
	title := read(c, "title", chromedp.Title())
	htmlLang := read(c, "lang", chromedp.Evaluate[string](`document.documentElement.lang`))
	if htmlLang != lang {
		c.t.Errorf("%s: <html lang=%q>, want %q", name, htmlLang, lang)
	}
	head, _, _ := strings.Cut(title, " · ")
	if head == "" || head == "warrantdesk" {
		c.t.Errorf("%s: the title %q does not say what the page is", name, title)
	}
	if m := uuidInPath.FindString(path); m != "" {
		if ref := references[strings.TrimPrefix(m, "/")]; ref != "" && !strings.Contains(title, ref) {
			c.t.Errorf("%s: the title %q does not name the request %s", name, title, ref)
		}
	}
	// Without JavaScript the page is the same page: its heading and its
	// main content are there.
	c.step(name+" without JavaScript", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	if _, err := c.tryFor(base+path, browserPatience); err != nil {
		c.t.Errorf("%s without JavaScript: %v", name, err)
	}
	noJS, _ := chromedp.Run(c.ctx, chromedp.Title())
	c.step(name+" with JavaScript again", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	}))
	// Counts may move between the two loads (each view of the audit trail
	// adds to it: "page 1 of 15", then "of 16"); the words may not.
	if digits.ReplaceAllString(noJS, "#") != digits.ReplaceAllString(title, "#") {
		c.t.Errorf("%s without JavaScript is %q, with it %q", name, noJS, title)
	}
	c.console.take()
}

// fitsWidth fails the test if the page scrolls sideways at width w,
// naming the elements that stick out (those inside a scrolling region of
// their own, such as a wide table's, are fine).
func (c *chromeTab) fitsWidth(page string, w int64) {
	c.t.Helper()
	width := read(c, "width", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	if width <= w {
		return
	}
	wide, _ := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.from(document.querySelectorAll("body *")).
		filter(e => e.getBoundingClientRect().right > %d && !e.closest(".table-scroll")).slice(0, 6).
		map(e => e.tagName + "." + e.className + " to " + Math.round(e.getBoundingClientRect().right) + "px")`, w+1)))
	c.t.Errorf("%s is %d px wide: it scrolls sideways; what sticks out: %q", page, width, wide)
}

// noEnglish fails the test on English words in what a German page shows,
// outside legal citations (<cite>, and text in lang="en").
func (c *chromeTab) noEnglish(path string) {
	c.t.Helper()
	text := read(c, "text", chromedp.Evaluate[string](`(() => {
		const b = document.body.cloneNode(true);
		b.querySelectorAll('cite, [lang="en"], code, pre, script, style, .hash').forEach(e => e.remove());
		return b.innerText;
	})()`))
	for _, line := range strings.Split(text, "\n") {
		if m := englishWords.FindStringSubmatch(foreignLaw.ReplaceAllString(strings.ToLower(line), " ")); m != nil {
			c.t.Errorf("de %s shows English (%q): %q", routeName(path), m[1], strings.TrimSpace(line))
		}
	}
}
