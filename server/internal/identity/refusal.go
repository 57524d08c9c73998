package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// Reason codes of a refused sign-in or token, as the audit trail records
// them (details.reason) for administrators to read.
const (
	ReasonNotAToken           = "not_a_token"
	ReasonUnknownIssuer       = "unknown_issuer"
	ReasonBadSignature        = "bad_signature"
	ReasonExpired             = "expired"
	ReasonNotYetValid         = "not_yet_valid"
	ReasonWrongAudience       = "wrong_audience"
	ReasonIDToken             = "id_token"
	ReasonPersonToken         = "person_token"
	ReasonNoSubject           = "no_subject"
	ReasonNoOrganisation      = "no_organisation"
	ReasonUnknownOrganisation = "unknown_organisation"
	ReasonNoRole              = "no_role"
	ReasonSuspended           = "suspended"
	ReasonPending             = "pending" // the agency is registered, not yet activated
	ReasonKindMismatch        = "kind_mismatch"
	ReasonInactive            = "inactive"        // an opaque token its issuer says is not active
	ReasonMFARequired         = "mfa_required"    // a sign-in without the second factor required
	ReasonStaleAuthTime       = "stale_auth_time" // a step-up the provider did not authenticate afresh
	ReasonBadActor            = "bad_actor"       // an act claim (RFC 8693) the portal cannot accept
)

// A reason is the code of a refusal, carried as the cause of its errs
// error so that whoever records the refusal can name it.
type reason string

func (r reason) Error() string { return string(r) }

// refuse is a refusal e with its reason code.
func refuse(why string, e *errs.Error) error {
	e.Err = reason(why)
	return e
}

// reasonOf is the reason code of a refusal, or otherwise when it has none.
func reasonOf(err error, otherwise string) string {
	var r reason
	if errors.As(err, &r) {
		return string(r)
	}
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return ReasonExpired
	}
	return otherwise
}

// tokenRefused records a refused bearer token in the audit trail, in its
// own transaction, with its reason code, and returns err unchanged. The
// per-address failure budget in front of the API bounds how many a
// flood can write.
func (s *Service) tokenRefused(ctx context.Context, actor audit.Actor, why string, err error) error {
	aerr := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit.Append(ctx, tx, audit.Event{At: dbTime(s.now()), Actor: actor, Action: "auth.token",
			ObjectType: "client", Outcome: audit.OutcomeFailure, Details: audit.JSON(map[string]string{"reason": why})})
	})
	if aerr != nil {
		return errors.Join(err, fmt.Errorf("audit the refused token: %w", aerr))
	}
	return err
}
