// Package transparency computes, publishes and recounts warrantdesk's
// transparency reports: how often governments asked, for what, and what the
// provider gave, per period, by country, agency kind, legal process and
// request type.
//
// Every number is counted from the public transparency log (package
// translog) and nothing else, up to a signed checkpoint the report names, so
// anyone holding the log's public key can fetch the leaves and recount it
// (Verify). The rules that protect investigations — a threshold below which
// a cell shows as "fewer than k", bands and a delay for national-security
// processes — come from the policy catalogue and travel inside each report,
// so the recount applies exactly the rules the report was counted under.
//
// A published report never changes: a correction is a new version with its
// reason, and every version stays served.
package transparency

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Period is a reporting period: a calendar year, half-year or quarter,
// named "2026", "2026-H2" or "2026-Q3".
type Period struct {
	Name  string
	First day.Date // the first day
	Last  day.Date // the last day, inclusive
}

// ParsePeriod reads a period name. Returns Invalid for anything else.
func ParsePeriod(s string) (Period, error) {
	bad := errs.E(errs.Invalid, "A period is a year (2026), a half-year (2026-H1, 2026-H2) or a quarter (2026-Q1 … 2026-Q4).")
	year, part, _ := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 2000 {
		return Period{}, bad
	}
	months, n := 12, 1
	switch {
	case part == "":
	case len(part) == 2 && part[0] == 'H' && part[1] >= '1' && part[1] <= '2':
		months, n = 6, int(part[1]-'0')
	case len(part) == 2 && part[0] == 'Q' && part[1] >= '1' && part[1] <= '4':
		months, n = 3, int(part[1]-'0')
	default:
		return Period{}, bad
	}
	first := time.Date(y, time.Month(1+(n-1)*months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, months, -1)
	return Period{Name: s, First: day.Of(first), Last: day.Of(last)}, nil
}

// PeriodOf returns the period of the given length in months (3, 6 or 12)
// that holds d.
func PeriodOf(d day.Date, months int) Period {
	t := d.Time()
	y, i := t.Year(), (int(t.Month())-1)/months+1
	name := strconv.Itoa(y)
	switch months {
	case 6:
		name += fmt.Sprintf("-H%d", i)
	case 3:
		name += fmt.Sprintf("-Q%d", i)
	}
	p, _ := ParsePeriod(name)
	return p
}

// Months returns how long the period is.
func (p Period) Months() int {
	switch {
	case strings.Contains(p.Name, "-H"):
		return 6
	case strings.Contains(p.Name, "-Q"):
		return 3
	}
	return 12
}

// Contains reports whether d falls in the period.
func (p Period) Contains(d day.Date) bool { return !d.Before(p.First) && !d.After(p.Last) }

// Previous returns the period of the same length before p.
func (p Period) Previous() Period { return PeriodOf(p.First.AddDays(-1), p.Months()) }
