package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// noRedirects is b's client stopping at the first answer, so a test sees
// the redirect to /login instead of following it to the provider.
func (b *browser) noRedirects() *http.Client {
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// sessionToken is the session cookie b holds, "" when it holds none.
func (b *browser) sessionToken() string {
	b.t.Helper()
	u, err := url.Parse(b.base)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "wd_session") {
			return c.Value
		}
	}
	return ""
}

// sessionProblem calls the API with session cookie token alone and returns
// the status and the problem's detail.
func sessionProblem(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/requests", nil)
	req.AddCookie(&http.Cookie{Name: "wd_session", Value: token})
	resp, err := specClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var p struct{ Detail string }
	if resp.StatusCode != http.StatusOK {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("answer %d is %s, want a problem: %s", resp.StatusCode, ct, data)
		}
		_ = json.Unmarshal(data, &p)
	}
	return resp.StatusCode, p.Detail
}

// TestSessionIdleTimeout: a session unused for the idle timeout is over;
// a page sends the person to sign in again, coming back where they were,
// and the API answers 401 saying the session expired.
func TestSessionIdleTimeout(t *testing.T) {
	base := MustRunMain(t, "WARRANTDESK_SESSION_IDLE_TIMEOUT=1s")
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	tok := officer.sessionToken()
	if tok == "" {
		t.Fatal("no session cookie after sign-in")
	}
	if resp, _ := officer.get("/agency"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /agency just after sign-in: %d", resp.StatusCode)
	}
	time.Sleep(1500 * time.Millisecond)

	resp, err := officer.noRedirects().Get(base + "/agency?state=submitted")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/login" || loc.Query().Get("return_to") != "/agency?state=submitted" {
		t.Errorf("page after the idle timeout: %d to %v, want 303 to /login with the return path", resp.StatusCode, loc)
	}
	if officer.sessionToken() != "" {
		t.Error("the expired session's cookie was not cleared")
	}
	// The session is gone from the server, not only from this browser.
	if status, detail := sessionProblem(t, base, tok); status != http.StatusUnauthorized || !strings.Contains(detail, "ended") {
		t.Errorf("the expired session presented again: %d %q, want 401 saying it ended", status, detail)
	}

	// An API caller with a session cookie is told why.
	script := newBrowser(t, base)
	script.login("sergeant@riverside-pd.example")
	time.Sleep(1500 * time.Millisecond)
	if status, detail := sessionProblem(t, base, script.sessionToken()); status != http.StatusUnauthorized || !strings.Contains(detail, "expired") {
		t.Errorf("API after the idle timeout: %d %q, want 401 saying the session expired", status, detail)
	}
}

// TestAgencySuspensionEndsSessions: suspending an agency signs its people
// out at once (not merely refused while suspended), refuses its systems'
// bearer tokens, and leaves other agencies alone; reactivating it brings no
// session back.
func TestAgencySuspensionEndsSessions(t *testing.T) {
	base := MustRunMain(t)
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	neighbour := newBrowser(t, base)
	neighbour.login("officer@northshire-police.example")
	admin := newBrowser(t, base)
	admin.login("admin@provider.example")
	system := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	tok := officer.sessionToken()

	var agencies struct {
		Items []struct {
			ID        string `json:"id"`
			IssuerOrg string `json:"issuer_org"`
		} `json:"items"`
	}
	if code := admin.api(http.MethodGet, "/api/v1/agencies", nil, &agencies); code != http.StatusOK {
		t.Fatalf("list agencies: %d", code)
	}
	riverside := ""
	for _, a := range agencies.Items {
		if a.IssuerOrg == "riverside-pd" {
			riverside = a.ID
		}
	}
	if riverside == "" {
		t.Fatal("no riverside-pd agency")
	}
	setStatus := func(status string) {
		t.Helper()
		if code := admin.api(http.MethodPatch, "/api/v1/agencies/"+riverside, map[string]string{"status": status, "reason": "Session test."}, nil); code != http.StatusNoContent {
			t.Fatalf("set the agency %s: %d", status, code)
		}
	}
	requests := func() int {
		t.Helper()
		return system.call(http.MethodGet, "/api/v1/requests", nil, nil)
	}
	if code := requests(); code != http.StatusOK {
		t.Fatalf("the agency's system before suspension: %d", code)
	}

	setStatus("suspended")
	if status, detail := sessionProblem(t, base, tok); status != http.StatusUnauthorized || !strings.Contains(detail, "ended") {
		t.Errorf("the officer's session after suspension: %d %q, want 401 saying it ended", status, detail)
	}
	if code := requests(); code != http.StatusForbidden {
		t.Errorf("the suspended agency's system: %d, want 403", code)
	}
	if resp, _ := neighbour.get("/agency"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/agency" {
		t.Errorf("another agency's officer: %d at %s, want still signed in", resp.StatusCode, resp.Request.URL)
	}

	setStatus("active")
	if status, _ := sessionProblem(t, base, tok); status != http.StatusUnauthorized {
		t.Errorf("the officer's old session after reactivation: %d, want 401 (sign in again)", status)
	}
	if code := requests(); code != http.StatusOK {
		t.Errorf("the reactivated agency's system: %d, want 200", code)
	}
	officer.login("officer@riverside-pd.example")
	if resp, _ := officer.get("/agency"); resp.StatusCode != http.StatusOK {
		t.Errorf("the officer signed in again: %d", resp.StatusCode)
	}
}

// TestLogoutReachesProvider: signing out ends the session here and sends
// the browser to the provider's end-session endpoint with the sign-in's ID
// token as id_token_hint, which the provider honours by sending it back.
func TestLogoutReachesProvider(t *testing.T) {
	base := MustRunMain(t)
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	tok := officer.sessionToken()
	_, page := officer.get("/agency")
	form := url.Values{"csrf_token": {officer.csrf(page)}}
	req, _ := http.NewRequest(http.MethodPost, base+"/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := officer.noRedirects().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	end, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(end.String(), base+"/idp/") {
		t.Fatalf("logout: %d to %v, want 303 to the provider's end-session endpoint", resp.StatusCode, end)
	}
	q := end.Query()
	if got, want := q.Get("post_logout_redirect_uri"), base+"/"; got != want {
		t.Errorf("post_logout_redirect_uri = %q, want %q", got, want)
	}
	if hint := q.Get("id_token_hint"); strings.Count(hint, ".") != 2 {
		t.Errorf("id_token_hint = %q, want the sign-in's ID token", hint)
	}
	if status, _ := sessionProblem(t, base, tok); status != http.StatusUnauthorized {
		t.Errorf("the session after logout: %d, want 401", status)
	}
	resp, _ = officer.get(end.String())
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != base+"/" {
		t.Errorf("the provider's sign-out ended at %s with %d, want back at %s/", resp.Request.URL, resp.StatusCode, base)
	}
}
