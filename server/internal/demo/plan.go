package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// A kind is one way a request's life goes.
type kind int

const (
	kindApproved     kind = iota // verified, approved as asked, produced
	kindNarrowed                 // approved for less than the policy allows
	kindQuestion                 // a question and an answer, then approved
	kindRejected                 // rejected with a reason code
	kindWithdrawn                // withdrawn by the agency before a decision
	kindEmergency                // co-signed, called back, approved, produced; legal process follows
	kindEmergencyRej             // co-signed, called back, rejected
	kindPreserved                // preserved, then released or extended and closed
	kindPreservedFul             // preserved, then fulfilled by a linked production request
)

// The share of each kind among a country's requests, in per mille.
var mixUS = []struct {
	k kind
	w int
}{
	{kindApproved, 300}, {kindNarrowed, 110}, {kindQuestion, 80}, {kindRejected, 120}, {kindWithdrawn, 50},
	{kindEmergency, 90}, {kindEmergencyRej, 30}, {kindPreserved, 110}, {kindPreservedFul, 110},
}

var mixGB = []struct {
	k kind
	w int
}{
	{kindApproved, 400}, {kindNarrowed, 160}, {kindQuestion, 120}, {kindRejected, 220}, {kindWithdrawn, 100},
}

var mixDE = []struct {
	k kind
	w int
}{
	{kindApproved, 320}, {kindNarrowed, 120}, {kindQuestion, 80}, {kindRejected, 160}, {kindWithdrawn, 60},
	{kindPreserved, 130}, {kindPreservedFul, 130},
}

// lifetime is the longest a life of kind k takes, so that it ends before
// the history does.
func (k kind) lifetime() time.Duration {
	switch k {
	case kindPreserved:
		return 100 * 24 * time.Hour
	case kindPreservedFul, kindEmergency:
		return 80 * 24 * time.Hour // the linked request's life included
	}
	return 60 * 24 * time.Hour
}

// slots is how many requests a life of kind k files.
func (k kind) slots() int {
	if k == kindEmergency || k == kindPreservedFul {
		return 2
	}
	return 1
}

// euFrom is when the EU's e-evidence regulation applies (the catalogue's
// applies_from for eu.epoc and eu.epoc_pr): German requests start then.
var euFrom = time.Date(2026, 8, 18, 0, 0, 0, 0, time.UTC)

// A life is one planned top-level request.
type life struct {
	kind   kind
	agency int
	start  time.Time
	seed   uint64
}

// plan chooses every life and spawns its script.
func (g *generator) plan() {
	end := g.opt.End
	// The half-years, oldest first, and a weight that grows towards now:
	// requests to the provider have been rising.
	var starts []time.Time
	p := periodStart(end)
	for range g.opt.Periods {
		starts = append([]time.Time{p}, starts...)
		p = periodStart(p.Add(-24 * time.Hour))
	}
	left := g.opt.Requests
	for left > 0 {
		l, ok := g.pick(starts, left)
		if !ok {
			break
		}
		left -= l.kind.slots()
		g.spawn(l)
	}
	// Whatever no window fits (a very young history) is filed as plain
	// requests as late as they still finish.
	for ; left > 0; left-- {
		l := life{kind: kindApproved, agency: g.country("US"), start: end.Add(-kindApproved.lifetime()), seed: g.rng.Uint64()}
		g.spawn(l)
	}
}

// pick chooses one life that fits in the history and in left slots.
func (g *generator) pick(starts []time.Time, left int) (life, bool) {
	end := g.opt.End
	for range 50 {
		pi := g.weighted(len(starts))
		ai := g.rng.IntN(100)
		var country string
		switch {
		case ai < 50:
			country = "US"
		case ai < 80:
			country = "GB"
		default:
			country = "DE"
		}
		a := g.country(country)
		if a < 0 {
			a = g.rng.IntN(len(g.cfg.Agencies))
			country = g.cfg.Agencies[a].Country
		}
		k := g.kindFor(country)
		if k.slots() > left {
			continue
		}
		from := starts[pi]
		to := end
		if pi+1 < len(starts) {
			to = starts[pi+1]
		}
		if country == "DE" && from.Before(euFrom) {
			from = euFrom
		}
		if last := end.Add(-k.lifetime()); to.After(last) {
			to = last
		}
		if !to.After(from) {
			continue
		}
		// Office hours on a weekday, most of the time.
		t := from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from)))))
		t = time.Date(t.Year(), t.Month(), t.Day(), 8+g.rng.IntN(9), g.rng.IntN(60), g.rng.IntN(60), 0, time.UTC)
		switch t.Weekday() {
		case time.Saturday:
			t = t.Add(2 * 24 * time.Hour)
		case time.Sunday:
			t = t.Add(24 * time.Hour)
		}
		if !t.Before(to) || t.Before(from) {
			continue
		}
		return life{kind: k, agency: a, start: t, seed: g.rng.Uint64()}, true
	}
	return life{}, false
}

// weighted picks one of n periods, later ones more often.
func (g *generator) weighted(n int) int {
	total := 0
	for i := range n {
		total += 10 + 4*i
	}
	x := g.rng.IntN(total)
	for i := range n {
		if x -= 10 + 4*i; x < 0 {
			return i
		}
	}
	return n - 1
}

// country returns the index of the first agency of country, or -1.
func (g *generator) country(c string) int {
	for i, a := range g.cfg.Agencies {
		if a.Country == c {
			return i
		}
	}
	return -1
}

func (g *generator) kindFor(country string) kind {
	mix := mixUS
	switch country {
	case "GB":
		mix = mixGB
	case "DE":
		mix = mixDE
	}
	total := 0
	for _, m := range mix {
		total += m.w
	}
	x := g.rng.IntN(total)
	for _, m := range mix {
		if x -= m.w; x < 0 {
			return m.k
		}
	}
	return kindApproved
}

// spawn schedules a life's script.
func (g *generator) spawn(l life) {
	c := &caseRun{g: g, ag: g.cfg.Agencies[l.agency], rng: rand.New(rand.NewPCG(l.seed, l.seed>>7|1))}
	g.sim.spawn(l.start, g.opt.End, func(p *proc) error {
		c.p = p
		err := c.live(l.kind)
		if err != nil {
			return fmt.Errorf("history: %s request %s: %w", c.ag.Country, c.ref, err)
		}
		return nil
	}, g.finished)
}
