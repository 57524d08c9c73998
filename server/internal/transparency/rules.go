package transparency

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// Rules are how a report protects investigations. They come from the policy
// catalogue (rule "transparency" and the processes flagged
// national_security) and are published inside every report, so a recount
// applies the same ones.
type Rules struct {
	PeriodMonths int `json:"period_months"`
	// Threshold k: a count from 1 to k-1 shows as "fewer than k". Zero
	// stays 0, which identifies nobody. 0 or 1 disables it.
	Threshold int `json:"threshold"`
	// BandWidth: national-security counts show as the band holding them
	// (0-249, 250-499, …). 0 shows them exactly.
	BandWidth int `json:"band_width"`
	// DelayDays: national-security bands appear only in reports published
	// this many days after the period's last day.
	DelayDays int `json:"national_security_delay_days"`
	// NationalSecurity lists the catalogue's national-security processes.
	// Under NationalSecurityBandLeaves, leaves of these processes (there
	// should be none) are kept out of the counts and the section comes from
	// band leaves; before it, the section counted these processes' leaves.
	NationalSecurity []string `json:"national_security_processes"`
	// ComplementarySuppression: in every published sum where a protected
	// count could be worked out from the total and the other parts, more
	// counts are withheld (shown as SuppressedText) until none can; and a
	// percentage is published only when every count its denominator adds up
	// is exact. See suppress.go and the README.
	ComplementarySuppression bool `json:"complementary_suppression"`
	// NationalSecurityBandLeaves: national-security requests have no leaves
	// of their own (they are classified per request, and counted privately);
	// the national-security section is read from the band leaves the
	// report's version appended to the log (translog.Record). Reports
	// published before carry false and are recounted the old way.
	NationalSecurityBandLeaves bool `json:"national_security_band_leaves"`
}

// RulesFrom reads the rules of the policy catalogue.
func RulesFrom(cat policy.Catalogue) Rules {
	t := cat.Transparency
	r := Rules{PeriodMonths: t.PeriodMonths, Threshold: t.Threshold, BandWidth: t.BandWidth, DelayDays: t.NationalSecurityDelayDays,
		NationalSecurity: []string{}, ComplementarySuppression: t.ComplementarySuppression, NationalSecurityBandLeaves: true}
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			if p.Flags.NationalSecurity {
				r.NationalSecurity = append(r.NationalSecurity, p.ID)
			}
		}
	}
	slices.Sort(r.NationalSecurity)
	if r.PeriodMonths != 3 && r.PeriodMonths != 12 {
		r.PeriodMonths = 6
	}
	return r
}

// Validate reports rules a report cannot be counted under.
func (r Rules) Validate() error {
	switch {
	case r.PeriodMonths != 3 && r.PeriodMonths != 6 && r.PeriodMonths != 12:
		return fmt.Errorf("transparency: period of %d months: use 3, 6 or 12", r.PeriodMonths)
	case r.Threshold < 0 || r.BandWidth < 0 || r.DelayDays < 0:
		return errors.New("transparency: threshold, band width and delay cannot be negative")
	case r.NationalSecurityBandLeaves && r.BandWidth == 0:
		// Band leaves are public: with no band they would publish the
		// exact numbers 50 U.S.C. § 1874 forbids.
		return errors.New("transparency: national-security counts need a band width")
	}
	return nil
}

// A Count is a published number: exact, or protected (Text says how). In
// JSON an exact count is a number and a protected one a string, such as
// "fewer than 5" or "0-249".
type Count struct {
	N    int    // the exact value, when Text is ""
	Text string // the protected value
}

// Exact reports whether c is published exactly.
func (c Count) Exact() bool { return c.Text == "" }

func (c Count) String() string {
	if c.Text != "" {
		return c.Text
	}
	return strconv.Itoa(c.N)
}

// MarshalJSON writes a number or, for a protected count, a string.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Text != "" {
		return json.Marshal(c.Text)
	}
	return []byte(strconv.Itoa(c.N)), nil
}

// UnmarshalJSON reads a number or a string.
func (c *Count) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*c = Count{}
		return json.Unmarshal(b, &c.Text)
	}
	*c = Count{}
	return json.Unmarshal(b, &c.N)
}

// A Percent is a share to one decimal, or unknown (JSON null) when either
// of its counts is protected or it divides by zero: a percentage of an
// exact total would give a protected count away.
type Percent struct {
	V     float64
	Known bool
}

func percent(num, den Count) Percent {
	if !num.Exact() || !den.Exact() || den.N == 0 {
		return Percent{}
	}
	return Percent{V: math.Round(1000*float64(num.N)/float64(den.N)) / 10, Known: true}
}

func (p Percent) String() string {
	if !p.Known {
		return ""
	}
	return strconv.FormatFloat(p.V, 'f', 1, 64)
}

// MarshalJSON writes the share with one decimal, or null.
func (p Percent) MarshalJSON() ([]byte, error) {
	if !p.Known {
		return []byte("null"), nil
	}
	return []byte(p.String()), nil
}

// UnmarshalJSON reads a number or null.
func (p *Percent) UnmarshalJSON(b []byte) error {
	*p = Percent{}
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &p.V); err != nil {
		return err
	}
	p.Known = true
	return nil
}

// protect publishes n under the rules: national-security counts in bands,
// others exactly unless from 1 to Threshold-1.
func (r Rules) protect(n int, nationalSecurity bool) Count {
	if nationalSecurity && r.BandWidth > 0 {
		_, text := r.band(n)
		return Count{Text: text}
	}
	if n > 0 && n < r.Threshold {
		return Count{Text: fmt.Sprintf("fewer than %d", r.Threshold)}
	}
	return Count{N: n}
}
