package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (testdata/axe/README.md says which and why).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeTags are the rules axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA,
// the level the portal promises.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// An axeViolation is one rule a page breaks, as axe reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the page the tab shows and fails the test with
// every violation of WCAG 2.2 A/AA it finds, except those skip says the
// page may have for now (skip may be nil). page names the page in the
// messages and in skip. The script is given to the browser through the
// DevTools protocol, which the page's CSP does not govern; the portal
// itself serves no script.
func (c *chromeTab) axe(page string, skip func(page, rule string) bool) {
	c.t.Helper()
	for _, v := range c.axeViolations(page) {
		if skip != nil && skip(page, v.ID) {
			c.t.Logf("axe on %s: %s (%s) skipped: a known violation in a template another change owns (see axeKnown)", page, v.ID, v.Help)
			continue
		}
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		c.t.Errorf("axe on %s: %s (%s): %s\n%s", page, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n"))
	}
}

// axeViolations runs axe-core on the page the tab shows and returns what
// it finds.
func (c *chromeTab) axeViolations(page string) []axeViolation {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 60*time.Second)
	defer cancel()
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r => r.violations)`,
		mustJSON(axeTags))
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		c.t.Fatalf("load axe into %s: %v", page, err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatalf("axe on %s: %v", page, err)
	}
	return violations
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestAxeFindsViolations: the helper really runs axe: a page without a
// language, a title, an image's text or a field's label is caught.
func TestAxeFindsViolations(t *testing.T) {
	tab := newTab(t)
	tab.step("open a broken page", open(`data:text/html,<body><img src="x.png"><input type="text"></body>`))
	var found []string
	for _, v := range tab.axeViolations("broken") {
		found = append(found, v.ID)
		if len(v.Nodes) == 0 || v.Help == "" {
			t.Errorf("violation %s has no nodes or help: %+v", v.ID, v)
		}
	}
	for _, want := range []string{"html-has-lang", "document-title", "image-alt", "label"} {
		if !slices.Contains(found, want) {
			t.Errorf("axe found %v on a broken page, want %s among them", found, want)
		}
	}
}
