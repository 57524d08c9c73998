package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A TestResult is what the portal made of an administrator's test sign-in
// (BeginTest) at an issuer: the ID token's claims, verified, and who the
// person would be here, or why they would be refused and what to fix. A
// test signs no one in and writes nothing but its audit event.
type TestResult struct {
	Issuer      string
	InitiatorID string // the administrator who began it; only they see it

	OK      bool   // the person would be signed in
	Reason  string // the refusal's reason code (as the audit trail has it), when not OK
	Message string // what went wrong and what to do, when not OK

	Subject, Name, Email string
	ACR                  string
	AMR                  []string
	AuthTime             time.Time
	MFA                  bool           // a second factor, as the issuer's step-up configuration defines one
	Claims               map[string]any // the verified ID token's claims, as received; nil when it did not verify
	Principal            *Principal     // who they would be, when OK
}

// ActionTestSignIn is the audit action of a test sign-in's outcome.
const ActionTestSignIn = "identity.test"

// BeginTest starts an administrator's test sign-in at issuerURL: the
// administrator (or a test person of the agency, in a private window)
// signs in at the issuer as anyone would, with prompt=login so that an open
// session there is not silently reused, and the callback shows what the
// portal made of it (CompleteLogin: Login.Test) without signing anyone in.
// Whether admin may is the caller's to decide (the authorisation policy).
// Returns what BeginLogin returns.
func (s *Service) BeginTest(ctx context.Context, admin *Principal, issuerURL string) (authURL, state string, err error) {
	if admin == nil || admin.Kind != KindPerson || admin.PersonID == "" {
		return "", "", errs.E(errs.Invalid, "Only a person signed in with a browser can test a sign-in.")
	}
	is, err := s.loginIssuer(issuerURL)
	if err != nil {
		return "", "", err
	}
	opts := append(assuranceOpts(&is.cfg), oauth2.SetAuthURLParam("prompt", "login"))
	return s.beginLogin(ctx, is, "/provider/identity", purposeTest, admin.PersonID, opts)
}

// completeTest finishes a test sign-in: everything that goes wrong after
// the state checked out is the result, not an error, so that the
// administrator reads it; only an issuer out of reach is an error
// (Unavailable). The outcome is audited as ActionTestSignIn by the
// administrator who began it.
func (s *Service) completeTest(ctx context.Context, ls *loginState, code, idpError string) (Login, error) {
	r := &TestResult{Issuer: ls.Issuer, InitiatorID: ls.InitiatorID}
	switch {
	case idpError != "":
		r.Reason = "idp_error"
		r.Message = fmt.Sprintf("The identity provider answered with the error %q instead of signing the person in.", idpError)
	default:
		is, raw, reason, err := s.exchange(ctx, ls, code)
		switch {
		case errs.CodeOf(err) == errs.Unavailable:
			return Login{}, err
		case reason != "":
			r.Reason, r.Message = reason, testMessage(err, "The portal could not redeem the code at the provider's token endpoint: check the client secret and the redirect URI registered there.")
		default:
			s.judgeTest(ctx, is, raw, ls.Nonce, r)
		}
	}
	if err := s.auditTest(ctx, r); err != nil {
		return Login{}, err
	}
	return Login{Test: r, ReturnTo: ls.ReturnTo}, nil
}

// judgeTest fills r from the raw ID token: its claims once verified, and
// who the person would be (principalFor in a transaction that is rolled
// back, so that nothing is written) or why they would be refused.
func (s *Service) judgeTest(ctx context.Context, is *issuer, raw, nonce string, r *TestResult) {
	c, reason, err := s.verifyIDToken(ctx, is, raw, nonce)
	if c == nil {
		r.Reason, r.Message = reason, testMessage(err, "The ID token did not verify: its signature, issuer, audience, expiry or nonce is wrong.")
		return
	}
	r.Claims, r.Subject, r.Name, r.Email = c, c.str("sub"), c.str("name"), c.str("email")
	r.ACR, r.AMR, r.AuthTime, r.MFA = c.str("acr"), c.values("amr"), c.time("auth_time"), mfaOf(&is.cfg, c)
	if !meets(is.cfg.ACRValues, is.cfg.AMRRequired, c) {
		r.Reason, r.Message = ReasonMFARequired, msgMFARequired
		return
	}
	var p *Principal
	errDryRun := errors.New("identity: test sign-in, rolled back")
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = s.principalFor(ctx, tx, &is.cfg, KindPerson, c); err != nil {
			return err
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		r.Reason, r.Message = reasonOf(err, "rejected"), testMessage(err, msgSignInFailed)
		return
	}
	p.MFA, p.AuthTime = r.MFA, r.AuthTime
	r.OK, r.Principal = true, p
}

// testMessage is err's message for an administrator, or otherwise.
func testMessage(err error, otherwise string) string {
	if e, ok := errs.As(err); ok && e.Message != "" && e.Code != errs.Internal {
		return e.Message
	}
	return otherwise
}

// auditTest records the test's outcome, attributed to the administrator
// who began it.
func (s *Service) auditTest(ctx context.Context, r *TestResult) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		admin, err := loadPrincipal(ctx, tx, r.InitiatorID)
		if err != nil {
			return err
		}
		details := map[string]any{"issuer": r.Issuer, "subject": r.Subject, "signed_in": r.OK}
		if !r.OK {
			details["reason"] = r.Reason
		}
		return audit.Append(ctx, tx, audit.Event{
			At: dbTime(s.now()), Actor: admin.AuditActor(), Action: ActionTestSignIn,
			ObjectType: "issuer", Outcome: audit.OutcomeSuccess, Details: audit.JSON(details),
		})
	})
}
