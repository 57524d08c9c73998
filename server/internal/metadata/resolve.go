package metadata

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Resolution is what one request target resolved to: an account, or
// nothing. Targets are matched exactly on their normalised value; nothing
// is ever matched by similarity.
type Resolution struct {
	Target    request.Target `json:"target"`
	AccountID string         `json:"account_id,omitempty"` // "" when no account matches
}

// Matched reports whether the target matched an account.
func (r Resolution) Matched() bool { return r.AccountID != "" }

// targetColumn is the md_accounts column each target type is matched on.
var targetColumn = map[string]string{
	request.TargetPhone:     "phone",
	request.TargetUsername:  "username",
	request.TargetAccountID: "id",
	request.TargetEmail:     "email",
}

// Resolve matches each target to the account it names, in order. A target
// that matches no account is returned unmatched: that is an answer, not an
// error. An e-mail address given by several accounts matches none of them
// rather than a guess among them. Accounts past retention (deleted longer
// ago than the subscriber window) have been purged and match nothing.
// Returns Internal only on a database failure, or for a target type the
// request domain does not define.
func Resolve(ctx context.Context, tx *gorm.DB, targets []request.Target) ([]Resolution, error) {
	out := make([]Resolution, len(targets))
	for i, t := range targets {
		out[i].Target = t
		col, ok := targetColumn[t.Type]
		if !ok {
			return nil, fmt.Errorf("resolve target %d: unknown target type %q", i, t.Type)
		}
		var ids []string
		if err := tx.WithContext(ctx).Model(&Account{}).Where(col+" = ?", t.Value).Limit(2).Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("resolve target %d: %w", i, err)
		}
		if len(ids) == 1 {
			out[i].AccountID = ids[0]
		}
	}
	return out, nil
}

// AccountIDs returns the distinct matched accounts of rs, in order.
func AccountIDs(rs []Resolution) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range rs {
		if r.AccountID != "" && !seen[r.AccountID] {
			seen[r.AccountID] = true
			ids = append(ids, r.AccountID)
		}
	}
	return ids
}
