package policy

import "context"

// Queues a request can be routed to.
const (
	QueueIntake        = "intake"
	QueueLegal         = "legal"
	QueueEmergency     = "emergency"
	QueueInternational = "international"
	QueueCounsel       = "counsel"
)

// A Routing is the team queue a request belongs in and the hours the
// provider has to answer it.
type Routing struct {
	Queue         string   `json:"queue"` // intake | legal | emergency | international | counsel
	DeadlineHours int      `json:"deadline_hours"`
	Reasons       []Reason `json:"reasons"`
}

// Route decides the queue and deadline of a request in its current status.
// An evaluation failure is returned as an Internal error (and logged).
func (e *Engine) Route(ctx context.Context, in ScopeInput) (Routing, error) {
	return decide(ctx, e, e.routes, e.route, queryRoute, e.scopeValue(in), func(v any) (Routing, error) {
		var d decoder
		m := d.object(v, "route")
		r := Routing{Queue: d.string(m, "queue"), DeadlineHours: d.integer(m, "deadline_hours"), Reasons: d.reasons(m, "reasons")}
		return r, d.err
	})
}

// Approvals says how many distinct people must approve a request, and
// Roles[i] is the role of the i-th approver (the second one countersigns).
type Approvals struct {
	Required int      `json:"required"`
	Roles    []string `json:"roles"`
	Reasons  []Reason `json:"reasons"`
}

// Approvals decides the approvals a request needs. An evaluation failure is
// returned as an Internal error (and logged).
func (e *Engine) Approvals(ctx context.Context, in ScopeInput) (Approvals, error) {
	return decide(ctx, e, e.approvalSets, e.approvals, queryApprovals, e.scopeValue(in), func(v any) (Approvals, error) {
		var d decoder
		m := d.object(v, "approvals")
		a := Approvals{Required: d.integer(m, "required"), Roles: d.strings(m, "roles"), Reasons: d.reasons(m, "reasons")}
		return a, d.err
	})
}
