package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary, or skips the test: CI installs
// Debian's chromium so there these tests always run.
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium in CI: .ci/run must install it")
	}
	t.Skip("skipping: no chromium (apt-get install chromium)")
	return ""
}

func newChrome(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, without a deadline: a deadline on the first run
	// would bound the browser's whole life.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("chromium did not start within 90s")
	}
	return ctx
}

// A chromeTab is one signed-in person's browser tab in a test.
type chromeTab struct {
	t       testing.TB
	ctx     context.Context
	console *consoleErrors // what the console reported, once listen is called
}

// newTab starts a Chromium of its own for one person (its own cookies), so
// several people can be signed in at once. (A second browser context in one
// Chromium, chromedp.WithNewBrowserContext, stopped navigating after the
// sign-in's redirects.)
func newTab(t testing.TB) *chromeTab {
	return &chromeTab{t: t, ctx: newChrome(t)}
}

// browserPatience bounds one step in a browser (an action, a read): a
// liveness bound, not a measure of speed. A page answers in milliseconds,
// but CI runs Chromium beside the -race suite on two busy cores, where a
// navigation has been seen to take over 20 seconds.
const browserPatience = time.Minute

// step runs actions, failing the test with the page's HTML if they do not
// complete within browserPatience.
func (c *chromeTab) step(desc string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	c.stepFor(desc, browserPatience, actions...)
}

// stepFor is step with its own bound, for an action whose answer does much
// work on the server (submitting a request: the policy, routing, the log),
// which on a loaded machine can take longer than a page.
func (c *chromeTab) stepFor(desc string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, d)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		hctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer cancel()
		html, _ := chromedp.Run(hctx, chromedp.OuterHTML("html"))
		c.t.Fatalf("%s: %v\npage:\n%s", desc, err, html)
	}
}

// try opens url and returns its heading, or the error that stopped it
// within 20 seconds, for pages a test polls.
func (c *chromeTab) try(url string) (string, error) { return c.tryFor(url, 20*time.Second) }

// tryFor is try with its own bound, for a page a test opens once and
// cannot wait for by polling.
func (c *chromeTab) tryFor(url string, d time.Duration) (string, error) {
	sctx, cancel := context.WithTimeout(c.ctx, d)
	defer cancel()
	if err := chromedp.Do(sctx, open(url)); err != nil {
		return "", err
	}
	for {
		h1, err := chromedp.Run(sctx, chromedp.Evaluate[string](`document.querySelector("h1") ? document.querySelector("h1").innerText : ""`))
		if err == nil && h1 != "" {
			return h1, nil
		}
		select {
		case <-sctx.Done():
			return "", fmt.Errorf("open %s: %w (last: %v)", url, sctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// open navigates to url and waits until a new document has loaded. The
// tests use it instead of chromedp.Navigate, whose wait for the load event
// of the navigation's loader was seen to outlast a minute on pages that had
// loaded completely (readyState complete, every resource fetched) and that
// the portal answered in milliseconds — on the log page, then on the audit
// trail. open marks the old document, starts the navigation, and polls
// until a document without the mark is complete.
func open(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__wdOldDocument = true`)); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, target, page.Navigate, page.NavigateParams{URL: url})
		if err == nil && res.ErrorText != "" {
			err = fmt.Errorf("navigate to %s: %s", url, res.ErrorText)
		}
		if err != nil {
			return err
		}
		for {
			loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__wdOldDocument && document.readyState === "complete"`))
			if err == nil && loaded {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("open %s: %w (last: %v)", url, ctx.Err(), err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// text is the visible text of the first element sel matches.
func (c *chromeTab) text(sel string) string {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, browserPatience)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(sel))
	if err != nil {
		c.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// signIn signs in at the embedded provider as a demo user and waits for
// landing, a selector of the page they land on; a person with a second
// factor then confirms it at once (the policy's step-up), as browser.login
// does, and lands there again.
func (c *chromeTab) signIn(base, user, landing string) {
	c.t.Helper()
	c.signInOnly(base, user, landing)
	if demoTOTPSecret(user) == "" {
		return
	}
	c.step("confirm it is "+user+" with the second factor",
		open(base+"/auth/step-up?return_to=%2F"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SetValue(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`input[name=otp]`),
	)
	c.enterCode(base, user, landing)
}

// enterCode enters user's authenticator code on the provider's code page
// and waits for landing.
func (c *chromeTab) enterCode(base, user, landing string) {
	c.t.Helper()
	c.step("enter the code",
		chromedp.SendKeys(`input[name=otp]`, totpCode(c.t, base, user)),
		chromedp.Click(`form:has(input[name=otp]) button[type=submit]`),
		chromedp.WaitVisible(landing),
	)
}

// signInOnly signs in with the password alone and waits for landing: a
// session without a second factor.
func (c *chromeTab) signInOnly(base, user, landing string) {
	c.t.Helper()
	c.step("sign in as "+user,
		open(base+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SetValue(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(landing),
	)
}

// TestBrowserReviewAndDisclose takes a filed subpoena through the
// provider's pages in real Chromium — intake verifies it from the queue,
// a reviewer approves it in the review workspace — and then, signed in as
// the officer, sees it disclosed with its package to download and the
// notification on the dashboard. Three people, each in a Chromium of
// their own.
func TestBrowserReviewAndDisclose(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	review := `a[href="/provider/requests/` + r.ID + `/review"]`

	intake := newTab(t)
	intake.signIn(base, "intake@provider.example", `a[href="/provider/queue"]`)
	intake.step("open the request from the intake queue",
		open(base+"/provider/queue"),
		chromedp.WaitVisible(review),
		chromedp.Click(review),
		chromedp.WaitVisible(`#form-verify`),
	)
	if got := intake.text("main"); !strings.Contains(got, r.Reference) || !strings.Contains(got, "end-to-end encrypted") {
		t.Errorf("the review page does not show the request and the refusal of content:\n%s", got)
	}
	intake.step("verify",
		chromedp.SendKeys(`#f-verification-requester`, "Badge checked with the agency's switchboard."),
		chromedp.SendKeys(`#f-verification-document`, "Docket checked with the court."),
		chromedp.Click(`#form-verify button[type=submit]`),
		chromedp.WaitNotPresent(`#form-verify`),
	)
	if got := intake.text("h1"); !strings.Contains(got, "In review") {
		t.Errorf("after verification the heading says %q, want In review", got)
	}

	reviewer := newTab(t)
	reviewer.signIn(base, "reviewer@provider.example", `a[href="/provider/queue"]`)
	reviewer.step("approve",
		open(base+"/provider/requests/"+r.ID+"/review"),
		chromedp.WaitVisible(`#form-approve`),
		chromedp.Click(`#form-approve button[type=submit]`),
		// An approval is confirmed on a page of its own, which says what is released.
		chromedp.WaitVisible(`#form-confirm`),
		chromedp.Click(`#form-confirm button[type=submit]`),
		chromedp.WaitNotPresent(`#form-approve`),
	)

	officer := newTab(t)
	officer.signIn(base, "officer@riverside-pd.example", `a[href="/agency/requests/new"]`)
	officer.waitHeading(base+"/agency/requests/"+r.ID, "Disclosed")
	officer.step("the package is offered", chromedp.WaitVisible(`a[href="/agency/requests/`+r.ID+`/production"]`))
	officer.step("the dashboard", open(base+"/agency"), chromedp.WaitVisible(`#notifications`))
	if got := officer.text("#notifications"); !strings.Contains(got, "Package ready: "+r.Reference) {
		t.Errorf("notifications %q, want the package ready for %s", got, r.Reference)
	}
}
