package request

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// emergencyOfProcess settles whether in is an emergency from its process,
// as the catalogue says: choosing an emergency process (us.emergency,
// us.prtt_emergency) makes the request one, with no separate statement.
// A process with an emergency procedure of its own (an EU order in an
// emergency case, a UK urgent authorisation) may state one; any other may
// not. The emergency object of the API is still accepted when it agrees
// with the process; withdrawn says the caller sent it as null. An
// emergency request is its own authority, made the day it is filed, so its
// issue date is today unless given.
func (s *Service) emergencyOfProcess(ctx context.Context, in *Input, withdrawn bool, today day.Date) (errs.Fields, error) {
	var f errs.Fields
	if in.Process == "" {
		return f, nil
	}
	p, ok, err := s.Policy.Process(ctx, in.Process)
	if err != nil || !ok {
		return f, err // an unknown process is the scope decision's to refuse
	}
	switch {
	case p.AlwaysEmergency() && in.Emergency == nil && withdrawn:
		f.Add("emergency", "%s is always an emergency: to file a request that is not one, choose another process.", capitalise(p.Name))
	case p.AlwaysEmergency():
		if in.Emergency == nil {
			in.Emergency = &Emergency{}
		}
		if in.IssuedOn.IsZero() {
			in.IssuedOn = today
		}
	case in.Emergency != nil && !p.MayBeEmergency():
		f.Add("emergency", "%s has no emergency procedure: choose an emergency process, such as an emergency disclosure request, or send emergency as null.", capitalise(p.Name))
	}
	return f, nil
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// checkSupervisor checks the supervisor an emergency names to co-sign it:
// an active person (not an agency system) of agencyID with the supervisor
// role, and not filer, the officer who filed it, who may not co-sign their
// own emergency.
func checkSupervisor(ctx context.Context, tx *gorm.DB, agencyID, filer string, in *Input) (errs.Fields, error) {
	var f errs.Fields
	if in.Emergency == nil || in.Emergency.SupervisorID == "" {
		return f, nil
	}
	const field = "emergency.supervisor_id"
	id := in.Emergency.SupervisorID
	if id == filer {
		f.Add(field, "The officer who files an emergency request cannot co-sign it: choose another supervisor of your agency.")
		return f, nil
	}
	people, err := identity.FindPeopleByID(ctx, tx, []string{id})
	if err != nil {
		return nil, fmt.Errorf("check the supervisor of an emergency: %w", err)
	}
	switch {
	case len(people) == 0 || people[0].AgencyID == nil || *people[0].AgencyID != agencyID || people[0].Kind != identity.KindPerson:
		f.Add(field, "Choose a supervisor of your agency from the list.")
	case !slices.Contains(people[0].RoleList(), identity.RoleSupervisor):
		f.Add(field, "%s is not a supervisor of your agency: choose one who is.", people[0].Name)
	case people[0].Status != identity.StatusActive:
		f.Add(field, "%s's account is suspended: choose another supervisor.", people[0].Name)
	}
	return f, nil
}

// A Supervisor is a person who may be named to co-sign an emergency.
type Supervisor struct {
	ID, Name, Email string
}

// Supervisors lists the active supervisors of actor's agency other than
// actor, by name: the people an emergency actor files may name to co-sign
// it. The provider's staff file nothing, so have none.
func (s *Service) Supervisors(ctx context.Context, actor *identity.Principal) ([]Supervisor, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	if actor.Provider {
		return nil, nil
	}
	return supervisors(ctx, s.DB, actor.AgencyID, actor.PersonID)
}

func supervisors(ctx context.Context, tx *gorm.DB, agencyID, except string) ([]Supervisor, error) {
	people, err := identity.FindPeople(ctx, tx, agencyID)
	if err != nil {
		return nil, err
	}
	var out []Supervisor
	for _, p := range people {
		if p.ID == except || p.Kind != identity.KindPerson || p.Status != identity.StatusActive ||
			!slices.Contains(p.RoleList(), identity.RoleSupervisor) {
			continue
		}
		out = append(out, Supervisor{ID: p.ID, Name: strings.TrimSpace(p.Name), Email: p.Email})
	}
	return out, nil
}
