package devidp

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The authentication context classes the provider asserts in the acr claim
// and honours in acr_values. ACRPassword: the password alone; ACRMFA: the
// password and a TOTP code. The amr claim says the same in RFC 8176 terms:
// ["pwd"], or ["pwd", "otp", "mfa"].
const (
	ACRPassword = "urn:warrantdesk:acr:pwd"
	ACRMFA      = "urn:warrantdesk:acr:mfa"
)

var (
	amrPassword = []string{"pwd"}
	amrMFA      = []string{"pwd", "otp", "mfa"}
)

// Wrong codes count against the person's account together with wrong
// passwords (throttle.go), whatever the auth request.
const totpPeriod = 30 // seconds

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// requiresMFA reports whether acr_values asks for the second factor: it
// names ACRMFA and not ACRPassword. Values the provider does not know are
// ignored, as OpenID Connect Core lets it (acr_values is voluntary).
func requiresMFA(acrValues []string) bool {
	return slices.Contains(acrValues, ACRMFA) && !slices.Contains(acrValues, ACRPassword)
}

// checkTOTPSecret reports whether secret is a usable base32 TOTP secret.
func checkTOTPSecret(secret string) error {
	if _, err := totp.GenerateCodeCustom(secret, time.Unix(0, 0), totpOpts); err != nil {
		return fmt.Errorf("TOTP secret is not base32: %w", err)
	}
	return nil
}

// A codeOutcome is what checkCode made of a code, or verifyPassword of a
// password.
type codeOutcome int

const (
	codeAccepted codeOutcome = iota
	codeWrong
	codeLocked  // too many wrong passwords or codes: the account is locked for a while
	codeExpired // no auth request waiting for this code
)

// passwordVerified records that the person behind an auth request gave the
// right password (verifyPassword, which refuses a locked account) and now
// owes a code. It returns codeExpired for an unknown auth request.
func (s *storage) passwordVerified(authRequestID string, p *person) codeOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.expired(now) || ar.done {
		return codeExpired
	}
	ar.pwdSubject = p.subject
	return codeAccepted
}

// checkCode checks a TOTP code for the auth request whose password was
// verified and, when it is right, completes the login with the second
// factor. A code is accepted for the current 30-second step or either
// neighbour (clock drift), but only once: a step already used, or an
// earlier one, is refused (RFC 6238, section 5.2). Wrong codes count
// against the account, not the auth request, so starting over (even with
// the right password) does not reset them; the right code does.
func (s *storage) checkCode(authRequestID, code string) codeOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.expired(now) || ar.done || ar.pwdSubject == "" {
		return codeExpired
	}
	p, ok := s.bySubject[ar.pwdSubject]
	if !ok || p.totpSecret == "" {
		return codeExpired
	}
	key := accountKey(p.email)
	if s.throttle.locked(key) {
		return codeLocked
	}
	step := now.Unix() / totpPeriod
	matched := int64(-1)
	code = strings.TrimSpace(code)
	for _, st := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(p.totpSecret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && len(code) == len(want) && subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1 {
			matched = st
		}
	}
	if matched < 0 || matched <= p.lastStep {
		if s.throttle.fail(key) {
			return codeLocked
		}
		return codeWrong
	}
	p.lastStep = matched
	s.throttle.succeed(key)
	ar.complete(now, p.subject, amrMFA, ACRMFA)
	return codeAccepted
}

// currentCode is the TOTP code that the authenticator of the person whose
// password auth request authRequestID verified shows now; "" when there is
// none (Config.ShowCodes).
func (s *storage) currentCode(authRequestID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.pwdSubject == "" {
		return ""
	}
	p, ok := s.bySubject[ar.pwdSubject]
	if !ok || p.totpSecret == "" {
		return ""
	}
	// A step already used is refused (checkCode); the next one is
	// accepted a step early, so show that once this one is spent.
	now := s.now().Unix() / totpPeriod
	step := max(now, p.lastStep+1)
	if step > now+1 {
		return ""
	}
	c, err := totp.GenerateCodeCustom(p.totpSecret, time.Unix(step*totpPeriod, 0), totpOpts)
	if err != nil {
		return ""
	}
	return c
}
