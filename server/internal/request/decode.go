package request

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// DecodeInput reads a JSON request body, as DESIGN.md shows it, into an
// Input. Unlike encoding/json it reports every problem at once, each naming
// its field as the body does ("issued_on", "targets[1].value",
// "offence.max_penalty_months"): unknown fields, wrong types and malformed
// dates. null is the same as an absent field. Returns Invalid.
func DecodeInput(data []byte) (Input, error) {
	in, _, err := decode(data)
	return in, err
}

// DecodeUpdate reads a JSON PATCH body into an Update: an absent field is
// left unchanged, null clears it (and withdraws an emergency), and objects
// replace the stored object whole. Errors are reported as DecodeInput
// reports them. Returns Invalid.
func DecodeUpdate(data []byte) (Update, error) {
	in, present, err := decode(data)
	if err != nil {
		return Update{}, err
	}
	var u Update
	if present["process"] {
		u.Process = &in.Process
	}
	if present["issuing_authority"] {
		u.IssuingAuthority = &in.IssuingAuthority
	}
	if present["docket"] {
		u.Docket = &in.Docket
	}
	if present["issued_on"] {
		u.IssuedOn = &in.IssuedOn
	}
	if present["expires_on"] {
		u.ExpiresOn = &in.ExpiresOn
	}
	if present["targets"] {
		u.Targets = &in.Targets
	}
	if present["date_from"] {
		u.DateFrom = &in.DateFrom
	}
	if present["date_to"] {
		u.DateTo = &in.DateTo
	}
	if present["categories"] {
		u.Categories = &in.Categories
	}
	if present["nondisclosure"] {
		u.Nondisclosure = &in.Nondisclosure
	}
	if present["emergency"] {
		u.Emergency = &in.Emergency
	}
	if present["purpose"] {
		u.Purpose = &in.Purpose
	}
	if present["offence"] {
		u.Offence = &in.Offence
	}
	if present["person_resides_in_issuing_state"] {
		u.PersonResides = &in.PersonResides
	}
	if present["summary"] {
		u.Summary = &in.Summary
	}
	return u, nil
}

// A decoder collects field errors while it decodes.
type decoder struct{ f errs.Fields }

// decode reads data into an Input and reports which top-level fields were
// present.
func decode(data []byte) (Input, map[string]bool, error) {
	var in Input
	var d decoder
	present := map[string]bool{}
	d.object(data, "", "the request body", map[string]func(json.RawMessage, string){
		"process":           func(raw json.RawMessage, name string) { d.str(raw, name, &in.Process) },
		"issuing_authority": func(raw json.RawMessage, name string) { d.authority(raw, name, &in.IssuingAuthority) },
		"docket":            func(raw json.RawMessage, name string) { d.str(raw, name, &in.Docket) },
		"issued_on":         func(raw json.RawMessage, name string) { d.date(raw, name, &in.IssuedOn) },
		"expires_on":        func(raw json.RawMessage, name string) { d.date(raw, name, &in.ExpiresOn) },
		"targets":           func(raw json.RawMessage, name string) { d.targets(raw, name, &in.Targets) },
		"date_from":         func(raw json.RawMessage, name string) { d.date(raw, name, &in.DateFrom) },
		"date_to":           func(raw json.RawMessage, name string) { d.date(raw, name, &in.DateTo) },
		"categories":        func(raw json.RawMessage, name string) { d.strings(raw, name, &in.Categories) },
		"nondisclosure": func(raw json.RawMessage, name string) {
			d.object(raw, name, "", map[string]func(json.RawMessage, string){
				"ordered":   func(raw json.RawMessage, name string) { d.boolean(raw, name, &in.Nondisclosure.Ordered) },
				"until":     func(raw json.RawMessage, name string) { d.date(raw, name, &in.Nondisclosure.Until) },
				"issued_by": func(raw json.RawMessage, name string) { d.str(raw, name, &in.Nondisclosure.IssuedBy) },
			})
		},
		"emergency": func(raw json.RawMessage, name string) {
			if isNull(raw) {
				return
			}
			in.Emergency = &Emergency{}
			d.object(raw, name, "", map[string]func(json.RawMessage, string){
				"narrative":     func(raw json.RawMessage, name string) { d.str(raw, name, &in.Emergency.Narrative) },
				"callback":      func(raw json.RawMessage, name string) { d.str(raw, name, &in.Emergency.Callback) },
				"supervisor_id": func(raw json.RawMessage, name string) { d.str(raw, name, &in.Emergency.SupervisorID) },
			})
		},
		"purpose": func(raw json.RawMessage, name string) { d.str(raw, name, &in.Purpose) },
		"offence": func(raw json.RawMessage, name string) { d.offence(raw, name, &in.Offence) },
		"person_resides_in_issuing_state": func(raw json.RawMessage, name string) {
			d.boolean(raw, name, &in.PersonResides)
		},
		// Replaced: whether a crime is serious follows from its penalty or a
		// stated ground, as the law says, not from a tick box.
		"serious_crime": func(_ json.RawMessage, name string) {
			d.f.Add(name, "No longer accepted: state the offence's maximum penalty (offence.max_penalty_months or offence.max_penalty_years) or the statutory grounds (offence.grounds); the policy decides from them whether the crime is serious.")
		},
		"summary": func(raw json.RawMessage, name string) { d.str(raw, name, &in.Summary) },
	}, present)
	if err := d.f.Err(); err != nil {
		return Input{}, nil, err
	}
	return in, present, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// object decodes a JSON object, calling fields[key] for each known key in
// a fixed order and reporting unknown keys. null decodes to nothing. what
// names the object in the message when it is the whole body. present, if
// not nil, records the keys seen.
func (d *decoder) object(raw json.RawMessage, name, what string, fields map[string]func(json.RawMessage, string), present ...map[string]bool) {
	if name != "" && isNull(raw) {
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		if what == "" {
			what = "this"
		}
		field := name
		if field == "" {
			field = "body"
		}
		d.f.Add(field, "Send %s as a JSON object.", what)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fn, ok := fields[k]
		if !ok {
			d.f.Add(join(name, k), "Unknown field.")
			continue
		}
		for _, p := range present {
			p[k] = true
		}
		fn(m[k], join(name, k))
	}
}

func (d *decoder) str(raw json.RawMessage, name string, dst *string) {
	if isNull(raw) {
		*dst = ""
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.f.Add(name, "Send text (a JSON string).")
	}
}

func (d *decoder) boolean(raw json.RawMessage, name string, dst *bool) {
	if isNull(raw) {
		*dst = false
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.f.Add(name, "Send true or false.")
	}
}

func (d *decoder) date(raw json.RawMessage, name string, dst *day.Date) {
	if isNull(raw) {
		*dst = day.Date{}
		return
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		d.f.Add(name, "Send a date as a string in the form YYYY-MM-DD.")
		return
	}
	if s == "" {
		*dst = day.Date{}
		return
	}
	v, err := day.Parse(s)
	if err != nil {
		d.f.Add(name, "%q is not a date in the form YYYY-MM-DD.", errs.Clip(s, 20))
		return
	}
	*dst = v
}

// number reads a JSON number, fractions allowed; null is nil.
func (d *decoder) number(raw json.RawMessage, name string, dst **float64) {
	if isNull(raw) {
		*dst = nil
		return
	}
	t := bytes.TrimSpace(raw)
	var n json.Number
	if len(t) == 0 || t[0] == '"' || json.Unmarshal(t, &n) != nil {
		d.f.Add(name, "Send a number, such as 12 or 0.5.")
		return
	}
	v, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsInf(v, 0) {
		d.f.Add(name, "Send a number, such as 12 or 0.5.")
		return
	}
	*dst = &v
}

// offence reads the offence. Its maximum penalty may be sent in months or
// in years (fractions allowed: 0.5 years is six months); both are accepted
// when they agree, and it is kept in months, the unit of legal thresholds.
func (d *decoder) offence(raw json.RawMessage, name string, dst *Offence) {
	*dst = Offence{}
	var years, months *float64
	d.object(raw, name, "", map[string]func(json.RawMessage, string){
		"description":                func(raw json.RawMessage, name string) { d.str(raw, name, &dst.Description) },
		"max_penalty_years":          func(raw json.RawMessage, name string) { d.number(raw, name, &years) },
		"max_penalty_months":         func(raw json.RawMessage, name string) { d.number(raw, name, &months) },
		"grounds":                    func(raw json.RawMessage, name string) { d.strings(raw, name, (*[]string)(&dst.Grounds)) },
		"sentence_months":            func(raw json.RawMessage, name string) { d.number(raw, name, &dst.SentenceMonths) },
		"committed_in_issuing_state": func(raw json.RawMessage, name string) { d.boolean(raw, name, &dst.CommittedInIssuingState) },
	})
	switch {
	case years != nil && months != nil && !sameMonths(*years*12, *months):
		d.f.Add(join(name, "max_penalty_months"), "The penalty in months (%g) and in years (%g) disagree; send one of them.", *months, *years)
	case months != nil:
		dst.MaxPenaltyMonths = months
	case years != nil:
		m := YearsToMonths(*years)
		dst.MaxPenaltyMonths = &m
	}
}

// YearsToMonths converts a penalty in years to months, rounded to a
// thousandth of a month so that 0.1 years is 1.2 months, not 1.2000000000000002.
func YearsToMonths(y float64) float64 { return math.Round(y*12*1000) / 1000 }

func sameMonths(a, b float64) bool { return math.Abs(a-b) < 0.001 }

func (d *decoder) strings(raw json.RawMessage, name string, dst *[]string) {
	*dst = nil
	if isNull(raw) {
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.f.Add(name, "Send a list of strings.")
		return
	}
	out := make([]string, len(items))
	for i, item := range items {
		d.str(item, fmt.Sprintf("%s[%d]", name, i), &out[i])
	}
	*dst = out
}

func (d *decoder) targets(raw json.RawMessage, name string, dst *[]Target) {
	*dst = nil
	if isNull(raw) {
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.f.Add(name, `Send a list of targets, such as [{"type": "phone", "value": "+1 555 0100 123"}].`)
		return
	}
	out := make([]Target, len(items))
	for i, item := range items {
		el := fmt.Sprintf("%s[%d]", name, i)
		if isNull(item) {
			d.f.Add(el, `Send a target as {"type": ..., "value": ...}.`)
			continue
		}
		d.object(item, el, "a target", map[string]func(json.RawMessage, string){
			"type":  func(raw json.RawMessage, name string) { d.str(raw, name, &out[i].Type) },
			"value": func(raw json.RawMessage, name string) { d.str(raw, name, &out[i].Value) },
		})
	}
	*dst = out
}

func (d *decoder) authority(raw json.RawMessage, name string, dst *Authority) {
	*dst = Authority{}
	d.object(raw, name, "", map[string]func(json.RawMessage, string){
		"kind":      func(raw json.RawMessage, name string) { d.str(raw, name, &dst.Kind) },
		"name":      func(raw json.RawMessage, name string) { d.str(raw, name, &dst.Name) },
		"signed_by": func(raw json.RawMessage, name string) { d.str(raw, name, &dst.SignedBy) },
	})
}
