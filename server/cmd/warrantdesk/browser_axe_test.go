package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeKnown are violations axe finds in pages whose templates another
// change is rewriting (issue 13's forms, lists and request pages): each is
// a page (as TestBrowserAxe names it) and a rule, with why it is left. The
// test logs them instead of failing, and still fails on any other rule on
// those pages. Remove an entry once its template is fixed.
var axeKnown = map[[2]string]string{}

func axeSkip(page, rule string) bool {
	_, ok := axeKnown[[2]string{page, rule}]
	return ok
}

// pageName names a path for axe's messages and axeKnown: ids become {id}.
var idInPath = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f-]{27,}`)

func pageName(path string) string { return idInPath.ReplaceAllString(path, "/{id}") }

// TestBrowserAxe signs in as each demo role and runs axe-core (WCAG 2.2
// A and AA) on every page the role's menu leads to, plus the pages of a
// request it works on; and, signed out, on the public pages; and checks
// that each fits a 390 px phone without scrolling sideways (fitsPhone).
// Each person has a Chromium of their own (see newTab).
func TestBrowserAxe(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	tab := newTab(t)
	signedIn := `header.site .who button`

	// visit opens path in *tab and runs axe on it. A load that does not
	// finish is tried again in a fresh Chromium (signed in again as email,
	// when not ""): on a loaded machine a tab that has run axe on several
	// large pages has been seen to stop answering (CI: "open /log: context
	// deadline exceeded" three times in the same tab). Three failures in a
	// row fail the test.
	visit := func(tab **chromeTab, email, path string) {
		t.Helper()
		var err error
		for try := range 3 {
			if try > 0 {
				t.Logf("open %s: %v; again in a fresh Chromium", path, err)
				*tab = newTab(t)
				if email != "" {
					(*tab).signIn(base, email, signedIn)
				}
			}
			if _, err = (*tab).tryFor(base+path, time.Minute); err == nil {
				break
			}
			serverAnswers(t, base+path)
			(*tab).whereStalled(base)
		}
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		(*tab).axe(pageName(path), axeSkip)
		(*tab).fitsPhone(pageName(path))
	}
	for _, path := range []string{"/", "/login", "/guide", "/transparency", "/log"} {
		visit(&tab, "", path)
	}
	people := []struct {
		email string
		extra []string // pages beyond the menu: those of a request they work on
	}{
		{"officer@riverside-pd.example", []string{"/agency/requests/new", "/agency/requests/" + r.ID}},
		{"sergeant@riverside-pd.example", []string{"/agency/requests/" + r.ID}},
		{"intake@provider.example", []string{"/provider/requests/" + r.ID + "/review"}},
		{"reviewer@provider.example", []string{"/provider/requests/" + r.ID + "/review", "/provider/requests/" + r.ID}},
		{"counsel@provider.example", nil},
		{"admin@provider.example", nil},
		{"auditor@provider.example", []string{"/provider/audit?reference=" + r.Reference, "/provider/audit?person=no-one-has-this-name"}},
	}
	for _, p := range people {
		tab := newTab(t)
		tab.signIn(base, p.email, signedIn)
		menu, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("header.site nav a")).map(a => a.getAttribute("href"))`))
		if err != nil || len(menu) < 3 {
			t.Fatalf("%s's menu has %v (%v), want the public pages and theirs", p.email, menu, err)
		}
		seen := map[string]bool{}
		for _, path := range append(menu, p.extra...) {
			if seen[path] || slices.Contains([]string{"/guide", "/transparency", "/log"}, path) && !strings.Contains(p.email, "officer") {
				continue // the public pages once signed out and once signed in are enough
			}
			seen[path] = true
			t.Logf("%s: %s", p.email, pageName(path))
			visit(&tab, p.email, path)
		}
	}
}

// serverAnswers logs whether the server itself answers url, when Chromium
// could not load it: how long a plain GET took and its status, or, when it
// does not answer within 15 seconds, the stacks of the server's goroutines
// (it runs in the test's process), to show what holds it. CI has seen
// "open /log: context deadline exceeded" in fresh Chromiums; this says
// whether the browser or the portal stalled.
func serverAnswers(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Logf("the server answers %s with %d (%d bytes) in %s: Chromium stalled, not the portal", url, resp.StatusCode, n, time.Since(start))
		return
	}
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var ours [][]byte
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("warrantdesk/server/internal")) || bytes.Contains(g, []byte("database/sql")) {
			ours = append(ours, g)
		}
	}
	t.Logf("the server does not answer %s within 15s (%v); its goroutines:\n%s", url, err, bytes.Join(ours, []byte("\n\n")))
}

// whereStalled logs what the tab shows after a load that did not finish:
// its address, document.readyState, whether a heading is there, the
// resources it fetched, and whether it can still open another page — to
// tell a page that never arrived from a renderer that stopped.
func (c *chromeTab) whereStalled(base string) {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " readyState=" + document.readyState +
		" h1=" + !!document.querySelector("h1") + " resources=" +
		performance.getEntriesByType("resource").map(r => r.name + ":" + Math.round(r.duration)).join(",")`))
	c.t.Logf("the stalled tab: %s (%v)", state, err)
	ctx2, cancel2 := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel2()
	err = chromedp.Do(ctx2, open(base+"/guide"), chromedp.WaitVisible("h1"))
	c.t.Logf("the stalled tab then opens /guide: %v", err)
}

// fitsPhone fails the test if the page the tab shows scrolls sideways on a
// 390 px phone, naming the elements that stick out (those inside a
// scrolling region of their own, such as a wide table's, are fine), and
// then gives the tab its own size back.
func (c *chromeTab) fitsPhone(page string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, browserPatience)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		c.t.Fatalf("phone size for %s: %v", page, err)
	}
	defer func() {
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
			return err
		})); err != nil {
			c.t.Fatalf("back from phone size on %s: %v", page, err)
		}
	}()
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		c.t.Fatalf("width of %s: %v", page, err)
	}
	if width <= 390 {
		return
	}
	wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).
		filter(e => e.getBoundingClientRect().right > 391 && !e.closest(".table-scroll")).slice(0, 6).
		map(e => e.tagName + "." + e.className + " to " + Math.round(e.getBoundingClientRect().right) + "px")`))
	c.t.Errorf("%s is %d px wide on a 390 px phone: it scrolls sideways; what sticks out: %q", page, width, wide)
}
