package devidp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

const portalSecret = "portal-test-secret"

// A harness is a demo provider served over real HTTP, as the portal mounts
// it: at /idp on a server whose /auth/callback is the redirect URI.
type harness struct {
	p           *devidp.Provider
	srv         *httptest.Server
	issuer      string
	redirectURI string
	home        string
}

func newHarness(t *testing.T, clock func() time.Time) *harness {
	t.Helper()
	return newHarnessWith(t, clock, nil)
}

// newHarnessWith is newHarness with the provider's configuration edited.
func newHarnessWith(t *testing.T, clock func() time.Time, edit func(*devidp.Config)) *harness {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/idp/") {
			handler.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, issuer: srv.URL + "/idp", redirectURI: srv.URL + "/auth/callback", home: srv.URL + "/"}
	cfg := devidp.Config{
		Issuer:                 h.issuer,
		PortalClientID:         devidp.PortalClientID,
		PortalClientSecret:     portalSecret,
		PortalRedirectURIs:     []string{h.redirectURI},
		PostLogoutRedirectURIs: []string{h.home},
		APIAudience:            devidp.APIAudience,
		People:                 append(slices.Clone(people), mfaPerson),
		Password:               password,
		Clients:                clients,
		Clock:                  clock,
	}
	if edit != nil {
		edit(&cfg)
	}
	p, err := devidp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	handler = p.Handler()
	h.p = p
	return h
}

// browser returns a client with its own cookies that stops at the portal's
// redirect URI instead of following it.
func (h *harness) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if to := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path; to == h.redirectURI || to == h.home {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// An authRequest is what the portal sends to /authorize.
type authRequest struct {
	params   url.Values
	verifier string
	state    string
	nonce    string
}

func (h *harness) newAuthRequest() authRequest {
	verifier := oauth2.GenerateVerifier()
	a := authRequest{verifier: verifier, state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier()}
	a.params = url.Values{
		"client_id":             {devidp.PortalClientID},
		"response_type":         {"code"},
		"scope":                 {"openid profile email"},
		"redirect_uri":          {h.redirectURI},
		"state":                 {a.state},
		"nonce":                 {a.nonce},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
	return a
}

// A loginForm is the sign-in form the provider showed.
type loginForm struct {
	action *url.URL
	fields url.Values
	body   string
	status int
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func readForm(t *testing.T, resp *http.Response) loginForm {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	f := loginForm{body: string(b), status: resp.StatusCode, fields: url.Values{}}
	m := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(f.body)
	if m == nil {
		return f
	}
	action, err := resp.Request.URL.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	f.action = action
	for _, m := range hiddenField.FindAllStringSubmatch(f.body, -1) {
		f.fields.Set(m[1], m[2])
	}
	return f
}

// openLogin sends the auth request and follows the provider to its form.
func (h *harness) openLogin(t *testing.T, c *http.Client, a authRequest) loginForm {
	t.Helper()
	resp, err := c.Get(h.issuer + "/authorize?" + a.params.Encode())
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	f := readForm(t, resp)
	if f.action == nil {
		t.Fatalf("authorize: got status %d and no login form:\n%s", f.status, f.body)
	}
	return f
}

// post submits the form with the given credentials, as a same-origin
// browser would.
func (h *harness) post(t *testing.T, c *http.Client, f loginForm, email, password string, header http.Header) *http.Response {
	t.Helper()
	return h.submit(t, c, f, url.Values{"username": {email}, "password": {password}}, header)
}

// submit posts the form's hidden fields and set, as a same-origin browser
// would.
func (h *harness) submit(t *testing.T, c *http.Client, f loginForm, set url.Values, header http.Header) *http.Response {
	t.Helper()
	values := url.Values{}
	for k, v := range f.fields {
		values[k] = slices.Clone(v)
	}
	for k, v := range set {
		values[k] = slices.Clone(v)
	}
	req, err := http.NewRequest(http.MethodPost, f.action.String(), strings.NewReader(values.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", h.srv.URL)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("post login: %v", err)
	}
	return resp
}

// signIn runs the browser half of the code flow and returns the query of
// the redirect to the portal.
func (h *harness) signIn(t *testing.T, a authRequest, email, password string) url.Values {
	t.Helper()
	c := h.browser(t)
	resp := h.post(t, c, h.openLogin(t, c, a), email, password, nil)
	defer resp.Body.Close()
	return h.callbackQuery(t, resp)
}

func (h *harness) callbackQuery(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("got status %d, want a redirect to the portal:\n%s", resp.StatusCode, b)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loc.Scheme+"://"+loc.Host+loc.Path, h.redirectURI; got != want {
		t.Fatalf("redirected to %s, want %s", got, want)
	}
	return loc.Query()
}

func (h *harness) oauth2Config(t *testing.T, style oauth2.AuthStyle) *oauth2.Config {
	t.Helper()
	return &oauth2.Config{
		ClientID:     devidp.PortalClientID,
		ClientSecret: portalSecret,
		RedirectURL:  h.redirectURI,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   h.issuer + "/authorize",
			TokenURL:  h.issuer + "/oauth/token",
			AuthStyle: style,
		},
	}
}

func (h *harness) provider(t *testing.T) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), h.issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider: %v", err)
	}
	return p
}

// portalClaims are the ID token claims the portal relies on.
type portalClaims struct {
	Issuer        string   `json:"iss"`
	Subject       string   `json:"sub"`
	Audience      []string `json:"aud"`
	AZP           string   `json:"azp"`
	Nonce         string   `json:"nonce"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Org           string   `json:"org"`
	Roles         []string `json:"roles"`
	Exp           int64    `json:"exp"`
	Iat           int64    `json:"iat"`
	AuthTime      int64    `json:"auth_time"`
	AMR           []string `json:"amr"`
	ACR           string   `json:"acr"`
}

// exchange swaps a code for tokens and verifies the ID token as the portal
// does.
func (h *harness) exchange(t *testing.T, style oauth2.AuthStyle, code, verifier string) (*oauth2.Token, portalClaims) {
	t.Helper()
	ctx := context.Background()
	tok, err := h.oauth2Config(t, style).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		t.Fatal("no id_token in the token response")
	}
	idt, err := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.PortalClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	var c portalClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return tok, c
}

func retrieveErrorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t, nil)
	resp, err := http.Get(h.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc string
		key  string
		want string
	}{
		{"Issuer", "issuer", h.issuer},
		{"Authorize", "authorization_endpoint", h.issuer + "/authorize"},
		{"Token", "token_endpoint", h.issuer + "/oauth/token"},
		{"Keys", "jwks_uri", h.issuer + "/keys"},
		{"Userinfo", "userinfo_endpoint", h.issuer + "/userinfo"},
		{"EndSession", "end_session_endpoint", h.issuer + "/end_session"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := doc[tc.key]; got != tc.want {
				t.Errorf("%s = %v, want %s", tc.key, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		desc string
		key  string
		want string
	}{
		{"S256", "code_challenge_methods_supported", "S256"},
		{"SecretBasic", "token_endpoint_auth_methods_supported", "client_secret_basic"},
		{"SecretPost", "token_endpoint_auth_methods_supported", "client_secret_post"},
		{"ClientCredentials", "grant_types_supported", "client_credentials"},
		{"RS256", "id_token_signing_alg_values_supported", "RS256"},
		{"OrgClaim", "claims_supported", "org"},
		{"RolesClaim", "claims_supported", "roles"},
		{"ACRClaim", "claims_supported", "acr"},
		{"AMRClaim", "claims_supported", "amr"},
		{"AuthTimeClaim", "claims_supported", "auth_time"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			list, _ := doc[tc.key].([]any)
			if !slices.Contains(list, any(tc.want)) {
				t.Errorf("%s = %v, want it to contain %s", tc.key, doc[tc.key], tc.want)
			}
		})
	}
	if got, want := h.p.Issuer(), h.issuer; got != want {
		t.Errorf("Issuer() = %s, want %s", got, want)
	}

	keys, err := http.Get(h.issuer + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Body.Close()
	var jwks struct {
		Keys []struct {
			Kid, Alg, Kty, Use string
		} `json:"keys"`
	}
	if err := json.NewDecoder(keys.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if got, want := len(jwks.Keys), 1; got != want {
		t.Fatalf("got %d keys, want %d", got, want)
	}
	if k := jwks.Keys[0]; k.Kid == "" || k.Alg != "RS256" || k.Kty != "RSA" || k.Use != "sig" {
		t.Errorf("key = %+v, want an RS256 signing key with a kid", k)
	}
}

func TestCodeFlowEveryPerson(t *testing.T) {
	h := newHarness(t, nil)
	for _, person := range people {
		t.Run(person.Email, func(t *testing.T) {
			a := h.newAuthRequest()
			q := h.signIn(t, a, person.Email, password)
			if got, want := q.Get("state"), a.state; got != want {
				t.Errorf("state = %q, want %q", got, want)
			}
			tok, c := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)

			if got, want := c.Issuer, h.issuer; got != want {
				t.Errorf("iss = %q, want %q", got, want)
			}
			if got, want := c.Subject, person.Subject(); got != want {
				t.Errorf("sub = %q, want %q", got, want)
			}
			if c.Subject == person.Email || c.Subject == "" {
				t.Errorf("sub = %q, want an opaque identifier", c.Subject)
			}
			if got, want := c.Audience, []string{devidp.PortalClientID}; !slices.Equal(got, want) {
				t.Errorf("aud = %v, want %v", got, want)
			}
			if got, want := c.AZP, devidp.PortalClientID; got != want {
				t.Errorf("azp = %q, want %q", got, want)
			}
			if got, want := c.Nonce, a.nonce; got != want {
				t.Errorf("nonce = %q, want %q", got, want)
			}
			if got, want := c.Email, person.Email; got != want {
				t.Errorf("email = %q, want %q", got, want)
			}
			if !c.EmailVerified {
				t.Error("email_verified = false, want true")
			}
			if got, want := c.Name, person.Name; got != want || got == "" {
				t.Errorf("name = %q, want %q", got, want)
			}
			if got, want := c.Org, person.Org; got != want {
				t.Errorf("org = %q, want %q", got, want)
			}
			if got, want := c.Roles, person.Roles; !slices.Equal(got, want) {
				t.Errorf("roles = %v, want %v", got, want)
			}
			if c.Iat == 0 || c.Exp <= c.Iat {
				t.Errorf("iat = %d, exp = %d, want exp after iat", c.Iat, c.Exp)
			}

			// The same claims come from userinfo.
			info, err := h.provider(t).UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var uc portalClaims
			if err := info.Claims(&uc); err != nil {
				t.Fatal(err)
			}
			if uc.Subject != c.Subject || uc.Email != c.Email || uc.Org != c.Org || !slices.Equal(uc.Roles, c.Roles) || uc.Name != c.Name {
				t.Errorf("userinfo = %+v, want the ID token's %+v", uc, c)
			}
		})
	}
}

func TestCodeFlowClientSecretPost(t *testing.T) {
	h := newHarness(t, nil)
	a := h.newAuthRequest()
	q := h.signIn(t, a, "reviewer@provider.example", password)
	_, c := h.exchange(t, oauth2.AuthStyleInParams, q.Get("code"), a.verifier)
	if got, want := c.Org, staffOrg; got != want {
		t.Errorf("org = %q, want %q", got, want)
	}
}

func TestLoginRefused(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		desc     string
		email    string
		password string
	}{
		{"WrongPassword", "officer@agency-a.example", "not-demo"},
		{"EmptyPassword", "officer@agency-a.example", ""},
		{"UnknownPerson", "nobody@agency-a.example", password},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			c := h.browser(t)
			f := h.openLogin(t, c, h.newAuthRequest())
			again := readForm(t, h.post(t, c, f, tc.email, tc.password, nil))
			if got, want := again.status, http.StatusOK; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if !strings.Contains(again.body, "Wrong e-mail or password.") {
				t.Errorf("page does not say %q:\n%s", "Wrong e-mail or password.", again.body)
			}
			if again.action == nil {
				t.Error("the form is not shown again")
			}
			if !strings.Contains(again.body, `value="`+tc.email+`"`) {
				t.Error("the e-mail address is not kept in the form")
			}
			// The right password still works on the same form.
			resp := h.post(t, c, again, "officer@agency-a.example", password, nil)
			defer resp.Body.Close()
			if q := h.callbackQuery(t, resp); q.Get("code") == "" {
				t.Errorf("no code after the right password: %v", q)
			}
		})
	}
}

func TestLoginPage(t *testing.T) {
	h := newHarness(t, nil)
	c := h.browser(t)
	a := h.newAuthRequest()
	a.params.Set("login_hint", `"><script>alert(1)</script>`)
	resp, err := c.Get(h.issuer + "/authorize?" + a.params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc   string
		header string
		want   string
	}{
		{"CSPForbidsScript", "Content-Security-Policy", "default-src 'none'"},
		{"NotFramed", "X-Frame-Options", "DENY"},
		{"NotCached", "Cache-Control", "no-store"},
		{"HTML", "Content-Type", "text/html; charset=utf-8"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := resp.Header.Get(tc.header); !strings.Contains(got, tc.want) {
				t.Errorf("%s = %q, want it to contain %q", tc.header, got, tc.want)
			}
		})
	}
	f := readForm(t, resp)
	for _, tc := range []struct {
		desc string
		want string
	}{
		{"UsernameField", `<input id="username" name="username"`},
		{"UsernameLabel", `<label for="username">`},
		{"PasswordField", `<input id="password" name="password" type="password"`},
		{"PasswordLabel", `<label for="password">`},
		{"HintEscaped", `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`},
		{"ConfiguredPassword", "(password <code>" + password + "</code>)"},
		{"ConfiguredPerson", "<li><strong>" + people[1].Email + "</strong>: " + people[1].Name + ","},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if !strings.Contains(f.body, tc.want) {
				t.Errorf("page lacks %s:\n%s", tc.want, f.body)
			}
		})
	}
	for _, forbidden := range []string{"<script", "style=", "<style", "onclick"} {
		if strings.Contains(f.body, forbidden) {
			t.Errorf("page contains %q; the CSP forbids inline script and style", forbidden)
		}
	}
}

func TestLoginCrossSiteRefused(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		desc       string
		header     http.Header
		tamper     func(url.Values)
		wantStatus int
	}{
		{"ErrCrossSite", http.Header{"Sec-Fetch-Site": {"cross-site"}}, nil, http.StatusForbidden},
		{"ErrSameSite", http.Header{"Sec-Fetch-Site": {"same-site"}}, nil, http.StatusForbidden},
		{"ErrForeignOrigin", http.Header{"Sec-Fetch-Site": {""}, "Origin": {"https://attacker.example"}}, nil, http.StatusForbidden},
		{"ErrNullOrigin", http.Header{"Sec-Fetch-Site": {""}, "Origin": {"null"}}, nil, http.StatusForbidden},
		{"ErrWrongToken", nil, func(v url.Values) { v.Set("csrf_token", "forged") }, http.StatusForbidden},
		{"ErrNoToken", nil, func(v url.Values) { v.Del("csrf_token") }, http.StatusForbidden},
		{"ErrUnknownAuthRequest", nil, func(v url.Values) { v.Set("authRequestID", "unknown") }, http.StatusBadRequest},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			c := h.browser(t)
			f := h.openLogin(t, c, h.newAuthRequest())
			if tc.tamper != nil {
				tc.tamper(f.fields)
			}
			resp := h.post(t, c, f, "officer@agency-a.example", password, tc.header)
			defer resp.Body.Close()
			if got, want := resp.StatusCode, tc.wantStatus; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
		})
	}

	t.Run("ErrOtherBrowser", func(t *testing.T) {
		// A form token is bound to the browser that loaded the form.
		f := h.openLogin(t, h.browser(t), h.newAuthRequest())
		resp := h.post(t, h.browser(t), f, "officer@agency-a.example", password, nil)
		defer resp.Body.Close()
		if got, want := resp.StatusCode, http.StatusForbidden; got != want {
			t.Errorf("status = %d, want %d", got, want)
		}
	})
	t.Run("NonBrowserClient", func(t *testing.T) {
		// Without Sec-Fetch-Site and Origin the request is not a browser's;
		// the form token is what protects it.
		c := h.browser(t)
		f := h.openLogin(t, c, h.newAuthRequest())
		resp := h.post(t, c, f, "officer@agency-a.example", password, http.Header{"Sec-Fetch-Site": {""}, "Origin": {""}})
		defer resp.Body.Close()
		h.callbackQuery(t, resp)
	})
}

func TestPKCE(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		desc   string
		params func(url.Values)
	}{
		{"ErrNoChallenge", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }},
		{"ErrPlain", func(v url.Values) {
			v.Set("code_challenge", "plain-verifier-plain-verifier-plain-verifier")
			v.Set("code_challenge_method", "plain")
		}},
		{"ErrNoMethod", func(v url.Values) { v.Del("code_challenge_method") }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a := h.newAuthRequest()
			tc.params(a.params)
			resp, err := h.browser(t).Get(h.issuer + "/authorize?" + a.params.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			q := h.callbackQuery(t, resp)
			if got, want := q.Get("error"), "invalid_request"; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if q.Get("code") != "" {
				t.Error("got a code")
			}
		})
	}

	for _, tc := range []struct {
		desc     string
		verifier func(right string) string
		wantErr  string
	}{
		{"ErrWrongVerifier", func(string) string { return oauth2.GenerateVerifier() }, "invalid_grant"},
		{"ErrNoVerifier", func(string) string { return "" }, "invalid_request"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a := h.newAuthRequest()
			q := h.signIn(t, a, "officer@agency-a.example", password)
			var opts []oauth2.AuthCodeOption
			if v := tc.verifier(a.verifier); v != "" {
				opts = append(opts, oauth2.VerifierOption(v))
			}
			_, err := h.oauth2Config(t, oauth2.AuthStyleInHeader).Exchange(context.Background(), q.Get("code"), opts...)
			if got, want := retrieveErrorCode(err), tc.wantErr; got != want {
				t.Errorf("exchange error = %v, want %s", err, want)
			}
		})
	}
}

func TestAuthorizeRefused(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		desc   string
		params func(url.Values)
	}{
		{"ErrUnregisteredRedirect", func(v url.Values) { v.Set("redirect_uri", h.redirectURI+"/other") }},
		{"ErrRedirectPrefix", func(v url.Values) { v.Set("redirect_uri", h.redirectURI+"?next=x") }},
		{"ErrUnknownClient", func(v url.Values) { v.Set("client_id", "someone-else") }},
		{"ErrAgencySystem", func(v url.Values) { v.Set("client_id", "agency-a-cms") }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a := h.newAuthRequest()
			tc.params(a.params)
			resp, err := h.browser(t).Get(h.issuer + "/authorize?" + a.params.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got, want := resp.StatusCode, http.StatusBadRequest; got != want {
				t.Errorf("status = %d, want %d (no redirect to an unregistered URI)", got, want)
			}
		})
	}
	t.Run("ErrPromptNone", func(t *testing.T) {
		a := h.newAuthRequest()
		a.params.Set("prompt", "none")
		resp, err := h.browser(t).Get(h.issuer + "/authorize?" + a.params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if got, want := h.callbackQuery(t, resp).Get("error"), "login_required"; got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
	})
}

func TestCodeSingleUse(t *testing.T) {
	h := newHarness(t, nil)
	a := h.newAuthRequest()
	q := h.signIn(t, a, "counsel@provider.example", password)
	tok, _ := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)

	_, err := h.oauth2Config(t, oauth2.AuthStyleInHeader).Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(a.verifier))
	if got, want := retrieveErrorCode(err), "invalid_grant"; got != want {
		t.Fatalf("second exchange error = %v, want %s", err, want)
	}
	// RFC 6749, section 4.1.2: reuse revokes what the code produced.
	if _, err := h.provider(t).UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo accepted an access token from a reused code")
	}
}

func TestRefreshToken(t *testing.T) {
	h := newHarness(t, nil)
	a := h.newAuthRequest()
	a.params.Set("scope", "openid profile email offline_access")
	q := h.signIn(t, a, "auditor@provider.example", password)
	tok, _ := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	cfg := h.oauth2Config(t, oauth2.AuthStyleInHeader)
	stale := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	fresh, err := cfg.TokenSource(context.Background(), stale).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
		t.Error("the refresh token was not rotated")
	}
	if _, err := cfg.TokenSource(context.Background(), stale).Token(); retrieveErrorCode(err) == "" {
		t.Errorf("reusing a rotated refresh token: error = %v, want an OAuth error", err)
	}
}

func TestEndSession(t *testing.T) {
	h := newHarness(t, nil)
	a := h.newAuthRequest()
	q := h.signIn(t, a, "admin@provider.example", password)
	tok, _ := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
	idToken, _ := tok.Extra("id_token").(string)

	for _, tc := range []struct {
		desc       string
		redirect   string
		wantStatus int
		wantTo     string
	}{
		{"ErrUnregistered", "https://attacker.example/", http.StatusBadRequest, ""},
		{"Registered", h.home, http.StatusFound, h.home + "?state=bye"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			v := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {tc.redirect}, "state": {"bye"}}
			resp, err := h.browser(t).Get(h.issuer + "/end_session?" + v.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got, want := resp.StatusCode, tc.wantStatus; got != want {
				t.Fatalf("status = %d, want %d", got, want)
			}
			if got, want := resp.Header.Get("Location"), tc.wantTo; got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
		})
	}
	if _, err := h.provider(t).UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo accepted an access token after end_session")
	}
}

// apiClaims are the access token claims the API relies on.
type apiClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
	ClientID string   `json:"client_id"`
	JTI      string   `json:"jti"`
	Org      string   `json:"org"`
	Roles    []string `json:"roles"`
	Exp      int64    `json:"exp"`
	Iat      int64    `json:"iat"`
}

func TestClientCredentials(t *testing.T) {
	h := newHarness(t, nil)
	verifier := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience})
	for _, dc := range clients {
		for _, style := range []struct {
			desc  string
			style oauth2.AuthStyle
		}{{"Basic", oauth2.AuthStyleInHeader}, {"Post", oauth2.AuthStyleInParams}} {
			t.Run(dc.ID+"/"+style.desc, func(t *testing.T) {
				cfg := clientcredentials.Config{ClientID: dc.ID, ClientSecret: dc.Secret, TokenURL: h.issuer + "/oauth/token", AuthStyle: style.style}
				before := time.Now()
				tok, err := cfg.Token(context.Background())
				if err != nil {
					t.Fatalf("token: %v", err)
				}
				at, err := verifier.Verify(context.Background(), tok.AccessToken)
				if err != nil {
					t.Fatalf("verify access token: %v", err)
				}
				var c apiClaims
				if err := at.Claims(&c); err != nil {
					t.Fatal(err)
				}
				if got, want := c.Issuer, h.issuer; got != want {
					t.Errorf("iss = %q, want %q", got, want)
				}
				if got, want := c.Subject, dc.ID; got != want {
					t.Errorf("sub = %q, want %q", got, want)
				}
				if got, want := c.ClientID, dc.ID; got != want {
					t.Errorf("client_id = %q, want %q", got, want)
				}
				if got, want := c.Audience, []string{devidp.APIAudience}; !slices.Equal(got, want) {
					t.Errorf("aud = %v, want %v", got, want)
				}
				if got, want := c.Org, dc.Org; got != want {
					t.Errorf("org = %q, want %q", got, want)
				}
				if got, want := c.Roles, dc.Roles; !slices.Equal(got, want) {
					t.Errorf("roles = %v, want %v", got, want)
				}
				if c.JTI == "" || c.Iat == 0 {
					t.Errorf("jti = %q, iat = %d, want both set", c.JTI, c.Iat)
				}
				exp := time.Unix(c.Exp, 0)
				if lo, hi := before.Add(15*time.Minute-5*time.Second), time.Now().Add(15*time.Minute+time.Second); exp.Before(lo) || exp.After(hi) {
					t.Errorf("exp = %v, want 15 minutes from now", exp)
				}
				// The portal's verifier must not accept an API token.
				if _, err := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.PortalClientID}).Verify(context.Background(), tok.AccessToken); err == nil {
					t.Error("an API access token verified as a portal ID token")
				}
			})
		}
	}

	for _, tc := range []struct {
		desc   string
		id     string
		secret string
	}{
		{"ErrWrongSecret", "agency-a-cms", "agency-b-secret"},
		{"ErrEmptySecret", "agency-a-cms", ""},
		{"ErrUnknownClient", "nobody-cms", "agency-a-secret"},
		{"ErrPortalClient", devidp.PortalClientID, portalSecret},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: tc.id, ClientSecret: tc.secret, TokenURL: h.issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}
			_, err := cfg.Token(context.Background())
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want an OAuth error", err)
			}
			if code := re.ErrorCode; code != "invalid_client" && code != "unauthorized_client" {
				t.Errorf("error = %q, want invalid_client or unauthorized_client", code)
			}
			if re.Response.StatusCode >= 500 {
				t.Errorf("status = %d, want a client error", re.Response.StatusCode)
			}
		})
	}
}

func TestSignJWT(t *testing.T) {
	h := newHarness(t, nil)
	verifier := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience})
	now := time.Now()
	base := func() map[string]any {
		return map[string]any{
			"iss": h.issuer, "sub": "agency-a-cms", "aud": []string{devidp.APIAudience},
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "org": "agency-a", "roles": []string{"officer"},
		}
	}
	for _, tc := range []struct {
		desc    string
		edit    func(map[string]any)
		wantErr bool
	}{
		{"Valid", func(map[string]any) {}, false},
		{"ErrWrongAudience", func(c map[string]any) { c["aud"] = []string{devidp.PortalClientID} }, true},
		{"ErrExpired", func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }, true},
		{"ErrOtherIssuer", func(c map[string]any) { c["iss"] = "https://attacker.example" }, true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			claims := base()
			tc.edit(claims)
			raw, err := h.p.SignJWT(claims)
			if err != nil {
				t.Fatalf("SignJWT: %v", err)
			}
			_, err = verifier.Verify(context.Background(), raw)
			if got, want := err != nil, tc.wantErr; got != want {
				t.Errorf("verify error = %v, want error: %v", err, want)
			}
		})
	}
}

// A clock is a settable Config.Clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestExpiry(t *testing.T) {
	t.Run("ErrAuthRequestAfterTenMinutes", func(t *testing.T) {
		clk := &clock{now: time.Now()}
		h := newHarness(t, clk.Now)
		c := h.browser(t)
		f := h.openLogin(t, c, h.newAuthRequest())
		clk.Advance(10*time.Minute + time.Second)
		resp := h.post(t, c, f, "officer@agency-a.example", password, nil)
		page := readForm(t, resp)
		if got, want := page.status, http.StatusBadRequest; got != want {
			t.Errorf("status = %d, want %d", got, want)
		}
		if !strings.Contains(page.body, "expired") {
			t.Errorf("page does not say the request expired:\n%s", page.body)
		}
	})
	t.Run("ErrCodeAfterTwoMinutes", func(t *testing.T) {
		clk := &clock{now: time.Now()}
		h := newHarness(t, clk.Now)
		a := h.newAuthRequest()
		q := h.signIn(t, a, "officer@agency-a.example", password)
		clk.Advance(2*time.Minute + time.Second)
		_, err := h.oauth2Config(t, oauth2.AuthStyleInHeader).Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(a.verifier))
		if got, want := retrieveErrorCode(err), "invalid_grant"; got != want {
			t.Errorf("exchange error = %v, want %s", err, want)
		}
	})
	t.Run("ErrExpiredAccessToken", func(t *testing.T) {
		// A clock an hour behind yields API tokens that are already expired.
		h := newHarness(t, func() time.Time { return time.Now().Add(-time.Hour) })
		cfg := clientcredentials.Config{ClientID: "agency-b-cms", ClientSecret: "agency-b-secret", TokenURL: h.issuer + "/oauth/token"}
		tok, err := cfg.Token(context.Background())
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		_, err = h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience}).Verify(context.Background(), tok.AccessToken)
		var expired *oidc.TokenExpiredError
		if !errors.As(err, &expired) {
			t.Errorf("verify error = %v, want TokenExpiredError", err)
		}
	})
}

func TestNew(t *testing.T) {
	valid := func() devidp.Config {
		return devidp.Config{
			Issuer:             "http://127.0.0.1:8080/idp",
			PortalClientSecret: "s",
			PortalRedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
			People:             people,
			Password:           password,
			Clients:            clients,
		}
	}
	for _, tc := range []struct {
		desc    string
		edit    func(*devidp.Config)
		wantErr bool
	}{
		{"Valid", func(*devidp.Config) {}, false},
		{"HTTPSIssuerWithTrailingSlash", func(c *devidp.Config) { c.Issuer = "https://portal.example/idp/" }, false},
		{"ErrProduction", func(c *devidp.Config) { c.Production = true }, true},
		{"ErrNoIssuer", func(c *devidp.Config) { c.Issuer = "" }, true},
		{"ErrRelativeIssuer", func(c *devidp.Config) { c.Issuer = "/idp" }, true},
		{"ErrIssuerQuery", func(c *devidp.Config) { c.Issuer = "http://127.0.0.1:8080/idp?x=1" }, true},
		{"ErrNoSecret", func(c *devidp.Config) { c.PortalClientSecret = "" }, true},
		{"ErrNoRedirect", func(c *devidp.Config) { c.PortalRedirectURIs = nil }, true},
		{"NoPeopleNoPassword", func(c *devidp.Config) { c.People, c.Password = nil, "" }, false},
		{"ErrPeopleWithoutPassword", func(c *devidp.Config) { c.Password = "" }, true},
		{"ErrRelativeRedirect", func(c *devidp.Config) { c.PortalRedirectURIs = []string{"/auth/callback"} }, true},
		{"ErrPortalIsAgencyClient", func(c *devidp.Config) { c.PortalClientID = "agency-a-cms" }, true},
		{"ResourceServer", func(c *devidp.Config) { c.ResourceServerID, c.ResourceServerSecret = "rs", "rs-secret" }, false},
		{"ErrResourceServerWithoutSecret", func(c *devidp.Config) { c.ResourceServerID = "rs" }, true},
		{"ErrResourceServerIsAgencyClient", func(c *devidp.Config) { c.ResourceServerID, c.ResourceServerSecret = "agency-a-cms", "x" }, true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			cfg := valid()
			tc.edit(&cfg)
			p, err := devidp.New(cfg)
			if got, want := err != nil, tc.wantErr; got != want {
				t.Fatalf("New error = %v, want error: %v", err, want)
			}
			if err == nil && strings.HasSuffix(p.Issuer(), "/") {
				t.Errorf("Issuer() = %q, want no trailing slash", p.Issuer())
			}
		})
	}
	t.Run("ProductionIsErrProduction", func(t *testing.T) {
		cfg := valid()
		cfg.Production = true
		if _, err := devidp.New(cfg); !errors.Is(err, devidp.ErrProduction) {
			t.Errorf("New error = %v, want ErrProduction", err)
		}
	})
}

// TestPeopleCopied: the provider keeps the people it was configured with,
// whatever the caller does to its slice afterwards, and hands out copies.
func TestPeopleCopied(t *testing.T) {
	mine := slices.Clone(people)
	mine[0].Roles = slices.Clone(mine[0].Roles)
	p, err := devidp.New(devidp.Config{
		Issuer: "http://127.0.0.1:8080/idp", PortalClientSecret: "s", PortalRedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
		People: mine, Password: password,
	})
	if err != nil {
		t.Fatal(err)
	}
	mine[0].Email, mine[0].Roles[0] = "changed@agency-a.example", "admin"
	got := p.People()
	if len(got) != len(people) || got[0].Email != people[0].Email || !slices.Equal(got[0].Roles, people[0].Roles) {
		t.Fatalf("People() = %+v, want the configured %+v", got, people)
	}
	got[0].Roles[0] = "admin"
	if again := p.People(); again[0].Roles[0] != people[0].Roles[0] {
		t.Errorf("People() shares its roles with an earlier answer: %v", again[0].Roles)
	}
}
