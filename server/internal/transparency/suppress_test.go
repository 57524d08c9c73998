package transparency_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// A group is requests received by one country under one process.
type group struct {
	country, process, typ string
	n                     int
}

// reportOf counts n received requests (one account each) per group, plus
// one withdrawn leaf per group so that a group of zero still has a row,
// under threshold 5 with or without complementary suppression.
func reportOf(t *testing.T, groups []group, suppress bool) transparency.Report {
	t.Helper()
	p, _ := transparency.ParsePeriod("2026-H1")
	c := transparency.NewCounter(p)
	for _, g := range groups {
		typ := g.typ
		if typ == "" {
			typ = translog.TypeLegalProcess
		}
		rec := translog.Record{Date: mustDay("2026-03-01"), Country: g.country, AgencyKind: "police", Process: g.process, RequestType: typ, Accounts: 1}
		for range g.n {
			rec.Event = translog.EventReceived
			c.Add(rec)
		}
		rec.Event, rec.Accounts = translog.EventWithdrawn, 0
		if g.n == 0 {
			c.Add(rec)
		}
	}
	rules := transparency.Rules{PeriodMonths: 6, Threshold: 5, BandWidth: 250, ComplementarySuppression: suppress}
	return c.Report(rules, transparency.Meta{PublishedAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)})
}

// received lists requests_received of the rows, then the countries, then
// the totals and emergency.
func received(rep transparency.Report) string {
	var parts []string
	for _, r := range rep.Rows {
		parts = append(parts, r.Country+"/"+r.Process+"="+r.RequestsReceived.String())
	}
	for _, c := range rep.ByCountry {
		parts = append(parts, c.Country+"="+c.RequestsReceived.String())
	}
	parts = append(parts, "total="+rep.Totals.RequestsReceived.String(), "emergency="+rep.Emergency.RequestsReceived.String())
	return strings.Join(parts, " ")
}

func TestComplementarySuppression(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		groups []group
		want   string
	}{
		{
			desc:   "one protected part: the next-smallest is suppressed",
			groups: []group{{"US", "us.subpoena", "", 1}, {"US", "us.warrant", "", 7}, {"US", "us.2703d", "", 9}},
			want:   "US/us.2703d=9 US/us.subpoena=fewer than 5 US/us.warrant=suppressed US=17 total=17 emergency=0",
		},
		{
			desc:   "all parts small: the total is protected itself, nothing more",
			groups: []group{{"US", "us.subpoena", "", 1}, {"US", "us.warrant", "", 1}, {"US", "us.2703d", "", 1}},
			want:   "US/us.2703d=fewer than 5 US/us.subpoena=fewer than 5 US/us.warrant=fewer than 5 US=fewer than 5 total=fewer than 5 emergency=0",
		},
		{
			desc:   "one part: it equals its total, both protected",
			groups: []group{{"US", "us.subpoena", "", 3}},
			want:   "US/us.subpoena=fewer than 5 US=fewer than 5 total=fewer than 5 emergency=0",
		},
		{
			desc:   "zeros are shown and never suppressed",
			groups: []group{{"US", "us.subpoena", "", 2}, {"US", "us.warrant", "", 0}, {"US", "us.2703d", "", 6}},
			want:   "US/us.2703d=suppressed US/us.subpoena=fewer than 5 US/us.warrant=0 US=8 total=8 emergency=0",
		},
		{
			desc:   "two protected parts already: nothing more",
			groups: []group{{"US", "us.subpoena", "", 2}, {"US", "us.warrant", "", 3}, {"US", "us.2703d", "", 10}},
			want:   "US/us.2703d=10 US/us.subpoena=fewer than 5 US/us.warrant=fewer than 5 US=15 total=15 emergency=0",
		},
		{
			desc:   "two protected parts adding up to two: both would be 1",
			groups: []group{{"US", "us.subpoena", "", 1}, {"US", "us.warrant", "", 1}, {"US", "us.2703d", "", 10}},
			want:   "US/us.2703d=suppressed US/us.subpoena=fewer than 5 US/us.warrant=fewer than 5 US=12 total=12 emergency=0",
		},
		{
			desc: "a suppressed part at the threshold would give the other away: the total goes",
			// 6 = x + y with x from 1 to 4 and y at least 5: x = 1.
			groups: []group{{"US", "us.subpoena", "", 1}, {"US", "us.warrant", "", 5}},
			want:   "US/us.subpoena=fewer than 5 US/us.warrant=suppressed US=suppressed total=suppressed emergency=0",
		},
		{
			desc: "countries within the totals, and a country whose rows are all exact",
			groups: []group{{"US", "us.subpoena", "", 7}, {"US", "us.warrant", "", 8}, {"GB", "uk.opo", "", 2},
				{"DE", "eu.epoc", "", 6}},
			want: "DE/eu.epoc=6 GB/uk.opo=fewer than 5 US/us.subpoena=7 US/us.warrant=8 DE=6 GB=fewer than 5 US=15 total=suppressed emergency=0",
		},
		{
			// Hiding the next-smallest row of the country and of the
			// emergency total is not enough: GB's emergency row would be GB
			// minus uk.opo. The four hidden rows form a rectangle.
			desc: "emergency rows: within their country and within the emergency total",
			groups: []group{{"US", "us.emergency", translog.TypeEmergency, 2}, {"US", "us.subpoena", "", 9},
				{"GB", "uk.emergency", translog.TypeEmergency, 7}, {"GB", "uk.opo", "", 6}},
			want: "GB/uk.emergency=suppressed GB/uk.opo=suppressed US/us.emergency=fewer than 5 US/us.subpoena=suppressed GB=13 US=11 total=24 emergency=9",
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rep := reportOf(t, tc.groups, true)
			if got := received(rep); got != tc.want {
				t.Errorf("requests received:\n got %s\nwant %s", got, tc.want)
			}
			checkNothingDerivable(t, rep, tc.groups)
		})
	}
	t.Run("off: the old rule", func(t *testing.T) {
		rep := reportOf(t, []group{{"US", "us.subpoena", "", 1}, {"US", "us.warrant", "", 7}}, false)
		if got, want := received(rep), "US/us.subpoena=fewer than 5 US/us.warrant=7 US=8 total=8 emergency=0"; got != want {
			t.Errorf("without complementary suppression: %s, want %s", got, want)
		}
	})
}

// checkNothingDerivable enumerates every assignment of the hidden
// requests_received counts that agrees with what the report publishes —
// "fewer than 5" is 1 to 4, "suppressed" is 5 or more (the builder
// suppresses only nonzero exact counts, and a reader may know it), the sums it
// states (totals = countries, a country = its rows, emergency = its rows)
// — and fails if a count shown as "fewer than 5" has only one possible
// value. This is a reader who tries everything, not the builder's own
// reasoning.
func checkNothingDerivable(t *testing.T, rep transparency.Report, groups []group) {
	t.Helper()
	type cell struct {
		name string
		c    transparency.Count
	}
	var cells []cell
	for _, r := range rep.Rows {
		cells = append(cells, cell{"row " + r.Country + "/" + r.Process, r.RequestsReceived})
	}
	rows := len(cells)
	for _, c := range rep.ByCountry {
		cells = append(cells, cell{"country " + c.Country, c.RequestsReceived})
	}
	cells = append(cells, cell{"totals", rep.Totals.RequestsReceived}, cell{"emergency", rep.Emergency.RequestsReceived})
	top := 0
	for _, g := range groups {
		top += g.n
	}
	top += 6 // room above the truth
	var hidden []int
	val := make([]int, len(cells))
	for i, c := range cells {
		if c.c.Exact() {
			val[i] = c.c.N
		} else {
			hidden = append(hidden, i)
		}
	}
	consistent := func() bool {
		total, emergency := 0, 0
		byCountry := map[string]int{}
		for i, r := range rep.Rows {
			byCountry[r.Country] += val[i]
			total += val[i]
			if r.RequestType == translog.TypeEmergency {
				emergency += val[i]
			}
		}
		for j, c := range rep.ByCountry {
			if val[rows+j] != byCountry[c.Country] {
				return false
			}
		}
		return val[len(cells)-2] == total && val[len(cells)-1] == emergency
	}
	seen := map[int]map[int]bool{}
	var try func(h int)
	try = func(h int) {
		if h == len(hidden) {
			if consistent() {
				for _, i := range hidden {
					if seen[i] == nil {
						seen[i] = map[int]bool{}
					}
					seen[i][val[i]] = true
				}
			}
			return
		}
		i := hidden[h]
		for v := 0; v <= top; v++ {
			if cells[i].c.Text == transparency.SuppressedText && v < 5 || cells[i].c.Text != transparency.SuppressedText && (v < 1 || v > 4) {
				continue
			}
			val[i] = v
			try(h + 1)
		}
	}
	if len(hidden) > 6 {
		t.Fatalf("%d counts hidden: too many to try every value", len(hidden))
	}
	try(0)
	for _, i := range hidden {
		if cells[i].c.Text != transparency.SuppressedText && len(seen[i]) < 2 {
			t.Errorf("%s (%s) can be worked out: %v", cells[i].name, cells[i].c, keys(seen[i]))
		}
	}
}

func keys(m map[int]bool) string {
	var out []string
	for k := range m {
		out = append(out, fmt.Sprint(k))
	}
	return strings.Join(out, ",")
}
