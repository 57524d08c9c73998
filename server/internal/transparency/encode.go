package transparency

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Sections of the CSV form, in order.
const (
	SectionTotals           = "totals"
	SectionEmergency        = "emergency"
	SectionPreservation     = "preservation"
	SectionCountry          = "country"
	SectionRow              = "row"
	SectionNationalSecurity = "national_security"
)

// CSVHeader is the CSV form's header: one line per cell, the same field
// names as the JSON form. rejected_by_reason lists reason=count pairs,
// separated by ";".
var CSVHeader = []string{
	"period", "version", "section", "country", "agency_kind", "legal_process", "request_type",
	"requests_received", "accounts_specified", "requests_with_data", "percent_with_data", "no_data_found",
	"rejected", "rejected_by_reason", "narrowed", "withdrawn", "under_nondisclosure_order",
	"percent_under_nondisclosure_order", "nondisclosure_orders_lifted", "user_notices_sent",
	"emergency_follow_up_overdue", "accounts_preserved",
}

// JSON returns the report's canonical JSON: the bytes that are signed and
// served. encoding/json escapes <, > and &, so the bytes survive being
// embedded in another JSON document unchanged.
func (r Report) JSON() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("transparency: encode report: %w", err)
	}
	return b, nil
}

// ParseReport reads a report's JSON.
func ParseReport(b []byte) (Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return Report{}, fmt.Errorf("transparency: the report is not valid JSON: %w", err)
	}
	if r.Format != Format {
		return Report{}, fmt.Errorf("transparency: unknown report format %q", r.Format)
	}
	return r, nil
}

// cells lists every cell with its section, in the order of the CSV form.
func (r Report) cells() []sectionCell {
	out := []sectionCell{{SectionTotals, r.Totals}, {SectionEmergency, r.Emergency}, {SectionPreservation, r.Preservation}}
	for _, c := range r.ByCountry {
		out = append(out, sectionCell{SectionCountry, c})
	}
	for _, c := range r.Rows {
		out = append(out, sectionCell{SectionRow, c})
	}
	for _, c := range r.NationalSecurity.Rows {
		out = append(out, sectionCell{SectionNationalSecurity, c})
	}
	return out
}

type sectionCell struct {
	section string
	cell    Cell
}

func reasons(m map[string]Count) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k].String())
	}
	return strings.Join(parts, ";")
}

// values are a cell's numbers in CSVHeader order (from requests_received).
func (c Cell) values() []string {
	return []string{c.RequestsReceived.String(), c.AccountsSpecified.String(), c.RequestsWithData.String(),
		c.PercentWithData.String(), c.NoDataFound.String(), c.Rejected.String(), reasons(c.RejectedByReason),
		c.Narrowed.String(), c.Withdrawn.String(), c.UnderNDO.String(), c.PercentUnderNDO.String(), c.NDOLifted.String(),
		c.UserNotices.String(), c.FollowUpOverdue.String(), c.AccountsPreserved.String()}
}

// CSV returns the report as CSV (RFC 4180, header first).
func (r Report) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(CSVHeader)
	for _, sc := range r.cells() {
		c := sc.cell
		row := []string{r.Period, strconv.Itoa(r.Version), sc.section, c.Country, c.AgencyKind, c.Process, c.RequestType}
		w.Write(append(row, c.values()...))
	}
	w.Flush()
	return buf.Bytes()
}

// Numbers names every number of the report, such as
// "row US/police/us.subpoena/legal_process requests_received", with its
// published text; with the report's period, checkpoint and national-security
// status. A recount compares these.
func (r Report) Numbers() map[string]string {
	out := map[string]string{
		"period":                   r.Period + " " + r.From.String() + " " + r.To.String(),
		"national_security status": r.NationalSecurity.Status + " from " + r.NationalSecurity.AvailableFrom.String(),
		"log tree_size":            strconv.FormatInt(r.Log.TreeSize, 10),
		"log root_hash":            r.Log.RootHash,
		"national_security count":  strconv.Itoa(len(r.NationalSecurity.Rows)),
		"rows count":               strconv.Itoa(len(r.Rows)),
		"by_country count":         strconv.Itoa(len(r.ByCountry)),
	}
	for _, sc := range r.cells() {
		c := sc.cell
		name := sc.section
		switch sc.section {
		case SectionCountry:
			name += " " + c.Country
		case SectionRow, SectionNationalSecurity:
			name += " " + c.Country + "/" + c.AgencyKind + "/" + c.Process + "/" + c.RequestType
		}
		vals := c.values()
		for i, v := range vals {
			field := CSVHeader[7+i]
			if field == "rejected_by_reason" {
				continue // each reason on its own below
			}
			out[name+" "+field] = v
		}
		for reason, n := range c.RejectedByReason {
			out[name+" rejected "+reason] = n.String()
		}
	}
	return out
}

// A Mismatch is a number the recount does not confirm.
type Mismatch struct {
	Name      string // as Numbers names it
	Published string // "" if the report does not have it
	Recounted string // "" if the recount does not have it
}

// Compare lists the numbers of published that recounted does not confirm,
// by name.
func Compare(published, recounted Report) []Mismatch {
	a, b := published.Numbers(), recounted.Numbers()
	var out []Mismatch
	for _, name := range slices.Sorted(maps.Keys(a)) {
		if a[name] != b[name] {
			out = append(out, Mismatch{Name: name, Published: a[name], Recounted: b[name]})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[name]; !ok {
			out = append(out, Mismatch{Name: name, Recounted: b[name]})
		}
	}
	return out
}
