package identity

import (
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// KindSystem is a principal that is no person and no agency system: the
// portal's own jobs (deadlines, productions, retention) acting under a
// name of their own.
const KindSystem = "system"

// System returns the principal the portal's own work acts as: personID is
// its people row, subject names the part ("workflow").
func System(personID, subject, name string) *Principal {
	return &Principal{PersonID: personID, Issuer: SystemIssuer, Subject: subject, Kind: KindSystem, Name: name, Provider: true}
}

// SystemIssuer is the issuer of every system principal: no OpenID Provider
// issues it, so no token can claim it.
const SystemIssuer = "urn:warrantdesk:system"

// AuditActor is who the audit trail records as acting: the principal's
// issuer and subject, its most privileged role ("system" for the portal's
// own work) and its agency.
func (p *Principal) AuditActor() audit.Actor {
	if p == nil {
		return audit.Actor{}
	}
	if p.Kind == KindSystem {
		return audit.Actor{Issuer: p.Issuer, Subject: p.Subject, Role: KindSystem}
	}
	a := audit.Actor{Issuer: p.Issuer, Subject: p.Subject, Role: p.PrimaryRole(), AgencyID: p.AgencyID}
	if s := p.ActingSystem; s != nil {
		a.Via = &audit.Via{PersonID: s.PersonID, Subject: s.Subject}
	}
	return a
}

// PolicyActor is the principal as the authorisation policy sees it. A
// person a system acts for is, to the policy, the system calling (kind
// client) with the person's roles: the call is held by the system's own
// credentials, as its own token's are, so the step-up rule asks no second
// factor the system could not give (and a co-signature, the one agency
// action behind step-up a system may not take, the workflow refuses it).
func (p *Principal) PolicyActor() policy.Actor {
	kind := p.Kind
	if p.ActingSystem != nil {
		kind = KindClient
	}
	return policy.Actor{ID: p.PersonID, Roles: p.RoleStrings(), Provider: p.Provider, AgencyID: p.AgencyID,
		Kind: kind, MFA: p.MFA, AuthAge: authAge(p.AuthTime, time.Now())}
}

// authAge is the seconds from authTime to now, rounded up to a whole
// minute, or -1 for an unknown (zero) authTime. Rounding up errs towards
// asking again, by under a minute, and lets the policy's memo reuse a
// decision for a minute instead of a second.
func authAge(authTime, now time.Time) int64 {
	if authTime.IsZero() {
		return -1
	}
	secs := int64(max(now.Sub(authTime), 0) / time.Second)
	return (secs + 59) / 60 * 60
}

// RelationTo is how the principal stands to something an agency owns: the
// provider's staff, the owning agency, or another agency (which the policy
// never lets do anything).
func (p *Principal) RelationTo(agencyID string) string {
	switch {
	case p.Provider:
		return policy.RelationProvider
	case p.AgencyID != "" && p.AgencyID == agencyID:
		return policy.RelationOwnAgency
	}
	return policy.RelationOtherAgency
}
