package workflow

import (
	"context"
	"slices"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/signals"
)

// signalled are the transitions whose audit event records the requester
// signals as they stood when the decision was taken (issue 16): the
// submission, intake's verification and the reviewers' decisions. Codes
// only; the reasons are the policy's, said again whenever someone looks.
var signalled = []Action{ActionSubmit, ActionVerify, ActionApprove, ActionCountersign, ActionReject}

// recordSignals adds the requester signals to the audit event's details.
// The submission also keeps whether the submitting sign-in had a second
// factor (signals.RecordSubmission, and the audit details): the signal
// "signed in without MFA" is judged later from that record, not from
// whoever looks.
func (s *step) recordSignals() error {
	if !slices.Contains(signalled, s.rule.Action) {
		return nil
	}
	f, err := signals.Facts(s.ctx, s.tx, s.req, s.now)
	if err != nil {
		return err
	}
	if s.rule.Action == ActionSubmit {
		mfa := s.actor.MFA
		if err := signals.RecordSubmission(s.ctx, s.tx, s.req.ID, s.actor.PersonID, mfa, s.now); err != nil {
			return err
		}
		f.MFA = &mfa
		s.details["mfa"] = mfa
	}
	found, err := s.e.policy.Signals(s.ctx, f)
	if err != nil {
		return err
	}
	s.details["signals"] = signals.Codes(found)
	return nil
}

// Signals are the requester signals of r as of now, each with its reason
// in English, for the provider's staff: nil for anyone else, whatever
// they may otherwise read of r, because signals are never shown to an
// agency.
func (e *Engine) Signals(ctx context.Context, actor *identity.Principal, r *request.Request) ([]policy.Reason, error) {
	if actor == nil || !actor.Provider || actor.AgencyID != "" {
		return nil, nil
	}
	return signals.Of(ctx, e.db.DB, e.policy, r, e.now())
}

// SignalCounts counts, for each signal, the open requests that carry it:
// for the provider's dashboard, which shows how many and never which.
func (e *Engine) SignalCounts(ctx context.Context) ([]signals.Count, error) {
	return signals.CountOpen(ctx, e.db.DB, e.policy, e.now())
}
