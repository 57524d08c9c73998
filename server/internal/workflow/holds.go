package workflow

import (
	"fmt"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// holding reports whether records are held in state st.
func holding(st State) bool { return st == request.StatePreserved || st == request.StateExtended }

// keepHolds makes the metadata holds follow the preservation lane, in the
// transition's transaction: placed when a request becomes preserved, moved
// when it is extended, ended when it leaves the lane (expired when the hold
// ran out, released otherwise: released by the provider, fulfilled by a
// production, withdrawn, closed). Retention purges the records once no
// hold covers them.
func (s *step) keepHolds() error {
	h := s.e.holds
	if h == nil || s.from == s.to {
		return nil
	}
	switch {
	case s.to == request.StatePreserved && !holding(s.from):
		return s.placeHolds(h)
	case s.from == request.StatePreserved && s.to == request.StateExtended:
		err := h.ExtendHolds(s.ctx, s.tx, s.req.ID, *s.c.HoldUntil)
		if errs.CodeOf(err) == errs.NotFound {
			return nil // no target matched an account: nothing is held
		}
		return err
	case holding(s.from) && !holding(s.to):
		status := metadata.HoldReleased
		if s.to == request.StateExpired {
			status = metadata.HoldExpired
		}
		return h.EndHolds(s.ctx, s.tx, s.req.ID, status)
	}
	return nil
}

// placeHolds holds the request's targets' records of its categories within
// its window until the hold ends, and records which targets matched no
// account: those are reported, never guessed.
func (s *step) placeHolds(h Holds) error {
	var cats []string
	for _, c := range s.req.Categories {
		// Envelope records exist only under a live prospective order, so
		// there is nothing to preserve; content does not exist at all.
		if metadata.IsCategory(c) && c != metadata.Envelope {
			cats = append(cats, c)
		}
	}
	if len(cats) == 0 || s.c.HoldUntil == nil {
		return nil
	}
	from, to := s.req.DateFrom.Time(), s.req.DateTo.Time().AddDate(0, 0, 1)
	if s.req.DateFrom.IsZero() {
		from = time.Unix(0, 0).UTC() // everything retained
	}
	if s.req.DateTo.IsZero() || to.After(s.now) {
		to = s.now // what exists now: a preservation keeps, it does not collect
	}
	if !from.Before(to) {
		return nil
	}
	rs, err := h.Preserve(s.ctx, s.tx, metadata.Preservation{
		RequestID: s.req.ID, Targets: s.req.Targets, Categories: cats, From: from, To: to, ExpiresAt: *s.c.HoldUntil,
	})
	if err != nil {
		return fmt.Errorf("preserve the records of %s: %w", s.req.Reference, err)
	}
	var unmatched []string
	for _, r := range rs {
		if !r.Matched() {
			unmatched = append(unmatched, r.Target.Type+":"+r.Target.Value)
		}
	}
	s.details["accounts_held"] = len(metadata.AccountIDs(rs))
	if len(unmatched) > 0 {
		s.details["unmatched_targets"] = unmatched
		s.tell(s.T("%d target(s) match no account and hold nothing.", len(unmatched)))
	}
	return nil
}
