package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPrint prints the request page (the officer's) and the review
// page (the decision, the reviewer's) as on A4 paper: the menus, forms and
// buttons go, the reference and state stay, and nothing is cut off at the
// right edge, long hashes included.
func TestBrowserPrint(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	pages := []struct{ email, path string }{
		{"officer@riverside-pd.example", "/agency/requests/" + r.ID},
		{"reviewer@provider.example", "/provider/requests/" + r.ID + "/review"},
	}
	for _, p := range pages {
		tab := newTab(t)
		tab.signIn(base, p.email, `header.site .who button`)
		// A4 is 210 mm wide; less 12 mm margins either side, 186 mm is
		// about 703 CSS pixels.
		tab.step("print "+p.path,
			chromedp.EmulateViewport(703, 1000),
			chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
				return err
			}),
			open(base+p.path), chromedp.WaitVisible("h1"))
		hidden, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("header.site nav, form, button")).
			filter(e => e.getClientRects().length > 0).map(e => e.tagName + " " + (e.getAttribute("action") || e.textContent.trim().slice(0, 30)))`))
		if err != nil || len(hidden) > 0 {
			t.Errorf("printing %s shows %q (%v), want no menu, forms or buttons", p.path, hidden, err)
		}
		width, err := chromedp.Run(tab.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 703 {
			t.Errorf("printing %s is %d px wide on A4's 703 (%v): the right edge is cut off", p.path, width, err)
		}
		if h1 := tab.text("h1"); !strings.Contains(h1, r.Reference) {
			t.Errorf("printing %s heads %q, want the reference %s", p.path, h1, r.Reference)
		}
		if body := tab.text("main"); !strings.Contains(body, "SHA-256") {
			t.Errorf("printing %s does not show the document's SHA-256", p.path)
		}
	}
}
