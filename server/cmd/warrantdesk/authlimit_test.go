package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestBearerFailuresLimitedPerAddress: an address that keeps presenting bad
// bearer tokens is answered 429, with Retry-After, before any token is
// looked at, even a good one; callers without credentials and the pages are
// not affected.
func TestBearerFailuresLimitedPerAddress(t *testing.T) {
	base := MustRunMain(t)
	good := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	client := specClient(t)
	call := func(token string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	if resp, body := call(good.token); resp.StatusCode != http.StatusOK {
		t.Fatalf("good token: %d %s", resp.StatusCode, body)
	}

	// A forged token: the good one's header and payload, someone else's
	// signature.
	parts := strings.Split(good.token, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	refused := 0
	for resp, _ := call(forged); resp.StatusCode == http.StatusUnauthorized; resp, _ = call(forged) {
		refused++
		if refused > 100 {
			t.Fatal("bad tokens are still answered 401 after 100 attempts")
		}
	}
	if refused < 5 {
		t.Errorf("only %d bad tokens were answered 401 before the limit, want a budget for honest mistakes", refused)
	}

	resp, body := call(good.token)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("good token from the limited address: %d %s, want 429", resp.StatusCode, body)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want whole seconds", resp.Header.Get("Retry-After"))
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != http.StatusTooManyRequests || p.Detail == "" {
		t.Errorf("problem = %s (%v), want status 429 and a detail", body, err)
	}

	// Without credentials nothing is spent or refused.
	if resp, body := call(""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token from the limited address: %d %s, want 401", resp.StatusCode, body)
	}
	if resp, body := newBrowser(t, base).get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("home page from the limited address: %d %.200s", resp.StatusCode, body)
	}
}
