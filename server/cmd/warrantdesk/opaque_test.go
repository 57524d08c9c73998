package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The demo's records system of Riverside (demo.Clients) gets opaque access
// tokens; the portal introspects them at the demo provider as its resource
// server (demoIssuer).
const (
	recordsClient = "riverside-pd-records"
	recordsSecret = "riverside-records-demo-secret"
)

// TestOpaqueTokenAPI: Riverside's records system, whose token carries
// nothing the portal could read, files a draft and reads it over /api/v1
// as Riverside's case-management system, with its JWT, does; the request is
// Riverside's, so that system reads it too. A token the records system
// revoked, and one no one issued, are refused with 401 problem+json, and
// the auditor reads why: not active at its issuer.
func TestOpaqueTokenAPI(t *testing.T) {
	base := MustRunMain(t)
	records := newAPIClient(t, base, recordsClient, recordsSecret)
	if strings.Count(records.token, ".") == 2 {
		t.Fatalf("the records system's token %q looks like a JWT (three dot-separated parts), want an opaque one", records.token)
	}

	// A system on its own files a draft; submitting needs a token that
	// acts for an officer (acting_test.go), which an opaque token's system
	// does not hold here.
	var r apiReq
	if code := records.call(http.MethodPost, "/api/v1/requests", subpoena, &r); code != http.StatusCreated {
		t.Fatalf("the records system files a draft: %d", code)
	}
	var got apiReq
	if code := records.call(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &got); code != http.StatusOK || got.Reference != r.Reference || got.Status != r.Status {
		t.Errorf("the records system reads its request: %d %+v, want 200 %s in %s", code, got, r.Reference, r.Status)
	}
	cms := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	if strings.Count(cms.token, ".") != 2 {
		t.Errorf("the case-management system's token %q is not a JWT", cms.token)
	}
	// The request is Riverside's: its supervisor reads it. Its other system
	// does not (need-to-know: it neither filed it nor has it shared with
	// it), exactly as for a missing request.
	sergeant := newBrowser(t, base)
	sergeant.login("sergeant@riverside-pd.example")
	got = apiReq{}
	if code := sergeant.api(http.MethodGet, "/api/v1/requests/"+r.ID, nil, &got); code != http.StatusOK || got.ID != r.ID {
		t.Errorf("Riverside's supervisor reads the request: %d, want 200", code)
	}
	if code := cms.call(http.MethodGet, "/api/v1/requests/"+r.ID, nil, nil); code != http.StatusNotFound {
		t.Errorf("Riverside's other system reads the request: %d, want 404", code)
	}

	// Revoked before its first use, the token was never cached: the
	// portal asks, and the provider says it is not active. (A token used
	// before its revocation may keep working for the cache's 60 seconds;
	// the identity package's tests cover that bound.)
	revoked := newAPIClient(t, base, recordsClient, recordsSecret).token
	revokeToken(t, base, recordsClient, recordsSecret, revoked)
	for _, tc := range []struct{ desc, token string }{
		{"Revoked", revoked},
		{"NeverIssued", "never-issued-" + randomHex(16)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/requests/"+r.ID, nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			resp, err := specClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%d %s, want 401 problem+json: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if strings.Contains(string(body), r.Reference) {
				t.Errorf("the refusal shows the request: %s", body)
			}
		})
	}

	auditor := newBrowser(t, base)
	auditor.login("auditor@provider.example")
	var trail struct {
		Items []struct {
			Outcome string            `json:"outcome"`
			Details map[string]string `json:"details"`
		} `json:"items"`
	}
	if code := auditor.api(http.MethodGet, "/api/v1/audit?action=auth.token&limit=10", nil, &trail); code != http.StatusOK {
		t.Fatalf("the auditor reads the refused tokens: %d", code)
	}
	inactive := 0
	for _, ev := range trail.Items {
		if ev.Outcome == "failure" && ev.Details["reason"] == "inactive" {
			inactive++
		}
	}
	if inactive != 2 {
		t.Errorf("the trail has %d refusals with reason inactive, want 2 (revoked, never issued): %+v", inactive, trail.Items)
	}
}

// revokeToken revokes an access token at the demo provider (RFC 7009), as
// the agency system it was issued to would.
func revokeToken(t *testing.T, base, id, secret, token string) {
	t.Helper()
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/idp/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("revoke: %s %s", resp.Status, b)
	}
}
