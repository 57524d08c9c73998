package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// The requester signals scene (HistoryOptions.Signals): in the last day of
// the history, requests that show the policy's requester signals
// (policies/signals) to intake and reviewers, and stay open in intake's
// queue so that the dashboard counts them:
//
//   - a new officer: someone the portal first saw three days ago files
//     their first request, signed in with a password alone;
//   - a spike: the British agency, which files a request or two a month,
//     files six in a day;
//   - an identifier named twice: the first of those six and the new
//     officer's request name the same phone number (SharedPhone).
//
// Every step goes through the portal's services, like the rest of the
// history; only the new officer's first sign-in is written as the sign-in
// writes it.

// SharedPhone is the number two agencies name in the signals scene.
var SharedPhone = PhoneOf(142)

// NewOfficerEmail is the new officer's address in the signals scene.
const NewOfficerEmail = "k.novak@riverside-pd.example"

// spikeSize is how many requests the British agency files in the spike:
// above the policy's spike_minimum of five.
const spikeSize = 6

// SignalsSceneRequests is how many requests the scene files: the spike's
// and the new officer's.
const SignalsSceneRequests = spikeSize + 1

// planSignals spawns the scene's lives; a world without a U.S. and a
// British agency has no scene.
func (g *generator) planSignals() error {
	us, gb := g.country("US"), g.country("GB")
	if us < 0 || gb < 0 {
		return nil
	}
	end := g.opt.End
	for i := range spikeSize {
		var shared []request.Target
		if i == 0 {
			shared = []request.Target{{Type: request.TargetPhone, Value: SharedPhone}}
		}
		g.spawnOpen(g.cfg.Agencies[gb], end.Add(-22*hour+time.Duration(i)*2*hour), shared)
	}
	novak, err := g.newOfficer(g.cfg.Agencies[us], end.Add(-3*days))
	if err != nil {
		return err
	}
	ag := g.cfg.Agencies[us]
	ag.Officer = novak
	g.spawnOpen(ag, end.Add(-5*hour), []request.Target{{Type: request.TargetPhone, Value: SharedPhone}}).password = true
	return nil
}

// spawnOpen files one request of ag at start, naming targets (or the
// usual ones), and leaves it in intake's queue.
func (g *generator) spawnOpen(ag FilingAgency, start time.Time, targets []request.Target) *caseRun {
	seed := g.rng.Uint64()
	c := &caseRun{g: g, ag: ag, rng: rand.New(rand.NewPCG(seed, seed>>7|1))}
	g.sim.spawn(start, g.opt.End, func(p *proc) error {
		c.p = p
		in := c.input(c.mainProcess(), false)
		if targets != nil {
			in.Targets = targets
		}
		if err := c.file(in, ""); err != nil {
			return fmt.Errorf("history: signals scene, %s request %s: %w", c.ag.Country, c.ref, err)
		}
		return nil
	}, g.finished)
	return c
}

// newOfficer is an officer of ag whom the portal first saw at seen, as
// their first sign-in at the agency's identity provider records them.
func (g *generator) newOfficer(ag FilingAgency, seen time.Time) (*identity.Principal, error) {
	seen = seen.UTC().Truncate(time.Microsecond)
	p := identity.Person{ID: uuid.NewString(), Issuer: ag.Officer.Issuer, Subject: "demo-new-officer-" + ag.ID,
		Kind: identity.KindPerson, AgencyID: &ag.ID, Email: NewOfficerEmail, Name: "Officer K. Novak",
		Roles: string(identity.RoleOfficer), Status: identity.StatusActive, LastSeenAt: &seen, CreatedAt: seen, UpdatedAt: seen}
	d := g.cfg.DB.WithContext(g.ctx)
	if err := d.Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
		return nil, fmt.Errorf("history: the new officer: %w", err)
	}
	if err := d.Where("issuer = ? AND subject = ?", p.Issuer, p.Subject).Take(&p).Error; err != nil {
		return nil, fmt.Errorf("history: the new officer: %w", err)
	}
	return &identity.Principal{PersonID: p.ID, Issuer: p.Issuer, Subject: p.Subject, Kind: p.Kind, Name: p.Name, Email: p.Email,
		Roles: []identity.Role{identity.RoleOfficer}, AgencyID: ag.ID, AgencyName: ag.Name, AgencyCountry: ag.Country, AgencyKind: ag.Kind}, nil
}
