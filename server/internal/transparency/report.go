package transparency

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// Format names the report's JSON format.
const Format = "warrantdesk-transparency-report/1"

// National-security section states.
const (
	NSPublished = "published" // the bands are in the report
	NSDelayed   = "delayed"   // the delay has not passed when the report was published
)

// A Report is one published version of a period's statistics. Its JSON
// field names are documented in the README ("Transparency reports").
type Report struct {
	Format      string    `json:"format"`
	Period      string    `json:"period"`
	From        day.Date  `json:"from"`
	To          day.Date  `json:"to"`
	Version     int       `json:"version"`
	Correction  string    `json:"correction_reason,omitempty"` // why this version replaces the one before
	PublishedAt time.Time `json:"published_at"`
	Log         LogRef    `json:"log"`
	Rules       Rules     `json:"rules"`

	// Totals: legal process and emergency requests; preservation and
	// national-security requests are reported apart.
	Totals           Cell             `json:"totals"`
	Emergency        Cell             `json:"emergency"`
	Preservation     Cell             `json:"preservation"`
	ByCountry        []Cell           `json:"by_country"` // as Totals, per country
	Rows             []Cell           `json:"rows"`       // per country, agency kind, process and request type
	NationalSecurity NationalSecurity `json:"national_security"`
}

// A LogRef names the checkpoint of the transparency log a report was
// counted from: the report counts the first TreeSize leaves.
type LogRef struct {
	Origin   string `json:"origin"`
	TreeSize int64  `json:"tree_size"`
	RootHash string `json:"root_hash"` // base64, as in the checkpoint
}

// NationalSecurity is the banded, delayed section.
type NationalSecurity struct {
	Status        string   `json:"status"`         // NSPublished or NSDelayed
	AvailableFrom day.Date `json:"available_from"` // the first day a report may show the bands
	Rows          []Cell   `json:"rows"`
}

// A Cell is the statistics of one group of requests. The grouping fields
// are empty where a cell covers all of them.
type Cell struct {
	Country     string `json:"country,omitempty"`
	AgencyKind  string `json:"agency_kind,omitempty"`
	Process     string `json:"legal_process,omitempty"`
	RequestType string `json:"request_type,omitempty"`

	RequestsReceived  Count            `json:"requests_received"`
	AccountsSpecified Count            `json:"accounts_specified"`
	RequestsWithData  Count            `json:"requests_with_data"`
	PercentWithData   Percent          `json:"percent_with_data"` // of the requests concluded in the period
	NoDataFound       Count            `json:"no_data_found"`
	Rejected          Count            `json:"rejected"`
	RejectedByReason  map[string]Count `json:"rejected_by_reason"`
	Narrowed          Count            `json:"narrowed"`
	Withdrawn         Count            `json:"withdrawn"`
	UnderNDO          Count            `json:"under_nondisclosure_order"`
	PercentUnderNDO   Percent          `json:"percent_under_nondisclosure_order"` // of the requests received
	NDOLifted         Count            `json:"nondisclosure_orders_lifted"`
	UserNotices       Count            `json:"user_notices_sent"`
	FollowUpOverdue   Count            `json:"emergency_follow_up_overdue"`
	AccountsPreserved Count            `json:"accounts_preserved"`
}

// ReasonUnspecified counts rejections logged before reasons were.
const ReasonUnspecified = "unspecified"

// A key groups leaves into the finest cells.
type key struct{ Country, AgencyKind, Process, RequestType string }

// A tally is a cell's raw counts.
type tally struct {
	received, accounts, ndo                   int
	withData, noData, narrowed, withdrawn     int
	rejected                                  map[string]int
	lifted, notices, overdue, accountsPreserv int
}

// rejectedN is how many requests were rejected, for any reason.
func (t *tally) rejectedN() int {
	n := 0
	for _, m := range t.rejected {
		n += m
	}
	return n
}

func (t *tally) add(o *tally) {
	t.received += o.received
	t.accounts += o.accounts
	t.ndo += o.ndo
	t.withData += o.withData
	t.noData += o.noData
	t.narrowed += o.narrowed
	t.withdrawn += o.withdrawn
	t.lifted += o.lifted
	t.notices += o.notices
	t.overdue += o.overdue
	t.accountsPreserv += o.accountsPreserv
	for r, n := range o.rejected {
		if t.rejected == nil {
			t.rejected = map[string]int{}
		}
		t.rejected[r] += n
	}
}

// A Counter counts the leaves of one period. Add every leaf of the log in
// any order; leaves dated outside the period and events it does not know
// are skipped.
type Counter struct {
	period  Period
	cells   map[key]*tally
	bands   map[string][]translog.Record // national-security band leaves, by commitment
	Leaves  int64                        // leaves seen
	Counted int64                        // leaves counted (dated in the period)
}

// NewCounter returns an empty counter for p.
func NewCounter(p Period) *Counter { return &Counter{period: p, cells: map[key]*tally{}} }

// Add counts one record. Every event is counted on its own date: the
// report says what happened in the period, and the log's leaves of one
// request cannot be linked (each has its own salt). A national-security
// band leaf is kept for the section of the report version it names,
// whatever its date (the day it was published).
func (c *Counter) Add(r translog.Record) {
	c.Leaves++
	if r.Event == translog.EventNationalSecurityBand {
		if c.bands == nil {
			c.bands = map[string][]translog.Record{}
		}
		c.bands[r.Commitment] = append(c.bands[r.Commitment], r)
		return
	}
	if !c.period.Contains(r.Date) {
		return
	}
	c.Counted++
	k := key{r.Country, r.AgencyKind, r.Process, r.RequestType}
	t := c.cells[k]
	if t == nil {
		t = &tally{}
		c.cells[k] = t
	}
	switch r.Event {
	case translog.EventReceived:
		t.received++
		t.accounts += r.Accounts
		if r.NDO {
			t.ndo++
		}
	case translog.EventDecided:
		if reason, ok := translog.RejectReason(r.Outcome); ok {
			if reason == "" {
				reason = ReasonUnspecified
			}
			if t.rejected == nil {
				t.rejected = map[string]int{}
			}
			t.rejected[reason]++
		} else if r.Outcome == translog.OutcomeNarrowed {
			t.narrowed++
		}
	case translog.EventDisclosed:
		if r.Outcome == translog.OutcomeNoRecords {
			t.noData++
		} else {
			t.withData++
		}
	case translog.EventWithdrawn:
		t.withdrawn++
	case translog.EventPreserved:
		t.accountsPreserv += r.Accounts
	case translog.EventNDOLifted:
		t.lifted++
	case translog.EventNoticeSent:
		t.notices += r.Accounts
	case translog.EventFollowUpOverdue:
		t.overdue++
	}
}

// Meta is what a report states besides its numbers.
type Meta struct {
	Version     int
	Correction  string
	PublishedAt time.Time
	Log         LogRef
}

// Report applies the rules to the counts and returns the report.
func (c *Counter) Report(rules Rules, m Meta) Report {
	rep := Report{Format: Format, Period: c.period.Name, From: c.period.First, To: c.period.Last,
		Version: m.Version, Correction: m.Correction, PublishedAt: m.PublishedAt.UTC(), Log: m.Log, Rules: rules,
		ByCountry: []Cell{}, Rows: []Cell{}}
	if rep.Rules.NationalSecurity == nil {
		rep.Rules.NationalSecurity = []string{}
	}
	ns := map[string]bool{}
	for _, p := range rules.NationalSecurity {
		ns[p] = true
	}
	var totals, emergency, preservation tally
	countries := map[string]*tally{}
	var countryOrder []string
	var rows []*tally
	rep.NationalSecurity = NationalSecurity{Status: NSPublished, AvailableFrom: c.period.Last.AddDays(1 + rules.DelayDays), Rows: []Cell{}}
	delayed := day.Of(rep.PublishedAt).Before(rep.NationalSecurity.AvailableFrom)
	if delayed {
		rep.NationalSecurity.Status = NSDelayed
	}
	for _, k := range c.keys() {
		t := c.cells[k]
		if ns[k.Process] {
			// Under band leaves there should be no such leaf; one that is
			// there stays out of every count all the same.
			if !delayed && !rules.NationalSecurityBandLeaves {
				rep.NationalSecurity.Rows = append(rep.NationalSecurity.Rows, rules.cell(k, t, true))
			}
			continue
		}
		rep.Rows = append(rep.Rows, rules.cell(k, t, false))
		rows = append(rows, t)
		switch k.RequestType {
		case translog.TypePreservation:
			preservation.add(t)
			continue
		case translog.TypeEmergency:
			emergency.add(t)
		}
		totals.add(t)
		if countries[k.Country] == nil {
			countries[k.Country] = &tally{}
			countryOrder = append(countryOrder, k.Country)
		}
		countries[k.Country].add(t)
	}
	if rules.NationalSecurityBandLeaves && !delayed {
		rep.NationalSecurity.Rows = rules.bandRows(c.bands[translog.BandCommitment(c.period.Name, m.Version)])
	}
	rep.Totals = rules.cell(key{}, &totals, false)
	rep.Emergency = rules.cell(key{RequestType: translog.TypeEmergency}, &emergency, false)
	rep.Preservation = rules.cell(key{RequestType: translog.TypePreservation}, &preservation, false)
	byCountry := make([]*tally, len(countryOrder))
	for i, cc := range countryOrder {
		rep.ByCountry = append(rep.ByCountry, rules.cell(key{Country: cc}, countries[cc], false))
		byCountry[i] = countries[cc]
	}
	if rules.ComplementarySuppression {
		rules.suppress(&rep, &totals, &emergency, &preservation, byCountry, rows)
	}
	rules.percents(&rep.Totals, &totals)
	rules.percents(&rep.Emergency, &emergency)
	rules.percents(&rep.Preservation, &preservation)
	for i := range rep.ByCountry {
		rules.percents(&rep.ByCountry[i], byCountry[i])
	}
	for i := range rep.Rows {
		rules.percents(&rep.Rows[i], rows[i])
	}
	return rep
}

// keys returns the counter's groups in the report's order.
func (c *Counter) keys() []key {
	return slices.SortedFunc(maps.Keys(c.cells), compareKeys)
}

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.Country, b.Country), cmp.Compare(a.AgencyKind, b.AgencyKind),
		cmp.Compare(a.Process, b.Process), cmp.Compare(a.RequestType, b.RequestType))
}

// cell publishes a tally under the rules. A national-security cell is all
// bands, with its percentages (unknown); an ordinary cell gets its
// percentages from Report, after complementary suppression (see percents).
func (r Rules) cell(k key, t *tally, nationalSecurity bool) Cell {
	p := func(n int) Count { return r.protect(n, nationalSecurity) }
	byReason := map[string]Count{}
	for reason, n := range t.rejected {
		byReason[reason] = p(n)
	}
	c := Cell{Country: k.Country, AgencyKind: k.AgencyKind, Process: k.Process, RequestType: k.RequestType,
		RequestsReceived: p(t.received), AccountsSpecified: p(t.accounts), RequestsWithData: p(t.withData),
		NoDataFound: p(t.noData), Rejected: p(t.rejectedN()), RejectedByReason: byReason, Narrowed: p(t.narrowed),
		Withdrawn: p(t.withdrawn), UnderNDO: p(t.ndo), NDOLifted: p(t.lifted), UserNotices: p(t.notices),
		FollowUpOverdue: p(t.overdue), AccountsPreserved: p(t.accountsPreserv)}
	if nationalSecurity {
		r.percents(&c, t)
	}
	return c
}

// percents sets a cell's percentages from its published counts and tally
// t. The share with data is of the requests concluded (with data, no data,
// rejected, withdrawn), a sum the report does not publish: the percentage
// gives it away, and with it whichever of its parts is protected. So under
// complementary suppression it is published only when every one of them is
// exact; before, only when the sum was at least the threshold.
func (r Rules) percents(c *Cell, t *tally) {
	concluded := r.protect(t.withData+t.noData+t.rejectedN()+t.withdrawn, false)
	if r.ComplementarySuppression {
		for _, part := range []Count{c.NoDataFound, c.Rejected, c.Withdrawn} {
			if !part.Exact() {
				concluded = Count{Text: SuppressedText}
			}
		}
	}
	c.PercentWithData = percent(c.RequestsWithData, concluded)
	c.PercentUnderNDO = percent(c.UnderNDO, c.RequestsReceived)
}
