package request

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// Actions on who inside the agency sees a request, as passed to
// Policy.Authorize and recorded in the audit trail.
const (
	ActionSharesList = "request.shares.list"
	ActionShare      = "request.share"
	ActionUnshare    = "request.unshare"
)

// agencySees is the need-to-know rule inside an agency as a SQL condition
// on the requests row named alias, for the person whose agency id, people
// id and supervision are the SQL expressions agencyID, personID and
// supervisor: the request is their agency's, and they filed it, supervise
// or have it shared with them. AgencySees and WhoSees both write it from
// here, and the authorisation policy states the same rule (need_to_know in
// policies/authz/authz.rego) for every grant to an agency's staff.
func agencySees(alias, agencyID, personID, supervisor string) string {
	return fmt.Sprintf(`(%[1]s.agency_id = %[2]s AND (%[1]s.created_by = %[3]s OR %[4]s
		OR EXISTS (SELECT 1 FROM request_shares sh WHERE sh.request_id = %[1]s.id AND sh.person_id = %[3]s)))`,
		alias, agencyID, personID, supervisor)
}

// AgencySees is the agency's counterpart of ProviderSees: the one rule of
// which of its agency's requests a person of an agency may know exist, as
// a SQL condition (with its arguments) on the requests row named alias.
// Inside an agency a request is need-to-know: it is seen by the person who
// filed it (requests.created_by), by the colleagues it is shared with
// (request_shares) and by the agency's supervisors. A supervisor is a
// person with the supervisor role; an agency system (a client) sees only
// what it filed or what is shared with it, whatever its roles. Every read
// of the package applies it (find, Visible, VisibleRefs, List and its
// search, FindOfAgency, and through them the documents, receipt and
// production routes), so a request outside it is NotFound, exactly as a
// missing one or another agency's.
func AgencySees(alias string, actor *identity.Principal) (string, []any) {
	sup := "FALSE"
	if supervises(actor) {
		sup = "TRUE"
	}
	return agencySees(alias, "?", "?", sup), []any{actor.AgencyID, actor.PersonID, actor.PersonID}
}

// supervises reports whether actor sees every request of their agency: a
// person, not an agency system, with the supervisor role, signed in
// themselves. A system acting for a supervisor (identity.ActingSystem)
// reaches what the supervisor filed or was shared, not the oversight of
// the whole agency: the authorisation policy sees such a token as the
// system (kind "client"), and the two rules must agree.
func supervises(actor *identity.Principal) bool {
	return actor.Kind != identity.KindClient && actor.ActingSystem == nil && actor.Has(identity.RoleSupervisor)
}

// Sees is the rule of which requests actor may know exist, as a SQL
// condition on the requests row named alias: ProviderSees for the
// provider's staff, AgencySees for an agency's people.
func Sees(alias string, actor *identity.Principal) (string, []any) {
	if actor.Provider {
		return ProviderSees(alias), nil
	}
	return AgencySees(alias, actor)
}

// SeenBy is a SQL condition (with its arguments) that column, a request
// id, names a request actor may know exist (Sees): for the tables that
// point at requests, such as notifications and productions.
func SeenBy(column string, actor *identity.Principal) (string, []any) {
	cond, args := Sees("sv", actor)
	return column + " IN (SELECT sv.id FROM requests sv WHERE " + cond + ")", args
}

// WhoSees is a SQL condition (with its argument) on the people row named
// people: that person may see request requestID under AgencySees (the
// filer, the colleagues it is shared with, the agency's supervisors). The
// workflow addresses an agency's notifications of a request to them.
func WhoSees(requestID, people string) (string, []any) {
	sup := fmt.Sprintf("(%[1]s.kind = '%[2]s' AND (' ' || %[1]s.roles || ' ') LIKE '%% %[3]s %%')",
		people, identity.KindPerson, identity.RoleSupervisor)
	return "EXISTS (SELECT 1 FROM requests ws WHERE ws.id = ? AND " +
		agencySees("ws", people+".agency_id", people+".id", sup) + ")", []any{requestID}
}

// shareRow is one colleague a request is shared with.
type shareRow struct {
	RequestID string    `gorm:"column:request_id;primaryKey"`
	PersonID  string    `gorm:"column:person_id;primaryKey"`
	SharedBy  string    `gorm:"column:shared_by"`
	SharedAt  time.Time `gorm:"column:shared_at"`
}

func (shareRow) TableName() string { return "request_shares" }

// loadShares fills r.SharedWith.
func loadShares(ctx context.Context, tx *gorm.DB, r *Request) error {
	r.SharedWith = []string{}
	if err := tx.WithContext(ctx).Model(&shareRow{}).Where("request_id = ?", r.ID).Order("person_id").
		Pluck("person_id", &r.SharedWith).Error; err != nil {
		return fmt.Errorf("load who request %s is shared with: %w", r.ID, err)
	}
	return nil
}

// A Colleague is a person of the agency, named for a list.
type Colleague struct {
	ID, Name, Email string
}

// A Share is a colleague a request is shared with: who shared it, and when.
type Share struct {
	Colleague
	SharedBy string // people id: the filer or a supervisor
	SharedAt time.Time
}

// Access is who inside the agency sees a request: the person who filed
// it, the colleagues it is shared with, and (always) the agency's
// supervisors. MayShare says whether the reader may share and unshare it,
// and Candidates are then the colleagues it may still be shared with: the
// agency's active officers who do not see it yet.
type Access struct {
	Filer      Colleague
	Shares     []Share
	MayShare   bool
	Candidates []Colleague
}

func colleagueOf(p identity.Person) Colleague {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = p.Email
	}
	return Colleague{ID: p.ID, Name: name, Email: p.Email}
}

// Access returns who inside the agency sees request id, for actor, a person
// who sees it. Nothing is audited: reading the request is (Get). Returns
// NotFound (also for a request actor may not see, exactly as a missing
// one) or Forbidden (recorded), the provider's staff among those refused.
func (s *Service) Access(ctx context.Context, actor *identity.Principal, id string) (*Access, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out *Access
	err := s.run(ctx, func(tx *gorm.DB) error {
		r, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionSharesList, r); err != nil {
			return err
		}
		may, err := s.Allowed(ctx, actor, r, ActionShare)
		if err != nil {
			return err
		}
		out, err = access(ctx, tx, r, may[ActionShare])
		return err
	})
	return out, err
}

func access(ctx context.Context, tx *gorm.DB, r *Request, mayShare bool) (*Access, error) {
	var rows []shareRow
	if err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Order("shared_at, person_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load who request %s is shared with: %w", r.ID, err)
	}
	people, err := identity.FindPeople(ctx, tx, r.AgencyID)
	if err != nil {
		return nil, err
	}
	byID := map[string]identity.Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	a := &Access{MayShare: mayShare, Shares: []Share{}}
	a.Filer = colleagueOf(byID[r.CreatedBy])
	a.Filer.ID = r.CreatedBy
	shared := map[string]bool{}
	for _, row := range rows {
		c := colleagueOf(byID[row.PersonID])
		c.ID = row.PersonID
		a.Shares = append(a.Shares, Share{Colleague: c, SharedBy: row.SharedBy, SharedAt: row.SharedAt})
		shared[row.PersonID] = true
	}
	if !mayShare {
		return a, nil
	}
	for _, p := range people {
		roles := p.RoleList()
		if p.ID == r.CreatedBy || shared[p.ID] || p.Kind != identity.KindPerson || p.Status != identity.StatusActive ||
			!slices.Contains(roles, identity.RoleOfficer) || slices.Contains(roles, identity.RoleSupervisor) {
			continue
		}
		a.Candidates = append(a.Candidates, colleagueOf(p))
	}
	return a, nil
}

// shareField is the field a share names its colleague in.
const shareField = "person_id"

// Share shares request id with personID, a colleague of actor's agency:
// from then on they see it as its filer does. The filer and the agency's
// supervisors may share (the policy decides); the colleague must be an
// active person of the same agency who does not see it yet through its
// filing or an earlier share. The share and its audit event are one
// transaction. Returns NotFound (also for a request actor may not see),
// Forbidden (recorded), or Invalid naming person_id, with nothing written.
func (s *Service) Share(ctx context.Context, actor *identity.Principal, id, personID string) (*Share, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	personID = strings.ToLower(strings.TrimSpace(personID))
	var out *Share
	err := s.run(ctx, func(tx *gorm.DB) error {
		r, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionShare, r); err != nil {
			return err
		}
		c, err := checkColleague(ctx, tx, r, personID)
		if err != nil {
			return err
		}
		now := s.now()
		row := shareRow{RequestID: r.ID, PersonID: c.ID, SharedBy: actor.PersonID, SharedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return alreadyShared(c)
			}
			return fmt.Errorf("share request %s: %w", r.ID, err)
		}
		out = &Share{Colleague: c, SharedBy: row.SharedBy, SharedAt: row.SharedAt}
		return s.record(ctx, tx, actor, r, nil, audit.Event{At: now, Action: ActionShare,
			Details: audit.JSON(map[string]any{"person_id": c.ID})})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func alreadyShared(c Colleague) error {
	var f errs.Fields
	f.Add(shareField, "This request is already shared with %s.", c.Name)
	return f.Err()
}

// checkColleague finds personID as someone request r may be shared with:
// an active person of r's agency who does not see it yet. Anyone else is
// Invalid, beside the field; another agency's person is told apart from a
// missing one by nothing.
func checkColleague(ctx context.Context, tx *gorm.DB, r *Request, personID string) (Colleague, error) {
	var f errs.Fields
	if personID == "" {
		f.Add(shareField, "Choose the colleague to share this request with.")
		return Colleague{}, f.Err()
	}
	people, err := identity.FindPeopleByID(ctx, tx, []string{personID})
	if err != nil {
		return Colleague{}, fmt.Errorf("check whom request %s is shared with: %w", r.ID, err)
	}
	if len(people) == 0 || people[0].AgencyID == nil || *people[0].AgencyID != r.AgencyID {
		f.Add(shareField, "The person you chose is not in your agency: choose a colleague from the list.")
		return Colleague{}, f.Err()
	}
	p := people[0]
	c := colleagueOf(p)
	var n int64
	if err := tx.WithContext(ctx).Model(&shareRow{}).Where("request_id = ? AND person_id = ?", r.ID, p.ID).Count(&n).Error; err != nil {
		return Colleague{}, fmt.Errorf("check whom request %s is shared with: %w", r.ID, err)
	}
	switch {
	case p.Kind != identity.KindPerson:
		f.Add(shareField, "%s is an agency system, not a person: choose a colleague.", c.Name)
	case p.Status != identity.StatusActive:
		f.Add(shareField, "%s's account is suspended: choose an active colleague.", c.Name)
	case p.ID == r.CreatedBy:
		f.Add(shareField, "%s filed this request and already sees it.", c.Name)
	case n > 0:
		return Colleague{}, alreadyShared(c)
	}
	return c, f.Err()
}

// Unshare stops sharing request id with personID: from then on they are
// told it does not exist. The filer and the agency's supervisors may
// unshare (the policy decides); the change and its audit event are one
// transaction. Returns who it was shared with; NotFound for a request
// actor may not see, or one not shared with personID; and Forbidden
// (recorded).
func (s *Service) Unshare(ctx context.Context, actor *identity.Principal, id, personID string) (Colleague, error) {
	if err := checkActor(actor); err != nil {
		return Colleague{}, err
	}
	personID = strings.ToLower(strings.TrimSpace(personID))
	var out Colleague
	err := s.run(ctx, func(tx *gorm.DB) error {
		r, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionUnshare, r); err != nil {
			return err
		}
		res := tx.Where("request_id = ? AND person_id = ?", r.ID, personID).Delete(&shareRow{})
		if res.Error != nil {
			return fmt.Errorf("unshare request %s: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.E(errs.NotFound, "This request is not shared with that person.")
		}
		people, err := identity.FindPeopleByID(ctx, tx, []string{personID})
		if err != nil {
			return err
		}
		out = Colleague{ID: personID}
		if len(people) == 1 {
			out = colleagueOf(people[0])
		}
		return s.record(ctx, tx, actor, r, nil, audit.Event{At: s.now(), Action: ActionUnshare,
			Details: audit.JSON(map[string]any{"person_id": personID})})
	})
	return out, err
}
