package workflow_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// transitionActions are the audit and history actions of transitions (not
// of routing, escalation or links).
var transitionActions = []string{
	"take", "release", "assign", "verify", "request_info", "approve", "countersign", "reject", "extend", "close",
	"record_enforcing_authority", "confirm_production_issued",
	"cosign", "message", "withdraw", "produce", "disclose", "expire", "fulfil",
}

var systemActions = []workflow.Action{workflow.ActionProduce, workflow.ActionDisclose, workflow.ActionExpire, workflow.ActionFulfil}

// propertyChecks is how many random runs TestStateMachineProperties makes
// in all unless -rapid.checks says otherwise. Each run files four requests
// and takes a random sequence of actions on each, so the test makes
// thousands of sequences (1,200). They are split over propertyShards
// databases that work in parallel. Under the race detector, which makes
// every step ten times slower and is there for data races rather than for
// the breadth of the state space, it makes a tenth of them.
const (
	propertyChecks = 300
	propertyShards = 3
)

// TestStateMachineProperties takes random sequences of actions — by random
// people, valid and invalid, with stale versions and wider scopes mixed in,
// and the engine's own actions — on real requests, and checks after every
// step that: a failed action changed nothing; a successful one moved the
// version by one and wrote exactly one audit event and one history row;
// nothing leaves a terminal state; no request is approved without the
// approvers the policy requires (distinct people, the second with the
// counsel role); no order notified to an enforcing authority is produced
// before its hold ends unless that authority raised no ground; a ground it
// raised before production is the rejection; and the case always agrees
// with the request.
func TestStateMachineProperties(t *testing.T) {
	t.Parallel()
	shards := 1 // -rapid.checks given: one run of exactly that many
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		checks := propertyChecks
		if testing.Short() || raceEnabled {
			checks = propertyChecks / 10
		}
		shards = propertyShards
		_ = f.Value.Set(strconv.Itoa(checks / shards))
		t.Cleanup(func() { _ = f.Value.Set(f.DefValue) })
	}
	var (
		mu        sync.Mutex
		sequences int
		states    = map[workflow.State]int{}
	)
	t.Run("Shards", func(t *testing.T) {
		for i := range shards {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				n, ended := stateMachineProperties(t)
				mu.Lock()
				defer mu.Unlock()
				sequences += n
				for s, k := range ended {
					states[s] += k
				}
			})
		}
	})
	t.Logf("%d random action sequences; where they ended: %v", sequences, states)
}

// stateMachineProperties runs the property checks on a database of its own
// and returns how many sequences it made and where they ended.
func stateMachineProperties(t *testing.T) (int, map[workflow.State]int) {
	e := wt.New(t, wt.Options{DB: fastDB(t), NoStart: true})
	ctx := context.Background()
	people := []*identity.Principal{e.Officer, e.Sergeant, e.Lieutenant, e.Client, e.OtherOfficer, e.Intake, e.Reviewer,
		e.Reviewer2, e.Counsel, e.Counsel2, e.Admin, e.Auditor, e.EUOfficer, e.EUSupervisor, e.EUSupervisor2}
	kinds := []wt.Kind{wt.Subpoena, wt.ManyTargets, wt.Emergency, wt.Preservation, wt.EUTraffic, wt.EUEmergency, wt.EUPreservation}
	allActions := append(append(slices.Clone(workflow.ProviderActions), workflow.ActionCosign, workflow.ActionMessage, workflow.ActionWithdraw), systemActions...)
	sequences := 0
	states := map[workflow.State]int{}

	rapid.Check(t, func(rt *rapid.T) {
		type tracked struct {
			id          string
			ag          *agency.Agency // its filer's
			transitions int
			terminal    bool
			last        *snap // as the previous step left it
		}
		reqs := make([]*tracked, 4)
		for i := range reqs {
			k := rapid.SampledFrom(kinds).Draw(rt, "kind")
			ag := e.Agency
			if e.Filer(k) == e.EUOfficer {
				ag = e.EU
			}
			reqs[i] = &tracked{id: e.File(rt, e.Filer(k), k).ID, ag: ag}
		}
		sequences += len(reqs)

		steps := rapid.IntRange(30, 60).Draw(rt, "steps")
		for range steps {
			func() {
				tr := reqs[rapid.IntRange(0, len(reqs)-1).Draw(rt, "request")]
				// Requests are independent here (no links, no jobs running),
				// so the previous step's snapshot is this one's starting
				// point: a change made to this request by a step on another
				// would show up as a change by this step, and fail it.
				if tr.last == nil {
					s := snapshot(rt, e, tr.id)
					tr.last = &s
				}
				before := *tr.last
				var (
					a   workflow.Action
					who *identity.Principal // nil: the engine itself
				)
				if rapid.IntRange(0, 9).Draw(rt, "plausible") < 7 {
					// Mostly what the specification allows, by someone who
					// holds a role for it, so sequences get far.
					var options []workflow.Action
					for _, act := range allActions {
						if slices.Contains(allowedIn[act], before.state) || (slices.Contains(systemActions, act) && systemAllows(act, before.state)) {
							options = append(options, act)
						}
					}
					if len(options) == 0 {
						options = allActions
					}
					// Endings are drawn less often, so that sequences also
					// reach approval, production and disclosure.
					if onward := slices.DeleteFunc(slices.Clone(options), isEnding); len(onward) > 0 && rapid.IntRange(0, 9).Draw(rt, "onward") < 8 {
						options = onward
					}
					a = rapid.SampledFrom(options).Draw(rt, "action")
					if !slices.Contains(systemActions, a) {
						var holders []*identity.Principal
						for _, p := range people {
							for _, r := range roles(a, before.state) {
								if p.HasRole(r) {
									holders = append(holders, p)
								}
							}
						}
						if len(holders) == 0 {
							holders = people
						}
						who = rapid.SampledFrom(holders).Draw(rt, "who")
					}
				} else {
					a = rapid.SampledFrom(allActions).Draw(rt, "action")
					if !slices.Contains(systemActions, a) || rapid.Bool().Draw(rt, "person takes a system action") {
						who = rapid.SampledFrom(people).Draw(rt, "who")
					}
				}
				in := randomInput(rt, a, strings.Fields(before.categories), tr.ag)
				version := before.version
				if rapid.IntRange(0, 9).Draw(rt, "stale") == 0 {
					version--
				}
				var err error
				switch {
				case who == nil && slices.Contains(systemActions, a):
					err = e.Engine.RunSystem(ctx, tr.id, a, "")
				case who == nil:
					return
				default:
					_, err = e.Engine.Transition(ctx, who, tr.id, version, a, in)
				}
				after := snapshot(rt, e, tr.id)
				tr.last = &after
				if err != nil {
					if code := errs.CodeOf(err); !slices.Contains([]errs.Code{errs.NotFound, errs.Conflict, errs.Forbidden, errs.Invalid, errs.PolicyDenied}, code) {
						rt.Fatalf("%s by %v: unexpected error %v", a, who, err)
					}
					if after != before {
						rt.Fatalf("a refused %s changed the request: %+v → %+v", a, before, after)
					}
					return
				}
				if tr.terminal {
					rt.Fatalf("%s left the terminal state %s", a, before.state)
				}
				if after.version != before.version+1 || after.audits != before.audits+1 || after.history != before.history+1 {
					rt.Fatalf("%s: version %d→%d, audit events %d→%d, history %d→%d; want one of each",
						a, before.version, after.version, before.audits, after.audits, before.history, after.history)
				}
				tr.transitions++
				tr.terminal = after.state.Terminal()
			}()
		}
		for _, tr := range reqs {
			checkInvariants(rt, e, tr.id, tr.transitions)
			states[e.State(rt, tr.id)]++
		}
	})
	return sequences, states
}

// isEnding reports actions that end a request early.
func isEnding(a workflow.Action) bool {
	return a == workflow.ActionExpire || a == workflow.ActionWithdraw || a == workflow.ActionReject || a == workflow.ActionFulfil
}

// systemAllows says which of the engine's own actions apply in a state.
func systemAllows(a workflow.Action, s workflow.State) bool {
	switch a {
	case workflow.ActionProduce:
		return s == request.StateApproved
	case workflow.ActionDisclose:
		return s == request.StateProducing
	case workflow.ActionExpire:
		return slices.Contains([]workflow.State{"submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "preserved", "extended"}, s)
	case workflow.ActionFulfil:
		return s == request.StatePreserved || s == request.StateExtended
	}
	return false
}

// randomInput is a valid input for a most of the time, and a broken one
// otherwise.
func randomInput(rt *rapid.T, a workflow.Action, categories []string, ag *agency.Agency) workflow.Input {
	valid := rapid.IntRange(0, 4).Draw(rt, "valid input") > 0
	var in workflow.Input
	switch a {
	case workflow.ActionVerify:
		if valid {
			in.Verification = wt.Verified(false)
			if rapid.Bool().Draw(rt, "callback") {
				in.Verification = wt.VerifiedCall(ag)
			}
		}
	case workflow.ActionRequestInfo:
		if valid {
			in.Comment = "Which account?"
		}
	case workflow.ActionReject:
		if valid {
			in.ReasonCode, in.Comment = rapid.SampledFrom(workflow.ReviewerReasonCodes()).Draw(rt, "reason"), "Refused."
		} else {
			in.ReasonCode = "because"
		}
	case workflow.ActionMessage:
		if valid {
			in.Body = "An answer."
		}
	case workflow.ActionRecordEnforcingAuthority:
		in.Outcome = rapid.SampledFrom(workflow.Answers).Draw(rt, "answer")
		if in.Outcome == workflow.AnswerGroundsRaised {
			in.Grounds, in.Comment = []string{rapid.SampledFrom([]string{"fundamental_rights", "ne_bis_in_idem", "dual_criminality"}).Draw(rt, "ground")}, "Refused."
		}
		if !valid {
			in.Grounds = []string{"public_order"}
		}
	case workflow.ActionApprove:
		switch rapid.IntRange(0, 2).Draw(rt, "scope") {
		case 1: // narrower
			if len(categories) > 0 {
				in.Scope = &workflow.Narrowing{Categories: categories[:1]}
			}
		case 2: // wider: content is never authorised
			in.Scope = &workflow.Narrowing{Categories: append(slices.Clone(categories), "content")}
		}
	}
	return in
}

type snap struct {
	state      workflow.State
	version    int
	audits     int64
	history    int64
	categories string // space-separated
}

func snapshot(rt wt.T, e *wt.Env, id string) snap {
	var row struct {
		Status     string
		Version    int
		Categories string
	}
	if err := e.DB.Raw("SELECT status, version, categories FROM requests WHERE id = ?", id).Scan(&row).Error; err != nil {
		rt.Fatal(err)
	}
	return snap{
		state: workflow.State(row.Status), version: row.Version, categories: row.Categories,
		audits:  e.Count(rt, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND outcome = 'success' AND action IN ?", id, prefixed(transitionActions)),
		history: e.Count(rt, "SELECT COUNT(*) FROM request_history WHERE request_id = ? AND action IN ?", id, transitionActions),
	}
}

func prefixed(actions []string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = workflow.AuditAction(workflow.Action(a))
	}
	return out
}

// checkInvariants checks what must hold of a request whatever happened.
func checkInvariants(rt *rapid.T, e *wt.Env, id string, transitions int) {
	st := e.State(rt, id)
	c := e.Case(rt, id)
	if c.Status != st {
		rt.Fatalf("case says %s, request says %s", c.Status, st)
	}
	if st.Terminal() && c.Queue != "" {
		rt.Fatalf("terminal %s still in queue %s", st, c.Queue)
	}
	if got := e.Count(rt, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND outcome = 'success' AND action IN ?", id, prefixed(transitionActions)); got != int64(transitions) {
		rt.Fatalf("%d transitions but %d audit events", transitions, got)
	}
	var approvals []workflow.Approval
	if err := e.DB.Where("request_id = ?", id).Order("seq").Find(&approvals).Error; err != nil {
		rt.Fatal(err)
	}
	people := map[string]bool{}
	for _, a := range approvals {
		people[a.Issuer+"\x00"+a.Subject] = true
	}
	if len(people) != len(approvals) {
		rt.Fatalf("one person gave two approvals: %+v", approvals)
	}
	if len(approvals) == 2 {
		var roles string
		if err := e.DB.Raw("SELECT roles FROM people WHERE id = ?", approvals[1].PersonID).Scan(&roles).Error; err != nil {
			rt.Fatal(err)
		}
		if approvals[1].Role != "counsel" || !slices.Contains(strings.Fields(roles), "counsel") {
			rt.Fatalf("countersigned by %q with roles %q", approvals[1].Role, roles)
		}
	}
	var d workflow.Decision
	if c.Decision != "" {
		if err := json.Unmarshal([]byte(c.Decision), &d); err != nil {
			rt.Fatal(err)
		}
	}
	approved := d.Outcome == workflow.OutcomeApproved || d.Outcome == workflow.OutcomeNarrowed
	if slices.Contains([]workflow.State{"approved", "producing", "disclosed"}, st) && !approved {
		rt.Fatalf("%s without an approval decision", st)
	}
	if approved && len(approvals) != c.ApprovalsRequired {
		rt.Fatalf("approved with %d approvals; the policy requires %d", len(approvals), c.ApprovalsRequired)
	}
	if approved && slices.Contains(d.Categories, "content") {
		rt.Fatalf("approved content: %+v", d)
	}
	// The enforcing authority of a notified EU order (Reg. 2023/1543).
	ea := c.EA
	if ea.ProduceAfter != nil {
		var producedAt []time.Time
		if err := e.DB.Raw("SELECT at FROM request_history WHERE request_id = ? AND action = 'produce'", id).Scan(&producedAt).Error; err != nil {
			rt.Fatal(err)
		}
		for _, at := range producedAt {
			early := at.Before(*ea.ProduceAfter)
			if early && (ea.Answer != workflow.AnswerNoGrounds || ea.AnsweredAt.After(at)) {
				rt.Fatalf("produced at %v, before the hold ended (%v), without the authority's word that it raises no ground", at, ea.ProduceAfter)
			}
		}
	}
	raisedBefore := ea.Answer == workflow.AnswerGroundsRaised && !ea.AfterProduction
	if refused := d.ReasonCode == workflow.ReasonEnforcingAuthorityRefusal; refused != raisedBefore || (refused && st != request.StateRejected) {
		rt.Fatalf("%s with decision %+v and the authority's answer %+v", st, d, ea)
	}
}

// fastDB is the test's database; on PostgreSQL its sessions do not wait for
// each commit to reach the disk (synchronous_commit off), which durability
// tests need but this one does not: it checks what the engine writes, on
// tens of thousands of commits.
func fastDB(t *testing.T) *db.DB {
	t.Helper()
	if os.Getenv(dbtest.EnvDatabase) != "postgres" {
		return dbtest.Open(t)
	}
	u, err := url.Parse(dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	// %20, not +: the driver does not read + as a space.
	u.RawQuery += "&options=-c%20synchronous_commit%3Doff"
	d, err := db.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return d
}
