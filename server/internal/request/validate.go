package request

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/phone"
)

// Text limits, in characters.
const (
	maxProcess  = 64
	maxName     = 200
	maxDocket   = 100
	maxOffence  = 500
	maxLongText = 4000
	// maxPenaltyMonths bounds a stated penalty (150 years), so a typo is
	// reported rather than stored.
	maxPenaltyMonths = 1800
	maxGrounds       = 10
)

var (
	processRE  = regexp.MustCompile(`^[a-z]{2}\.[a-z0-9_]{1,60}$`)
	usernameRE = regexp.MustCompile(`^[a-z0-9._-]{3,32}$`)
	// tokenRE is an id of the catalogue: a purpose, a ground.
	tokenRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	// earliest and latest bound dates to what a legal document can say, so a
	// typo such as 0226 or 20266 is reported rather than stored.
	earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// NormalizeTarget returns the canonical form of an identifier, so that the
// same account is always named the same way:
//
//   - phone: E.164 ("+1 555 0100 123" → "+15550100123"). A number without a
//     country code is read in region, the ISO 3166 code of the agency's
//     country. Numbers of a possible length are accepted (fictional ranges
//     such as 555-01xx included); no check that the number is assigned.
//   - username: NFKC-normalised, a leading "@" dropped, lower-cased; then
//     3–32 characters of a–z, 0–9, ".", "_" and "-".
//   - account_id: the provider's account UUID, in lowercase canonical form.
//   - email: a bare address (no display name), lower-cased.
//
// The error is Invalid, with a message safe to show beside the field.
func NormalizeTarget(typ, value, region string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", errs.E(errs.Invalid, "Enter the identifier.")
	}
	switch typ {
	case TargetPhone:
		return phone.Normalize(v, region)
	case TargetUsername:
		u := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(norm.NFKC.String(v)), "@"))
		if !usernameRE.MatchString(u) {
			return "", errs.E(errs.Invalid, "A username is 3 to 32 characters: letters, digits, dots, underscores and hyphens.")
		}
		return u, nil
	case TargetAccountID:
		// uuid.Parse also takes braces and urn:uuid: prefixes; only the
		// plain 36-character form is an account id.
		id, err := uuid.Parse(v)
		if err != nil || len(v) != 36 {
			return "", errs.E(errs.Invalid, "An account id is a UUID, such as 0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d.")
		}
		return id.String(), nil
	case TargetEmail:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || a.Name != "" || len(v) > 254 || !validEmailDomain(v) {
			return "", errs.E(errs.Invalid, "Enter a single e-mail address, such as name@example.org.")
		}
		return strings.ToLower(v), nil
	}
	return "", errs.E(errs.Invalid, "Choose a target type: %s.", strings.Join(TargetTypes, ", "))
}

func validEmailDomain(addr string) bool {
	i := strings.LastIndexByte(addr, '@')
	if i < 1 {
		return false
	}
	domain := addr[i+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(domain, "[]")
}

// normalize validates in, rewriting it into canonical form (trimmed text,
// normalised and de-duplicated targets, de-duplicated categories), and
// returns every problem at once. region is the agency's country, for phone
// numbers written without a country code; today bounds issued_on.
func normalize(in *Input, region string, today day.Date) errs.Fields {
	var f errs.Fields

	in.Process = strings.TrimSpace(in.Process)
	if in.Process != "" && (len(in.Process) > maxProcess || !processRE.MatchString(in.Process)) {
		f.Add("process", "Use a process id from the catalogue, such as us.subpoena.")
	}

	in.IssuingAuthority.Kind = strings.TrimSpace(in.IssuingAuthority.Kind)
	if k := in.IssuingAuthority.Kind; k != "" && !slices.Contains(AuthorityKinds, k) {
		f.Add("issuing_authority.kind", "Choose one of: %s.", strings.Join(AuthorityKinds, ", "))
	}
	in.IssuingAuthority.Name = strings.TrimSpace(in.IssuingAuthority.Name)
	text(&f, "issuing_authority.name", in.IssuingAuthority.Name, maxName, false)
	in.IssuingAuthority.SignedBy = strings.TrimSpace(in.IssuingAuthority.SignedBy)
	text(&f, "issuing_authority.signed_by", in.IssuingAuthority.SignedBy, maxName, false)
	in.Docket = strings.TrimSpace(in.Docket)
	text(&f, "docket", in.Docket, maxDocket, false)

	for _, d := range []struct {
		name string
		date day.Date
	}{
		{"issued_on", in.IssuedOn}, {"expires_on", in.ExpiresOn},
		{"date_from", in.DateFrom}, {"date_to", in.DateTo}, {"nondisclosure.until", in.Nondisclosure.Until},
	} {
		if !d.date.IsZero() && (d.date.Time().Before(earliest) || !d.date.Time().Before(latest)) {
			f.Add(d.name, "Enter a date between 1900 and 2199.")
		}
	}
	if !in.IssuedOn.IsZero() && in.IssuedOn.After(today.AddDays(1)) {
		// One day of grace: the court may be a time zone ahead of UTC.
		f.Add("issued_on", "The issue date cannot be in the future.")
	}
	if !in.IssuedOn.IsZero() && !in.ExpiresOn.IsZero() && !in.ExpiresOn.After(in.IssuedOn) && !f.Has("expires_on") {
		f.Add("expires_on", "The expiry date must be after the issue date.")
	}
	if !in.DateFrom.IsZero() && !in.DateTo.IsZero() && in.DateTo.Before(in.DateFrom) && !f.Has("date_to") {
		f.Add("date_to", "The end of the date range must not be before its start.")
	}

	if len(in.Targets) > MaxTargets {
		f.Add("targets", "Name at most %d targets in one request.", MaxTargets)
	}
	targets := make([]Target, 0, len(in.Targets))
	seen := make(map[Target]bool, len(in.Targets))
	for i, t := range in.Targets {
		t.Type = strings.TrimSpace(t.Type)
		if !slices.Contains(TargetTypes, t.Type) {
			f.Add(fmt.Sprintf("targets[%d].type", i), "Choose one of: %s.", strings.Join(TargetTypes, ", "))
			continue
		}
		v, err := NormalizeTarget(t.Type, t.Value, region)
		if err != nil {
			f.Add(fmt.Sprintf("targets[%d].value", i), "%s", errs.TextOf(err))
			continue
		}
		t.Value = v
		// Duplicates (often the same number written two ways) are dropped,
		// keeping the first.
		if !seen[t] {
			seen[t] = true
			targets = append(targets, t)
		}
	}
	in.Targets = targets

	cats := make([]string, 0, len(in.Categories))
	for i, c := range in.Categories {
		c = strings.TrimSpace(c)
		if !slices.Contains(Categories, c) {
			f.Add(fmt.Sprintf("categories[%d]", i), "%q is not a data category; choose from: %s.", errs.Clip(c, 40), strings.Join(Categories, ", "))
			continue
		}
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	in.Categories = cats

	// An order without an end date is lawful in some jurisdictions, so
	// Ordered without Until is accepted.
	if !in.Nondisclosure.Ordered && !in.Nondisclosure.Until.IsZero() {
		f.Add("nondisclosure.until", "Set an end date only when a non-disclosure order was made.")
	}
	if !in.Nondisclosure.Until.IsZero() && !in.IssuedOn.IsZero() && !in.Nondisclosure.Until.After(in.IssuedOn) && !f.Has("nondisclosure.until") {
		f.Add("nondisclosure.until", "The non-disclosure order must end after the issue date.")
	}

	// What an emergency has instead of a court order may come bit by bit,
	// like the rest of a draft; submission asks for all of it (missing).
	if e := in.Emergency; e != nil {
		e.Narrative = strings.TrimSpace(e.Narrative)
		text(&f, "emergency.narrative", e.Narrative, maxLongText, true)
		if e.Callback = strings.TrimSpace(e.Callback); e.Callback != "" {
			if v, err := NormalizeTarget(TargetPhone, e.Callback, region); err != nil {
				f.Add("emergency.callback", "%s", errs.TextOf(err))
			} else {
				e.Callback = v
			}
		}
		e.SupervisorID = strings.TrimSpace(e.SupervisorID)
		if e.SupervisorID != "" && uuid.Validate(e.SupervisorID) != nil {
			f.Add("emergency.supervisor_id", "Choose a supervisor of your agency from the list.")
		}
	}

	in.Offence.Description = strings.TrimSpace(in.Offence.Description)
	text(&f, "offence.description", in.Offence.Description, maxOffence, false)
	if m := in.Offence.MaxPenaltyMonths; m != nil && (*m < 0 || *m > maxPenaltyMonths) {
		f.Add("offence.max_penalty_months", "Enter the maximum penalty from 0 to %d months (%d years).", maxPenaltyMonths, maxPenaltyMonths/12)
	}
	if m := in.Offence.SentenceMonths; m != nil && (*m < 0 || *m > maxPenaltyMonths) {
		f.Add("offence.sentence_months", "Enter the sentence from 0 to %d months.", maxPenaltyMonths)
	}
	in.Offence.Grounds = tokens(&f, "offence.grounds", in.Offence.Grounds)
	in.Purpose = strings.TrimSpace(in.Purpose)
	if in.Purpose != "" && !tokenRE.MatchString(in.Purpose) {
		f.Add("purpose", "%q is not a purpose id; choose one the legal process lists.", errs.Clip(in.Purpose, 40))
	}
	in.Nondisclosure.IssuedBy = strings.TrimSpace(in.Nondisclosure.IssuedBy)
	if k := in.Nondisclosure.IssuedBy; k != "" && !slices.Contains(AuthorityKinds, k) {
		f.Add("nondisclosure.issued_by", "%q is not a kind of authority; choose from: %s.", errs.Clip(k, 40), strings.Join(AuthorityKinds, ", "))
	}
	if in.Nondisclosure.IssuedBy != "" && !in.Nondisclosure.Ordered && !f.Has("nondisclosure.issued_by") {
		f.Add("nondisclosure.issued_by", "Say who ordered non-disclosure only when it was ordered.")
	}

	in.Summary = strings.TrimSpace(in.Summary)
	text(&f, "summary", in.Summary, maxLongText, true)
	return f
}

// text checks a free-text field: valid UTF-8, no control characters (line
// breaks and tabs allowed where multiline), at most max characters. It
// reports whether the text is acceptable.
func text(f *errs.Fields, field, s string, max int, multiline bool) bool {
	if !utf8.ValidString(s) {
		f.Add(field, "The text contains invalid characters.")
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) {
			f.Add(field, "The text contains control characters.")
			return false
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		f.Add(field, "Use at most %d characters (this has %d).", max, n)
		return false
	}
	return true
}

// isBidiControl reports the invisible characters that reorder displayed
// text, which could make a docket or name read differently than stored.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// CheckSubmittable reports, as one Invalid error naming every field, what
// draft r still lacks before it can be submitted: the facts every process
// needs and the signed order ("file"). The legal policy then decides
// whether the process is used within its conditions.
func CheckSubmittable(ctx context.Context, tx *gorm.DB, r *Request) error {
	var docs int64
	if err := tx.WithContext(ctx).Model(&Document{}).Where("request_id = ?", r.ID).Count(&docs).Error; err != nil {
		return fmt.Errorf("count documents of request %s: %w", r.ID, err)
	}
	f := missing(r, int(docs))
	in := r.Input()
	bad, err := checkSupervisor(ctx, tx, r.AgencyID, r.CreatedBy, &in)
	if err != nil {
		return err
	}
	if f = append(f, bad...); len(f) > 0 {
		return &errs.Error{Code: errs.Invalid, Message: "Complete the request before submitting it.", Fields: f}
	}
	return nil
}

// missing reports the fields a request must have before it is submitted.
func missing(r *Request, documents int) errs.Fields {
	var f errs.Fields
	need := func(field string, ok bool, msg string) {
		if !ok {
			f.Add(field, "%s", msg)
		}
	}
	need("process", r.Process != "", "Choose the legal process.")
	need("issuing_authority.kind", r.Authority.Kind != "", "Say what kind of authority issued the process.")
	need("issuing_authority.name", r.Authority.Name != "", "Name the issuing authority.")
	// An emergency request may precede any legal process, so it has no
	// docket or signature yet; everything else must carry both.
	need("issuing_authority.signed_by", r.Emergency || r.Authority.SignedBy != "", "Name who signed the process.")
	need("docket", r.Emergency || r.Docket != "", "Enter the docket or case number.")
	need("issued_on", !r.IssuedOn.IsZero(), "Enter the date the process was issued.")
	need("date_from", !r.DateFrom.IsZero(), "Enter the start of the date range.")
	need("date_to", !r.DateTo.IsZero(), "Enter the end of the date range.")
	need("targets", len(r.Targets) > 0, "Name at least one target.")
	need("categories", len(r.Categories) > 0, "Choose at least one data category.")
	need("offence.description", r.Offence.Description != "", "Describe the offence under investigation.")
	// An emergency cannot wait for a signed order; it has instead what the
	// provider needs to trust it and act at once.
	need("file", r.Emergency || documents > 0, "Upload the signed order as a PDF.")
	if r.Emergency {
		need("emergency.narrative", r.EmergencyNarrative != "", "Describe the emergency: who is in danger, of what, and why the data is needed without delay.")
		need("emergency.callback", r.EmergencyCallback != "", "Give the number the provider can call you back on, with its country code.")
		need("emergency.supervisor_id", r.EmergencySupervisor != nil, "Choose the supervisor who will co-sign this emergency request.")
	}
	return f
}

// tokens checks a list of catalogue ids (grounds) and returns it without
// duplicates; the policy decides which ids the process knows.
func tokens(f *errs.Fields, field string, in []string) []string {
	if len(in) > maxGrounds {
		f.Add(field, "State at most %d.", maxGrounds)
		return nil
	}
	out := make([]string, 0, len(in))
	for i, t := range in {
		t = strings.TrimSpace(t)
		if !tokenRE.MatchString(t) {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "%q is not an id; choose from the legal process's list.", errs.Clip(t, 40))
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
