package transparency

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// National-security requests are never in the public log one by one
// (50 U.S.C. § 1874 allows their numbers only in bands, after a delay): their
// events are kept privately (translog.NationalSecurityEvent). A report
// version that publishes the national-security section first counts those
// events into bands and appends one band leaf per published band cell to
// the log (translog.Record describes them); then it is counted from the log
// like every other number, so the recount checks the section against the
// leaves, and a later version that changed a band would need leaves of its
// own, in public.

// band returns the band holding n, and its lower bound.
func (r Rules) band(n int) (lo int, text string) {
	lo = n / r.BandWidth * r.BandWidth
	return lo, fmt.Sprintf("%d-%d", lo, lo+r.BandWidth-1)
}

// bandLeaves counts the private national-security events of period p into
// the band leaves version of its report publishes on day published: one
// leaf per number of every national-security row (each reason of
// rejected_by_reason apart), in the report's row order.
func (r Rules) bandLeaves(ctx context.Context, db *gorm.DB, p Period, version int, published day.Date) ([]translog.Record, error) {
	c := NewCounter(p)
	if err := translog.NationalSecurityEvents(ctx, db, p.First, p.Last, func(e translog.NationalSecurityEvent) { c.Add(e.Record()) }); err != nil {
		return nil, err
	}
	commitment := translog.BandCommitment(p.Name, version)
	var out []translog.Record
	for _, k := range c.keys() {
		t := c.cells[k]
		leaf := func(name string, n int) {
			lo, _ := r.band(n)
			out = append(out, translog.Record{Event: translog.EventNationalSecurityBand, Commitment: commitment, Date: published,
				Country: k.Country, AgencyKind: k.AgencyKind, Process: k.Process, RequestType: k.RequestType,
				Categories: []string{}, Outcome: name, Accounts: lo})
		}
		for _, m := range measures {
			leaf(m.name, m.n(t))
		}
		for _, reason := range slices.Sorted(maps.Keys(t.rejected)) {
			leaf(reasonMeasure(reason), t.rejected[reason])
		}
	}
	return out, nil
}

// bandRows rebuilds the national-security rows from the band leaves of one
// report version, in the report's row order. A number appended twice for
// one row (two publications raced for the same version) takes the later
// leaf; a leaf naming no number of a report is ignored.
func (r Rules) bandRows(leaves []translog.Record) []Cell {
	rows := map[key]*Cell{}
	for _, l := range leaves {
		k := key{l.Country, l.AgencyKind, l.Process, l.RequestType}
		c := rows[k]
		if c == nil {
			c = &Cell{Country: k.Country, AgencyKind: k.AgencyKind, Process: k.Process, RequestType: k.RequestType,
				RejectedByReason: map[string]Count{}}
			rows[k] = c
		}
		text := fmt.Sprintf("%d-%d", l.Accounts, l.Accounts+r.BandWidth-1)
		if reason, ok := strings.CutPrefix(l.Outcome, "rejected."); ok {
			c.RejectedByReason[reason] = Count{Text: text}
			continue
		}
		for _, m := range measures {
			if m.name == l.Outcome {
				*m.at(c) = Count{Text: text}
			}
		}
	}
	out := make([]Cell, 0, len(rows))
	for _, k := range slices.SortedFunc(maps.Keys(rows), compareKeys) {
		out = append(out, *rows[k]) // percentages of bands are unknown: the zero Percent
	}
	return out
}

// appendBands appends the band leaves of version of period p's report,
// published at now, in their own transaction, before the checkpoint the
// report is counted from is signed.
func (s *Service) appendBands(ctx context.Context, rules Rules, p Period, version int, now time.Time) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		recs, err := rules.bandLeaves(ctx, tx, p, version, day.Of(now))
		if err != nil || len(recs) == 0 {
			return err
		}
		_, err = translog.AppendBands(ctx, tx, recs)
		return err
	})
}
