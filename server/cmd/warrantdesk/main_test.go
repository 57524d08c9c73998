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
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
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
	// Browsers send Origin on form posts; the server checks it.
	if method != http.MethodGet {
		req.Header.Set("Origin", b.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
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

// login signs in through /login and the embedded provider's form, as a person would.
func (b *browser) login(email string) {
	b.t.Helper()
	resp, page := b.get("/login")
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
		resp, page = b.postForm(action.String(), otpForm(b.t, email, page))
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/agency") && !strings.Contains(resp.Request.URL.Path, "/provider") {
		b.t.Fatalf("login as %s ended at %s with %d:\n%s", email, resp.Request.URL, resp.StatusCode, page)
	}
}

// otpForm fills the provider's code page for the demo person email with the
// code their authenticator shows now.
func otpForm(t testing.TB, email, page string) url.Values {
	t.Helper()
	i := slices.IndexFunc(demo.People, func(p devidp.Person) bool { return p.Email == email })
	if i < 0 || demo.People[i].TOTPSecret == "" {
		t.Fatalf("%s was asked for a code but has no TOTP secret", email)
	}
	code, err := totp.GenerateCode(demo.People[i].TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"otp": {code}}
	withHidden(form, page)
	return form
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

// apiClient calls /api/v1 with a client-credentials token from the demo
// provider, holding every answer to the OpenAPI document (apispec_test.go).
type apiClient struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

func newAPIClient(t testing.TB, base, id, secret string) *apiClient {
	t.Helper()
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
	return &apiClient{t: t, base: base, token: tok.AccessToken, http: specClient(t)}
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
