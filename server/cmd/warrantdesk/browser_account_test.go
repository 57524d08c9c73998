package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMenuAndSettings: on a 390 px phone the signed-in menu is
// closed until its summary is pressed (a <details>, no script), and from
// 48em on it is a bar that shows without a press; and a person chooses
// German and Berlin time on their settings page, then their agency's
// language again. (The time now reads in Berlin time with UTC beside it.)
func TestBrowserMenuAndSettings(t *testing.T) {
	base := MustRunMain(t)
	tab := newTab(t)
	tab.signInOnly(base, "officer@riverside-pd.example", `header.site .who button`)
	shown := func() bool {
		t.Helper()
		v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`document.querySelector('header.site nav a[href="/guide"]').checkVisibility()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tab.step("a phone", chromedp.EmulateViewport(390, 844), open(base+"/account"), chromedp.WaitVisible("h1"))
	if shown() {
		t.Error("on a phone the menu is open before it is pressed")
	}
	tab.step("open the menu", chromedp.Click(`details.menu > summary`))
	if !shown() {
		t.Error("on a phone the menu does not open")
	}
	tab.step("a desktop", chromedp.EmulateViewport(1280, 900), open(base+"/account"), chromedp.WaitVisible("h1"))
	if !shown() {
		t.Error("on a desktop the menu is not shown as a bar")
	}

	tab.step("choose German and Berlin time",
		chromedp.Click(`#f-language-de`),
		chromedp.SetValue(`#f-time_zone`, "Europe/Berlin"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`.notification-banner`))
	if got := tab.text("main"); !strings.Contains(got, "Ihre Einstellungen sind gespeichert.") || !strings.Contains(got, " UTC)") {
		t.Errorf("after choosing German and Berlin the page says:\n%s", got)
	}
	tab.step("follow the agency again",
		chromedp.Click(`#f-language-default`),
		chromedp.SetValue(`#f-time_zone`, "Mars/Olympus"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`.error-summary a[href="#f-time_zone"]`))
	tab.step("with the agency's zone",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-time_zone").value = ""`),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`.notification-banner`))
	if got := tab.text("main"); !strings.Contains(got, "Your settings are saved.") {
		t.Errorf("after following the agency again the page says:\n%s", got)
	}
}
