package devidp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/fxamacker/cbor/v2"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// otherMFAPerson has a second factor of their own, for the tests that
// present one person's passkey for another.
var otherMFAPerson = devidp.Person{
	Email: "second-approver@provider.example", Name: "Sam Approver", Org: staffOrg, Roles: []string{"counsel"},
	TOTPSecret: "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF",
}

// newPasskeyHarness is newHarness with the provider at localhost: browsers
// refuse an IP address as a WebAuthn relying party ID, so the provider
// offers passkeys only at a host name.
func newPasskeyHarness(t *testing.T, clock func() time.Time) *harness {
	t.Helper()
	local := func(s string) string { return strings.Replace(s, "://127.0.0.1:", "://localhost:", 1) }
	h := newHarnessWith(t, clock, func(c *devidp.Config) {
		c.Issuer = local(c.Issuer)
		c.PortalRedirectURIs = []string{local(c.PortalRedirectURIs[0])}
		c.PostLogoutRedirectURIs = []string{local(c.PostLogoutRedirectURIs[0])}
		c.People = append(c.People, otherMFAPerson)
	})
	h.issuer, h.redirectURI, h.home = local(h.issuer), local(h.redirectURI), local(h.home)
	return h
}

// A softKey is a software authenticator holding one P-256 passkey: it
// answers the provider's WebAuthn options as a browser and a platform
// authenticator would (attestation "none"), so these tests check the
// provider's ceremony bookkeeping without a browser.
type softKey struct {
	id     []byte
	key    *ecdsa.PrivateKey
	origin string // the page's origin, as the browser reports it
	count  uint32 // signature counter
	noUV   bool   // the authenticator does not verify the person
}

func newSoftKey(t *testing.T, h *harness) *softKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	u, _ := url.Parse(h.issuer)
	return &softKey{id: id, key: key, origin: u.Scheme + "://" + u.Host}
}

var b64 = base64.RawURLEncoding

// ceremony is what the options name: the challenge, and the relying party
// ID (rp.id at registration, rpId at login).
type ceremony struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
	} `json:"publicKey"`
}

func parseOptions(t *testing.T, options string) ceremony {
	t.Helper()
	var c ceremony
	if err := json.Unmarshal([]byte(options), &c); err != nil {
		t.Fatalf("options %q: %v", options, err)
	}
	return c
}

func (k *softKey) authData(rpID string, attested bool) []byte {
	rp := sha256.Sum256([]byte(rpID))
	flags := byte(0x01) // user present
	if !k.noUV {
		flags |= 0x04
	}
	if attested {
		flags |= 0x40
	}
	b := append(rp[:], flags)
	b = binary.BigEndian.AppendUint32(b, k.count)
	if !attested {
		return b
	}
	pub, err := k.key.PublicKey.ECDH()
	if err != nil {
		panic(err)
	}
	point := pub.Bytes() // 0x04 || x || y
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:]})
	if err != nil {
		panic(err)
	}
	b = append(b, make([]byte, 16)...) // AAGUID: none
	b = binary.BigEndian.AppendUint16(b, uint16(len(k.id)))
	b = append(b, k.id...)
	return append(b, cose...)
}

func (k *softKey) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

// create answers registration options with the JSON a browser posts.
func (k *softKey) create(t *testing.T, options string) string {
	t.Helper()
	c := parseOptions(t, options)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(c.PublicKey.RP.ID, true)})
	if err != nil {
		t.Fatal(err)
	}
	return k.credential(map[string]any{
		"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", c.PublicKey.Challenge)),
		"attestationObject": b64.EncodeToString(att),
	})
}

// credential is the PublicKeyCredential JSON a browser posts, with the
// authenticator's response.
func (k *softKey) credential(response map[string]any) string {
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response":               response,
	})
	return string(b)
}

// get answers login options with the JSON a browser posts, its counter one
// up.
func (k *softKey) get(t *testing.T, options string) string {
	t.Helper()
	c := parseOptions(t, options)
	k.count++
	ad := k.authData(c.PublicKey.RPID, false)
	cd := k.clientData("webauthn.get", c.PublicKey.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(slices.Clone(ad), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return k.credential(map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
	})
}

var passkeyOptions = regexp.MustCompile(`data-passkey-options="([^"]*)"`)

// options returns the passkey options a page carries, or "".
func options(body string) string {
	m := passkeyOptions.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// signInWithCode signs p in with the password and the code of their
// authenticator at now, asking for the second factor; c then holds the
// provider's MFA session.
func (h *harness) signInWithCode(t *testing.T, c *http.Client, p devidp.Person, now time.Time) {
	t.Helper()
	f := h.secondPage(t, c, h.newAuthRequest(), p)
	otp, err := totp.GenerateCode(p.TOTPSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	resp := h.postCode(t, c, f, otp)
	defer resp.Body.Close()
	h.callbackQuery(t, resp)
}

// secondPage signs p in with the password, asking for the second factor,
// and returns the page that asks for it.
func (h *harness) secondPage(t *testing.T, c *http.Client, a authRequest, p devidp.Person) loginForm {
	t.Helper()
	a.params.Set("acr_values", devidp.ACRMFA)
	f := readForm(t, h.post(t, c, h.openLogin(t, c, a), p.Email, password, nil))
	if f.status != http.StatusOK || f.fields.Get("step") != "otp" {
		t.Fatalf("after the password: status %d, no code form:\n%s", f.status, f.body)
	}
	return f
}

// passkeysPage opens the page that registers passkeys, and reads its form
// (which readForm does not know).
func (h *harness) passkeysPage(t *testing.T, c *http.Client) loginForm {
	t.Helper()
	resp, err := c.Get(h.issuer + "/passkeys")
	if err != nil {
		t.Fatal(err)
	}
	page := readForm(t, resp)
	page.action, _ = url.Parse(h.issuer + "/passkeys")
	for _, m := range hiddenField.FindAllStringSubmatch(page.body, -1) {
		page.fields.Set(m[1], m[2])
	}
	return page
}

// register registers k for the person whose MFA session c holds and returns
// the page the provider answered with.
func (h *harness) register(t *testing.T, c *http.Client, k *softKey) loginForm {
	t.Helper()
	page := h.passkeysPage(t, c)
	opts := options(page.body)
	if page.status != http.StatusOK || opts == "" {
		t.Fatalf("passkeys page: status %d, no registration options:\n%s", page.status, page.body)
	}
	return readForm(t, h.submit(t, c, page, url.Values{"credential": {k.create(t, opts)}}, nil))
}

// usePasskey answers the code page's passkey challenge with k's response
// to opts.
func (h *harness) usePasskey(t *testing.T, c *http.Client, f loginForm, assertion string) *http.Response {
	t.Helper()
	return h.submit(t, c, f, url.Values{"step": {"passkey"}, "credential": {assertion}}, nil)
}

const passkeyRefused = "That passkey was not accepted."

// checkPasskeySignIn checks that an ID token says mfaPerson signed in with
// the password and a passkey.
func checkPasskeySignIn(t *testing.T, c portalClaims) {
	t.Helper()
	if got, want := c.ACR, devidp.ACRMFA; got != want {
		t.Errorf("acr = %q, want %q", got, want)
	}
	if got, want := c.AMR, []string{"pwd", "hwk", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if got, want := c.Subject, mfaPerson.Subject(); got != want {
		t.Errorf("sub = %q, want %q", got, want)
	}
}

func TestPasskey(t *testing.T) {
	clk := &clock{now: time.Now().Truncate(time.Second)}
	h := newPasskeyHarness(t, clk.Now)
	c := h.browser(t)
	key := newSoftKey(t, h)

	t.Run("NoPageWithoutSecondFactor", func(t *testing.T) {
		page := h.passkeysPage(t, h.browser(t))
		if page.status != http.StatusForbidden || !strings.Contains(page.body, "first sign in to warrantdesk with your password and authenticator code") {
			t.Errorf("passkeys page without a sign-in: status %d:\n%s", page.status, page.body)
		}
		// The password alone (no second factor asked for) does not admit
		// either.
		pc := h.browser(t)
		resp := h.post(t, pc, h.openLogin(t, pc, h.newAuthRequest()), mfaPerson.Email, password, nil)
		h.callbackQuery(t, resp)
		resp.Body.Close()
		if page := h.passkeysPage(t, pc); page.status != http.StatusForbidden {
			t.Errorf("passkeys page after the password alone: status %d", page.status)
		}
	})

	t.Run("CodePageWithoutPasskey", func(t *testing.T) {
		f := h.secondPage(t, h.browser(t), h.newAuthRequest(), mfaPerson)
		if options(f.body) != "" || strings.Contains(f.body, "<script") {
			t.Errorf("the code page offers a passkey before one is registered:\n%s", f.body)
		}
		if !strings.Contains(f.body, `<a href="/idp/passkeys">register a passkey</a>`) {
			t.Errorf("the code page does not say where to register a passkey:\n%s", f.body)
		}
	})

	t.Run("Register", func(t *testing.T) {
		h.signInWithCode(t, c, mfaPerson, clk.Now())
		page := h.register(t, c, key)
		if page.status != http.StatusOK || !strings.Contains(page.body, "Your passkey is registered.") {
			t.Fatalf("registration: status %d:\n%s", page.status, page.body)
		}
		if !strings.Contains(page.body, "with 1 passkey registered") {
			t.Errorf("the page does not count the new passkey:\n%s", page.body)
		}
	})

	t.Run("RegisterRefused", func(t *testing.T) {
		for _, tc := range []struct {
			desc   string
			header http.Header
			edit   func(f *loginForm, k *softKey)
			want   string
		}{
			{"ErrNoUserVerification", nil, func(_ *loginForm, k *softKey) { k.noUV = true }, "could not be registered"},
			{"ErrOtherOrigin", nil, func(_ *loginForm, k *softKey) { k.origin = "http://attacker.example" }, "could not be registered"},
			{"ErrWrongToken", nil, func(f *loginForm, _ *softKey) { f.fields.Set("csrf_token", "forged") }, "first sign in"},
			{"ErrCrossSite", http.Header{"Sec-Fetch-Site": {"cross-site"}}, nil, "sent from another site"},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				page := h.passkeysPage(t, c)
				k := newSoftKey(t, h)
				if tc.edit != nil {
					tc.edit(&page, k)
				}
				got := readForm(t, h.submit(t, c, page, url.Values{"credential": {k.create(t, options(page.body))}}, tc.header))
				if !strings.Contains(got.body, tc.want) || strings.Contains(got.body, "Your passkey is registered.") {
					t.Errorf("status %d, want %q:\n%s", got.status, tc.want, got.body)
				}
			})
		}
	})

	t.Run("SignIn", func(t *testing.T) {
		a := h.newAuthRequest()
		bc := h.browser(t)
		f := h.secondPage(t, bc, a, mfaPerson)
		opts := options(f.body)
		if opts == "" || !strings.Contains(f.body, `<script src="/idp/passkey.js"></script>`) {
			t.Fatalf("the code page offers no passkey:\n%s", f.body)
		}
		if got, want := parseOptions(t, opts).PublicKey.RPID, "localhost"; got != want {
			t.Errorf("rpId = %q, want %q", got, want)
		}
		resp := h.usePasskey(t, bc, f, key.get(t, opts))
		defer resp.Body.Close()
		q := h.callbackQuery(t, resp)
		_, claims := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		checkPasskeySignIn(t, claims)
	})

	t.Run("ChallengeSingleUse", func(t *testing.T) {
		c := h.browser(t)
		a := h.newAuthRequest()
		first := h.secondPage(t, c, a, mfaPerson)
		stale := key.get(t, options(first.body))
		// The password again shows the page again, with a new challenge:
		// the first page's is void.
		second := h.secondPage(t, c, a, mfaPerson)
		got := readForm(t, h.usePasskey(t, c, second, stale))
		if !strings.Contains(got.body, passkeyRefused) {
			t.Fatalf("an earlier page's challenge was accepted: status %d:\n%s", got.status, got.body)
		}
		// Any answer uses the challenge up: after a forged signature even
		// the right answer to it is refused. Each refusal shows the page
		// with a new challenge, which the key then answers.
		opts := options(got.body)
		forged := key.get(t, opts)
		forged = strings.Replace(forged, `"signature":"`, `"signature":"AA`, 1)
		refused := readForm(t, h.usePasskey(t, c, got, forged))
		if !strings.Contains(refused.body, passkeyRefused) {
			t.Fatalf("a forged signature was accepted: status %d:\n%s", refused.status, refused.body)
		}
		again := readForm(t, h.usePasskey(t, c, got, key.get(t, opts)))
		if !strings.Contains(again.body, passkeyRefused) {
			t.Fatalf("a used challenge was accepted: status %d:\n%s", again.status, again.body)
		}
		resp := h.usePasskey(t, c, again, key.get(t, options(again.body)))
		defer resp.Body.Close()
		h.callbackQuery(t, resp)
	})

	t.Run("SignInRefused", func(t *testing.T) {
		// The other person registers a passkey of their own, so that
		// their code page issues a challenge.
		oc := h.browser(t)
		h.signInWithCode(t, oc, otherMFAPerson, clk.Now())
		theirs := newSoftKey(t, h)
		if page := h.register(t, oc, theirs); !strings.Contains(page.body, "Your passkey is registered.") {
			t.Fatalf("registration: status %d:\n%s", page.status, page.body)
		}
		for _, tc := range []struct {
			desc   string
			person devidp.Person
			answer func(t *testing.T, opts string) string
		}{
			{"ErrOtherPersonsPasskey", otherMFAPerson, func(t *testing.T, opts string) string { return key.get(t, opts) }},
			{"ErrNoUserVerification", mfaPerson, func(t *testing.T, opts string) string {
				k := *key
				k.noUV = true
				return k.get(t, opts)
			}},
			{"ErrCounterNotIncreased", mfaPerson, func(t *testing.T, opts string) string {
				k := *key
				k.count = 0 // a copy of the key with its own counter: a clone
				return k.get(t, opts)
			}},
			{"ErrOtherOrigin", mfaPerson, func(t *testing.T, opts string) string {
				k := *key
				k.origin = "http://localhost:1"
				return k.get(t, opts)
			}},
			{"ErrUnreadable", mfaPerson, func(*testing.T, string) string { return "{" }},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				c := h.browser(t)
				f := h.secondPage(t, c, h.newAuthRequest(), tc.person)
				got := readForm(t, h.usePasskey(t, c, f, tc.answer(t, options(f.body))))
				if got.status != http.StatusOK || !strings.Contains(got.body, passkeyRefused) {
					t.Errorf("status %d, want the passkey refused:\n%s", got.status, got.body)
				}
			})
		}
		// After all that the genuine key still signs in (its counter
		// moved on), and the other person's own key signs them in.
		for _, tc := range []struct {
			p devidp.Person
			k *softKey
		}{{mfaPerson, key}, {otherMFAPerson, theirs}} {
			c := h.browser(t)
			f := h.secondPage(t, c, h.newAuthRequest(), tc.p)
			resp := h.usePasskey(t, c, f, tc.k.get(t, options(f.body)))
			h.callbackQuery(t, resp)
			resp.Body.Close()
		}
	})
}

// TestPasskeysNeedHostName: at an IP address (the demo's default) no
// passkey is offered, and the page says why.
func TestPasskeysNeedHostName(t *testing.T) {
	h := newHarness(t, nil)
	c := h.browser(t)
	h.signInWithCode(t, c, mfaPerson, time.Now())
	page := h.passkeysPage(t, c)
	if page.status != http.StatusNotFound || !strings.Contains(page.body, "not at an IP address") {
		t.Errorf("passkeys page at an IP address: status %d:\n%s", page.status, page.body)
	}
	f := h.secondPage(t, c, h.newAuthRequest(), mfaPerson)
	if strings.Contains(f.body, "passkey") {
		t.Errorf("the code page mentions passkeys at an IP address:\n%s", f.body)
	}
}

// chromium finds a Chromium or Chrome binary, or skips the test; in CI
// (CI set), where .ci/run installs Debian's chromium, it fails instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium in CI: .ci/run must install it")
	}
	t.Skip("skipping: no chromium (apt-get install chromium)")
	return ""
}

// TestPasskeyChromium registers and uses a passkey in real Chromium, with
// the DevTools virtual authenticator standing in for the device's (a
// platform authenticator that verifies the person): the provider's pages,
// script and CSP, and go-webauthn's checks of what a real browser sends.
func TestPasskeyChromium(t *testing.T) {
	exe := chromium(t)
	h := newPasskeyHarness(t, nil)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(bctx, 2*time.Minute)
	defer cancelTimeout()

	// Start the browser (without a deadline: one on the first run would
	// bound the browser's whole life), then give it the authenticator.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
		t.Fatalf("enable WebAuthn: %v", err)
	}
	added, err := chromedp.Call(ctx, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
		Options: &cdpwebauthn.VirtualAuthenticatorOptions{
			Protocol:                    cdpwebauthn.AuthenticatorProtocolCtap2,
			Transport:                   cdpwebauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatalf("add a virtual authenticator: %v", err)
	}

	// run runs actions, failing the test with the page if they fail.
	run := func(t *testing.T, desc string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.OuterHTML("html"))
			t.Fatalf("%s: %v\npage:\n%s", desc, err, page)
		}
	}

	// codePage sends an auth request asking for the second factor, and
	// signs in with the password up to the code page.
	codePage := func(t *testing.T) authRequest {
		t.Helper()
		a := h.newAuthRequest()
		a.params.Set("acr_values", devidp.ACRMFA)
		run(t, "password",
			chromedp.Navigate(h.issuer+"/authorize?"+a.params.Encode()),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", mfaPerson.Email),
			chromedp.SendKeys("#password", password),
			chromedp.Click(`button[type="submit"]`),
			chromedp.WaitVisible("#otp"),
		)
		return a
	}

	// signIn runs an auth request up to the code page, then second
	// (typing the code, or using the passkey), and returns the ID token's
	// claims.
	signIn := func(t *testing.T, second ...chromedp.Action[chromedp.Void]) portalClaims {
		t.Helper()
		a := codePage(t)
		run(t, "second factor", second...)
		// The provider redirects to the portal's callback (here a 404):
		// wait for the browser to land there, across the redirects.
		for {
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if u, _ := url.Parse(loc); err == nil && u != nil && strings.HasPrefix(loc, h.redirectURI+"?") {
				_, claims := h.exchange(t, oauth2.AuthStyleInHeader, u.Query().Get("code"), a.verifier)
				return claims
			}
			if ctx.Err() != nil {
				page, _ := chromedp.Run(bctx, chromedp.OuterHTML("html"))
				t.Fatalf("the browser did not reach the portal's callback (at %s):\n%s", loc, page)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	registered := t.Run("Register", func(t *testing.T) {
		otp, err := totp.GenerateCode(mfaPerson.TOTPSecret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		claims := signIn(t, chromedp.SendKeys("#otp", otp), chromedp.Click(`button[type="submit"]`))
		if got, want := claims.AMR, []string{"pwd", "otp", "mfa"}; !slices.Equal(got, want) {
			t.Errorf("amr = %v, want %v", got, want)
		}
		run(t, "register a passkey",
			chromedp.Navigate(h.issuer+"/passkeys"),
			chromedp.WaitVisible("#passkey-form button"),
			chromedp.Click("#passkey-form button"),
			chromedp.WaitVisible(`[role="status"]`),
		)
		status, err := chromedp.Run(ctx, chromedp.Text(`[role="status"]`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(status, "Your passkey is registered.") {
			t.Errorf("after registering: %q", status)
		}
		creds, err := chromedp.Call(ctx, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: added.AuthenticatorID})
		if err != nil {
			t.Fatal(err)
		}
		if len(creds.Credentials) != 1 || creds.Credentials[0].RpID != "localhost" {
			t.Fatalf("the authenticator holds %d credentials, want one for localhost", len(creds.Credentials))
		}
	})

	if !registered {
		return
	}
	t.Run("SignIn", func(t *testing.T) {
		checkPasskeySignIn(t, signIn(t, chromedp.WaitVisible("#passkey-form button"), chromedp.Click("#passkey-form button")))
	})

	t.Run("ErrNotVerified", func(t *testing.T) {
		// An authenticator that cannot verify the person gives no
		// passkey: the page says so and the code still works.
		verified := func(v bool) {
			if _, err := chromedp.Call(ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: added.AuthenticatorID, IsUserVerified: v}); err != nil {
				t.Fatal(err)
			}
		}
		verified(false)
		defer verified(true)
		codePage(t)
		run(t, "use the passkey",
			chromedp.WaitVisible("#passkey-form button"),
			chromedp.Click("#passkey-form button"),
			chromedp.WaitVisible("[data-passkey-error]"),
		)
		msg, err := chromedp.Run(ctx, chromedp.Text("[data-passkey-error]"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, "The passkey did not answer") {
			t.Errorf("after a failed passkey: %q", msg)
		}
		run(t, "the code is still asked for", chromedp.WaitVisible("#otp"))
	})
}
