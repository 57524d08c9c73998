package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// patience is how long a test waits for a real server to be ready or for
// its jobs to finish. A healthy run takes seconds; the bound is generous
// because CI runs the suite with -race on a small, busy machine, and it is
// a liveness bound, not a measure of speed (those are benchmarks).
const patience = 3 * time.Minute

// MustRunMain starts the real `warrantdesk serve --demo` on a free port with
// its own data directory (SQLite, or a fresh PostgreSQL database when the
// suite runs on PostgreSQL) and returns its base URL. It stops at cleanup.
func MustRunMain(tb testing.TB, extraEnv ...string) string {
	tb.Helper()
	// No demo history (seed_history.go) unless a test asks for it: tests
	// count what they file.
	env := map[string]string{"WARRANTDESK_DEMO_HISTORY": "0"}
	if dbtestPostgres() {
		env["WARRANTDESK_DATABASE_URL"] = dbtest.PostgresURL(tb)
	}
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- runServe(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", tb.TempDir(), "--log-level", "warn"},
			getenv, io.Discard, &syncWriter{w: &logs}, ready)
	}()
	select {
	case base := <-ready:
		tb.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("serve: %v", err)
			}
		})
		return base
	case err := <-done:
		cancel()
		tb.Fatalf("serve exited before ready: %v\n%s", err, logs.String())
	case <-time.After(patience):
		cancel()
		tb.Fatalf("serve not ready after %s\n%s", patience, logs.String())
	}
	return ""
}

func dbtestPostgres() bool { return os.Getenv(dbtest.EnvDatabase) == "postgres" }

// browser is a cookie-keeping HTTP client that follows redirects, like a person's browser.
type browser struct {
	t      testing.TB
	base   string
	client *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	client := specClient(t)
	client.Jar, client.Timeout = jar, 30*time.Second
	return &browser{t: t, base: base, client: client}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	return b.do(http.MethodGet, path, "", nil)
}

func (b *browser) postForm(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.do(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func (b *browser) do(method, path, ctype string, body io.Reader) (*http.Response, string) {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	// Browsers send Origin on form posts; the server checks it. They send
	// the page the form was on as Referer; here, as most of the portal's
	// forms do, it posts to its own page.
	if method != http.MethodGet {
		req.Header.Set("Origin", b.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Referer", u)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var (
	reAction = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	reCSRF   = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// withHidden adds the hidden fields of page's form to form (reHidden is in
// browser_confirm_test.go).
func withHidden(form url.Values, page string) {
	for _, hidden := range reHidden.FindAllStringSubmatch(page, -1) {
		form.Set(hidden[1], htmlUnescape(hidden[2]))
	}
}

// login signs in through /login and the embedded provider's form, as a
// person would, and then, for a person with a second factor, confirms it at
// once (stepUp), so that the session may approve, countersign, co-sign,
// download and administer for the next 15 minutes, as the policy's step-up
// asks.
func (b *browser) login(email string) {
	b.t.Helper()
	b.signIn(email)
	if demoTOTPSecret(email) != "" {
		b.stepUp(email)
	}
}

// signIn signs in with the password alone: a session without a second
// factor, which the policy's step-up refuses the actions it guards.
func (b *browser) signIn(email string) {
	b.t.Helper()
	resp, page := b.get("/login")
	resp, page = b.providerForm(resp, page, email)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/agency") && !strings.Contains(resp.Request.URL.Path, "/provider") {
		b.t.Fatalf("login as %s ended at %s with %d:\n%s", email, resp.Request.URL, resp.StatusCode, page)
	}
}

// stepUp signs in again through /auth/step-up with the password and the
// authenticator's code, as the portal asks before a step-up action.
func (b *browser) stepUp(email string) {
	b.t.Helper()
	resp, page := b.get("/auth/step-up?return_to=%2F")
	if !strings.Contains(page, `name="step" value="otp"`) {
		resp, page = b.providerForm(resp, page, email)
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Request.URL.Path, "/idp/") {
		b.t.Fatalf("step-up as %s ended at %s with %d:\n%s", email, resp.Request.URL, resp.StatusCode, page)
	}
}

// providerForm fills the embedded provider's sign-in form, which resp
// answered with page, as email: the password and, when asked, the code.
func (b *browser) providerForm(resp *http.Response, page, email string) (*http.Response, string) {
	b.t.Helper()
	m := reAction.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no login form at %s:\n%s", resp.Request.URL, page)
	}
	action, err := resp.Request.URL.Parse(htmlUnescape(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	form := url.Values{"username": {email}, "password": {"demo"}}
	withHidden(form, page)
	resp, page = b.postForm(action.String(), form)
	if strings.Contains(page, `name="step" value="otp"`) {
		// A person with a second factor: enter the authenticator's code.
		form := url.Values{"otp": {totpCode(b.t, b.base, email)}}
		withHidden(form, page)
		resp, page = b.postForm(action.String(), form)
	}
	return resp, page
}

// demoTOTPSecret is the demo person email's TOTP secret, "" for none.
func demoTOTPSecret(email string) string {
	i := slices.IndexFunc(demo.People, func(p devidp.Person) bool { return p.Email == email })
	if i < 0 {
		return ""
	}
	return demo.People[i].TOTPSecret
}

// usedSteps remembers, per provider and person, the last TOTP step a test
// entered: the provider takes each step's code once (RFC 6238 5.2), so a
// second code within 30 seconds must be the next step's, which it accepts a
// step early, and a third waits for it.
var usedSteps = struct {
	sync.Mutex
	m map[string]int64
}{m: map[string]int64{}}

// totpCode is the code demo person email's authenticator shows, for the
// first step the provider at base has not yet taken from them.
func totpCode(t testing.TB, base, email string) string {
	t.Helper()
	secret := demoTOTPSecret(email)
	if secret == "" {
		t.Fatalf("%s was asked for a code but has no TOTP secret", email)
	}
	usedSteps.Lock()
	defer usedSteps.Unlock()
	key := base + " " + email
	now := time.Now().Unix() / 30
	step := max(now, usedSteps.m[key]+1)
	if step > now+1 {
		time.Sleep(time.Until(time.Unix((step-1)*30, 0)))
	}
	usedSteps.m[key] = step
	code, err := totp.GenerateCode(secret, time.Unix(step*30, 0))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (b *browser) csrf(page string) string {
	b.t.Helper()
	m := reCSRF.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on page:\n%s", page)
	}
	return m[1]
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(s)
}

// apiClient calls /api/v1 with an access token from the demo provider, holding every answer to the OpenAPI document (apispec_test.go).
type apiClient struct {
	t     testing.TB
	base  string
	id    string // the demo client's id
	token string
	http  *http.Client
}

// A demo system with an officer in demoOfficers acts for that officer
// (acting_test.go), as a system must to submit; any other uses its own
// token (newSystemClient).
func newAPIClient(t testing.TB, base, id, secret string) *apiClient {
	t.Helper()
	if officer, ok := demoOfficers[id]; ok {
		return newActingClient(t, base, id, secret, officer)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/idp/oauth/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}.Encode()))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("client credentials for %s: status %d, %v", id, resp.StatusCode, err)
	}
	return &apiClient{t: t, base: base, id: id, token: tok.AccessToken, http: specClient(t)}
}

func (a *apiClient) call(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	ctype := ""
	switch v := body.(type) {
	case nil:
	case *multipart.Writer:
		a.t.Fatal("use upload")
	default:
		b, _ := json.Marshal(v)
		rd, ctype = bytes.NewReader(b), "application/json"
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+a.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func (a *apiClient) upload(path, filename string, content []byte) (int, string) {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.base+path, &buf)
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// minimalPDF is a small, well-formed PDF with a correct xref table.
func minimalPDF() []byte { return request.PlaceholderPDF("") }

// syncWriter lets the server's logger and the test read one buffer safely.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func decodeInto(resp *http.Response, out any) {
	if out == nil {
		return
	}
	_ = json.NewDecoder(resp.Body).Decode(out)
}
