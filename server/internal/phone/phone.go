// Package phone normalises telephone numbers to E.164: the targets agencies
// name and the callback numbers the provider keeps for each agency are
// compared in that one form.
package phone

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// chars are what a number may be written with: digits, one leading plus,
// and the punctuation people write numbers with. Letters are refused rather
// than read as a keypad vanity number.
var chars = regexp.MustCompile(`^\+?[0-9 ()./-]+$`)

// Normalize returns v, a non-empty number, in E.164. It must carry its
// country code or be possible in region (ISO 3166-1 alpha-2). Possible,
// not valid: fictional ranges (555-01xx) must pass. And IS_POSSIBLE
// exactly: a number that is only possible for local dialling lacks its
// area code and names no one in particular. Returns Invalid with a message
// to show beside the field.
func Normalize(v, region string) (string, error) {
	v = strings.TrimSpace(v)
	if !chars.MatchString(v) || strings.Count(v, "+") > 1 {
		return "", errs.E(errs.Invalid, "Enter a phone number with its country code, such as +1 555 0100 123.")
	}
	n, err := phonenumbers.Parse(v, strings.ToUpper(region))
	if err != nil || phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE {
		return "", errs.E(errs.Invalid, "This is not a possible phone number; include the country code, such as +44 7700 900123.")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
