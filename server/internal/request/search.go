package request

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// maxQuery bounds a search, in characters: the longest thing it can name is
// an e-mail address (254).
const maxQuery = 254

// searchCondition is the SQL condition, on the requests row, that finds what
// q names: a reference, a docket, or a target identifier. Targets are
// stored normalised (NormalizeTarget), so q is normalised the same way for
// each kind it could be: "+1 (555) 010-0123" finds the stored
// "+15550100123", "@Alice" the username "alice". region reads a phone
// number written without its country code, as the agency's own country
// does when it files. A q no kind accepts can still be a reference or a
// docket.
//
// Each is an exact match, found through its own index (migration 0017): the
// condition is "id IN" the union of three index reads, not an OR over the
// requests row, which would read every request the caller may see and test
// each (TestSearchUsesIndexes).
func searchCondition(q, region string) (string, []any) {
	parts := []string{"SELECT id FROM requests WHERE reference = ?", "SELECT id FROM requests WHERE LOWER(docket) = ?"}
	args := []any{strings.ToUpper(q), strings.ToLower(q)}
	var targets []string
	for _, typ := range TargetTypes {
		v, err := NormalizeTarget(typ, q, region)
		if err != nil {
			continue
		}
		targets = append(targets, "(type = ? AND value = ?)")
		args = append(args, typ, v)
	}
	if len(targets) > 0 {
		parts = append(parts, "SELECT request_id FROM request_targets WHERE "+strings.Join(targets, " OR "))
	}
	return "requests.id IN (" + strings.Join(parts, " UNION ALL ") + ")", args
}

// queryTooLong reports whether q is longer than any reference, docket or
// identifier it could name.
func queryTooLong(q string) bool { return utf8.RuneCountInString(q) > maxQuery }

// Agencies returns the agencies whose requests actor may list, by name, for
// a list's agency filter: every agency for the provider's staff, an
// agency's people their own. Returns Forbidden.
func (s *Service) Agencies(ctx context.Context, actor *identity.Principal) ([]agency.Agency, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out []agency.Agency
	err := s.run(ctx, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, ActionList, nil); err != nil {
			return err
		}
		if !actor.Provider {
			a, err := agency.FindByID(ctx, tx, actor.AgencyID)
			if err != nil {
				return err
			}
			out = []agency.Agency{*a}
			return nil
		}
		var err error
		out, err = agency.List(ctx, tx)
		return err
	})
	return out, err
}
