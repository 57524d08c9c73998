package request

import "slices"

// A State is where a request is in its life, as DESIGN.md names the states.
// This is the one list of them: the workflow (which owns the transitions
// between them), the pages and the API all use it.
type State string

// States.
const (
	StateDraft               State = "draft"
	StateSubmitted           State = "submitted"
	StateIntake              State = "intake"
	StateInReview            State = "in_review"
	StateNeedsInfo           State = "needs_info"
	StateAwaitingCountersign State = "awaiting_countersign"
	StateApproved            State = "approved"
	StateProducing           State = "producing"
	StateDisclosed           State = "disclosed"
	StateClosed              State = "closed"
	StateRejected            State = "rejected"
	StateWithdrawn           State = "withdrawn"
	StateExpired             State = "expired"
	StatePreserved           State = "preserved"
	StateExtended            State = "extended"
	StateReleased            State = "released"
)

// States lists every state in the order of DESIGN.md.
var States = []State{
	StateDraft, StateSubmitted, StateIntake, StateInReview, StateNeedsInfo, StateAwaitingCountersign,
	StateApproved, StateProducing, StateDisclosed, StateClosed, StateRejected, StateWithdrawn, StateExpired,
	StatePreserved, StateExtended, StateReleased,
}

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool {
	switch s {
	case StateClosed, StateRejected, StateWithdrawn, StateExpired:
		return true
	}
	return false
}

// Known reports whether s is one of States.
func (s State) Known() bool { return slices.Contains(States, s) }
