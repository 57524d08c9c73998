package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// serverAnswers logs whether the server itself answers url, when Chromium
// could not load it: how long a plain GET took and its status, or, when it
// does not answer within 15 seconds, the stacks of the server's goroutines
// (it runs in the test's process), to show what holds it. CI has seen
// "open /log: context deadline exceeded" in fresh Chromiums; this says
// whether the browser or the portal stalled.
func serverAnswers(t testing.TB, url string) {
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
