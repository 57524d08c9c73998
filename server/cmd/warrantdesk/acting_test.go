package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// demoOfficers is the officer each demo agency system acts for in the
// tests (newAPIClient): a system files for a named officer, as the portal
// asks before it lets a request be submitted.
var demoOfficers = map[string]string{
	"riverside-pd-cms":   "officer@riverside-pd.example",
	"northshire-cms":     "officer@northshire-police.example",
	"lka-musterland-cms": "ermittler@lka-musterland.example",
}

// newSystemClient calls /api/v1 with the system's own client-credentials
// token, acting for nobody.
func newSystemClient(t testing.TB, base, id, secret string) *apiClient {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}
	return &apiClient{t: t, base: base, token: tokenEndpoint(t, base, id, secret, form)["access_token"], http: specClient(t)}
}

// newActingClient calls /api/v1 as system id acting for the officer email
// (actingToken).
func newActingClient(t testing.TB, base, id, secret, email string) *apiClient {
	t.Helper()
	return &apiClient{t: t, base: base, token: actingToken(t, base, id, secret, email), http: specClient(t)}
}

// actingToken is what an agency's system does to act for an officer, as
// the README tells integrators: the officer signs in to the system at the
// agency's provider (the code flow with PKCE, returning to the demo's
// <issuer>/cms/callback), and the system exchanges the officer's access
// token for one that acts for them (RFC 8693).
func actingToken(t testing.TB, base, id, secret, email string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	verifier := oauth2.GenerateVerifier()
	redirect := base + "/idp" + devidp.CMSCallbackPath
	authURL := base + "/idp/authorize?" + url.Values{
		"client_id": {id}, "response_type": {"code"}, "scope": {"openid profile email"},
		"redirect_uri": {redirect}, "state": {"acting-state"}, "nonce": {"acting-nonce"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}.Encode()
	resp, page := fetch(t, browser, http.MethodGet, authURL, nil)
	for range 2 { // the password, then the code if the provider asks for it
		if resp.Request.URL.Path == "/idp"+devidp.CMSCallbackPath {
			break
		}
		m := reAction.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no sign-in form at %s:\n%s", resp.Request.URL, page)
		}
		action, _ := resp.Request.URL.Parse(htmlUnescape(m[1]))
		form := url.Values{"username": {email}, "password": {"demo"}}
		if strings.Contains(page, `name="step" value="otp"`) {
			form = url.Values{"otp": {totpCode(t, base, email)}}
		}
		for _, hidden := range reHidden.FindAllStringSubmatch(page, -1) {
			form.Set(hidden[1], htmlUnescape(hidden[2]))
		}
		resp, page = fetch(t, browser, http.MethodPost, action.String(), form)
	}
	code := resp.Request.URL.Query().Get("code")
	if resp.Request.URL.Path != "/idp"+devidp.CMSCallbackPath || code == "" {
		t.Fatalf("%s's sign-in to %s ended at %s:\n%s", email, id, resp.Request.URL, page)
	}
	officer := tokenEndpoint(t, base, id, secret, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {verifier}})
	return tokenEndpoint(t, base, id, secret, url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {officer["access_token"]},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"audience":           {devidp.APIAudience},
	})["access_token"]
}

// fetch makes one request with browser (a form when form is not nil) and
// returns the final answer and its body.
func fetch(t testing.TB, browser *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var req *http.Request
	if form != nil {
		req, _ = http.NewRequest(method, u, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// A browser's form post names where it comes from.
		if pu, err := url.Parse(u); err == nil {
			req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req, _ = http.NewRequest(method, u, nil)
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// tokenEndpoint posts form to the demo provider's token endpoint as client
// id and returns its answer's strings, failing without an access token.
func tokenEndpoint(t testing.TB, base, id, secret string, form url.Values) map[string]string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/idp/oauth/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if s, _ := out["access_token"].(string); s == "" {
		t.Fatalf("%s at the token endpoint (%s): status %d, %v", id, form.Get("grant_type"), resp.StatusCode, out)
	}
	strs := map[string]string{}
	for k, v := range out {
		if s, ok := v.(string); ok {
			strs[k] = s
		}
	}
	return strs
}

// fileDraft creates a draft of body with its order, without submitting it.
func fileDraft(t testing.TB, api *apiClient, body map[string]any, r *apiReq) {
	t.Helper()
	if code := api.call(http.MethodPost, "/api/v1/requests", body, r); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	if code, b := api.upload("/api/v1/requests/"+r.ID+"/documents", "order.pdf", minimalPDF()); code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, b)
	}
}

// TestSystemsActForAnOfficer: a system on its own drafts but cannot
// submit; acting for an officer (RFC 8693 token exchange at the demo
// provider) it files and submits, the officer is the filer and sees it
// (in the API and on the request's page, "Filed through ... for ..."),
// and the audit trail names both; a system cannot act for another
// agency's officer.
func TestSystemsActForAnOfficer(t *testing.T) {
	base := MustRunMain(t)
	system := newSystemClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	acting := newActingClient(t, base, "riverside-pd-cms", "riverside-demo-secret", "officer@riverside-pd.example")

	var draft apiReq
	fileDraft(t, system, subpoena, &draft)
	var problem apiProblem
	if code := system.call(http.MethodPost, "/api/v1/requests/"+draft.ID+"/submit", nil, &problem); code != http.StatusForbidden ||
		!strings.Contains(problem.Detail, "Name the responsible officer") {
		t.Fatalf("a system alone submits: %d %q, want 403 naming the officer", code, problem.Detail)
	}

	var filed apiReq
	fileInto(t, acting, subpoena, &filed)
	var got struct {
		Status   string `json:"status"`
		FiledVia *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"filed_via"`
	}
	if code := acting.call(http.MethodGet, "/api/v1/requests/"+filed.ID, nil, &got); code != http.StatusOK || got.Status != "submitted" ||
		got.FiledVia == nil || got.FiledVia.Name != "riverside-pd-cms" {
		t.Fatalf("the acting system's request: %d %+v, want submitted, filed via riverside-pd-cms", code, got)
	}

	// The system's own draft, shared with the officer (need-to-know) and
	// submitted by the officer through it: the officer answers for it now.
	var me struct {
		ID string `json:"id"`
	}
	if code := acting.call(http.MethodGet, "/api/v1/me", nil, &me); code != http.StatusOK || me.ID == "" {
		t.Fatalf("who the acting token is: %d %q", code, me.ID)
	}
	if code := system.call(http.MethodPost, "/api/v1/requests/"+draft.ID+"/shares", map[string]any{"person_id": me.ID}, nil); code != http.StatusCreated {
		t.Fatalf("the system shares its draft with the officer: %d", code)
	}
	if code := acting.call(http.MethodPost, "/api/v1/requests/"+draft.ID+"/submit", nil, &got); code != http.StatusOK || got.FiledVia == nil {
		t.Fatalf("the officer submits the system's draft: %d %+v", code, got)
	}

	// The officer sees both on their pages, with the system named.
	b := newBrowser(t, base)
	b.login("officer@riverside-pd.example")
	for _, id := range []string{filed.ID, draft.ID} {
		resp, page := b.get("/agency/requests/" + id)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="filed-via"`) || !strings.Contains(page, "riverside-pd-cms") {
			t.Errorf("the officer's page of %s: %d, want it filed through riverside-pd-cms", id, resp.StatusCode)
		}
	}

	// The audit trail: the officer acted, the system named beside them.
	auditor := newBrowser(t, base)
	auditor.login("auditor@provider.example")
	var trail struct {
		Items []struct {
			Action  string          `json:"action"`
			Actor   json.RawMessage `json:"actor"`
			Details json.RawMessage `json:"details"`
		} `json:"items"`
	}
	if code := auditor.api(http.MethodGet, "/api/v1/audit?request="+filed.ID, nil, &trail); code != http.StatusOK {
		t.Fatalf("audit trail: %d", code)
	}
	named := 0
	for _, ev := range trail.Items {
		if (ev.Action == "request.create" || ev.Action == "request.submit") && strings.Contains(string(ev.Details), "acting_system") &&
			strings.Contains(string(ev.Details), "riverside-pd-cms") && strings.Contains(string(ev.Actor), "officer") {
			named++
		}
	}
	if named != 2 {
		t.Errorf("%d of create and submit name the officer acting through the system, want both: %+v", named, trail)
	}

	// Northshire's system cannot act for Riverside's officer.
	t.Run("OtherAgencysOfficer", func(t *testing.T) {
		own := actingToken(t, base, "riverside-pd-cms", "riverside-demo-secret", "officer@riverside-pd.example")
		req, _ := http.NewRequest(http.MethodPost, base+"/idp/oauth/token", strings.NewReader(url.Values{
			"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token":      {own},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
			"audience":           {devidp.APIAudience},
		}.Encode()))
		req.SetBasicAuth("northshire-cms", "northshire-demo-secret")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusBadRequest || out.Error != "invalid_grant" {
			t.Errorf("northshire-cms exchanging Riverside's token: %d %q, want 400 invalid_grant", resp.StatusCode, out.Error)
		}
	})
}
