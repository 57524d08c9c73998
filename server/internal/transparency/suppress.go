package transparency

import (
	"maps"
	"slices"

	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// SuppressedText is how a count withheld by complementary suppression is
// published: an exact count (0 or at least the threshold) hidden only so
// that a count shown as "fewer than k" beside it cannot be worked out by
// subtraction. It says nothing about its value beyond that.
const SuppressedText = "suppressed"

// A measure is one kind of number a cell publishes, read from a tally and
// written into a cell.
type measure struct {
	name string // the field name, as in the JSON and the band leaves
	n    func(*tally) int
	at   func(*Cell) *Count
}

// measures are a cell's counts in CSVHeader order, rejected_by_reason
// apart (its reasons are measures of their own, "rejected.<reason>").
var measures = []measure{
	{"requests_received", func(t *tally) int { return t.received }, func(c *Cell) *Count { return &c.RequestsReceived }},
	{"accounts_specified", func(t *tally) int { return t.accounts }, func(c *Cell) *Count { return &c.AccountsSpecified }},
	{"requests_with_data", func(t *tally) int { return t.withData }, func(c *Cell) *Count { return &c.RequestsWithData }},
	{"no_data_found", func(t *tally) int { return t.noData }, func(c *Cell) *Count { return &c.NoDataFound }},
	{"rejected", func(t *tally) int { return t.rejectedN() }, func(c *Cell) *Count { return &c.Rejected }},
	{"narrowed", func(t *tally) int { return t.narrowed }, func(c *Cell) *Count { return &c.Narrowed }},
	{"withdrawn", func(t *tally) int { return t.withdrawn }, func(c *Cell) *Count { return &c.Withdrawn }},
	{"under_nondisclosure_order", func(t *tally) int { return t.ndo }, func(c *Cell) *Count { return &c.UnderNDO }},
	{"nondisclosure_orders_lifted", func(t *tally) int { return t.lifted }, func(c *Cell) *Count { return &c.NDOLifted }},
	{"user_notices_sent", func(t *tally) int { return t.notices }, func(c *Cell) *Count { return &c.UserNotices }},
	{"emergency_follow_up_overdue", func(t *tally) int { return t.overdue }, func(c *Cell) *Count { return &c.FollowUpOverdue }},
	{"accounts_preserved", func(t *tally) int { return t.accountsPreserv }, func(c *Cell) *Count { return &c.AccountsPreserved }},
}

// reasonMeasure is the name of one reason of rejected_by_reason.
func reasonMeasure(reason string) string { return "rejected." + reason }

// A hidden state of a published count.
type hidden int8

const (
	shown      hidden = iota // exact
	fewer                    // "fewer than k": from 1 to k-1
	suppressed               // SuppressedText: 0 or at least k, chosen nonzero, so at least k
)

// A sumTerm is one count in a published sum.
type sumTerm struct {
	node int
	sign int  // +1 for a total, -1 for a part: the signed terms add up to 0
	part bool // a part (a candidate for suppression before the totals)
}

// A suppressor finds which counts of a report to suppress: its counts, the
// sums the report publishes over them, and the comparisons a reader knows
// hold between them.
type suppressor struct {
	k      int      // the threshold
	n      []int    // each count's true value
	state  []hidden // how each is published
	sums   [][]sumTerm
	leq    [][2]int // a <= b
	in     [][]int  // the sums each count is in
	lo, hi []int    // what a reader can work out of each count
	stuck  []bool   // pinned, and nothing left to suppress for it
}

// unbounded is the upper bound a reader knows for a suppressed count: none.
// Bounds worked out from it stay far above any real count.
const unbounded = 1 << 40

func (s *suppressor) add(n int, c Count) int {
	st := shown
	if !c.Exact() {
		st = fewer
		if c.Text == SuppressedText {
			st = suppressed
		}
	}
	s.n, s.state = append(s.n, n), append(s.state, st)
	s.in, s.stuck = append(s.in, nil), append(s.stuck, false)
	return len(s.n) - 1
}

// sum records that the totals add up to the parts (a total may enter with
// sign -1: Totals - Emergency = the legal-process rows).
func (s *suppressor) sum(terms []sumTerm) {
	if len(terms) < 2 {
		return
	}
	i := len(s.sums)
	s.sums = append(s.sums, terms)
	for _, t := range terms {
		s.in[t.node] = append(s.in[t.node], i)
	}
}

// atMost records that count a is never more than count b.
func (s *suppressor) atMost(a, b int) { s.leq = append(s.leq, [2]int{a, b}) }

// bounds resets what a reader knows of each count from how it is
// published, then narrows it with every sum until nothing changes: what a
// reader can derive by subtraction, chained across sums.
func (s *suppressor) bounds() {
	s.lo, s.hi = make([]int, len(s.n)), make([]int, len(s.n))
	for i, st := range s.state {
		switch st {
		case shown:
			s.lo[i], s.hi[i] = s.n[i], s.n[i]
		case fewer:
			s.lo[i], s.hi[i] = 1, s.k-1
		case suppressed:
			s.lo[i], s.hi[i] = s.k, unbounded
		}
	}
	for range 200 { // in practice a few passes; a cap keeps a pathological set of sums bounded
		changed := false
		for _, terms := range s.sums {
			// The signed total of all terms lies in [minAll, maxAll];
			// bounds tightened during this pass leave it looser, never
			// wrong.
			minAll, maxAll := 0, 0
			for _, o := range terms {
				a, b := s.signed(o)
				minAll, maxAll = minAll+a, maxAll+b
			}
			for _, t := range terms {
				a, b := s.signed(t)
				lo, hi := s.solve(t, minAll-a, maxAll-b)
				if lo > s.lo[t.node] {
					s.lo[t.node], changed = lo, true
				}
				if hi < s.hi[t.node] {
					s.hi[t.node], changed = hi, true
				}
			}
		}
		for _, p := range s.leq {
			a, b := p[0], p[1]
			if s.lo[a] > s.lo[b] {
				s.lo[b], changed = s.lo[a], true
			}
			if s.hi[b] < s.hi[a] {
				s.hi[a], changed = s.hi[b], true
			}
		}
		if !changed {
			return
		}
	}
}

// signed returns the bounds of a term's signed value.
func (s *suppressor) signed(t sumTerm) (lo, hi int) {
	if t.sign > 0 {
		return s.lo[t.node], s.hi[t.node]
	}
	return -s.hi[t.node], -s.lo[t.node]
}

// solve returns the bounds of t's count given that the other terms'
// signed total lies in [minR, maxR]: t's signed value is its negation.
func (s *suppressor) solve(t sumTerm, minR, maxR int) (lo, hi int) {
	if t.sign > 0 {
		return max(-maxR, 0), min(-minR, unbounded)
	}
	return max(minR, 0), min(maxR, unbounded)
}

// published returns the bounds of count i that its published text gives.
func (s *suppressor) published(i int) (lo, hi int) {
	switch s.state[i] {
	case fewer:
		return 1, s.k - 1
	case suppressed:
		return s.k, unbounded
	}
	return s.n[i], s.n[i]
}

// pinnedBy reports whether the other terms of one sum, as published, pin
// term t to one value.
func (s *suppressor) pinnedBy(terms []sumTerm, t sumTerm) bool {
	minR, maxR := 0, 0
	for _, o := range terms {
		if o.node == t.node {
			continue
		}
		lo, hi := s.published(o.node)
		if o.sign < 0 {
			lo, hi = -hi, -lo
		}
		minR, maxR = minR+lo, maxR+hi
	}
	lo, hi := s.solve(t, minR, maxR)
	plo, phi := s.published(t.node)
	return max(lo, plo) == min(hi, phi)
}

// pinned returns the hidden counts a reader can work out exactly.
func (s *suppressor) pinned() []int {
	var out []int
	for i, st := range s.state {
		if st != shown && !s.stuck[i] && s.lo[i] == s.hi[i] {
			out = append(out, i)
		}
	}
	return out
}

// candidates returns the counts whose suppression could keep count i from
// being worked out, best first: in a sum that pins it with the published
// values alone, the smallest nonzero exact part, then the smallest nonzero
// exact total; then the exact counts it is compared with that set its
// bounds; then the same in every other sum it is in.
func (s *suppressor) candidates(i int) []int {
	var out []int
	add := func(c int) {
		if c >= 0 && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	best := func(terms []sumTerm, parts bool) int {
		c := -1
		for _, t := range terms {
			if t.part == parts && s.state[t.node] == shown && s.n[t.node] > 0 && (c < 0 || s.n[t.node] < s.n[c]) {
				c = t.node
			}
		}
		return c
	}
	for _, alone := range []bool{true, false} {
		for _, si := range s.in[i] {
			terms := s.sums[si]
			if alone {
				self := terms[slices.IndexFunc(terms, func(t sumTerm) bool { return t.node == i })]
				if !s.pinnedBy(terms, self) {
					continue
				}
			}
			add(best(terms, true))
			add(best(terms, false))
		}
		if alone {
			for _, p := range s.leq {
				switch {
				case p[1] == i && s.state[p[0]] == shown && s.n[p[0]] > 0 && s.n[p[0]] == s.lo[i]:
					add(p[0])
				case p[0] == i && s.state[p[1]] == shown && s.n[p[1]] > 0 && s.n[p[1]] == s.hi[i]:
					add(p[1])
				}
			}
		}
	}
	return out
}

// choose returns the candidate to suppress for pinned count i: the first
// whose suppression alone leaves i unknown; if none does, -1, or with
// anyway the best candidate (-1 if there is none). It leaves the bounds as
// they were.
func (s *suppressor) choose(i int, anyway bool) int {
	cs := s.candidates(i)
	defer s.bounds()
	for _, c := range cs[:min(len(cs), 8)] {
		s.state[c] = suppressed
		s.bounds()
		s.state[c] = shown
		if s.lo[i] != s.hi[i] {
			return c
		}
	}
	if anyway && len(cs) > 0 {
		return cs[0]
	}
	return -1
}

// direct reports whether one sum or one comparison pins hidden count i
// with what is published alone, without chains through other hidden
// counts: such a count is where a leak starts.
func (s *suppressor) direct(i int) bool {
	for _, si := range s.in[i] {
		terms := s.sums[si]
		if s.pinnedBy(terms, terms[slices.IndexFunc(terms, func(t sumTerm) bool { return t.node == i })]) {
			return true
		}
	}
	lo, hi := s.published(i)
	for _, p := range s.leq {
		switch {
		case p[1] == i && s.state[p[0]] == shown && s.n[p[0]] == hi:
			return true
		case p[0] == i && s.state[p[1]] == shown && s.n[p[1]] == lo:
			return true
		}
	}
	return false
}

// run suppresses counts until no hidden count can be worked out, and
// returns the counts it suppressed. Each round it suppresses one count: one
// that alone makes a pinned count unknown again, for the first pinned count
// that has one, those pinned directly first (another pinned count may be
// what pins the rest, through a sum or a comparison); else the best
// candidate of the first pinned count.
func (s *suppressor) run() []int {
	var out []int
	for {
		s.bounds()
		pinned := s.pinned()
		if len(pinned) == 0 {
			return out
		}
		slices.SortStableFunc(pinned, func(a, b int) int {
			da, db := s.direct(a), s.direct(b)
			switch {
			case da && !db:
				return -1
			case db && !da:
				return 1
			}
			return 0
		})
		c := -1
		for _, i := range pinned {
			if c = s.choose(i, false); c >= 0 {
				break
			}
		}
		if c < 0 {
			if c = s.choose(pinned[0], true); c < 0 {
				// Everything around it is hidden or zero already; a
				// reader who knows the rules could still work it out (a
				// sum of ones). Nothing more can be withheld for it.
				s.stuck[pinned[0]] = true
				continue
			}
		}
		s.state[c] = suppressed
		out = append(out, c)
	}
}

// suppress applies complementary suppression to rep, whose cells were
// counted from these tallies (rows and byCountry in the report's order),
// over every sum the report publishes, for each measure:
//
//   - totals = the countries;
//   - a country = its rows (legal process and emergency);
//   - emergency = the emergency rows; preservation = the preservation rows;
//   - totals - emergency = the legal-process rows;
//
// where each reason of rejected_by_reason is a measure too; and in every
// cell, rejected = its rejected_by_reason, and requests under a
// non-disclosure order <= requests received <= accounts specified (each
// received request names at least one account).
func (r Rules) suppress(rep *Report, totals, emergency, preservation *tally, byCountry, rows []*tally) {
	if r.Threshold <= 1 {
		return
	}
	cells := []*Cell{&rep.Totals, &rep.Emergency, &rep.Preservation}
	tallies := []*tally{totals, emergency, preservation}
	for i := range rep.ByCountry {
		cells, tallies = append(cells, &rep.ByCountry[i]), append(tallies, byCountry[i])
	}
	for i := range rep.Rows {
		cells, tallies = append(cells, &rep.Rows[i]), append(tallies, rows[i])
	}
	reasonSet := map[string]bool{}
	for _, t := range tallies {
		for reason := range t.rejected {
			reasonSet[reason] = true
		}
	}
	reasons := slices.Sorted(maps.Keys(reasonSet))

	// Node m*len(cells)+i is measure m of cell i; the reasons follow the
	// measures.
	s := &suppressor{k: r.Threshold}
	node := func(m, i int) int { return m*len(cells) + i }
	for _, m := range measures {
		for i := range cells {
			s.add(m.n(tallies[i]), *m.at(cells[i]))
		}
	}
	for _, reason := range reasons {
		for i := range cells {
			c, ok := cells[i].RejectedByReason[reason]
			if !ok {
				c = Count{} // absent: 0, which a reader knows
			}
			s.add(tallies[i].rejected[reason], c)
		}
	}
	const firstCountry = 3
	firstRow := firstCountry + len(rep.ByCountry)
	for m := range len(measures) + len(reasons) {
		byCountry := []sumTerm{{node: node(m, 0), sign: 1}}
		country := map[string][]sumTerm{}
		for i := range rep.ByCountry {
			n := node(m, firstCountry+i)
			byCountry = append(byCountry, sumTerm{node: n, sign: -1, part: true})
			country[rep.ByCountry[i].Country] = []sumTerm{{node: n, sign: 1}}
		}
		s.sum(byCountry)
		emerg := []sumTerm{{node: node(m, 1), sign: 1}}
		pres := []sumTerm{{node: node(m, 2), sign: 1}}
		legal := []sumTerm{{node: node(m, 0), sign: 1}, {node: node(m, 1), sign: -1}}
		for i, row := range rep.Rows {
			t := sumTerm{node: node(m, firstRow+i), sign: -1, part: true}
			switch row.RequestType {
			case translog.TypePreservation:
				pres = append(pres, t)
				continue
			case translog.TypeEmergency:
				emerg = append(emerg, t)
			default:
				legal = append(legal, t)
			}
			country[row.Country] = append(country[row.Country], t)
		}
		for i := range rep.ByCountry {
			s.sum(country[rep.ByCountry[i].Country])
		}
		s.sum(emerg)
		s.sum(pres)
		s.sum(legal)
	}
	measureIndex := func(name string) int {
		return slices.IndexFunc(measures, func(m measure) bool { return m.name == name })
	}
	rejected, received := measureIndex("rejected"), measureIndex("requests_received")
	accounts, ndo := measureIndex("accounts_specified"), measureIndex("under_nondisclosure_order")
	for i := range cells {
		terms := []sumTerm{{node: node(rejected, i), sign: 1}}
		for j := range reasons {
			terms = append(terms, sumTerm{node: node(len(measures)+j, i), sign: -1, part: true})
		}
		s.sum(terms)
		s.atMost(node(ndo, i), node(received, i))
		s.atMost(node(received, i), node(accounts, i))
	}
	for _, n := range s.run() {
		m, i := n/len(cells), n%len(cells)
		if m < len(measures) {
			*measures[m].at(cells[i]) = Count{Text: SuppressedText}
		} else {
			cells[i].RejectedByReason[reasons[m-len(measures)]] = Count{Text: SuppressedText}
		}
	}
}
