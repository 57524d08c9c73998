package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary, or skips the test: CI installs
// Debian's chromium so there these tests always run.
func chromium(t *testing.T) string {
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

func newChrome(t *testing.T) context.Context {
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

// TestBrowserFilesARequest drives real Chromium through the pages with no
// JavaScript of ours: sign in at the embedded provider, fill in the new-request
// form, upload the order, submit, and see the request submitted. The CSP
// forbids inline script and style, so a page that relied on either would break
// here.
func TestBrowserFilesARequest(t *testing.T) {
	ctx := newChrome(t)
	base := MustRunMain(t)
	pdf := filepath.Join(t.TempDir(), "order.pdf")
	if err := os.WriteFile(pdf, minimalPDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	step := func(desc string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML("html"))
			t.Fatalf("%s: %v\npage:\n%s", desc, err, html)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	step("sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "officer@riverside-pd.example"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`a[href="/agency/requests/new"]`),
	)
	step("open the form",
		chromedp.Click(`a[href="/agency/requests/new"]`),
		chromedp.WaitVisible(`#f-process`),
		chromedp.SetValue(`#f-process`, "us.subpoena"),
		chromedp.SetValue(`#f-issuing_authority-kind`, "court"),
		chromedp.SendKeys(`#f-issuing_authority-name`, "Superior Court of Riverside County"),
		chromedp.SendKeys(`#f-issuing_authority-signed_by`, "Hon. A. Example"),
		chromedp.SendKeys(`#f-docket`, "CR-2026-01234"),
		chromedp.SetValue(`#f-issued_on`, "2026-11-20"),
		chromedp.SetValue(`#f-expires_on`, "2027-02-20"),
		chromedp.SendKeys(`#f-targets-0-value`, "+1 555 0100 123"),
		chromedp.SetValue(`#f-date_from`, "2026-08-01"),
		chromedp.SetValue(`#f-date_to`, "2026-11-01"),
		chromedp.Click(`input[name=categories][value=subscriber]`),
		chromedp.Click(`input[name=categories][value=content]`),
		chromedp.SendKeys(`#f-offence-description`, "armed robbery"),
		chromedp.SendKeys(`#f-offence-max_penalty_years`, "20"),
		chromedp.Click(`form[action="/agency/requests"] button[type=submit]`),
		chromedp.WaitVisible(`#f-file`),
	)
	if got := text("#scope-title + dl"); !strings.Contains(got, "subscriber") {
		t.Errorf("scope decision shows %q, want subscriber authorised", got)
	}
	if got := text("main"); !strings.Contains(got, "end-to-end encrypted") {
		t.Errorf("the page does not show why content is refused:\n%s", got)
	}
	ref := regexp.MustCompile(`WD-\d{4}-\d{6}`).FindString(text("h1"))
	step("upload the order",
		chromedp.SetUploadFiles(`#f-file`, []string{pdf}),
		chromedp.Click(`form[enctype="multipart/form-data"] button[type=submit]`),
		chromedp.WaitVisible(`a[href*="/documents/"]`),
	)
	step("submit",
		chromedp.Click(`form[action$="/submit"] button[type=submit]`),
		// The submitted request can no longer be edited: the form goes.
		chromedp.WaitNotPresent(`form[action$="/submit"]`),
	)
	if got := text("h1"); !strings.Contains(got, "submitted") || !strings.Contains(got, ref) {
		t.Errorf("after submit the heading says %q, want %s submitted", got, ref)
	}
}
