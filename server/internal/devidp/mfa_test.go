package devidp_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// code is the TOTP code of mfaPerson's authenticator at t.
func code(t *testing.T, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(mfaPerson.TOTPSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// postCode submits the second page's form with a code.
func (h *harness) postCode(t *testing.T, c *http.Client, f loginForm, otp string) *http.Response {
	t.Helper()
	return h.submit(t, c, f, url.Values{"otp": {otp}}, nil)
}

// codePage signs in with mfaPerson's password and returns the page that asks
// for the code. The client asks for the second factor (acr_values), as the
// portal's step-up does: without it the password alone signs in.
func (h *harness) codePage(t *testing.T, c *http.Client, a authRequest) loginForm {
	t.Helper()
	a.params.Set("acr_values", devidp.ACRMFA)
	f := readForm(t, h.post(t, c, h.openLogin(t, c, a), mfaPerson.Email, password, nil))
	if f.status != http.StatusOK || f.action == nil || f.fields.Get("step") != "otp" {
		t.Fatalf("after the password: status %d, no code form:\n%s", f.status, f.body)
	}
	return f
}

func TestMFASignIn(t *testing.T) {
	clk := &clock{now: time.Now().Truncate(time.Second)}
	h := newHarness(t, clk.Now)

	t.Run("PasswordAlone", func(t *testing.T) {
		a := h.newAuthRequest()
		q := h.signIn(t, a, "reviewer@provider.example", password)
		_, c := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		if got, want := c.AMR, []string{"pwd"}; !slices.Equal(got, want) {
			t.Errorf("amr = %v, want %v", got, want)
		}
		if got, want := c.ACR, devidp.ACRPassword; got != want {
			t.Errorf("acr = %q, want %q", got, want)
		}
		if got, want := c.AuthTime, clk.Now().Unix(); got != want {
			t.Errorf("auth_time = %d, want %d", got, want)
		}
	})

	t.Run("PasswordAndCode", func(t *testing.T) {
		c := h.browser(t)
		a := h.newAuthRequest()
		f := h.codePage(t, c, a)
		for _, want := range []string{
			`<label for="otp">6-digit code</label>`,
			`<input id="otp" name="otp" type="text" inputmode="numeric"`,
			`autocomplete="one-time-code"`,
		} {
			if !strings.Contains(f.body, want) {
				t.Errorf("code page lacks %s:\n%s", want, f.body)
			}
		}
		if strings.Contains(f.body, "<script") {
			t.Error("code page has a script")
		}
		resp := h.postCode(t, c, f, code(t, clk.Now()))
		defer resp.Body.Close()
		q := h.callbackQuery(t, resp)
		_, claims := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		if got, want := claims.AMR, []string{"pwd", "otp", "mfa"}; !slices.Equal(got, want) {
			t.Errorf("amr = %v, want %v", got, want)
		}
		if got, want := claims.ACR, devidp.ACRMFA; got != want {
			t.Errorf("acr = %q, want %q", got, want)
		}
		if got, want := claims.AuthTime, clk.Now().Unix(); got != want {
			t.Errorf("auth_time = %d, want %d", got, want)
		}
		if got, want := claims.Subject, mfaPerson.Subject(); got != want {
			t.Errorf("sub = %q, want %q", got, want)
		}
	})

	t.Run("CodeNotReplayable", func(t *testing.T) {
		// The code just used (this step's) is refused a second time; the
		// next step's is accepted.
		c := h.browser(t)
		f := readForm(t, h.postCode(t, c, h.codePage(t, c, h.newAuthRequest()), code(t, clk.Now())))
		if !strings.Contains(f.body, "That code is not right.") {
			t.Fatalf("a replayed code was not refused:\n%s", f.body)
		}
		resp := h.postCode(t, c, f, code(t, clk.Now().Add(30*time.Second)))
		defer resp.Body.Close()
		h.callbackQuery(t, resp)
	})

	t.Run("NoCodeNoSignIn", func(t *testing.T) {
		// The password alone never reaches the portal, nor does an empty
		// code or a forged step.
		c := h.browser(t)
		f := h.codePage(t, c, h.newAuthRequest())
		page := readForm(t, h.postCode(t, c, f, ""))
		if page.status != http.StatusOK || !strings.Contains(page.body, `aria-describedby="otp-error"`) {
			t.Errorf("empty code: status %d, no error beside the field:\n%s", page.status, page.body)
		}
	})
}

func TestMFAWrongCode(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)
	c := h.browser(t)
	f := h.codePage(t, c, h.newAuthRequest())
	wrong := "000000"
	if wrong == code(t, clk.Now()) {
		wrong = "111111"
	}
	f = readForm(t, h.postCode(t, c, f, wrong))
	if got, want := f.status, http.StatusOK; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	for _, want := range []string{
		`aria-invalid="true" aria-describedby="otp-error"`,
		`<strong id="otp-error">That code is not right.`,
		"<title>Error: ",
	} {
		if !strings.Contains(f.body, want) {
			t.Errorf("page lacks %s:\n%s", want, f.body)
		}
	}
	// The right code still works on the same form.
	resp := h.postCode(t, c, f, code(t, clk.Now()))
	defer resp.Body.Close()
	if q := h.callbackQuery(t, resp); q.Get("code") == "" {
		t.Errorf("no code after the right TOTP code: %v", q)
	}
}

func TestMFALockout(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)
	c := h.browser(t)
	right := code(t, clk.Now())
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	f := h.codePage(t, c, h.newAuthRequest())
	for i := 1; i < 5; i++ {
		f = readForm(t, h.postCode(t, c, f, wrong))
		if f.status != http.StatusOK || f.action == nil {
			t.Fatalf("wrong code %d: status %d, form gone:\n%s", i, f.status, f.body)
		}
	}
	locked := readForm(t, h.postCode(t, c, f, wrong))
	if got, want := locked.status, http.StatusTooManyRequests; got != want {
		t.Errorf("fifth wrong code: status = %d, want %d", got, want)
	}
	if !strings.Contains(locked.body, "locked") || locked.action != nil {
		t.Errorf("fifth wrong code: the account is not locked:\n%s", locked.body)
	}

	// Locked for the account, not the auth request: a fresh sign-in with
	// the right password stops at the lock, and the right code is refused.
	page := readForm(t, h.post(t, c, h.openLogin(t, c, h.newAuthRequest()), mfaPerson.Email, password, nil))
	if page.status != http.StatusTooManyRequests || page.action != nil {
		t.Errorf("while locked: status %d:\n%s", page.status, page.body)
	}

	// Others are not affected.
	h.signIn(t, h.newAuthRequest(), "reviewer@provider.example", password)

	clk.Advance(15*time.Minute + time.Second)
	f = h.codePage(t, c, h.newAuthRequest())
	resp := h.postCode(t, c, f, code(t, clk.Now()))
	defer resp.Body.Close()
	h.callbackQuery(t, resp)
}

func TestACRValues(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)

	t.Run("UnmetWithoutSecondFactor", func(t *testing.T) {
		a := h.newAuthRequest()
		a.params.Set("acr_values", devidp.ACRMFA)
		q := h.signIn(t, a, "reviewer@provider.example", password)
		if got, want := q.Get("error"), "unmet_authentication_requirements"; got != want {
			t.Errorf("error = %q, want %q (%v)", got, want, q)
		}
		if got, want := q.Get("state"), a.state; got != want {
			t.Errorf("state = %q, want %q", got, want)
		}
		if q.Get("code") != "" {
			t.Error("got a code")
		}
	})

	t.Run("MetWithSecondFactor", func(t *testing.T) {
		c := h.browser(t)
		a := h.newAuthRequest()
		a.params.Set("acr_values", devidp.ACRMFA)
		resp := h.postCode(t, c, h.codePage(t, c, a), code(t, clk.Now()))
		defer resp.Body.Close()
		q := h.callbackQuery(t, resp)
		_, claims := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		if got, want := claims.ACR, devidp.ACRMFA; got != want {
			t.Errorf("acr = %q, want %q", got, want)
		}
	})

	t.Run("PasswordAccepted", func(t *testing.T) {
		// Either class will do: the password alone is enough.
		a := h.newAuthRequest()
		a.params.Set("acr_values", devidp.ACRMFA+" "+devidp.ACRPassword)
		q := h.signIn(t, a, "reviewer@provider.example", password)
		_, claims := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		if got, want := claims.ACR, devidp.ACRPassword; got != want {
			t.Errorf("acr = %q, want %q", got, want)
		}
	})
}

// TestMaxAge: the provider keeps no sessions, so max_age (even 0) always
// gets a fresh authentication, with auth_time the moment of it.
func TestMaxAge(t *testing.T) {
	clk := &clock{now: time.Now().Truncate(time.Second)}
	h := newHarness(t, clk.Now)
	for i := range 2 {
		a := h.newAuthRequest()
		a.params.Set("max_age", "0")
		q := h.signIn(t, a, "reviewer@provider.example", password)
		_, claims := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		if got, want := claims.AuthTime, clk.Now().Unix(); got != want {
			t.Errorf("sign-in %d: auth_time = %d, want %d", i, got, want)
		}
		clk.Advance(time.Minute)
	}
}

func TestNewRefusesBadTOTPSecret(t *testing.T) {
	bad := mfaPerson
	bad.TOTPSecret = "not base32!"
	_, err := devidp.New(devidp.Config{
		Issuer: "http://127.0.0.1:8080/idp", PortalClientSecret: "s", PortalRedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
		People: []devidp.Person{bad}, Password: password,
	})
	if err == nil || !strings.Contains(err.Error(), bad.Email) {
		t.Errorf("New = %v, want an error naming %s", err, bad.Email)
	}
}
