package identity_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// A twoIssuers is the portal trusting two OpenID Providers at once: A, the
// fixture's devidp in this process, and B, a devidp in a process of its own
// (startProcessIDP) with its own port, keys and clock. Riverside PD signs
// in at both (as two agencies), and the provider's staff at both.
type twoIssuers struct {
	*fixture
	b    *processIDP
	cfgB config.Issuer
	clk  *demo.Clock
	svc  *identity.Service // trusts A and B, on clk
	// backChannel is the portal's back-channel logout URI, served as the
	// web layer does: 200 when done, 400 when the token is refused.
	backChannel string
}

func newTwoIssuers(t *testing.T) *twoIssuers {
	t.Helper()
	f := newFixture(t)
	b := startProcessIDP(t, f.srv.URL, portalSecret)
	s := &twoIssuers{fixture: f, b: b, clk: newClock()}
	s.cfgB = config.Issuer{
		URL: b.issuer, ClientID: devidp.PortalClientID, ClientSecret: portalSecret, APIAudience: devidp.APIAudience,
		Provider: true, ProviderOrg: demo.ProviderOrg, OrgClaim: "org", RoleClaim: "roles",
	}
	riverside := demo.Agencies[0]
	if err := agency.Create(f.ctx, f.db.DB, &agency.Agency{Name: riverside.Name + " (second issuer)", Country: riverside.Country,
		Kind: riverside.Kind, Issuer: b.issuer, IssuerOrg: riverside.Org}); err != nil {
		t.Fatalf("register riverside-pd at the second issuer: %v", err)
	}
	s.svc = s.replica(s.clk, s.cfgB)
	bc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.svc.BackChannelLogout(r.Context(), r.PostFormValue("logout_token"))
		switch {
		case err == nil:
		case errs.CodeOf(err) == errs.Invalid:
			http.Error(w, errs.Message(err), http.StatusBadRequest)
		default:
			t.Logf("back-channel logout: %v", err)
			http.Error(w, errs.Message(err), http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(bc.Close)
	s.backChannel = bc.URL + identity.BackChannelLogoutPath
	return s
}

// replica is one portal process trusting A and b (B as configured) on clk.
func (s *twoIssuers) replica(clk *demo.Clock, b config.Issuer) *identity.Service {
	s.t.Helper()
	svc, err := identity.New(s.db.DB, identity.Config{
		Issuers: []config.Issuer{s.cfg, b}, BaseURL: s.srv.URL, HTTPClient: s.srv.Client(), Now: clk.Now,
	})
	if err != nil {
		s.t.Fatalf("identity.New: %v", err)
	}
	return svc
}

// systemClaims are the claims of riverside-pd-cms's access token from
// issuer iss, valid for an hour of real time.
func systemClaims(t *testing.T, iss string, edit func(map[string]any)) map[string]any {
	t.Helper()
	rc := clientByID(t, "riverside-pd-cms")
	now := time.Now()
	c := map[string]any{
		"iss": iss, "sub": rc.ID, "aud": []string{devidp.APIAudience}, "client_id": rc.ID,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "org": rc.Org, "roles": rc.Roles,
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// idClaimsAt are the claims of a valid ID token for p from issuer iss
// after a sign-in with nonce and a second factor.
func (s *twoIssuers) idClaimsAt(iss string, p devidp.Person, nonce string, edit func(map[string]any)) map[string]any {
	c := s.idClaims(p, nonce)
	c["iss"], c["acr"], c["amr"] = iss, devidp.ACRMFA, []string{"pwd", "otp", "mfa"}
	if edit != nil {
		edit(c)
	}
	return c
}

// unsigned is claims as a token with alg none.
func unsigned(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// A written is what a refusal must not add to: people and sessions.
type written struct{ people, sessions int64 }

func (s *twoIssuers) written() written {
	return written{s.count("people", ""), s.count("sessions", "")}
}

// wantRefused checks a refusal: Unauthenticated, with a message naming the
// second factor exactly when mfa, audited as a failed action with reason
// attributed to issuer, and no person or session written since before.
func (s *twoIssuers) wantRefused(t *testing.T, err error, before written, action, reason, issuer string, mfa bool) {
	t.Helper()
	wantCode(t, err, errs.Unauthenticated)
	if msg := errs.Message(err); mfa != strings.Contains(msg, "second factor") {
		t.Errorf("message %q names the second factor: %t, want %t", msg, !mfa, mfa)
	}
	ev := s.lastEvent()
	if ev.Action != action || ev.Outcome != audit.OutcomeFailure || !strings.Contains(ev.Details, `"reason":"`+reason+`"`) {
		t.Errorf("audit event %s %s %s, want a failed %s with reason %s", ev.Action, ev.Outcome, ev.Details, action, reason)
	}
	if ev.Actor.Issuer != issuer {
		t.Errorf("failure attributed to issuer %q, want %q", ev.Actor.Issuer, issuer)
	}
	if got := s.written(); got != before {
		t.Errorf("people and sessions = %+v, want %+v: a refusal wrote them", got, before)
	}
}

// TestNegativeSuite is the portal's refusals against two providers, one
// of them a separate process: every token or callback below must be refused
// with its exact reason, audited as such, and leave no session and no
// person behind.
func TestNegativeSuite(t *testing.T) {
	s := newTwoIssuers(t)
	a, b := s.issuer, s.b.issuer
	officer := demoPerson(t, "officer@riverside-pd.example")
	now := time.Now()

	// The crafted tokens verify when nothing is wrong with them, at both
	// issuers, so each refusal below is for the one thing changed.
	t.Run("controls", func(t *testing.T) {
		mustVerify(t, s.svc, s.sign(systemClaims(t, a, nil)), "A's system token")
		mustVerify(t, s.svc, s.b.sign(systemClaims(t, b, nil), "", ""), "B's system token")
		mustVerify(t, s.svc, s.b.sign(systemClaims(t, b, func(c map[string]any) { c["nbf"] = now.Add(2 * time.Minute).Unix() }), "", ""),
			"B's system token valid two minutes from now, within the clock skew")
		for _, iss := range []string{a, b} {
			sign := s.sign
			if iss == b {
				sign = func(c map[string]any) string { return s.b.sign(c, "", "") }
			}
			if _, err := s.svc.FinishLogin(s.ctx, iss, sign(s.idClaimsAt(iss, officer, "n", nil)), "n"); err != nil {
				t.Fatalf("ID token from %s: %v", iss, err)
			}
		}
		// The callback's iss parameter, when it names the issuer the
		// sign-in began at or is absent (B does not announce it), passes.
		for _, iss := range []string{b, ""} {
			authURL, state, err := s.svc.BeginLogin(s.ctx, b, "/")
			if err != nil {
				t.Fatal(err)
			}
			q := s.authorize(authURL, officer.Email)
			if _, err := s.svc.CompleteCallback(s.ctx, state, q.Get("state"), q.Get("code"), "", iss); err != nil {
				t.Fatalf("callback from B with iss %q: %v", iss, err)
			}
		}
		if err := s.db.Exec("DELETE FROM sessions").Error; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("bearer", func(t *testing.T) {
		signB := func(edit func(map[string]any)) string { return s.b.sign(systemClaims(t, b, edit), "", "") }
		for _, tc := range []struct {
			desc, token, reason string
			issuer              string // to whom the refusal is attributed
		}{
			{desc: "wrong issuer: B's key, an untrusted issuer", token: s.b.sign(systemClaims(t, "https://idp.attacker.example", nil), "", ""),
				reason: identity.ReasonUnknownIssuer},
			{desc: "wrong issuer: B's with a trailing slash", token: s.b.sign(systemClaims(t, b+"/", nil), "", ""),
				reason: identity.ReasonUnknownIssuer},
			{desc: "issuer mix-up: signed by B, claiming A", token: s.b.sign(systemClaims(t, a, nil), "", ""),
				reason: identity.ReasonBadSignature, issuer: a},
			{desc: "issuer mix-up: signed by A, claiming B", token: s.sign(systemClaims(t, b, nil)),
				reason: identity.ReasonBadSignature, issuer: b},
			{desc: "wrong audience: another API", token: signB(func(c map[string]any) { c["aud"] = []string{"another-api"} }),
				reason: identity.ReasonWrongAudience, issuer: b},
			{desc: "wrong audience: the sign-in client", token: signB(func(c map[string]any) { c["aud"] = []string{devidp.PortalClientID} }),
				reason: identity.ReasonWrongAudience, issuer: b},
			{desc: "alg none at A", token: unsigned(systemClaims(t, a, nil)), reason: identity.ReasonBadSignature, issuer: a},
			{desc: "alg none at B", token: s.b.sign(systemClaims(t, b, nil), "none", ""), reason: identity.ReasonBadSignature, issuer: b},
			{desc: "HS256 keyed with B's public key (PEM)", token: s.b.sign(systemClaims(t, b, nil), "HS256-PEM", ""),
				reason: identity.ReasonBadSignature, issuer: b},
			{desc: "HS256 keyed with B's public key (DER)", token: s.b.sign(systemClaims(t, b, nil), "HS256-DER", ""),
				reason: identity.ReasonBadSignature, issuer: b},
			{desc: "unknown kid", token: s.b.sign(systemClaims(t, b, nil), "", "forged-kid"), reason: identity.ReasonBadSignature, issuer: b},
			{desc: "expired", token: signB(func(c map[string]any) {
				c["exp"], c["iat"] = now.Add(-time.Minute).Unix(), now.Add(-16*time.Minute).Unix()
			}), reason: identity.ReasonExpired, issuer: b},
			{desc: "not yet valid: nbf beyond the skew", token: signB(func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }),
				reason: identity.ReasonNotYetValid, issuer: b},
			{desc: "not yet valid: issued in the future", token: signB(func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() }),
				reason: identity.ReasonNotYetValid, issuer: b},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				before := s.written()
				p, err := s.svc.VerifyBearer(s.ctx, tc.token)
				if p != nil {
					t.Errorf("got a principal %+v", p)
				}
				s.wantRefused(t, err, before, "auth.token", tc.reason, tc.issuer, false)
			})
		}
	})

	// ID tokens as if a token endpoint had returned them to a sign-in
	// begun at issuer, with nonce "n" stored.
	t.Run("ID token", func(t *testing.T) {
		strict := s.cfgB
		strict.ACRValues, strict.AMRRequired = []string{devidp.ACRMFA}, []string{"mfa"}
		strictSvc := s.replica(s.clk, strict)
		signB := func(edit func(map[string]any)) string { return s.b.sign(s.idClaimsAt(b, officer, "n", edit), "", "") }
		for _, tc := range []struct {
			desc, issuer, token, reason string
			svc                         *identity.Service // default s.svc
			mfa                         bool              // refused for want of a second factor
			stepUp                      bool              // the callback of a step-up begun now
		}{
			{desc: "nonce mismatch", issuer: b, token: signB(func(c map[string]any) { c["nonce"] = "another-nonce" }), reason: "nonce_mismatch"},
			{desc: "no nonce", issuer: b, token: signB(func(c map[string]any) { delete(c, "nonce") }), reason: "missing_nonce"},
			{desc: "issuer mix-up: B's ID token in a sign-in begun at A", issuer: a, token: signB(nil), reason: "id_token_invalid"},
			{desc: "issuer mix-up: A's ID token in a sign-in begun at B", issuer: b, token: s.sign(s.idClaimsAt(a, officer, "n", nil)),
				reason: "id_token_invalid"},
			{desc: "issuer mix-up: signed by A, claiming B", issuer: b, token: s.sign(s.idClaimsAt(b, officer, "n", nil)),
				reason: "id_token_invalid"},
			{desc: "wrong audience", issuer: b, token: signB(func(c map[string]any) { c["aud"], c["azp"] = []string{"another-client"}, "another-client" }),
				reason: "id_token_invalid"},
			{desc: "alg none", issuer: b, token: s.b.sign(s.idClaimsAt(b, officer, "n", nil), "none", ""), reason: "id_token_invalid"},
			{desc: "HS256 keyed with B's public key", issuer: b, token: s.b.sign(s.idClaimsAt(b, officer, "n", nil), "HS256-PEM", ""),
				reason: "id_token_invalid"},
			{desc: "expired", issuer: b, token: signB(func(c map[string]any) {
				c["exp"], c["iat"] = now.Add(-time.Second).Unix(), now.Add(-15*time.Minute).Unix()
			}), reason: "id_token_invalid"},
			{desc: "not yet valid: nbf beyond the skew", issuer: b, token: signB(func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }),
				reason: "id_token_invalid"},
			{desc: "not yet valid: issued in the future", issuer: b, token: signB(func(c map[string]any) {
				c["iat"], c["exp"] = now.Add(10*time.Minute).Unix(), now.Add(20*time.Minute).Unix()
			}), reason: identity.ReasonNotYetValid},
			{desc: "missing MFA: password only", issuer: b, svc: strictSvc, mfa: true, reason: "mfa_required",
				token: signB(func(c map[string]any) { c["acr"], c["amr"] = devidp.ACRPassword, []string{"pwd"} })},
			{desc: "missing MFA: no acr or amr", issuer: b, svc: strictSvc, mfa: true, reason: "mfa_required",
				token: signB(func(c map[string]any) { delete(c, "acr"); delete(c, "amr") })},
			{desc: "step-up: password only", issuer: b, stepUp: true, mfa: true, reason: identity.ReasonMFARequired,
				token: signB(func(c map[string]any) {
					c["acr"], c["amr"], c["auth_time"] = devidp.ACRPassword, []string{"pwd"}, now.Unix()
				})},
			{desc: "step-up: stale auth_time", issuer: b, stepUp: true, reason: identity.ReasonStaleAuthTime,
				token: signB(func(c map[string]any) { c["auth_time"] = now.Add(-10 * time.Minute).Unix() })},
			{desc: "step-up: no auth_time", issuer: b, stepUp: true, reason: identity.ReasonStaleAuthTime, token: signB(nil)},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				svc := tc.svc
				if svc == nil {
					svc = s.svc
				}
				before := s.written()
				var err error
				if tc.stepUp {
					_, err = svc.FinishStepUp(s.ctx, tc.issuer, tc.token, "n", now)
				} else {
					_, err = svc.FinishLogin(s.ctx, tc.issuer, tc.token, "n")
				}
				s.wantRefused(t, err, before, "auth.login", tc.reason, tc.issuer, tc.mfa)
			})
		}
	})

	// Whole sign-ins through a browser at the providers, with the callback
	// tampered with as an attacker could.
	t.Run("callback", func(t *testing.T) {
		const email = "officer@riverside-pd.example"
		begin := func(t *testing.T, svc *identity.Service, issuer string) string {
			t.Helper()
			_, state, err := svc.BeginLogin(s.ctx, issuer, "/")
			if err != nil {
				t.Fatalf("BeginLogin at %s: %v", issuer, err)
			}
			return state
		}
		authorize := func(t *testing.T, svc *identity.Service, issuer, email string) (string, url.Values) {
			t.Helper()
			authURL, state, err := svc.BeginLogin(s.ctx, issuer, "/")
			if err != nil {
				t.Fatalf("BeginLogin at %s: %v", issuer, err)
			}
			return state, s.authorize(authURL, email)
		}
		tamper := func(t *testing.T, state, column, value string) {
			t.Helper()
			res := s.db.Exec("UPDATE login_states SET "+column+" = ? WHERE state_hash = ?", value, identity.HashToken(state))
			if res.Error != nil || res.RowsAffected != 1 {
				t.Fatalf("tamper %s: %v (%d rows)", column, res.Error, res.RowsAffected)
			}
		}
		// signedInOnce signs the officer in at B and out again, and
		// returns the callback's query, with the browser's state cookie
		// as cookie_state, for a replay.
		signedInOnce := func(t *testing.T) url.Values {
			t.Helper()
			state, q := authorize(t, s.svc, b, email)
			login, err := s.svc.CompleteLogin(s.ctx, state, q.Get("state"), q.Get("code"), "")
			if err != nil {
				t.Fatalf("first use of the callback: %v", err)
			}
			if _, err := s.svc.Logout(s.ctx, login.Token, login.Principal); err != nil {
				t.Fatal(err)
			}
			q.Set("cookie_state", state)
			return q
		}
		strict := s.cfgB
		strict.ACRValues, strict.AMRRequired = []string{devidp.ACRMFA}, []string{"mfa"}
		strictSvc := s.replica(s.clk, strict)
		// A third provider, also a process, that announces the iss
		// parameter (RFC 9207) but does not send it.
		announcing := startProcessIDP(t, s.srv.URL, portalSecret, envProcessIDPAnnounceIss+"=1")
		announcingCfg := s.cfgB
		announcingCfg.URL = announcing.issuer
		announcingSvc := s.replica(s.clk, announcingCfg)
		for _, tc := range []struct {
			desc, reason string
			issuer       string // to whom the refusal is attributed ("" before the state is known)
			mfa          bool
			run          func(t *testing.T) error
		}{
			{desc: "state mismatch (login CSRF)", reason: "state_mismatch", run: func(t *testing.T) error {
				mine := begin(t, s.svc, b)
				_, theirs := authorize(t, s.svc, b, email)
				_, err := s.svc.CompleteLogin(s.ctx, mine, theirs.Get("state"), theirs.Get("code"), "")
				return err
			}},
			{desc: "PKCE verifier mismatch", reason: "code_exchange", issuer: b, run: func(t *testing.T) error {
				state, q := authorize(t, s.svc, b, email)
				tamper(t, state, "code_verifier", "a-verifier-for-another-challenge-0123456789abcdef")
				_, err := s.svc.CompleteLogin(s.ctx, state, q.Get("state"), q.Get("code"), "")
				return err
			}},
			{desc: "nonce mismatch", reason: "nonce_mismatch", issuer: b, run: func(t *testing.T) error {
				state, q := authorize(t, s.svc, b, email)
				tamper(t, state, "nonce", "another-nonce")
				_, err := s.svc.CompleteLogin(s.ctx, state, q.Get("state"), q.Get("code"), "")
				return err
			}},
			{desc: "replayed code in a new sign-in", reason: "code_exchange", issuer: b, run: func(t *testing.T) error {
				q := signedInOnce(t)
				again := begin(t, s.svc, b)
				_, err := s.svc.CompleteLogin(s.ctx, again, again, q.Get("code"), "")
				return err
			}},
			{desc: "replayed callback", reason: "unknown_state", run: func(t *testing.T) error {
				q := signedInOnce(t)
				_, err := s.svc.CompleteLogin(s.ctx, q.Get("cookie_state"), q.Get("state"), q.Get("code"), "")
				return err
			}},
			{desc: "issuer mix-up: B's code at a sign-in begun at A", reason: "code_exchange", issuer: a, run: func(t *testing.T) error {
				atA := begin(t, s.svc, a)
				_, fromB := authorize(t, s.svc, b, email)
				_, err := s.svc.CompleteLogin(s.ctx, atA, atA, fromB.Get("code"), "")
				return err
			}},
			{desc: "issuer mix-up: A's code at a sign-in begun at B", reason: "code_exchange", issuer: b, run: func(t *testing.T) error {
				atB := begin(t, s.svc, b)
				_, fromA := authorize(t, s.svc, a, email)
				_, err := s.svc.CompleteLogin(s.ctx, atB, atB, fromA.Get("code"), "")
				return err
			}},
			{desc: "issuer mix-up: the response names B, the sign-in began at A", reason: "issuer_mismatch", issuer: a,
				run: func(t *testing.T) error {
					state, q := authorize(t, s.svc, a, email)
					_, err := s.svc.CompleteCallback(s.ctx, state, q.Get("state"), q.Get("code"), "", b)
					if n := s.count("login_states", "state_hash = ?", identity.HashToken(state)); n != 0 {
						t.Errorf("the mixed-up sign-in's state is still stored")
					}
					return err
				}},
			{desc: "issuer mix-up: the response names B with a trailing slash", reason: "issuer_mismatch", issuer: b,
				run: func(t *testing.T) error {
					state, q := authorize(t, s.svc, b, email)
					_, err := s.svc.CompleteCallback(s.ctx, state, q.Get("state"), q.Get("code"), "", b+"/")
					return err
				}},
			{desc: "no iss from an issuer that announces it", reason: "issuer_mismatch", issuer: announcing.issuer,
				run: func(t *testing.T) error {
					state, q := authorize(t, announcingSvc, announcing.issuer, withoutSecondFactor)
					_, err := announcingSvc.CompleteCallback(s.ctx, state, q.Get("state"), q.Get("code"), "", "")
					return err
				}},
			{desc: "missing MFA: the provider could not meet acr_values", reason: "mfa_required", issuer: b, mfa: true,
				run: func(t *testing.T) error {
					state, q := authorize(t, strictSvc, b, withoutSecondFactor)
					if got := q.Get("error"); got != "unmet_authentication_requirements" {
						t.Errorf("provider answered error=%q, want unmet_authentication_requirements", got)
					}
					_, err := strictSvc.CompleteLogin(s.ctx, state, q.Get("state"), q.Get("code"), q.Get("error"))
					return err
				}},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				// The officer is known at both issuers since "controls", so
				// the sign-ins the replays begin with add nobody, and they
				// sign out before the replay.
				before := s.written()
				s.wantRefused(t, tc.run(t), before, "auth.login", tc.reason, tc.issuer, tc.mfa)
			})
		}
	})
}

// TestProcessLogout: signing out of the portal ends the session here and
// sends the browser to the provider process's end_session endpoint with the
// sign-in's ID token as id_token_hint, which it honours; a back-channel
// logout from the process ends that person's sessions from that issuer only,
// and a logout token claiming the other issuer ends nothing.
func TestProcessLogout(t *testing.T) {
	s := newTwoIssuers(t)
	const email = "officer@riverside-pd.example"
	signIn := func(issuer string) identity.Login {
		t.Helper()
		authURL, state, err := s.svc.BeginLogin(s.ctx, issuer, "/")
		if err != nil {
			t.Fatal(err)
		}
		q := s.authorize(authURL, email)
		login, err := s.svc.CompleteLogin(s.ctx, state, q.Get("state"), q.Get("code"), "")
		if err != nil {
			t.Fatalf("sign in at %s: %v", issuer, err)
		}
		return login
	}
	alive := func(l identity.Login, want bool, desc string) {
		t.Helper()
		_, _, err := s.svc.Authenticate(s.ctx, l.Token)
		switch {
		case want && err != nil:
			t.Errorf("%s: session ended: %v", desc, err)
		case !want && errs.CodeOf(err) != errs.Unauthenticated:
			t.Errorf("%s: session answers %v, want Unauthenticated", desc, err)
		}
	}

	t.Run("RP-initiated", func(t *testing.T) {
		login := signIn(s.b.issuer)
		var stored identity.Session
		if err := s.db.Where("id_hash = ?", identity.HashToken(login.Token)).Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		end, err := s.svc.Logout(s.ctx, login.Token, login.Principal)
		if err != nil {
			t.Fatalf("Logout: %v", err)
		}
		alive(login, false, "after Logout")
		if ev := s.lastEvent(); ev.Action != "auth.logout" || ev.Actor.Issuer != s.b.issuer || ev.ObjectID != login.Principal.PersonID {
			t.Errorf("audit event %s by %s of %s, want auth.logout from %s", ev.Action, ev.Actor.Issuer, ev.ObjectID, s.b.issuer)
		}
		u, err := url.Parse(end)
		if err != nil || !strings.HasPrefix(end, s.b.issuer+"/") {
			t.Fatalf("end session URL = %q, want one at the process %s", end, s.b.issuer)
		}
		if strings.Count(stored.IDToken, ".") != 2 {
			t.Errorf("stored ID token = %q, want the sign-in's JWT", stored.IDToken)
		}
		if got := u.Query().Get("id_token_hint"); got != stored.IDToken {
			t.Errorf("id_token_hint = %q, want the sign-in's ID token %q", got, stored.IDToken)
		}
		if got, want := u.Query().Get("post_logout_redirect_uri"), s.srv.URL+"/"; got != want {
			t.Errorf("post_logout_redirect_uri = %q, want %q", got, want)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(end)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc, err := resp.Location(); err != nil || loc.String() != s.srv.URL+"/" {
			t.Errorf("end_session at the process: status %d, location %v; want a redirect to %s/", resp.StatusCode, loc, s.srv.URL)
		}
	})

	t.Run("back-channel", func(t *testing.T) {
		atA, atB := signIn(s.issuer), signIn(s.b.issuer)
		sub := atB.Principal.Subject
		if atA.Principal.Subject != sub || atA.Principal.PersonID == atB.Principal.PersonID {
			t.Fatalf("want one subject as two people, one per issuer; got %+v and %+v", atA.Principal, atB.Principal)
		}
		seq := s.lastEvent().Seq
		for _, tc := range []struct{ desc, iss string }{
			{"issuer mix-up: B's logout token claiming A", s.issuer},
			{"an untrusted issuer", "https://idp.attacker.example"},
		} {
			if got := s.b.backchannel(sub, tc.iss, s.backChannel); got != http.StatusBadRequest {
				t.Errorf("%s: the portal answered %d, want 400", tc.desc, got)
			}
			alive(atA, true, tc.desc)
			alive(atB, true, tc.desc)
		}
		if got := s.lastEvent().Seq; got != seq {
			t.Errorf("refused logout tokens appended audit event %d", got)
		}
		if got := s.b.backchannel(sub, "", s.backChannel); got != http.StatusOK {
			t.Fatalf("the portal answered %d to the process's logout token, want 200", got)
		}
		alive(atB, false, "after B's back-channel logout")
		alive(atA, true, "the same subject at A, after B's back-channel logout")
		if ev := s.lastEvent(); ev.Action != "session.backchannel_logout" || ev.Actor.Issuer != s.b.issuer || ev.ObjectID != atB.Principal.PersonID {
			t.Errorf("audit event %s by %s of %s, want session.backchannel_logout from %s", ev.Action, ev.Actor.Issuer, ev.ObjectID, s.b.issuer)
		}
	})
}

// TestKeyRotationAndRemoval follows the process's keys on two replicas
// that fetched them at different times, without restarting either: a new
// kid verifies at once; a withdrawn key keeps verifying only until each
// replica's cache runs out (10 minutes at most), then neither accepts it.
func TestKeyRotationAndRemoval(t *testing.T) {
	s := newTwoIssuers(t)
	b := s.b
	clk := newClock()
	r1, r2 := s.replica(clk, s.cfgB), s.replica(clk, s.cfgB)
	token := func() string { return b.sign(systemClaims(t, b.issuer, nil), "", "") }

	oldKid := b.kid()
	oldTok := token()
	mustVerify(t, r1, oldTok, "r1, old key")

	advance(clk, time.Minute)
	if newKid := b.rotate(); newKid == oldKid {
		t.Fatalf("rotation kept kid %s", oldKid)
	}
	newTok := token()
	before := b.keyFetches()
	mustVerify(t, r1, newTok, "r1, new kid right after rotation")
	if got := b.keyFetches() - before; got != 1 {
		t.Errorf("the new kid cost %d JWKS fetches, want 1", got)
	}
	mustVerify(t, r1, oldTok, "r1, old key still published")
	// People's ID tokens are verified with the same keys.
	officer := demoPerson(t, "officer@riverside-pd.example")
	if _, err := r1.FinishLogin(s.ctx, b.issuer, b.sign(s.idClaimsAt(b.issuer, officer, "n", nil), "", ""), "n"); err != nil {
		t.Fatalf("r1, ID token signed with the new key: %v", err)
	}

	advance(clk, 4*time.Minute) // t0+5m: r2 fetches now, r1 did at t0+1m
	mustVerify(t, r2, oldTok, "r2, old key")
	mustVerify(t, r2, newTok, "r2, new key")

	advance(clk, time.Minute) // t0+6m: the provider withdraws the old key
	b.remove(oldKid)
	// Until their caches run out, replicas still trust it: the bound, not
	// an instant revocation.
	mustVerify(t, r1, oldTok, "r1, cached old key")
	mustVerify(t, r2, oldTok, "r2, cached old key")

	advance(clk, 5*time.Minute+time.Second) // t0+11m: r1's cache has run out
	mustRefuse(t, r1, oldTok, "r1, withdrawn key after its cache ran out")
	mustVerify(t, r1, newTok, "r1, new key")

	advance(clk, 5*time.Minute) // t0+16m: ten minutes after the removal
	for i, r := range []*identity.Service{r1, r2} {
		mustRefuse(t, r, oldTok, fmt.Sprintf("r%d, withdrawn key", i+1))
		mustVerify(t, r, newTok, fmt.Sprintf("r%d, new key", i+1))
	}
	if ev := s.lastEvent(); ev.Action != "auth.token" || !strings.Contains(ev.Details, `"reason":"`+identity.ReasonBadSignature+`"`) {
		t.Errorf("last refusal audited as %s %s, want auth.token with reason %s", ev.Action, ev.Details, identity.ReasonBadSignature)
	}
}

// TestUnknownKidFlood: tokens naming unknown kids make the portal fetch the
// process's keys at most once per interval (30 seconds), however many
// arrive and however concurrently, counted where they land, and every one
// of them is refused.
func TestUnknownKidFlood(t *testing.T) {
	s := newTwoIssuers(t)
	b := s.b
	clk := newClock()
	svc := s.replica(clk, s.cfgB)
	valid := b.sign(systemClaims(t, b.issuer, nil), "", "")
	base := b.keyFetches()
	mustVerify(t, svc, valid, "valid token")
	if got := b.keyFetches() - base; got != 1 {
		t.Fatalf("JWKS fetches after the first token = %d, want 1", got)
	}

	flood := func(round int) {
		t.Helper()
		const n = 50
		var wg sync.WaitGroup
		codes := make([]errs.Code, n)
		for i := range n {
			wg.Go(func() {
				_, err := svc.VerifyBearer(t.Context(), withKid(t, valid, fmt.Sprintf("forged-%d-%d", round, i)))
				codes[i] = errs.CodeOf(err)
			})
		}
		wg.Wait()
		for i, c := range codes {
			if c != errs.Unauthenticated {
				t.Fatalf("round %d: forged token %d: code %s, want Unauthenticated", round, i, c)
			}
		}
	}

	for i, step := range []struct {
		desc    string
		advance time.Duration
		want    int64 // JWKS fetches so far
	}{
		{desc: "right after the first fetch", want: 1},
		{desc: "an interval later", advance: 31 * time.Second, want: 2},
		{desc: "within that interval", advance: 20 * time.Second, want: 2},
		{desc: "the next interval", advance: 10 * time.Second, want: 3},
	} {
		advance(clk, step.advance)
		flood(i)
		if got := b.keyFetches() - base; got != step.want {
			t.Errorf("JWKS fetches after a flood %s = %d, want %d", step.desc, got, step.want)
		}
	}
	// Genuine tokens verify throughout, from the cache.
	mustVerify(t, svc, valid, "valid token after the floods")
	if got := b.keyFetches() - base; got != 3 {
		t.Errorf("JWKS fetches = %d after a known kid, want still 3", got)
	}
	if ev := s.lastEvent(); ev.Action != "auth.token" {
		t.Errorf("last audit event %s, want the refused tokens' auth.token", ev.Action)
	}
}

// withKid returns raw with its header's kid replaced: a forged token naming
// a key the provider never published.
func withKid(t *testing.T, raw, kid string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	h["kid"] = kid
	b, _ = json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(b) + "." + parts[1] + "." + parts[2]
}
