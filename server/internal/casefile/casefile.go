// Package casefile assembles the case file of one request: everything its
// page and GET /api/v1/requests/{id} show, in one call, so that a handler
// parses, makes that call and renders. The file holds the request (with its
// targets, documents and history), its agency, the policy's scope
// decision, where it stands in the workflow and what the caller may do
// next, its production, and the staff it may be assigned to.
//
// Each part is read by the package that owns it (request, workflow,
// disclosure, identity); casefile only puts them together, under the
// caller's authority: the request is read as the caller may see it, and
// that reading is audited by the request package.
package casefile

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// A Service opens case files. Workflow and Disclosure may be nil (a
// process that serves no review or no productions): their parts are then
// empty.
type Service struct {
	DB         *gorm.DB
	Requests   *request.Service
	Workflow   *workflow.Engine
	Disclosure *disclosure.Service
}

// A File is the case file of one request as one caller may see it.
type File struct {
	Request *request.Request // with targets, documents and history
	Agency  *agency.Agency
	Scope   request.Scope
	// Workflow is where the request stands in the review and what the
	// caller may do next (Workflow.Allowed); nil without a workflow.
	Workflow *workflow.View
	// Production is the request's package; nil before there is one (or
	// without productions).
	Production *disclosure.Production
	// May is what the caller may do with the request itself, beyond the
	// workflow's actions: request.ActionEdit, request.ActionUpload.
	May map[string]bool
	// Staff are the people the request may be assigned to, when the caller
	// may assign it.
	Staff []identity.Person
	// Actors names the people in the request's history, the supervisor
	// an emergency names to co-sign it, and the system a request was filed
	// through with its filer, as the caller may see them
	// (people.id → name): the provider's staff see names; an agency sees
	// its own people by name and the provider's as "The provider's legal
	// team", as in the questions and answers. The portal's own steps are
	// not named.
	Actors map[string]string
	// Signals are the requester signals of the request (policies/signals),
	// for the provider's staff only: nil for an agency's people.
	Signals []policy.Reason
}

// Open reads request id's case file for actor, auditing the reading.
// Returns Unauthenticated, NotFound (also for a request actor may not know
// of), Forbidden, or what a part's owner returns.
func (s *Service) Open(ctx context.Context, actor *identity.Principal, id string) (*File, error) {
	r, err := s.Requests.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.Of(ctx, actor, r)
}

// Of completes the case file of r, which actor has just read or changed
// through the request package (and that reading or change is audited
// there).
func (s *Service) Of(ctx context.Context, actor *identity.Principal, r *request.Request) (*File, error) {
	f := &File{Request: r}
	var err error
	if f.Agency, err = agency.FindByID(ctx, s.DB, r.AgencyID); err != nil {
		return nil, err
	}
	if f.Scope, err = s.Requests.Evaluate(ctx, r); err != nil {
		return nil, err
	}
	if f.May, err = s.Requests.Allowed(ctx, actor, r, request.ActionEdit, request.ActionUpload); err != nil {
		return nil, err
	}
	if s.Workflow != nil {
		if f.Workflow, err = s.Workflow.View(ctx, actor, r); err != nil {
			return nil, err
		}
	}
	if s.Disclosure != nil && r.Status != request.StateDraft {
		p, err := s.Disclosure.Get(ctx, r.ID)
		switch {
		case err == nil:
			f.Production = p
		case errs.CodeOf(err) != errs.NotFound:
			return nil, err
		}
	}
	if f.Actors, err = actors(ctx, s.DB, r, actor.Provider); err != nil {
		return nil, err
	}
	if s.Workflow != nil && actor.Provider && r.Status != request.StateDraft {
		if f.Signals, err = s.Workflow.Signals(ctx, actor, r); err != nil {
			return nil, err
		}
	}
	if f.Workflow != nil && f.Workflow.May(workflow.ActionAssign) {
		staff, err := identity.FindPeople(ctx, s.DB, "")
		if err != nil {
			return nil, err
		}
		for _, p := range staff {
			if p.Kind == identity.KindPerson && p.Status == identity.StatusActive && p.ID != workflow.SystemPersonID {
				f.Staff = append(f.Staff, p)
			}
		}
	}
	return f, nil
}

// actors names the people who acted in history as a reader may see them
// (File.Actors).
func actors(ctx context.Context, db *gorm.DB, r *request.Request, provider bool) (map[string]string, error) {
	var ids []string
	for _, h := range r.History {
		if h.ActorID != "" && h.ActorID != workflow.SystemPersonID && !slices.Contains(ids, h.ActorID) {
			ids = append(ids, h.ActorID)
		}
	}
	if s := r.EmergencySupervisor; s != nil && !slices.Contains(ids, *s) {
		ids = append(ids, *s)
	}
	// The filer and the system they filed through ("Filed through <system>
	// for <officer>").
	if s := r.FiledVia; s != nil && !slices.Contains(ids, *s) {
		ids = append(ids, *s)
	}
	if r.FiledVia != nil && !slices.Contains(ids, r.CreatedBy) {
		ids = append(ids, r.CreatedBy)
	}
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	people, err := identity.FindPeopleByID(ctx, db, ids)
	if err != nil {
		return nil, fmt.Errorf("name the people in a request's history: %w", err)
	}
	for _, p := range people {
		switch {
		case p.AgencyID == nil && !provider:
			names[p.ID] = workflow.ProviderTeam
		case p.Name != "":
			names[p.ID] = p.Name
		default:
			names[p.ID] = p.Email
		}
	}
	return names, nil
}
