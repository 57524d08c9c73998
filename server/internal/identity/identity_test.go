package identity_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

const portalSecret = "portal-test-secret"

// A fixture is a real database, the real demo OpenID Provider served over
// HTTP at <srv>/idp with agencies registered for its demo organisations, and
// a Service trusting it for people (portal client) and systems (API audience).
type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *db.DB
	srv      *httptest.Server
	idp      *devidp.Provider
	issuer   string
	cfg      config.Issuer
	svc      *identity.Service
	agencies map[string]*agency.Agency // by org claim

	keyFetches     atomic.Int64 // requests the provider's JWKS endpoint answered
	introspections atomic.Int64 // requests the provider's introspection endpoint answered
}

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with the provider's configuration edited.
func newFixtureWith(t *testing.T, edit func(*devidp.Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := demo.WithPeople(devidp.Config{
		Issuer:                 srv.URL + "/idp",
		PortalClientSecret:     portalSecret,
		PortalRedirectURIs:     []string{srv.URL + identity.CallbackPath},
		PostLogoutRedirectURIs: []string{srv.URL + "/"},
	})
	if edit != nil {
		edit(&cfg)
	}
	idp, err := devidp.New(cfg)
	if err != nil {
		t.Fatalf("devidp.New: %v", err)
	}
	f := &fixture{t: t, ctx: ctx, db: d, srv: srv, idp: idp, issuer: idp.Issuer(), agencies: map[string]*agency.Agency{}}
	mux.Handle("/idp/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/idp/keys":
			f.keyFetches.Add(1)
		case "/idp/oauth/introspect":
			f.introspections.Add(1)
		}
		idp.Handler().ServeHTTP(w, r)
	}))
	f.cfg = config.Issuer{
		URL:          f.issuer,
		ClientID:     devidp.PortalClientID,
		ClientSecret: portalSecret,
		APIAudience:  devidp.APIAudience,
		Provider:     true,
		ProviderOrg:  demo.ProviderOrg,
		OrgClaim:     "org",
		RoleClaim:    "roles",
	}
	for _, da := range demo.Agencies {
		a := &agency.Agency{Name: da.Name, Country: da.Country, Kind: da.Kind, Issuer: f.issuer, IssuerOrg: da.Org}
		if err := agency.Create(ctx, d.DB, a); err != nil {
			t.Fatalf("create agency %s: %v", da.Name, err)
		}
		f.agencies[da.Org] = a
	}
	f.svc = f.service(f.cfg)
	return f
}

func (f *fixture) service(issuers ...config.Issuer) *identity.Service {
	f.t.Helper()
	svc, err := identity.New(f.db.DB, identity.Config{Issuers: issuers, BaseURL: f.srv.URL, HTTPClient: f.srv.Client()})
	if err != nil {
		f.t.Fatalf("identity.New: %v", err)
	}
	return svc
}

var (
	formActionRE  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// authorize is a browser with a cookie jar: it follows authURL to the
// provider's login form, signs in as email with the demo password, and
// returns the query the provider sends to the portal's callback.
func (f *fixture) authorize(authURL, email string) url.Values {
	f.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	c := &http.Client{
		Jar:       jar,
		Transport: f.srv.Client().Transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Path == identity.CallbackPath {
				return http.ErrUseLastResponse // the portal's callback: stop here
			}
			return nil
		},
	}
	resp, err := c.Get(authURL)
	if err != nil {
		f.t.Fatalf("open authorization URL: %v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formActionRE.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		f.t.Fatalf("login page: status %d, no form:\n%s", resp.StatusCode, page)
	}
	resp = f.submit(c, resp, page, url.Values{"username": {email}, "password": {demo.Password}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if bytes.Contains(body, []byte(`name="step" value="otp"`)) {
		// A person with a second factor: the code their authenticator shows.
		code, err := totp.GenerateCode(demoPerson(f.t, email).TOTPSecret, time.Now())
		if err != nil {
			f.t.Fatal(err)
		}
		resp = f.submit(c, resp, body, url.Values{"otp": {code}})
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	loc, err := resp.Location()
	if err != nil || loc.Path != identity.CallbackPath {
		f.t.Fatalf("login did not return to the callback: status %d, location %v:\n%s", resp.StatusCode, loc, body)
	}
	return loc.Query()
}

// submit posts the form on page, which resp answered, with its hidden
// fields and set, as the browser c.
func (f *fixture) submit(c *http.Client, resp *http.Response, page []byte, set url.Values) *http.Response {
	f.t.Helper()
	m := formActionRE.FindSubmatch(page)
	if m == nil {
		f.t.Fatalf("no form:\n%s", page)
	}
	form := url.Values{}
	for _, h := range hiddenInputRE.FindAllSubmatch(page, -1) {
		form.Set(string(h[1]), html.UnescapeString(string(h[2])))
	}
	for k, v := range set {
		form[k] = v
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		f.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The browser names the origin of the page that holds the form: the
	// provider's, whichever provider that is.
	req.Header.Set("Origin", resp.Request.URL.Scheme+"://"+resp.Request.URL.Host)
	resp, err = c.Do(req)
	if err != nil {
		f.t.Fatalf("post form: %v", err)
	}
	return resp
}

// signIn runs the whole browser sign-in through svc.
func (f *fixture) signIn(svc *identity.Service, email string) (identity.Login, error) {
	f.t.Helper()
	authURL, state, err := svc.BeginLogin(f.ctx, f.issuer, "/requests")
	if err != nil {
		f.t.Fatalf("BeginLogin: %v", err)
	}
	q := f.authorize(authURL, email)
	return svc.CompleteLogin(f.ctx, state, q.Get("state"), q.Get("code"), q.Get("error"))
}

func (f *fixture) mustSignIn(email string) identity.Login {
	f.t.Helper()
	login, err := f.signIn(f.svc, email)
	if err != nil {
		f.t.Fatalf("sign in as %s: %v", email, err)
	}
	return login
}

// clientToken obtains a real client-credentials access token.
func (f *fixture) clientToken(id, secret string) string {
	f.t.Helper()
	ctx := oidc.ClientContext(f.ctx, f.srv.Client())
	p, err := oidc.NewProvider(ctx, f.issuer)
	if err != nil {
		f.t.Fatalf("discover: %v", err)
	}
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: p.Endpoint().TokenURL}
	tok, err := cc.Token(ctx)
	if err != nil {
		f.t.Fatalf("client credentials for %s: %v", id, err)
	}
	return tok.AccessToken
}

// realIDToken signs in as email with a relying party of the test's own and
// returns the ID token the provider issued.
func (f *fixture) realIDToken(email string) string {
	f.t.Helper()
	raw, _ := f.realTokens(email).Extra("id_token").(string)
	return raw
}

// realTokens signs in as email with a relying party of the test's own and
// returns the tokens the provider issued.
func (f *fixture) realTokens(email string) *oauth2.Token {
	f.t.Helper()
	ctx := oidc.ClientContext(f.ctx, f.srv.Client())
	p, err := oidc.NewProvider(ctx, f.issuer)
	if err != nil {
		f.t.Fatalf("discover: %v", err)
	}
	oc := oauth2.Config{
		ClientID: devidp.PortalClientID, ClientSecret: portalSecret, Endpoint: p.Endpoint(),
		RedirectURL: f.srv.URL + identity.CallbackPath, Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(oc.AuthCodeURL("test-state", oidc.Nonce("test-nonce"), oauth2.S256ChallengeOption(verifier)), email)
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		f.t.Fatalf("exchange: %v", err)
	}
	return tok
}

func (f *fixture) count(table, where string, args ...any) int64 {
	f.t.Helper()
	var n int64
	q := f.db.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		f.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (f *fixture) lastEvent() audit.Event {
	f.t.Helper()
	var ev audit.Event
	if err := f.db.Order("seq DESC").Take(&ev).Error; err != nil {
		f.t.Fatalf("last audit event: %v", err)
	}
	return ev
}

func (f *fixture) person(email string) identity.Person {
	f.t.Helper()
	var p identity.Person
	if err := f.db.Where("issuer = ? AND subject = ?", f.issuer, demoPerson(f.t, email).Subject()).Take(&p).Error; err != nil {
		f.t.Fatalf("person %s: %v", email, err)
	}
	return p
}

func demoPerson(t *testing.T, email string) devidp.Person {
	t.Helper()
	i := slices.IndexFunc(demo.People, func(p devidp.Person) bool { return p.Email == email })
	if i < 0 {
		t.Fatalf("no demo person %s", email)
	}
	return demo.People[i]
}

func clientByID(t *testing.T, id string) devidp.Client {
	t.Helper()
	i := slices.IndexFunc(demo.Clients, func(c devidp.Client) bool { return c.ID == id })
	if i < 0 {
		t.Fatalf("no demo client %s", id)
	}
	return demo.Clients[i]
}

// idClaims are the claims of a valid ID token for p, as the provider would
// issue them after a sign-in with nonce.
func (f *fixture) idClaims(p devidp.Person, nonce string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": f.issuer, "sub": p.Subject(), "aud": []string{devidp.PortalClientID}, "azp": devidp.PortalClientID,
		"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(), "nonce": nonce,
		"email": p.Email, "name": p.Name, "org": p.Org, "roles": p.Roles,
	}
}

func (f *fixture) sign(claims map[string]any) string {
	f.t.Helper()
	raw, err := f.idp.SignJWT(claims)
	if err != nil {
		f.t.Fatalf("SignJWT: %v", err)
	}
	return raw
}

func wantCode(t *testing.T, err error, want errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("got error code %s (%v), want %s", got, err, want)
	}
	t.Logf("rejected as expected: %v", err)
}

func TestBrowserSignIn(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		desc       string
		email      string
		wantAgency string // org; "" for provider staff
		wantRoles  []identity.Role
	}{
		{desc: "officer", email: "officer@riverside-pd.example", wantAgency: "riverside-pd", wantRoles: []identity.Role{identity.RoleOfficer}},
		{desc: "supervisor", email: "inspector@northshire-police.example", wantAgency: "northshire-police",
			wantRoles: []identity.Role{identity.RoleOfficer, identity.RoleSupervisor}},
		{desc: "provider reviewer", email: "reviewer@provider.example", wantRoles: []identity.Role{identity.RoleReviewer}},
		{desc: "provider auditor", email: "auditor@provider.example", wantRoles: []identity.Role{identity.RoleAuditor}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			dp := demoPerson(t, tc.email)
			login := f.mustSignIn(tc.email)
			p := login.Principal
			if got, want := p.Subject, dp.Subject(); got != want {
				t.Errorf("subject = %q, want %q", got, want)
			}
			if got, want := p.Issuer, f.issuer; got != want {
				t.Errorf("issuer = %q, want %q", got, want)
			}
			if got, want := p.Kind, identity.KindPerson; got != want {
				t.Errorf("kind = %q, want %q", got, want)
			}
			if got, want := p.Email, tc.email; got != want {
				t.Errorf("email = %q, want %q", got, want)
			}
			if !slices.Equal(p.Roles, tc.wantRoles) {
				t.Errorf("roles = %v, want %v", p.Roles, tc.wantRoles)
			}
			if tc.wantAgency == "" {
				if !p.Provider || p.AgencyID != "" {
					t.Errorf("provider = %t, agency = %q; want provider staff", p.Provider, p.AgencyID)
				}
			} else {
				a := f.agencies[tc.wantAgency]
				if p.Provider || p.AgencyID != a.ID || p.AgencyName != a.Name || p.AgencyCountry != a.Country {
					t.Errorf("principal agency = %t %q %q %q, want %q %q %q", p.Provider, p.AgencyID, p.AgencyName, p.AgencyCountry, a.ID, a.Name, a.Country)
				}
			}
			if got, want := login.ReturnTo, "/requests"; got != want {
				t.Errorf("return to = %q, want %q", got, want)
			}
			if len(login.Token) < 40 || login.CSRFToken == "" || login.CSRFToken == login.Token {
				t.Errorf("token %q / csrf %q: want two distinct random values", login.Token, login.CSRFToken)
			}
			if d := time.Until(login.ExpiresAt); d < 7*time.Hour || d > 8*time.Hour {
				t.Errorf("expires in %v, want the 8h default", d)
			}
			if got := f.count("sessions", "person_id = ?", p.PersonID); got != 1 {
				t.Errorf("sessions of person = %d, want 1", got)
			}
			// Only the token's hash is stored.
			if got := f.count("sessions", "id_hash = ?", login.Token); got != 0 {
				t.Errorf("the raw session token is stored")
			}
			ev := f.lastEvent()
			if ev.Action != "auth.login" || ev.Outcome != audit.OutcomeSuccess || ev.Actor.Subject != dp.Subject() || ev.ObjectID != p.PersonID {
				t.Errorf("audit event = %+v, want a successful auth.login by %s", ev, dp.Subject())
			}
			if got, want := ev.Actor.AgencyID, p.AgencyID; got != want {
				t.Errorf("audit actor agency = %q, want %q", got, want)
			}
		})
	}
}

func TestAuthenticateAndLogout(t *testing.T) {
	f := newFixture(t)
	login := f.mustSignIn("officer@riverside-pd.example")

	p, sess, err := f.svc.Authenticate(f.ctx, login.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got, want := p.PersonID, login.Principal.PersonID; got != want {
		t.Errorf("person = %q, want %q", got, want)
	}
	if got, want := p.AgencyID, f.agencies["riverside-pd"].ID; got != want {
		t.Errorf("agency = %q, want %q", got, want)
	}
	if got, want := sess.CSRFToken, login.CSRFToken; got != want {
		t.Errorf("csrf token = %q, want %q", got, want)
	}

	// What the sign-out sends the browser to (the issuer's end_session
	// with the sign-in's ID token), and that the issuer honours it, is
	// TestProcessLogout's, against a provider in a process of its own.
	if _, err := f.svc.Logout(f.ctx, login.Token, p); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if ev := f.lastEvent(); ev.Action != "auth.logout" || ev.ObjectID != p.PersonID || ev.Actor.Subject != p.Subject {
		t.Errorf("audit event = %+v, want auth.logout of %s", ev, p.PersonID)
	}
	_, _, err = f.svc.Authenticate(f.ctx, login.Token)
	wantCode(t, err, errs.Unauthenticated)

	// Logging out again is harmless and audits nothing.
	seq := f.lastEvent().Seq
	if _, err := f.svc.Logout(f.ctx, login.Token, p); err != nil {
		t.Errorf("second Logout: %v", err)
	}
	if got := f.lastEvent().Seq; got != seq {
		t.Errorf("second logout appended audit event %d", got)
	}

	for _, tok := range []string{"", "not-a-session", strings.Repeat("A", 43)} {
		_, _, err := f.svc.Authenticate(f.ctx, tok)
		wantCode(t, err, errs.Unauthenticated)
	}
}

// TestSessionTimeouts walks a clock through a working day: a session ends
// after 30 minutes unused (idle) or 8 hours after sign-in however busy
// (absolute), is deleted when it ends, and is touched at most once a
// minute.
func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t)
	t0 := time.Now()
	now := t0
	svc, err := identity.New(f.db.DB, identity.Config{
		Issuers: []config.Issuer{f.cfg}, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(),
		SessionTTL: 8 * time.Hour, SessionIdle: 30 * time.Minute, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(email string) identity.Login {
		t.Helper()
		login, err := f.signIn(svc, email)
		if err != nil {
			t.Fatalf("sign in as %s: %v", email, err)
		}
		return login
	}
	busy := signIn("officer@riverside-pd.example")
	idle := signIn("sergeant@riverside-pd.example")
	light := signIn("officer@northshire-police.example")
	rows := func(l identity.Login) int64 {
		return f.count("sessions", "id_hash = ?", identity.HashToken(l.Token))
	}
	lastSeen := func(l identity.Login) time.Time {
		t.Helper()
		var sess identity.Session
		if err := f.db.Where("id_hash = ?", identity.HashToken(l.Token)).Take(&sess).Error; err != nil {
			t.Fatalf("read session: %v", err)
		}
		return sess.LastSeenAt
	}
	alive := func(l identity.Login) {
		t.Helper()
		if _, _, err := svc.Authenticate(f.ctx, l.Token); err != nil {
			t.Fatalf("Authenticate at +%s: %v", now.Sub(t0), err)
		}
	}
	expired := func(l identity.Login) {
		t.Helper()
		_, _, err := svc.Authenticate(f.ctx, l.Token)
		wantCode(t, err, errs.Unauthenticated)
		if msg := errs.Message(err); !strings.Contains(msg, "expired") {
			t.Errorf("message = %q, want one saying the session expired", msg)
		}
		if n := rows(l); n != 0 {
			t.Errorf("an expired session is still stored (%d rows)", n)
		}
	}

	// Touching is throttled: no write within the first minute.
	signedIn := lastSeen(light)
	now = t0.Add(30 * time.Second)
	alive(light)
	if got := lastSeen(light); !got.Equal(signedIn) {
		t.Errorf("last_seen_at written %s after the last write", now.Sub(t0))
	}
	now = t0.Add(61 * time.Second)
	alive(light)
	alive(busy)
	if got, want := lastSeen(light), now.UTC().Truncate(time.Microsecond); !got.Equal(want) {
		t.Errorf("last_seen_at = %s after a minute, want %s", got, want)
	}

	// Busy every 20 minutes, the officer stays signed in; the unused
	// sessions end after 30 minutes and are deleted, the one never presented
	// again included, once any ended session is presented.
	now = t0.Add(21*time.Minute + time.Second)
	alive(busy)
	now = t0.Add(41*time.Minute + time.Second)
	alive(busy)
	if n := rows(idle); n != 1 {
		t.Errorf("idle session rows = %d before any ended session was presented, want 1", n)
	}
	expired(light) // 40 minutes unused
	if n := rows(idle); n != 0 {
		t.Errorf("a session idle for 41 minutes was not purged (%d rows)", n)
	}
	_, _, err = svc.Authenticate(f.ctx, idle.Token)
	wantCode(t, err, errs.Unauthenticated)

	// However busy, the officer's session ends 8 hours after sign-in.
	for now = now.Add(20 * time.Minute); now.Before(t0.Add(8*time.Hour - time.Second)); now = now.Add(20 * time.Minute) {
		alive(busy)
	}
	now = t0.Add(8*time.Hour - time.Second)
	alive(busy)
	now = t0.Add(8 * time.Hour)
	expired(busy)
}

func TestSessionTimeoutDefaults(t *testing.T) {
	f := newFixture(t)
	t0 := time.Now()
	now := t0
	svc, err := identity.New(f.db.DB, identity.Config{
		Issuers: []config.Issuer{f.cfg}, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(),
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	login, err := f.signIn(svc, "officer@riverside-pd.example")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if got, want := login.ExpiresAt.Sub(t0), 8*time.Hour; got < want-time.Second || got > want {
		t.Errorf("session lasts %s, want %s by default", got, want)
	}
	now = t0.Add(29 * time.Minute)
	if _, _, err := svc.Authenticate(f.ctx, login.Token); err != nil {
		t.Fatalf("29 minutes unused: %v", err)
	}
	now = now.Add(30 * time.Minute)
	_, _, err = svc.Authenticate(f.ctx, login.Token)
	wantCode(t, err, errs.Unauthenticated)
}

func TestSessionRotation(t *testing.T) {
	f := newFixture(t)
	first := f.mustSignIn("sergeant@riverside-pd.example")
	second := f.mustSignIn("sergeant@riverside-pd.example")
	if first.Token == second.Token || first.CSRFToken == second.CSRFToken {
		t.Fatalf("a second sign-in reused the session token or CSRF token")
	}
	if got, want := second.Principal.PersonID, first.Principal.PersonID; got != want {
		t.Errorf("second sign-in is person %q, want the same person %q", got, want)
	}
	if got := f.count("people", "subject = ?", first.Principal.Subject); got != 1 {
		t.Errorf("people rows for the subject = %d, want 1", got)
	}
	if got := f.count("sessions", "person_id = ?", first.Principal.PersonID); got != 2 {
		t.Errorf("sessions = %d, want 2 distinct sessions", got)
	}
	// Ending the old session (as the web layer does with the cookie it
	// replaces) leaves the new one working.
	if _, err := f.svc.Logout(f.ctx, first.Token, first.Principal); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.svc.Authenticate(f.ctx, first.Token)
	wantCode(t, err, errs.Unauthenticated)
	if _, _, err := f.svc.Authenticate(f.ctx, second.Token); err != nil {
		t.Errorf("new session after the old one ended: %v", err)
	}
	// A cookie value planted before sign-in (session fixation) never becomes
	// a session: tokens are only ever minted by CompleteLogin.
	_, _, err = f.svc.Authenticate(f.ctx, "planted-by-an-attacker")
	wantCode(t, err, errs.Unauthenticated)

	if err := f.db.Transaction(func(tx *gorm.DB) error {
		return f.svc.RevokePersonSessions(f.ctx, tx, first.Principal.PersonID)
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Authenticate(f.ctx, second.Token)
	wantCode(t, err, errs.Unauthenticated)
}

func TestRevokeAgencySessions(t *testing.T) {
	f := newFixture(t)
	officer := f.mustSignIn("officer@riverside-pd.example")
	sergeant := f.mustSignIn("sergeant@riverside-pd.example")
	other := f.mustSignIn("officer@northshire-police.example")
	staff := f.mustSignIn("reviewer@provider.example")
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		return f.svc.RevokeAgencySessions(f.ctx, tx, f.agencies["riverside-pd"].ID)
	}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []identity.Login{officer, sergeant} {
		_, _, err := f.svc.Authenticate(f.ctx, l.Token)
		wantCode(t, err, errs.Unauthenticated)
	}
	for _, l := range []identity.Login{other, staff} {
		if _, _, err := f.svc.Authenticate(f.ctx, l.Token); err != nil {
			t.Errorf("%s, not of the agency, lost their session: %v", l.Principal.Email, err)
		}
	}
}

func TestSuspension(t *testing.T) {
	f := newFixture(t)
	login := f.mustSignIn("officer@riverside-pd.example")
	rc := clientByID(t, "riverside-pd-cms")
	bearer := f.clientToken(rc.ID, rc.Secret)
	client, err := f.svc.VerifyBearer(f.ctx, bearer)
	if err != nil {
		t.Fatalf("VerifyBearer: %v", err)
	}
	riverside := f.agencies["riverside-pd"].ID

	setPerson := func(id, status string) {
		t.Helper()
		if err := identity.SetPersonStatus(f.ctx, f.db.DB, id, status); err != nil {
			t.Fatalf("SetPersonStatus %s: %v", status, err)
		}
	}
	setAgency := func(status string) {
		t.Helper()
		if err := agency.SetStatus(f.ctx, f.db.DB, riverside, status); err != nil {
			t.Fatalf("agency.SetStatus %s: %v", status, err)
		}
	}
	authn := func() error { _, _, err := f.svc.Authenticate(f.ctx, login.Token); return err }
	bear := func() error { _, err := f.svc.VerifyBearer(f.ctx, bearer); return err }

	setPerson(login.Principal.PersonID, identity.StatusSuspended)
	wantCode(t, authn(), errs.Forbidden)
	if err := bear(); err != nil {
		t.Errorf("suspending a person affected the agency's system: %v", err)
	}
	// A suspended person cannot sign in again either.
	_, err = f.signIn(f.svc, "officer@riverside-pd.example")
	wantCode(t, err, errs.Forbidden)
	if ev := f.lastEvent(); ev.Action != "auth.login" || ev.Outcome != audit.OutcomeFailure || ev.Actor.Subject != login.Principal.Subject {
		t.Errorf("audit event = %+v, want a failed auth.login by the suspended person", ev)
	}
	setPerson(login.Principal.PersonID, identity.StatusActive)
	if err := authn(); err != nil {
		t.Errorf("reactivated person: %v", err)
	}

	setPerson(client.PersonID, identity.StatusSuspended)
	wantCode(t, bear(), errs.Forbidden)
	setPerson(client.PersonID, identity.StatusActive)
	if err := bear(); err != nil {
		t.Errorf("reactivated system: %v", err)
	}

	setAgency(agency.StatusSuspended)
	wantCode(t, authn(), errs.Forbidden)
	wantCode(t, bear(), errs.Forbidden)
	_, err = f.signIn(f.svc, "sergeant@riverside-pd.example")
	wantCode(t, err, errs.Forbidden)
	// Other agencies are unaffected.
	if _, err := f.signIn(f.svc, "officer@northshire-police.example"); err != nil {
		t.Errorf("another agency's officer: %v", err)
	}
	setAgency(agency.StatusActive)
	if err := authn(); err != nil {
		t.Errorf("reactivated agency, person: %v", err)
	}
	if err := bear(); err != nil {
		t.Errorf("reactivated agency, system: %v", err)
	}

	wantCode(t, identity.SetPersonStatus(f.ctx, f.db.DB, "no-such-person", identity.StatusSuspended), errs.NotFound)
	wantCode(t, identity.SetPersonStatus(f.ctx, f.db.DB, client.PersonID, "banned"), errs.Invalid)
}

// TestPendingAgency: an agency registered but not yet activated is refused
// like a suspended one, with its own words: its people cannot sign in, a
// session or token from before is refused at its next request, and its
// systems' tokens are refused. Activation lets them in.
func TestPendingAgency(t *testing.T) {
	f := newFixture(t)
	login := f.mustSignIn("officer@riverside-pd.example")
	rc := clientByID(t, "riverside-pd-cms")
	bearer := f.clientToken(rc.ID, rc.Secret)
	riverside := f.agencies["riverside-pd"].ID
	if err := agency.SetStatus(f.ctx, f.db.DB, riverside, agency.StatusPending); err != nil {
		t.Fatal(err)
	}
	const words = "not yet activated"
	for _, tc := range []struct {
		name string
		try  func() error
	}{
		{"session", func() error { _, _, err := f.svc.Authenticate(f.ctx, login.Token); return err }},
		{"bearer", func() error { _, err := f.svc.VerifyBearer(f.ctx, bearer); return err }},
		{"sign-in", func() error { _, err := f.signIn(f.svc, "sergeant@riverside-pd.example"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.try()
			wantCode(t, err, errs.Forbidden)
			if !strings.Contains(errs.Message(err), words) {
				t.Errorf("refusal says %q, want it to say the agency is %s", errs.Message(err), words)
			}
		})
	}
	if ev := f.lastEvent(); ev.Outcome != audit.OutcomeFailure || !strings.Contains(string(ev.Details), identity.ReasonPending) {
		t.Errorf("audit event = %+v, want a refusal with reason %s", ev, identity.ReasonPending)
	}
	if err := agency.SetStatus(f.ctx, f.db.DB, riverside, agency.StatusActive); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(f.svc, "sergeant@riverside-pd.example"); err != nil {
		t.Errorf("activated agency: %v", err)
	}
}

func TestVerifyBearerAcceptsClientCredentials(t *testing.T) {
	f := newFixture(t)
	rc := clientByID(t, "riverside-pd-cms")
	tok := f.clientToken(rc.ID, rc.Secret)
	p, err := f.svc.VerifyBearer(f.ctx, tok)
	if err != nil {
		t.Fatalf("VerifyBearer: %v", err)
	}
	if got, want := p.Kind, identity.KindClient; got != want {
		t.Errorf("kind = %q, want %q", got, want)
	}
	if got, want := p.Subject, rc.ID; got != want {
		t.Errorf("subject = %q, want %q", got, want)
	}
	if got, want := p.AgencyID, f.agencies["riverside-pd"].ID; got != want {
		t.Errorf("agency = %q, want %q", got, want)
	}
	if !slices.Equal(p.Roles, []identity.Role{identity.RoleOfficer}) || p.Provider {
		t.Errorf("roles = %v, provider = %t; want officer of an agency", p.Roles, p.Provider)
	}
	var row identity.Person
	if err := f.db.Where("id = ?", p.PersonID).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.Kind != identity.KindClient || row.Subject != rc.ID || row.Issuer != f.issuer {
		t.Errorf("people row = %+v, want kind client for %s", row, rc.ID)
	}
	// An unchanged system costs no write on its next calls.
	for range 3 {
		if _, err := f.svc.VerifyBearer(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	var again identity.Person
	if err := f.db.Where("id = ?", p.PersonID).Take(&again).Error; err != nil {
		t.Fatal(err)
	}
	if !again.UpdatedAt.Equal(row.UpdatedAt) || !again.LastSeenAt.Equal(*row.LastSeenAt) {
		t.Errorf("repeated calls rewrote the people row: %v → %v", row.UpdatedAt, again.UpdatedAt)
	}
	if got := f.count("people", ""); got != 1 {
		t.Errorf("people = %d, want 1", got)
	}

	// Each agency's system maps to its own agency.
	nc := clientByID(t, "northshire-cms")
	np, err := f.svc.VerifyBearer(f.ctx, f.clientToken(nc.ID, nc.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := np.AgencyID, f.agencies["northshire-police"].ID; got != want {
		t.Errorf("northshire-cms agency = %q, want %q", got, want)
	}
}

func TestVerifyBearerRejects(t *testing.T) {
	f := newFixture(t)
	rc := clientByID(t, "riverside-pd-cms")
	real := f.clientToken(rc.ID, rc.Secret)
	idToken := f.realIDToken("officer@riverside-pd.example")
	// A second provider at the same issuer URL path but with its own key,
	// standing in for someone who mints tokens with a key we do not trust.
	other, err := devidp.New(demo.WithPeople(devidp.Config{Issuer: f.issuer, PortalClientSecret: "x", PortalRedirectURIs: []string{f.srv.URL + "/cb"}}))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clientClaims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{
			"iss": f.issuer, "sub": rc.ID, "aud": []string{devidp.APIAudience}, "client_id": rc.ID,
			"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(), "org": rc.Org, "roles": rc.Roles,
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	parts := strings.Split(real, ".")
	header := func(h map[string]any) string { b, _ := json.Marshal(h); return base64.RawURLEncoding.EncodeToString(b) }
	payload := func(c map[string]any) string { b, _ := json.Marshal(c); return base64.RawURLEncoding.EncodeToString(b) }
	var kid string
	{
		b, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var h struct{ Kid string }
		_ = json.Unmarshal(b, &h)
		kid = h.Kid
	}
	hs256 := func(key string) string {
		signing := header(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + payload(clientClaims(nil))
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	signOther := func(c map[string]any) string {
		raw, err := other.SignJWT(c)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}

	// Sanity: the crafted claims verify when nothing is wrong with them.
	if _, err := f.svc.VerifyBearer(f.ctx, f.sign(clientClaims(nil))); err != nil {
		t.Fatalf("well-formed crafted token: %v", err)
	}
	if err := f.db.Exec("DELETE FROM people").Error; err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		desc  string
		token string
	}{
		{desc: "empty", token: ""},
		{desc: "not a JWT", token: "opaque-access-token"},
		{desc: "no audience", token: f.sign(clientClaims(func(c map[string]any) { delete(c, "aud") }))},
		{desc: "tampered payload", token: parts[0] + "." + payload(clientClaims(func(c map[string]any) { c["roles"] = []string{"admin"} })) + "." + parts[2]},
		{desc: "tampered signature", token: parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("x", 256)))},
		{desc: "signed with an untrusted key", token: signOther(clientClaims(nil))},
		{desc: "HS256 with a guessable key", token: hs256("secret")},
		{desc: "HS256 keyed with the client secret", token: hs256(rc.Secret)},
		{desc: "ID token used as bearer", token: idToken},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			p, err := f.svc.VerifyBearer(f.ctx, tc.token)
			wantCode(t, err, errs.Unauthenticated)
			if p != nil {
				t.Errorf("got a principal %+v", p)
			}
			if got := f.count("people", ""); got != 0 {
				t.Errorf("people = %d after a rejected token, want 0", got)
			}
			if got := f.count("sessions", ""); got != 0 {
				t.Errorf("sessions = %d after a rejected token, want 0", got)
			}
		})
	}
}

func TestCompleteLoginRejects(t *testing.T) {
	f := newFixture(t)
	const email = "officer@riverside-pd.example"

	// begin starts a sign-in and lets the person sign in at the provider.
	begin := func(t *testing.T) (state string, q url.Values) {
		t.Helper()
		authURL, state, err := f.svc.BeginLogin(f.ctx, f.issuer, "/")
		if err != nil {
			t.Fatalf("BeginLogin: %v", err)
		}
		return state, f.authorize(authURL, email)
	}
	tests := []struct {
		desc string
		run  func(t *testing.T) error
	}{
		{desc: "missing state cookie", run: func(t *testing.T) error {
			_, q := begin(t)
			_, err := f.svc.CompleteLogin(f.ctx, "", q.Get("state"), q.Get("code"), "")
			return err
		}},
		{desc: "missing state parameter", run: func(t *testing.T) error {
			state, q := begin(t)
			_, err := f.svc.CompleteLogin(f.ctx, state, "", q.Get("code"), "")
			return err
		}},
		{desc: "unknown state", run: func(t *testing.T) error {
			_, err := f.svc.CompleteLogin(f.ctx, "made-up", "made-up", "code", "")
			return err
		}},
		{desc: "made-up code", run: func(t *testing.T) error {
			state, q := begin(t)
			_, err := f.svc.CompleteLogin(f.ctx, state, q.Get("state"), "not-a-code", "")
			return err
		}},
		{desc: "provider error", run: func(t *testing.T) error {
			state, _ := begin(t)
			_, err := f.svc.CompleteLogin(f.ctx, state, state, "", "access_denied")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			sessions := f.count("sessions", "")
			failures := f.count("audit_events", "action = ? AND outcome = ?", "auth.login", audit.OutcomeFailure)
			wantCode(t, tc.run(t), errs.Unauthenticated)
			if got := f.count("sessions", ""); got != sessions {
				t.Errorf("sessions = %d, want %d: a rejected sign-in created one", got, sessions)
			}
			if got, want := f.count("audit_events", "action = ? AND outcome = ?", "auth.login", audit.OutcomeFailure), failures+1; got != want {
				t.Errorf("failed auth.login events = %d, want %d", got, want)
			}
		})
	}
}

func TestCompleteLoginExpiredState(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	svc, err := identity.New(f.db.DB, identity.Config{
		Issuers: []config.Issuer{f.cfg}, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(),
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, state, err := svc.BeginLogin(f.ctx, f.issuer, "/")
	if err != nil {
		t.Fatal(err)
	}
	q := f.authorize(authURL, "officer@riverside-pd.example")
	now = now.Add(11 * time.Minute)
	_, err = svc.CompleteLogin(f.ctx, state, q.Get("state"), q.Get("code"), "")
	wantCode(t, err, errs.Unauthenticated)
	if got := f.count("sessions", ""); got != 0 {
		t.Errorf("sessions = %d, want 0", got)
	}
	if got := f.count("login_states", ""); got != 0 {
		t.Errorf("login states = %d, want the expired one spent", got)
	}
}

// TestIDTokenChecks presents ID tokens signed with the provider's real key to
// the verification step, as if the token endpoint had returned them.
func TestIDTokenChecks(t *testing.T) {
	f := newFixture(t)
	officer := demoPerson(t, "officer@riverside-pd.example")
	const nonce = "the-nonce-we-sent"
	tests := []struct {
		desc     string
		edit     func(c map[string]any)
		nonce    string // stored nonce; default nonce
		want     errs.Code
		wantMsg  string
		wantSubj bool   // the failure is attributed to the (verified) subject
		reason   string // the audit event's reason, when the case pins it
	}{
		{desc: "empty nonce", edit: func(c map[string]any) { c["nonce"] = "" }, want: errs.Unauthenticated},
		{desc: "nothing stored to compare", nonce: "-", want: errs.Unauthenticated},
		{desc: "API audience", edit: func(c map[string]any) { c["aud"] = []string{devidp.APIAudience}; delete(c, "azp") }, want: errs.Unauthenticated},
		{desc: "several audiences, no azp", edit: func(c map[string]any) {
			c["aud"] = []string{devidp.PortalClientID, "another-client"}
			delete(c, "azp")
		}, want: errs.Unauthenticated},
		{desc: "several audiences, azp another client", edit: func(c map[string]any) {
			c["aud"], c["azp"] = []string{devidp.PortalClientID, "another-client"}, "another-client"
		}, want: errs.Unauthenticated},
		{desc: "no subject", edit: func(c map[string]any) { delete(c, "sub") }, want: errs.Unauthenticated},
		{desc: "unregistered organisation", edit: func(c map[string]any) { c["org"] = "unknown-pd" },
			want: errs.Forbidden, wantMsg: "Your organisation is not registered", wantSubj: true, reason: identity.ReasonUnknownOrganisation},
		{desc: "no organisation", edit: func(c map[string]any) { delete(c, "org") },
			want: errs.Forbidden, wantSubj: true, reason: identity.ReasonNoOrganisation},
		{desc: "no role", edit: func(c map[string]any) { c["roles"] = []string{} }, want: errs.Forbidden, wantSubj: true, reason: identity.ReasonNoRole},
		{desc: "agency issuer granting only provider roles", edit: func(c map[string]any) { c["roles"] = []string{"admin", "reviewer"} },
			want: errs.Forbidden, wantSubj: true, reason: identity.ReasonNoRole},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			c := f.idClaims(officer, nonce)
			if tc.edit != nil {
				tc.edit(c)
			}
			stored := nonce
			if tc.nonce == "-" {
				stored = ""
			}
			failures := f.count("audit_events", "action = ? AND outcome = ?", "auth.login", audit.OutcomeFailure)
			_, err := f.svc.FinishLogin(f.ctx, f.issuer, f.sign(c), stored)
			wantCode(t, err, tc.want)
			if tc.wantMsg != "" && !strings.Contains(errs.Message(err), tc.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", errs.Message(err), tc.wantMsg)
			}
			if got := f.count("sessions", ""); got != 0 {
				t.Errorf("sessions = %d, want 0", got)
			}
			if got := f.count("people", ""); got != 0 {
				t.Errorf("people = %d, want 0", got)
			}
			if got, want := f.count("audit_events", "action = ? AND outcome = ?", "auth.login", audit.OutcomeFailure), failures+1; got != want {
				t.Fatalf("failed auth.login events = %d, want %d", got, want)
			}
			ev := f.lastEvent()
			wantSubject := ""
			if tc.wantSubj {
				wantSubject = officer.Subject()
			}
			if ev.Actor.Issuer != f.issuer || ev.Actor.Subject != wantSubject {
				t.Errorf("failure attributed to %q %q, want %q %q", ev.Actor.Issuer, ev.Actor.Subject, f.issuer, wantSubject)
			}
			if tc.reason != "" && !strings.Contains(ev.Details, `"reason":"`+tc.reason+`"`) {
				t.Errorf("failure audited with %s, want reason %s", ev.Details, tc.reason)
			}
		})
	}

	t.Run("valid token", func(t *testing.T) {
		login, err := f.svc.FinishLogin(f.ctx, f.issuer, f.sign(f.idClaims(officer, nonce)), nonce)
		if err != nil {
			t.Fatalf("FinishLogin: %v", err)
		}
		if got, want := login.Principal.AgencyID, f.agencies["riverside-pd"].ID; got != want {
			t.Errorf("agency = %q, want %q", got, want)
		}
	})
}

func TestClaimMapping(t *testing.T) {
	f := newFixture(t)
	const nonce = "n"
	officer := demoPerson(t, "officer@riverside-pd.example")
	admin := demoPerson(t, "admin@provider.example")

	mapped := f.cfg
	mapped.Roles = map[string]string{"cop": "officer", "boss": "supervisor", "legal": "reviewer", "root": "admin"}
	mappedSvc := f.service(mapped)

	tests := []struct {
		desc      string
		svc       *identity.Service
		person    devidp.Person
		edit      func(c map[string]any)
		wantRoles []identity.Role
		wantStaff bool
	}{
		{desc: "identity mapping", svc: f.svc, person: officer, wantRoles: []identity.Role{identity.RoleOfficer}},
		{desc: "agency roles only", svc: f.svc, person: officer,
			edit:      func(c map[string]any) { c["roles"] = []string{"admin", "supervisor", "auditor", "officer"} },
			wantRoles: []identity.Role{identity.RoleOfficer, identity.RoleSupervisor}},
		{desc: "roles as a space-separated string", svc: f.svc, person: officer,
			edit:      func(c map[string]any) { c["roles"] = "supervisor officer" },
			wantRoles: []identity.Role{identity.RoleOfficer, identity.RoleSupervisor}},
		{desc: "provider staff", svc: f.svc, person: admin, wantRoles: []identity.Role{identity.RoleAdmin}, wantStaff: true},
		{desc: "provider staff cannot hold agency roles", svc: f.svc, person: admin,
			edit:      func(c map[string]any) { c["roles"] = []string{"officer", "counsel"} },
			wantRoles: []identity.Role{identity.RoleCounsel}, wantStaff: true},
		{desc: "mapped claim values", svc: mappedSvc, person: officer,
			edit:      func(c map[string]any) { c["roles"] = []string{"cop", "boss", "officer", "root"} },
			wantRoles: []identity.Role{identity.RoleOfficer, identity.RoleSupervisor}},
		{desc: "mapped staff", svc: mappedSvc, person: admin,
			edit:      func(c map[string]any) { c["roles"] = []string{"root", "legal", "admin"} },
			wantRoles: []identity.Role{identity.RoleReviewer, identity.RoleAdmin}, wantStaff: true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			c := f.idClaims(tc.person, nonce)
			if tc.edit != nil {
				tc.edit(c)
			}
			login, err := tc.svc.FinishLogin(f.ctx, f.issuer, f.sign(c), nonce)
			if err != nil {
				t.Fatalf("FinishLogin: %v", err)
			}
			p := login.Principal
			if !slices.Equal(p.Roles, tc.wantRoles) {
				t.Errorf("roles = %v, want %v", p.Roles, tc.wantRoles)
			}
			if p.Provider != tc.wantStaff {
				t.Errorf("provider = %t, want %t", p.Provider, tc.wantStaff)
			}
			// Roles are stored for Authenticate.
			ap, _, err := f.svc.Authenticate(f.ctx, login.Token)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ap.Roles, tc.wantRoles) {
				t.Errorf("authenticated roles = %v, want %v", ap.Roles, tc.wantRoles)
			}
		})
	}

	t.Run("an agency-only issuer never yields staff", func(t *testing.T) {
		agencyOnly := f.cfg
		agencyOnly.Provider = false
		svc := f.service(agencyOnly)
		_, err := svc.FinishLogin(f.ctx, f.issuer, f.sign(f.idClaims(admin, nonce)), nonce)
		// org "provider" is no registered agency at this issuer.
		wantCode(t, err, errs.Forbidden)
	})

	t.Run("keyed by issuer and subject, not e-mail", func(t *testing.T) {
		c := f.idClaims(officer, nonce)
		c["sub"], c["name"] = "someone-else", "Impostor"
		login, err := f.svc.FinishLogin(f.ctx, f.issuer, f.sign(c), nonce)
		if err != nil {
			t.Fatal(err)
		}
		if login.Principal.PersonID == f.person(officer.Email).ID {
			t.Fatalf("a different subject with the same e-mail became the same person")
		}
		// The same subject with a new e-mail address stays the same person.
		c = f.idClaims(officer, nonce)
		c["email"] = "dana.reyes@riverside-pd.example"
		login, err = f.svc.FinishLogin(f.ctx, f.issuer, f.sign(c), nonce)
		if err != nil {
			t.Fatal(err)
		}
		var p identity.Person
		if err := f.db.Where("id = ?", login.Principal.PersonID).Take(&p).Error; err != nil {
			t.Fatal(err)
		}
		if p.Subject != officer.Subject() || p.Email != "dana.reyes@riverside-pd.example" {
			t.Errorf("person = %+v, want the officer with the new e-mail", p)
		}
	})

	t.Run("FindPeople", func(t *testing.T) {
		riverside, err := identity.FindPeople(f.ctx, f.db.DB, f.agencies["riverside-pd"].ID)
		if err != nil {
			t.Fatal(err)
		}
		staff, err := identity.FindPeople(f.ctx, f.db.DB, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(riverside), 2; got != want {
			t.Errorf("riverside people = %d, want %d", got, want)
		}
		if got, want := len(staff), 1; got != want {
			t.Errorf("provider staff = %d, want %d", got, want)
		}
		for _, p := range riverside {
			if p.AgencyID == nil || *p.AgencyID != f.agencies["riverside-pd"].ID {
				t.Errorf("FindPeople(riverside) returned %+v", p)
			}
		}
	})
}

func TestLoginOptionsAndReturnTo(t *testing.T) {
	f := newFixture(t)
	apiOnly := config.Issuer{URL: "https://systems.example/", APIAudience: "warrantdesk-api"}
	svc := f.service(f.cfg, apiOnly)
	opts := svc.LoginOptions()
	if len(opts) != 1 || opts[0].IssuerURL != f.issuer || opts[0].Label == "" {
		t.Errorf("LoginOptions = %+v, want only the demo issuer", opts)
	}
	if _, _, err := svc.BeginLogin(f.ctx, apiOnly.URL, "/"); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("BeginLogin at an API-only issuer: %v, want Invalid", err)
	}
	if _, _, err := svc.BeginLogin(f.ctx, "https://unknown.example", "/"); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("BeginLogin at an unknown issuer: %v, want Invalid", err)
	}

	authURL, state, err := svc.BeginLogin(f.ctx, "", "/x")
	if err != nil {
		t.Fatalf("BeginLogin with the only issuer: %v", err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("state") != state || q.Get("client_id") != devidp.PortalClientID || q.Get("redirect_uri") != f.srv.URL+identity.CallbackPath {
		t.Errorf("authorization URL %s lacks PKCE S256, nonce, state, client or redirect", authURL)
	}
	if got := f.count("login_states", "state_hash = ?", state); got != 0 {
		t.Errorf("the raw state is stored")
	}

	tests := []struct {
		desc, in, want string
	}{
		{desc: "local path", in: "/requests/42?tab=history", want: "/requests/42?tab=history"},
		{desc: "root", in: "/", want: "/"},
		{desc: "empty", in: "", want: "/"},
		{desc: "absolute URL", in: "https://evil.example/", want: "/"},
		{desc: "protocol-relative", in: "//evil.example/", want: "/"},
		{desc: "backslash", in: "/\\evil.example", want: "/"},
		{desc: "relative", in: "requests", want: "/"},
		{desc: "javascript", in: "javascript:alert(1)", want: "/"},
		{desc: "control character", in: "/\r\nLocation: https://evil.example", want: "/"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if got := identity.SafeReturnTo(tc.in); got != tc.want {
				t.Errorf("SafeReturnTo(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLazyDiscovery starts the Service before its issuer listens, as serve
// --demo does with its own /idp: the first attempts fail as Unavailable and
// a later one succeeds.
func TestLazyDiscovery(t *testing.T) {
	d := dbtest.Open(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here until later
	base := "http://" + addr
	svc, err := identity.New(d.DB, identity.Config{
		Issuers: []config.Issuer{{URL: base + "/idp", ClientID: devidp.PortalClientID, ClientSecret: portalSecret, APIAudience: devidp.APIAudience, Provider: true}},
		BaseURL: base,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.BeginLogin(context.Background(), base+"/idp", "/")
	wantCode(t, err, errs.Unavailable)

	idp, err := devidp.New(demo.WithPeople(devidp.Config{Issuer: base + "/idp", PortalClientSecret: portalSecret, PortalRedirectURIs: []string{base + identity.CallbackPath}}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/idp/", idp.Handler())
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	if _, _, err := svc.BeginLogin(context.Background(), base+"/idp", "/"); err != nil {
		t.Fatalf("BeginLogin once the issuer is up: %v", err)
	}
}

// TestConcurrentFirstUse races the first calls of a new system (one people
// row must result) and several callbacks with the same state (exactly one
// may sign in).
func TestConcurrentFirstUse(t *testing.T) {
	f := newFixture(t)
	rc := clientByID(t, "lka-musterland-cms")
	tok := f.clientToken(rc.ID, rc.Secret)
	const n = 8
	errc := make(chan error, n)
	for range n {
		go func() { _, err := f.svc.VerifyBearer(f.ctx, tok); errc <- err }()
	}
	for range n {
		if err := <-errc; err != nil {
			t.Errorf("concurrent VerifyBearer: %v", err)
		}
	}
	if got := f.count("people", "subject = ?", rc.ID); got != 1 {
		t.Errorf("people rows for %s = %d, want 1", rc.ID, got)
	}

	authURL, state, err := f.svc.BeginLogin(f.ctx, f.issuer, "/")
	if err != nil {
		t.Fatal(err)
	}
	q := f.authorize(authURL, "ermittler@lka-musterland.example")
	for range n {
		go func() {
			_, err := f.svc.CompleteLogin(f.ctx, state, q.Get("state"), q.Get("code"), "")
			errc <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-errc; err == nil {
			ok++
		} else if errs.CodeOf(err) != errs.Unauthenticated {
			t.Errorf("concurrent callback: %v, want Unauthenticated", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d callbacks with one state signed in, want exactly 1", ok)
	}
	if got := f.count("sessions", ""); got != 1 {
		t.Errorf("sessions = %d, want 1", got)
	}
}
