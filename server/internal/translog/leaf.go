package translog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
)

// Events: the request lifecycle events that become leaves.
const (
	EventReceived  = "received"  // the agency submitted the request
	EventDecided   = "decided"   // the provider decided it; Outcome says how
	EventDisclosed = "disclosed" // the production was released to the agency
	EventWithdrawn = "withdrawn" // the agency withdrew it
	EventPreserved = "preserved" // data was preserved under a preservation request; Accounts counts the accounts held

	// Later events carry what transparency reports count beyond the
	// decision, in the same format (version 1), so older leaves and older
	// readers stay valid: a reader that does not know an event skips it.
	// None of them names an account: a notice leaf carries a count.
	EventNDOLifted       = "ndo_lifted"        // the non-disclosure order of the request ended (once per request)
	EventNoticeSent      = "notice_sent"       // user notices left for Accounts affected accounts
	EventFollowUpOverdue = "follow_up_overdue" // the legal process owed after an emergency disclosure is overdue

	// EventNationalSecurityBand is not an event of a request but one band a
	// transparency report published for national-security requests, which
	// never have leaves of their own (see Record).
	EventNationalSecurityBand = "national_security_band"
)

// Request types, as transparency reports count them.
const (
	TypeLegalProcess = "legal_process"
	TypeEmergency    = "emergency"
	TypePreservation = "preservation"
)

// Outcomes of a decided event.
const (
	OutcomeApproved  = "approved"   // everything asked for that the law allows
	OutcomeNarrowed  = "narrowed"   // approved for less than was asked
	OutcomeRejected  = "rejected"   // nothing disclosed
	OutcomeNoRecords = "no_records" // approved, but no data exists
)

// RejectedBecause returns the outcome of a rejection with its reason code,
// such as "rejected.overbroad": the reason is a workflow reason code (a
// token), never the reviewer's text. Leaves written before reasons were
// recorded say just "rejected".
func RejectedBecause(reasonCode string) string {
	if reasonCode == "" {
		return OutcomeRejected
	}
	return OutcomeRejected + "." + reasonCode
}

// RejectReason returns the reason code of a rejection outcome, "" for a
// plain "rejected", and ok false for any other outcome.
func RejectReason(outcome string) (reason string, ok bool) {
	if outcome == OutcomeRejected {
		return "", true
	}
	reason, ok = strings.CutPrefix(outcome, OutcomeRejected+".")
	return reason, ok
}

// FormatVersion is the leaf format described at Record.
const FormatVersion = 1

// A Record is what one leaf publishes about one lifecycle event of one
// request, and nothing else: no names, no identifiers, no docket, no offence.
// The request is named only through Commitment, a salted hash of its
// reference that only the agency (which holds the reference and, from its
// receipt, the salt) can open.
//
// A leaf's bytes are the Record as compact JSON with exactly these keys in
// exactly this order and no whitespace, for example:
//
//	{"v":1,"event":"received","commitment":"9f…(64 hex)","date":"2026-11-20","country":"US","agency_kind":"police","process":"us.subpoena","request_type":"legal_process","categories":["connection_log","subscriber"],"outcome":"","accounts":1,"ndo":true}
//
// Every string is drawn from a small alphabet that JSON never escapes, and
// categories are sorted and unique, so anyone can rebuild the exact bytes
// from the values (see Encode) and a leaf has exactly one encoding (Parse
// refuses any other).
//
// National-security requests (a national security letter, a FISA order, a
// UK authorisation whose purpose is national security) have no leaves:
// counting them would give the exact number 50 U.S.C. § 1874 allows only in
// bands. A report that publishes their bands appends instead one aggregate
// leaf per published band cell, with event EventNationalSecurityBand and
// the same keys, which then mean:
//
//   - commitment: BandCommitment(period, version), the report version the
//     band was published in (anyone can compute it; it hides nothing);
//   - date: the day the report was published;
//   - country, agency_kind, process, request_type: the report's row;
//   - outcome: the number's field in the report, such as
//     "requests_received", or "rejected.<reason code>" for one reason of
//     rejected_by_reason;
//   - accounts: the band's lower bound, a multiple of the report's
//     band_width (the band 250-499 has 250): never the exact count;
//   - categories: empty; ndo: false.
//
// Readers that count requests skip these leaves like any event they do not
// know; the recount of a report rebuilds its national-security section
// from them.
type Record struct {
	Version     int      `json:"v"`            // FormatVersion
	Event       string   `json:"event"`        // one of the Event constants
	Commitment  string   `json:"commitment"`   // hex SHA-256 of salt || reference (see Commit)
	Date        day.Date `json:"date"`         // the UTC day of the event
	Country     string   `json:"country"`      // the agency's country, ISO 3166-1 alpha-2
	AgencyKind  string   `json:"agency_kind"`  // police, prosecutor, …
	Process     string   `json:"process"`      // the catalogue id, such as "us.subpoena"
	RequestType string   `json:"request_type"` // legal_process, emergency or preservation
	Categories  []string `json:"categories"`   // received: asked for; decided and later: authorised
	Outcome     string   `json:"outcome"`      // "" for received; for decided one of the Outcome constants
	Accounts    int      `json:"accounts"`     // how many accounts (targets) the request specifies
	NDO         bool     `json:"ndo"`          // a court ordered the user not be told
}

var (
	tokenRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	hashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Validate reports what is wrong with r, if anything.
func (r Record) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.Version != FormatVersion {
		bad("version %d is not %d", r.Version, FormatVersion)
	}
	if !tokenRE.MatchString(r.Event) {
		bad("event %q is not a token", r.Event)
	}
	if !hashRE.MatchString(r.Commitment) {
		bad("commitment is not 64 lowercase hex digits")
	}
	if r.Date.IsZero() {
		bad("date is missing")
	}
	if !countryRE.MatchString(r.Country) {
		bad("country %q is not ISO 3166-1 alpha-2", r.Country)
	}
	if !tokenRE.MatchString(r.AgencyKind) {
		bad("agency kind %q is not a token", r.AgencyKind)
	}
	if !tokenRE.MatchString(r.Process) {
		bad("process %q is not a token", r.Process)
	}
	switch r.RequestType {
	case TypeLegalProcess, TypeEmergency, TypePreservation:
	default:
		bad("request type %q is not one of %s, %s, %s", r.RequestType, TypeLegalProcess, TypeEmergency, TypePreservation)
	}
	for i, c := range r.Categories {
		if !tokenRE.MatchString(c) {
			bad("category %q is not a token", c)
		}
		if i > 0 && r.Categories[i-1] >= c {
			bad("categories are not sorted and unique")
		}
	}
	if r.Outcome != "" && !tokenRE.MatchString(r.Outcome) {
		bad("outcome %q is not a token", r.Outcome)
	}
	if r.Accounts < 0 {
		bad("accounts %d is negative", r.Accounts)
	}
	if len(problems) > 0 {
		return fmt.Errorf("translog: invalid record: %v", problems)
	}
	return nil
}

// Encode returns the leaf bytes of r, after sorting and de-duplicating its
// categories. It fails if r does not validate.
func (r Record) Encode() ([]byte, error) {
	cats := slices.Clone(r.Categories)
	slices.Sort(cats)
	r.Categories = slices.Compact(cats)
	if r.Categories == nil {
		r.Categories = []string{} // "[]", never "null"
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// ParseRecord reads leaf bytes. It accepts exactly the encoding Encode
// produces: unknown keys, other key orders, whitespace or escapes are refused,
// so one record has one leaf and one leaf hash.
func ParseRecord(leaf []byte) (Record, error) {
	// Recounting a report parses every leaf of the log, so the common case
	// — a leaf exactly as Encode writes it — is read by a scanner that
	// accepts nothing else; anything it does not accept takes the slow
	// path below, which says what is wrong.
	if r, ok := scanCanonical(leaf); ok {
		return r, nil
	}
	return decodeRecord(leaf)
}

// decodeRecord is ParseRecord without the scanner: decode, re-encode and
// compare, which names what is wrong with a leaf.
func decodeRecord(leaf []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(leaf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("translog: leaf is not a record: %w", err)
	}
	again, err := r.Encode()
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(again, leaf) {
		return Record{}, errors.New("translog: leaf is not in canonical form")
	}
	return r, nil
}

// BandCommitment is the commitment of the national-security band leaves of
// version version of a report of period (such as "2026-H2"): the hex
// SHA-256 of "warrantdesk national_security_band <period> <version>". It
// ties each band to the report that published it, so a later version's
// bands are told apart from an earlier one's.
func BandCommitment(period string, version int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "warrantdesk national_security_band %s %d", period, version))
	return hex.EncodeToString(h[:])
}

// SaltSize is the length of a commitment's salt in bytes.
const SaltSize = 32

// Commit returns the commitment to a request reference: the hex SHA-256 of
// the salt's bytes followed by the reference's bytes (ASCII, such as
// "WD-2026-000123"). Without the salt nobody can test guesses of the
// reference against it.
func Commit(salt []byte, reference string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(reference))
	return hex.EncodeToString(h.Sum(nil))
}

// scanCanonical reads leaf if it is exactly in the form Encode writes, with
// every field valid: keys in order, no whitespace, strings of the token
// alphabets (which JSON never escapes), canonical numbers and dates, sorted
// unique categories. Because Encode's output for a valid record is
// determined by its values, such a leaf is the encoding of the record
// returned. ok is false for anything else.
func scanCanonical(leaf []byte) (r Record, ok bool) {
	sc := scanner{b: leaf}
	if !sc.lit(`{"v":1,"event":"`) {
		return r, false
	}
	r.Version = FormatVersion
	var date, cats string
	var okAll bool
	r.Event, okAll = sc.until('"'), true
	okAll = okAll && isToken(r.Event) && sc.lit(`,"commitment":"`)
	r.Commitment = sc.until('"')
	okAll = okAll && isHex64(r.Commitment) && sc.lit(`,"date":"`)
	date = sc.until('"')
	okAll = okAll && sc.lit(`,"country":"`)
	r.Country = sc.until('"')
	okAll = okAll && len(r.Country) == 2 && isUpper(r.Country[0]) && isUpper(r.Country[1]) && sc.lit(`,"agency_kind":"`)
	r.AgencyKind = sc.until('"')
	okAll = okAll && isToken(r.AgencyKind) && sc.lit(`,"process":"`)
	r.Process = sc.until('"')
	okAll = okAll && isToken(r.Process) && sc.lit(`,"request_type":"`)
	r.RequestType = sc.until('"')
	okAll = okAll && (r.RequestType == TypeLegalProcess || r.RequestType == TypeEmergency || r.RequestType == TypePreservation) &&
		sc.lit(`,"categories":[`)
	cats = sc.until(']')
	okAll = okAll && sc.lit(`,"outcome":"`)
	r.Outcome = sc.until('"')
	okAll = okAll && (r.Outcome == "" || isToken(r.Outcome)) && sc.lit(`,"accounts":`)
	accounts := sc.until(',')
	okAll = okAll && sc.lit(`"ndo":`)
	switch {
	case sc.lit("true}"):
		r.NDO = true
	case sc.lit("false}"):
	default:
		return r, false
	}
	if !okAll || sc.i != len(leaf) {
		return r, false
	}
	// Numbers: decimal without sign or leading zero.
	if len(accounts) == 0 || len(accounts) > 9 || (accounts[0] == '0' && len(accounts) > 1) {
		return r, false
	}
	for i := 0; i < len(accounts); i++ {
		if accounts[i] < '0' || accounts[i] > '9' {
			return r, false
		}
		r.Accounts = r.Accounts*10 + int(accounts[i]-'0')
	}
	d, err := day.Parse(date)
	if err != nil || d.String() != date {
		return r, false
	}
	r.Date = d
	r.Categories = []string{}
	for cats != "" {
		if len(cats) < 2 || cats[0] != '"' {
			return r, false
		}
		end := strings.IndexByte(cats[1:], '"')
		if end < 0 {
			return r, false
		}
		c := cats[1 : 1+end]
		if !isToken(c) || (len(r.Categories) > 0 && r.Categories[len(r.Categories)-1] >= c) {
			return r, false
		}
		r.Categories = append(r.Categories, c)
		cats = cats[2+end:]
		if cats != "" {
			if cats[0] != ',' || len(cats) == 1 {
				return r, false
			}
			cats = cats[1:]
		}
	}
	return r, true
}

type scanner struct {
	b []byte
	i int
}

// lit consumes s if the input continues with it.
func (sc *scanner) lit(s string) bool {
	if len(sc.b)-sc.i < len(s) || string(sc.b[sc.i:sc.i+len(s)]) != s {
		return false
	}
	sc.i += len(s)
	return true
}

// until returns the input up to the next c and consumes it with c; at the
// end of the input it returns the rest and consumes nothing more (the next
// lit then fails).
func (sc *scanner) until(c byte) string {
	if sc.i >= len(sc.b) {
		sc.i = len(sc.b) + 1
		return ""
	}
	j := bytes.IndexByte(sc.b[sc.i:], c)
	if j < 0 {
		s := string(sc.b[sc.i:])
		sc.i = len(sc.b) + 1 // past the end: nothing more matches
		return s
	}
	s := string(sc.b[sc.i : sc.i+j])
	sc.i += j + 1
	return s
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// isToken is tokenRE without the regexp engine.
func isToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// isHex64 is hashRE without the regexp engine.
func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
