package identity_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// The test binary doubles as a second, independent OpenID Provider: run
// with envProcessIDP set, TestMain serves a devidp on its own 127.0.0.1
// port with its own keys instead of running the tests. The portal then
// trusts a provider it shares no memory, key or clock with, as it does in
// production; the control endpoints below exist only in this binary.
const (
	envProcessIDP       = "WARRANTDESK_TEST_PROCESS_IDP"        // "1" in the provider process
	envProcessIDPPortal = "WARRANTDESK_TEST_PROCESS_IDP_PORTAL" // the portal's base URL, for redirect URIs
	envProcessIDPSecret = "WARRANTDESK_TEST_PROCESS_IDP_SECRET" // the portal client's secret there
	// envProcessIDPAnnounceIss, "1", makes the process announce
	// authorization_response_iss_parameter_supported (RFC 9207), which
	// devidp does not: a promise it then breaks, as it sends no iss.
	envProcessIDPAnnounceIss = "WARRANTDESK_TEST_PROCESS_IDP_ANNOUNCE_ISS"
)

func TestMain(m *testing.M) {
	if os.Getenv(envProcessIDP) == "1" {
		os.Exit(serveProcessIDP())
	}
	os.Exit(m.Run())
}

// serveProcessIDP is the provider process: it prints its issuer URL on
// stdout once it listens and serves until killed or until its parent goes
// away (stdin closes).
func serveProcessIDP() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "process idp: listen: %v\n", err)
		return 1
	}
	issuer := "http://" + ln.Addr().String() + "/idp"
	portal := os.Getenv(envProcessIDPPortal)
	idp, err := devidp.New(demo.WithPeople(devidp.Config{
		Issuer:                 issuer,
		PortalClientSecret:     os.Getenv(envProcessIDPSecret),
		PortalRedirectURIs:     []string{portal + "/auth/callback"},
		PostLogoutRedirectURIs: []string{portal + "/"},
	}))
	if err != nil {
		fmt.Fprintf(os.Stderr, "process idp: %v\n", err)
		return 1
	}
	var keyFetches atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("/idp/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/idp/keys" {
			keyFetches.Add(1)
		}
		idp.Handler().ServeHTTP(w, r)
	}))
	if os.Getenv(envProcessIDPAnnounceIss) == "1" {
		mux.HandleFunc("GET /idp/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			idp.Handler().ServeHTTP(rec, r)
			var meta map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &meta); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			meta["authorization_response_iss_parameter_supported"] = true
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(meta)
		})
	}
	ctl := processControl{idp: idp, keyFetches: &keyFetches}
	mux.HandleFunc("POST /control/sign", ctl.sign)
	mux.HandleFunc("POST /control/rotate", ctl.rotate)
	mux.HandleFunc("POST /control/remove", ctl.remove)
	mux.HandleFunc("GET /control/kid", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, idp.KeyID()) })
	mux.HandleFunc("GET /control/key-fetches", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, strconv.FormatInt(keyFetches.Load(), 10))
	})
	mux.HandleFunc("POST /control/backchannel", ctl.backchannel)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0) // the test binary that started us is gone
	}()
	fmt.Println(issuer)
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintf(os.Stderr, "process idp: serve: %v\n", err)
		return 1
	}
	return 0
}

// processControl is the provider process's test-only control surface.
type processControl struct {
	idp        *devidp.Provider
	keyFetches *atomic.Int64
}

// A signRequest asks the process for a token: claims exactly as given,
// signed as alg says ("" for the provider's current RS256 key, "none" for
// an unsigned token, "HS256-PEM" or "HS256-DER" for an HMAC keyed with the
// current public key in that encoding), with its header's kid replaced by
// Kid when set.
type signRequest struct {
	Claims map[string]any `json:"claims"`
	Alg    string         `json:"alg"`
	Kid    string         `json:"kid"`
}

func (c processControl) sign(w http.ResponseWriter, r *http.Request) {
	var req signRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	raw, err := c.idp.SignJWT(req.Claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	kid := c.idp.KeyID()
	if req.Kid != "" {
		kid = req.Kid
	}
	parts := strings.Split(raw, ".")
	header := func(alg string) string {
		b, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
		return base64.RawURLEncoding.EncodeToString(b)
	}
	switch req.Alg {
	case "":
		if req.Kid != "" {
			// A forged kid: the signature no longer matters.
			raw = header("RS256") + "." + parts[1] + "." + parts[2]
		}
	case "none":
		raw = header("none") + "." + parts[1] + "."
	case "HS256-PEM", "HS256-DER":
		// The classic key-confusion attack: a verifier that lets the
		// token pick HMAC would take the public key as the shared secret.
		der, err := c.publicKeyDER()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		secret := der
		if req.Alg == "HS256-PEM" {
			secret = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		}
		signing := header("HS256") + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(signing))
		raw = signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	default:
		http.Error(w, "unknown alg "+req.Alg, http.StatusBadRequest)
		return
	}
	io.WriteString(w, raw)
}

// publicKeyDER is the current signing key's public half as published in
// the JWKS, PKIX DER-encoded.
func (c processControl) publicKeyDER() ([]byte, error) {
	rec := httptest.NewRecorder()
	c.idp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.idp.Issuer()+"/keys", nil))
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		return nil, fmt.Errorf("read own JWKS: %w", err)
	}
	keys := set.Key(c.idp.KeyID())
	if len(keys) != 1 {
		return nil, fmt.Errorf("own JWKS has %d keys %q", len(keys), c.idp.KeyID())
	}
	return x509.MarshalPKIXPublicKey(keys[0].Key)
}

func (c processControl) rotate(w http.ResponseWriter, _ *http.Request) {
	kid, err := c.idp.RotateKey()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, kid)
}

func (c processControl) remove(w http.ResponseWriter, r *http.Request) {
	if err := c.idp.RemoveKey(r.URL.Query().Get("kid")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// backchannel does what the provider does when a person signs out there:
// it posts a logout token for sub (with iss replaced when the form names
// one) to the relying party's back-channel logout URI "to", and answers
// with the status the relying party gave.
func (c processControl) backchannel(w http.ResponseWriter, r *http.Request) {
	iss := r.FormValue("iss")
	if iss == "" {
		iss = c.idp.Issuer()
	}
	tok, err := c.idp.SignJWT(map[string]any{
		"iss": iss, "aud": []string{devidp.PortalClientID}, "iat": time.Now().Unix(), "jti": strconv.FormatInt(time.Now().UnixNano(), 36),
		"sub": r.FormValue("sub"), "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := http.PostForm(r.FormValue("to"), url.Values{"logout_token": {tok}})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	io.WriteString(w, strconv.Itoa(resp.StatusCode))
}

// A processIDP is the provider process, seen from the tests.
type processIDP struct {
	t      *testing.T
	issuer string
	base   string // scheme://host:port, where /control lives
	client *http.Client
}

// startProcessIDP starts the provider process for a portal at portalURL
// whose client there has secret, with env added to its environment, and
// kills it when the test ends.
func startProcessIDP(t *testing.T, portalURL, secret string, env ...string) *processIDP {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envProcessIDP+"=1", envProcessIDPPortal+"="+portalURL, envProcessIDPSecret+"="+secret)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the provider process: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	var issuer string
	select {
	case issuer = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("the provider process did not say its issuer within 30s")
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		t.Fatalf("the provider process said %q, want its issuer URL", issuer)
	}
	if u.Port() == "" || u.Hostname() != "127.0.0.1" {
		t.Fatalf("the provider process listens at %s, want its own 127.0.0.1 port", u.Host)
	}
	return &processIDP{t: t, issuer: issuer, base: u.Scheme + "://" + u.Host, client: &http.Client{Timeout: 30 * time.Second}}
}

// control calls a control endpoint and returns its answer, failing the
// test unless it is 2xx.
func (p *processIDP) control(method, path, contentType string, body io.Reader) string {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		p.t.Fatalf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return string(b)
}

// sign returns claims signed by the process as alg and kid say (see signRequest).
func (p *processIDP) sign(claims map[string]any, alg, kid string) string {
	p.t.Helper()
	b, err := json.Marshal(signRequest{Claims: claims, Alg: alg, Kid: kid})
	if err != nil {
		p.t.Fatal(err)
	}
	return p.control(http.MethodPost, "/control/sign", "application/json", strings.NewReader(string(b)))
}

func (p *processIDP) kid() string { return p.control(http.MethodGet, "/control/kid", "", nil) }

func (p *processIDP) rotate() string { return p.control(http.MethodPost, "/control/rotate", "", nil) }

func (p *processIDP) remove(kid string) {
	p.control(http.MethodPost, "/control/remove?kid="+url.QueryEscape(kid), "", nil)
}

// keyFetches is how many times the process has served its JWKS.
func (p *processIDP) keyFetches() int64 {
	p.t.Helper()
	n, err := strconv.ParseInt(p.control(http.MethodGet, "/control/key-fetches", "", nil), 10, 64)
	if err != nil {
		p.t.Fatal(err)
	}
	return n
}

// backchannel makes the process post a logout token for sub (claiming
// issuer iss, when not "") to the URL to, and returns the status it got.
func (p *processIDP) backchannel(sub, iss, to string) int {
	p.t.Helper()
	form := url.Values{"sub": {sub}, "to": {to}}
	if iss != "" {
		form.Set("iss", iss)
	}
	n, err := strconv.Atoi(p.control(http.MethodPost, "/control/backchannel", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())))
	if err != nil {
		p.t.Fatal(err)
	}
	return n
}
