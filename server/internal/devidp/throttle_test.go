package devidp_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// What the sign-in pages say.
const (
	saysWrong  = "Wrong e-mail or password."
	saysLocked = "Too many failed sign-ins: this account is locked for 15 minutes. Try again later."
)

// lockTime is a moment past the 15-minute lock.
const lockTime = 15*time.Minute + time.Second

var loginError = regexp.MustCompile(`<p id="login-error" role="alert"><strong>([^<]*)</strong>`)

// A try is one sign-in with a password (or, with advance, first moves the
// clock on) and what it must get: 200 and the form again with saysWrong,
// 429 and saysLocked without a form, or 302 to the portal.
type try struct {
	advance         time.Duration
	email, password string
	want            int
}

// attempt posts email and password on a fresh sign-in form of browser c
// and returns the status and the error the page shows.
func (h *harness) attempt(t *testing.T, c *http.Client, email, password string) (int, string) {
	t.Helper()
	resp := h.post(t, c, h.openLogin(t, c, h.newAuthRequest()), email, password, nil)
	if resp.StatusCode == http.StatusFound {
		defer resp.Body.Close()
		if q := h.callbackQuery(t, resp); q.Get("code") == "" {
			t.Errorf("signed in, but no code for the portal: %v", q)
		}
		return resp.StatusCode, ""
	}
	f := readForm(t, resp)
	msg := ""
	if m := loginError.FindStringSubmatch(f.body); m != nil {
		msg = m[1]
	}
	if got, want := f.action != nil, f.status == http.StatusOK; got != want {
		t.Errorf("status %d: form shown = %v, want %v:\n%s", f.status, got, want, f.body)
	}
	return f.status, msg
}

// run makes the tries in order with one browser, as a person would.
func (h *harness) run(t *testing.T, clk *clock, tries []try) {
	t.Helper()
	c := h.browser(t)
	for i, tr := range tries {
		clk.Advance(tr.advance)
		status, msg := h.attempt(t, c, tr.email, tr.password)
		wantMsg := map[int]string{http.StatusOK: saysWrong, http.StatusTooManyRequests: saysLocked, http.StatusFound: ""}[tr.want]
		if status != tr.want || msg != wantMsg {
			t.Errorf("try %d (%s): status %d %q, want %d %q", i+1, tr.email, status, msg, tr.want, wantMsg)
		}
	}
}

func repeat(n int, tr try) []try {
	out := make([]try, n)
	for i := range out {
		out[i] = tr
	}
	return out
}

func TestPasswordLockout(t *testing.T) {
	const (
		officer  = "officer@agency-a.example"
		reviewer = "reviewer@provider.example"
		nobody   = "nobody@agency-a.example" // no such account
	)
	wrong := func(email string) try { return try{email: email, password: "not-the-password", want: http.StatusOK} }
	locked := func(email, pw string) try { return try{email: email, password: pw, want: http.StatusTooManyRequests} }
	right := try{email: officer, password: password, want: http.StatusFound}

	for _, tc := range []struct {
		desc  string
		tries []try
	}{
		{"FiveWrongLockEvenTheRightPassword", slices.Concat(repeat(4, wrong(officer)), []try{
			locked(officer, "not-the-password"),
			locked(officer, password),
			{advance: lockTime, email: officer, password: password, want: http.StatusFound},
		})},
		// The same answers, in the same words, for an address no one has:
		// they do not tell which accounts exist.
		{"UnknownAccountAsAKnownOne", slices.Concat(repeat(4, wrong(nobody)), []try{
			locked(nobody, "not-the-password"),
			locked(nobody, password),
			{advance: lockTime, email: nobody, password: password, want: http.StatusOK},
		})},
		{"SuccessResets", slices.Concat(
			repeat(4, wrong(officer)), []try{right},
			repeat(4, wrong(officer)), []try{right},
			repeat(4, wrong(officer)), []try{locked(officer, "not-the-password")},
		)},
		{"OneAccountHoweverWritten", slices.Concat(
			repeat(2, wrong("OFFICER@Agency-A.example")),
			repeat(2, wrong(" officer@agency-a.example ")),
			[]try{locked("Officer@agency-a.EXAMPLE", "not-the-password"), locked(officer, password)},
		)},
		{"TriesDuringTheLockDoNotExtendIt", slices.Concat(repeat(4, wrong(officer)), []try{
			locked(officer, "not-the-password"),
			{advance: 10 * time.Minute, email: officer, password: "not-the-password", want: http.StatusTooManyRequests},
			{advance: 5*time.Minute + time.Second, email: officer, password: password, want: http.StatusFound},
		})},
		{"OthersUnaffected", slices.Concat(repeat(4, wrong(officer)), []try{
			locked(officer, "not-the-password"),
			{email: reviewer, password: password, want: http.StatusFound},
			wrong(reviewer),
		})},
		// A count untouched for the lock time is forgotten: that lets no
		// more guesses through than waiting out a lock would.
		{"CountForgottenAfterTheLockTime", slices.Concat(repeat(4, wrong(officer)), []try{
			{advance: lockTime, email: officer, password: "not-the-password", want: http.StatusOK},
		}, repeat(3, wrong(officer)), []try{locked(officer, "not-the-password")})},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, clk.Now)
			h.run(t, clk, tc.tries)
		})
	}
}

// TestLockoutPasswordsAndCodes: a person's wrong passwords and wrong codes
// count together, and the right password between them does not clear the
// count; only a completed sign-in does.
func TestLockoutPasswordsAndCodes(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)
	c := h.browser(t)
	for i := range 3 {
		if status, msg := h.attempt(t, c, mfaPerson.Email, "not-the-password"); status != http.StatusOK || msg != saysWrong {
			t.Fatalf("wrong password %d: status %d %q", i+1, status, msg)
		}
	}
	wrong := "000000"
	if wrong == code(t, clk.Now()) {
		wrong = "111111"
	}
	f := readForm(t, h.postCode(t, c, h.codePage(t, c, h.newAuthRequest()), wrong))
	if f.status != http.StatusOK || f.action == nil {
		t.Fatalf("fourth failure, a wrong code: status %d:\n%s", f.status, f.body)
	}
	f = readForm(t, h.postCode(t, c, f, wrong))
	if got, want := f.status, http.StatusTooManyRequests; got != want {
		t.Errorf("fifth failure, a wrong code: status = %d, want %d", got, want)
	}
	if status, msg := h.attempt(t, c, mfaPerson.Email, password); status != http.StatusTooManyRequests || msg != saysLocked {
		t.Errorf("right password while locked: status %d %q, want 429 %q", status, msg, saysLocked)
	}

	// After the lock a completed sign-in clears the count: four more
	// failures do not lock.
	clk.Advance(lockTime)
	resp := h.postCode(t, c, h.codePage(t, c, h.newAuthRequest()), code(t, clk.Now()))
	resp.Body.Close()
	h.callbackQuery(t, resp)
	for i := range 4 {
		if status, msg := h.attempt(t, c, mfaPerson.Email, "not-the-password"); status != http.StatusOK || msg != saysWrong {
			t.Fatalf("wrong password %d after a sign-in: status %d %q", i+1, status, msg)
		}
	}
	clk.Advance(time.Minute) // the next TOTP step: a code is accepted once
	resp = h.postCode(t, c, h.codePage(t, c, h.newAuthRequest()), code(t, clk.Now()))
	resp.Body.Close()
	h.callbackQuery(t, resp)
}

// TestAddressBudget: one address gets 20 wrong sign-ins, whichever
// accounts they are for, then one every 3 seconds; the refusals say when
// to try again, and other addresses are not affected.
func TestAddressBudget(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)
	c := h.browser(t)
	for i := range 20 {
		if status, _ := h.attempt(t, c, fmt.Sprintf("sprayed-%d@agency-a.example", i), "not-the-password"); status != http.StatusOK {
			t.Fatalf("wrong sign-in %d: status %d, want 200", i+1, status)
		}
	}
	spent := func(desc string) {
		t.Helper()
		resp := h.post(t, c, h.openLogin(t, c, h.newAuthRequest()), "reviewer@provider.example", password, nil)
		retry := resp.Header.Get("Retry-After")
		f := readForm(t, resp)
		if got, want := f.status, http.StatusTooManyRequests; got != want {
			t.Fatalf("%s: status = %d, want %d:\n%s", desc, got, want, f.body)
		}
		if got, want := retry, "3"; got != want {
			t.Errorf("%s: Retry-After = %q, want %q", desc, got, want)
		}
		m := loginError.FindStringSubmatch(f.body)
		if want := "Too many failed sign-ins from your network address. Try again in 3 seconds."; m == nil || m[1] != want {
			t.Errorf("%s: page does not say %q:\n%s", desc, want, f.body)
		}
		if f.action != nil {
			t.Errorf("%s: the form is shown", desc)
		}
	}
	spent("21st, even with the right password")

	if other, err := otherAddressBrowser(t, h); err != nil {
		t.Logf("no second loopback address to test from: %v", err)
	} else {
		resp := h.post(t, other, h.openLogin(t, other, h.newAuthRequest()), "reviewer@provider.example", password, nil)
		defer resp.Body.Close()
		h.callbackQuery(t, resp)
	}

	clk.Advance(3 * time.Second)
	if status, _ := h.attempt(t, c, "sprayed-20@agency-a.example", "not-the-password"); status != http.StatusOK {
		t.Errorf("3 seconds later: status %d, want 200", status)
	}
	spent("right after it")
	clk.Advance(3 * time.Second)
	resp := h.post(t, c, h.openLogin(t, c, h.newAuthRequest()), "reviewer@provider.example", password, nil)
	defer resp.Body.Close()
	h.callbackQuery(t, resp)
}

// otherAddressBrowser returns a browser that connects from 127.0.0.2, where
// the system has that loopback address (Linux has all of 127/8).
func otherAddressBrowser(t *testing.T, h *harness) (*http.Client, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		return nil, err
	}
	ln.Close()
	c := h.browser(t)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	c.Transport = &http.Transport{DialContext: d.DialContext}
	return c, nil
}

// TestClientSecretLockout: wrong client secrets count per client and per
// address they come from, so that whoever sends them locks out only
// themselves.
func TestClientSecretLockout(t *testing.T) {
	const (
		agencyA = "agency-a-cms"
		agencyB = "agency-b-cms"
		nobody  = "nobody-cms" // no such client
	)
	secrets := map[string]string{agencyA: "agency-a-secret", agencyB: "agency-b-secret", nobody: "agency-a-secret"}
	// A step asks for a client-credentials token, with the right secret or
	// not, from the test's address or (elsewhere) from 127.0.0.2, and must
	// get one (ok) or invalid_client.
	type step struct {
		advance   time.Duration
		id        string
		right     bool
		ok        bool
		elsewhere bool
	}
	wrong := step{id: agencyA}
	refused := step{id: agencyA, right: true}
	granted := step{id: agencyA, right: true, ok: true}
	wrongElsewhere := step{id: agencyA, elsewhere: true}
	for _, tc := range []struct {
		desc  string
		steps []step
	}{
		{"FiveWrongLockEvenTheRightSecret", []step{
			wrong, wrong, wrong, wrong, wrong, refused, refused,
			{advance: lockTime, id: agencyA, right: true, ok: true},
		}},
		{"UnknownClientAsAKnownOne", []step{
			{id: nobody}, {id: nobody}, {id: nobody}, {id: nobody}, {id: nobody}, {id: nobody, right: true},
			{advance: lockTime, id: nobody, right: true},
		}},
		{"SuccessResets", []step{
			wrong, wrong, wrong, wrong, granted, wrong, wrong, wrong, wrong, granted,
		}},
		{"OthersUnaffected", []step{
			wrong, wrong, wrong, wrong, wrong, refused, {id: agencyB, right: true, ok: true},
		}},
		// Someone else sending wrong secrets in the system's name locks
		// their own address, not the system's.
		{"OtherAddressesUnaffected", []step{
			wrongElsewhere, wrongElsewhere, wrongElsewhere, wrongElsewhere, wrongElsewhere,
			{id: agencyA, right: true, elsewhere: true},
			granted, wrong, wrong, wrong, wrong, granted,
			{id: agencyA, right: true, elsewhere: true},
		}},
		// The counts of two addresses are apart: four wrong from each
		// lock neither.
		{"CountsApart", []step{
			wrong, wrong, wrong, wrong, wrongElsewhere, wrongElsewhere, wrongElsewhere, wrongElsewhere,
			granted, {id: agencyA, right: true, ok: true, elsewhere: true},
		}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, clk.Now)
			ctx := context.Background()
			var elsewhere context.Context
			if slices.ContainsFunc(tc.steps, func(s step) bool { return s.elsewhere }) {
				c, err := otherAddressBrowser(t, h)
				if err != nil {
					t.Skipf("no second loopback address to test from: %v", err)
				}
				elsewhere = context.WithValue(ctx, oauth2.HTTPClient, c)
			}
			for i, s := range tc.steps {
				clk.Advance(s.advance)
				secret := "not-the-secret"
				if s.right {
					secret = secrets[s.id]
				}
				from := ctx
				if s.elsewhere {
					from = elsewhere
				}
				// One style: with auto-detection the library would send
				// a refused secret twice, once in each.
				cfg := clientcredentials.Config{ClientID: s.id, ClientSecret: secret, TokenURL: h.issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}
				_, err := cfg.Token(from)
				if s.ok && err != nil {
					t.Errorf("step %d (%s, elsewhere %v): %v, want a token", i+1, s.id, s.elsewhere, err)
				}
				if got := retrieveErrorCode(err); !s.ok && got != "invalid_client" {
					t.Errorf("step %d (%s, elsewhere %v): error %v, want invalid_client", i+1, s.id, s.elsewhere, err)
				}
			}
		})
	}
}

// TestPortalSecretLockout: the portal's code exchange is throttled the same
// way, with the client's count kept apart from the people's; wrong secrets
// in the portal's name from another address do not stop its sign-ins.
func TestPortalSecretLockout(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newHarness(t, clk.Now)
	exchange := func(code, verifier, secret string) error {
		cfg := h.oauth2Config(t, oauth2.AuthStyleInHeader)
		cfg.ClientSecret = secret
		_, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
		return err
	}
	if other, err := otherAddressBrowser(t, h); err != nil {
		t.Logf("no second loopback address to test from: %v", err)
	} else {
		// Anyone may ask for a token in the portal's name.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, other)
		cfg := clientcredentials.Config{ClientID: devidp.PortalClientID, ClientSecret: "not-the-secret", TokenURL: h.issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}
		for i := range 6 {
			if _, err := cfg.Token(ctx); retrieveErrorCode(err) != "invalid_client" {
				t.Fatalf("wrong secret %d from elsewhere: %v, want invalid_client", i+1, err)
			}
		}
		a := h.newAuthRequest()
		q := h.signIn(t, a, "reviewer@provider.example", password)
		if err := exchange(q.Get("code"), a.verifier, portalSecret); err != nil {
			t.Errorf("the portal's exchange after wrong secrets from elsewhere: %v", err)
		}
	}
	a := h.newAuthRequest()
	q := h.signIn(t, a, "reviewer@provider.example", password)
	for i := range 5 {
		if err := exchange(q.Get("code"), a.verifier, "not-the-secret"); retrieveErrorCode(err) != "invalid_client" {
			t.Fatalf("wrong secret %d: %v, want invalid_client", i+1, err)
		}
	}
	if err := exchange(q.Get("code"), a.verifier, portalSecret); retrieveErrorCode(err) != "invalid_client" {
		t.Errorf("right secret while locked: %v, want invalid_client", err)
	}
	clk.Advance(lockTime) // the code has expired meanwhile
	a = h.newAuthRequest()
	q = h.signIn(t, a, "reviewer@provider.example", password)
	if err := exchange(q.Get("code"), a.verifier, portalSecret); err != nil {
		t.Errorf("after the lock: %v", err)
	}
}
