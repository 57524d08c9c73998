package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// Person statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// lastSeenEvery throttles last_seen_at updates for bearer tokens, so that an
// agency system's API calls do not each cost a write.
const lastSeenEvery = 15 * time.Minute

// A Person is a person or an agency system known by (issuer, subject), never
// by e-mail: e-mail addresses are reassigned, subjects are not.
type Person struct {
	ID         string     `gorm:"column:id;primaryKey"`
	Issuer     string     `gorm:"column:issuer"`
	Subject    string     `gorm:"column:subject"`
	Kind       string     `gorm:"column:kind"` // KindPerson or KindClient
	AgencyID   *string    `gorm:"column:agency_id"`
	Email      string     `gorm:"column:email"`
	Name       string     `gorm:"column:name"`
	Roles      string     `gorm:"column:roles"` // space-separated, from the last sign-in or token
	Status     string     `gorm:"column:status"`
	Language   string     `gorm:"column:language"`  // their choice of language; "" for their agency's
	TimeZone   string     `gorm:"column:time_zone"` // IANA name; "" for their agency's
	LastSeenAt *time.Time `gorm:"column:last_seen_at"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	UpdatedAt  time.Time  `gorm:"column:updated_at"`
}

// TableName maps Person onto the people table.
func (Person) TableName() string { return "people" }

// RoleList returns the person's roles.
func (p *Person) RoleList() []Role {
	var out []Role
	for _, r := range strings.Fields(p.Roles) {
		out = append(out, Role(r))
	}
	return out
}

// SetPersonStatus activates or suspends a person. Suspension takes effect at
// their next request, session or bearer token alike, because both re-read the
// person. Returns Invalid for an unknown status and NotFound if there is no
// such person.
func SetPersonStatus(ctx context.Context, tx *gorm.DB, personID, status string) error {
	if status != StatusActive && status != StatusSuspended {
		return (&errs.Fields{{Field: "status", Message: "Use active or suspended."}}).Err()
	}
	res := tx.WithContext(ctx).Model(&Person{}).Where("id = ?", personID).
		Updates(map[string]any{"status": status, "updated_at": dbTime(time.Now())})
	if res.Error != nil {
		return fmt.Errorf("set person status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "No such person.")
	}
	return nil
}

// FindPeople lists the people and systems of an agency by name, or the
// provider's staff when agencyID is "". It returns an empty list, not an
// error, when there are none.
func FindPeople(ctx context.Context, db *gorm.DB, agencyID string) ([]Person, error) {
	q := db.WithContext(ctx).Order("name, email, id")
	if agencyID == "" {
		q = q.Where("agency_id IS NULL")
	} else {
		q = q.Where("agency_id = ?", agencyID)
	}
	var ps []Person
	if err := q.Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	return ps, nil
}

// FindPeopleByID reads the people and systems with the given ids; ids
// that match nobody are left out.
func FindPeopleByID(ctx context.Context, db *gorm.DB, ids []string) ([]Person, error) {
	var ps []Person
	if err := db.WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	return ps, nil
}

// claims are a verified token's claims.
type claims map[string]any

// at finds the claim that path names: a top-level claim of that exact
// name first (namespaced claims such as "https://idp.example/roles" hold
// dots), else a path through nested objects, "realm_access.roles" being
// Keycloak's realm roles and "resource_access.warrantdesk.roles" a
// client's.
func (c claims) at(path string) any {
	if v, ok := c[path]; ok {
		return v
	}
	var cur any = map[string]any(c)
	for part := range strings.SplitSeq(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = obj[part]; !ok {
			return nil
		}
	}
	return cur
}

// str reads a claim holding one string (by path, see at); a one-element
// array is read as its element, as some providers send every claim as a
// list.
func (c claims) str(path string) string {
	switch v := c.at(path).(type) {
	case string:
		return v
	case []any:
		if len(v) == 1 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// time reads a claim holding seconds since the epoch (a JSON number, as
// auth_time and iat are); zero when it is absent or not a number.
func (c claims) time(path string) time.Time {
	v, ok := c.at(path).(float64)
	if !ok || v <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(v), 0)
}

// values reads a claim that lists values (by path, see at): a JSON array
// of strings, a string of space- or comma-separated values, or an object
// whose keys are the values (as ZITADEL's project-roles claim is).
func (c claims) values(path string) []string {
	switch v := c.at(path).(type) {
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case map[string]any:
		out := make([]string, 0, len(v))
		for k := range v {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// mapRoles maps claim values through the issuer's table (identity when it is
// empty) and keeps only allowed roles, in the order of allowed, so that an
// agency's issuer can never grant a provider role.
func mapRoles(values []string, table map[string]string, allowed []Role) []Role {
	got := map[Role]bool{}
	for _, v := range values {
		r := v
		if len(table) > 0 {
			var ok bool
			if r, ok = table[v]; !ok {
				continue
			}
		}
		got[Role(r)] = true
	}
	var out []Role
	for _, r := range allowed {
		if got[r] {
			out = append(out, r)
		}
	}
	return out
}

// principalFor maps verified claims onto a Principal, creating or updating
// the person row of (iss, sub). Returns Unauthenticated without a subject,
// Forbidden for an unregistered organisation, no remaining role, a suspended
// agency or person, or a person/system kind mismatch.
func (s *Service) principalFor(ctx context.Context, db *gorm.DB, ic *config.Issuer, kind string, c claims) (*Principal, error) {
	db = db.WithContext(ctx)
	sub := c.str("sub")
	if sub == "" {
		return nil, refuse(ReasonNoSubject, errs.E(errs.Unauthenticated, "The sign-in token names no subject."))
	}
	org := ""
	if ic.OrgClaim != "" {
		org = c.str(ic.OrgClaim)
		if org == "" {
			// Never read a missing organisation as "" and match a record
			// that lacks one: no record is a catch-all.
			return nil, refuse(ReasonNoOrganisation, errs.E(errs.Forbidden, "The token names no organisation (claim %q): ask your identity provider's administrator to send it.", ic.OrgClaim))
		}
	}
	staff := ic.Provider && (ic.OrgClaim == "" || org == ic.ProviderOrg)
	allowed := AgencyRoles
	if staff {
		allowed = ProviderRoles
	}
	roleClaim := ic.RoleClaim
	if kind == KindClient && ic.SystemRoleClaim != "" {
		roleClaim = ic.SystemRoleClaim
	}
	roles := mapRoles(c.values(roleClaim), ic.Roles, allowed)

	var ag *agency.Agency
	if !staff {
		a, err := agency.FindByIssuer(ctx, db, ic.URL, org)
		if errs.CodeOf(err) == errs.NotFound {
			return nil, refuse(ReasonUnknownOrganisation, errs.E(errs.Forbidden, "Your organisation is not registered with this portal. Ask the provider to onboard your agency."))
		}
		if err != nil {
			return nil, err
		}
		if e := a.Refusal(); e != nil {
			why := ReasonSuspended
			if a.Status == agency.StatusPending {
				why = ReasonPending
			}
			return nil, refuse(why, e)
		}
		ag = a
	}
	if len(roles) == 0 {
		return nil, refuse(ReasonNoRole, errs.E(errs.Forbidden, "Your account has no role in this portal. Ask your administrator to grant one."))
	}

	p, err := s.upsertPerson(ctx, db, ic.URL, sub, kind, ag, c, roles)
	if err != nil {
		return nil, err
	}
	if p.Kind != kind {
		return nil, refuse(ReasonKindMismatch, errs.E(errs.Forbidden, "This identity cannot be used this way."))
	}
	if p.Status != StatusActive {
		return nil, refuse(ReasonSuspended, errs.E(errs.Forbidden, "Your account is suspended."))
	}
	return principalOf(p, ag), nil
}

// upsertPerson finds the person of (issuer, subject), creating it on first
// sight, and writes only what changed: an agency system calls on every API
// request, and an unchanged row costs no write.
func (s *Service) upsertPerson(ctx context.Context, db *gorm.DB, iss, sub, kind string, ag *agency.Agency, c claims, roles []Role) (*Person, error) {
	now := dbTime(s.now())
	var agencyID *string
	if ag != nil {
		agencyID = &ag.ID
	}
	name := c.str("name")
	if name == "" && kind == KindClient {
		name = sub
	}
	email := c.str("email")
	roleStr := joinRoles(roles)

	var p Person
	err := db.Where("issuer = ? AND subject = ?", iss, sub).Take(&p).Error
	if isNotFound(err) {
		p = Person{
			ID: uuid.NewString(), Issuer: iss, Subject: sub, Kind: kind, AgencyID: agencyID,
			Email: email, Name: name, Roles: roleStr, Status: StatusActive,
			LastSeenAt: &now, CreatedAt: now, UpdatedAt: now,
		}
		// A concurrent first sign-in of the same subject may win the insert;
		// DO NOTHING keeps this transaction usable on PostgreSQL, and the
		// re-read below picks up the winner's row.
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&p)
		if res.Error != nil {
			return nil, fmt.Errorf("create person: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return &p, nil
		}
		// Read into a zero value: gorm would add a non-zero destination's
		// primary key (our losing id) to the condition.
		p = Person{}
		err = db.Where("issuer = ? AND subject = ?", iss, sub).Take(&p).Error
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}

	changes := map[string]any{}
	if p.Email != email {
		changes["email"] = email
	}
	if p.Name != name {
		changes["name"] = name
	}
	if p.Roles != roleStr {
		changes["roles"] = roleStr
	}
	if !sameID(p.AgencyID, agencyID) {
		changes["agency_id"] = agencyID
	}
	if len(changes) > 0 {
		changes["updated_at"] = now
	}
	// People are seen at each sign-in; systems at most every lastSeenEvery.
	if kind == KindPerson || p.LastSeenAt == nil || now.Sub(*p.LastSeenAt) >= lastSeenEvery {
		changes["last_seen_at"] = now
	}
	if len(changes) == 0 {
		return &p, nil
	}
	if err := db.Model(&Person{}).Where("id = ?", p.ID).Updates(changes).Error; err != nil {
		return nil, fmt.Errorf("update person: %w", err)
	}
	p.Email, p.Name, p.Roles, p.AgencyID, p.LastSeenAt = email, name, roleStr, agencyID, &now
	return &p, nil
}

func sameID(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func joinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}

// principalOf builds the Principal of a person row and its agency (nil for
// provider staff).
func principalOf(p *Person, a *agency.Agency) *Principal {
	pr := &Principal{
		PersonID: p.ID,
		Issuer:   p.Issuer,
		Subject:  p.Subject,
		Kind:     p.Kind,
		Name:     p.Name,
		Email:    p.Email,
		Roles:    p.RoleList(),
		Provider: a == nil,
		Language: p.Language,
		TimeZone: p.TimeZone,
	}
	if a != nil {
		pr.AgencyID, pr.AgencyName, pr.AgencyCountry, pr.AgencyKind = a.ID, a.Name, a.Country, a.Kind
		if pr.Language == "" {
			pr.Language = a.Language
		}
		if pr.TimeZone == "" {
			pr.TimeZone = a.TimeZone
		}
	}
	return pr
}

// loadPrincipal re-reads a person and their agency, refusing suspended ones.
// Returns Unauthenticated if the person is gone and Forbidden if the person
// or their agency is suspended.
func loadPrincipal(ctx context.Context, db *gorm.DB, personID string) (*Principal, error) {
	var p Person
	err := db.WithContext(ctx).Where("id = ?", personID).Take(&p).Error
	if isNotFound(err) {
		return nil, errs.E(errs.Unauthenticated, "Your session has ended. Sign in again.")
	}
	if err != nil {
		return nil, fmt.Errorf("load person: %w", err)
	}
	if p.Status != StatusActive {
		return nil, errs.E(errs.Forbidden, "Your account is suspended.")
	}
	var a *agency.Agency
	if p.AgencyID != nil {
		if a, err = agency.FindByID(ctx, db, *p.AgencyID); err != nil {
			return nil, fmt.Errorf("load agency of person %s: %w", p.ID, err)
		}
		if e := a.Refusal(); e != nil {
			return nil, e
		}
	}
	return principalOf(&p, a), nil
}
