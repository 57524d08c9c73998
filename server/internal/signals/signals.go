// Package signals gathers the facts about who filed a request that the
// policy's requester signals are decided from (policies/signals): the
// filer's earlier requests and how long the portal has known them, the
// agency's history and its recent volume, whether the submitting sign-in
// had a second factor, identifiers other agencies named, a docket number
// used for other targets, and the filer's e-mail domain against the
// agency's. The policy, not this package, says which facts are signals and
// why, so that legal and trust teams review the rules like law.
//
// Signals are for the provider's intake and reviewers only: nothing an
// agency reads carries them.
package signals

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// Windows the facts are counted over; the thresholds applied to them are
// the policy's.
const (
	identifierWindow = 90 * 24 * time.Hour // policies/signals identifier_days
	spikeDay         = 24 * time.Hour
	spikeBaseline    = 30 * 24 * time.Hour
)

// Facts gathers the facts about request r as of its submission (as of now
// for a draft). MFA is what RecordSubmission kept of the submitting
// sign-in; nil before the request was submitted.
func Facts(ctx context.Context, tx *gorm.DB, r *request.Request, now time.Time) (policy.SignalFacts, error) {
	tx = tx.WithContext(ctx)
	at := now.UTC()
	if r.SubmittedAt != nil {
		at = r.SubmittedAt.UTC()
	}
	f := policy.SignalFacts{Emergency: r.Emergency, Targets: []string{}, SameDocket: [][]string{}}
	f.Agency.Domains = []string{}

	var filer struct {
		Email     string
		CreatedAt time.Time
	}
	if err := tx.Raw(`SELECT email, created_at FROM people WHERE id = ?`, r.CreatedBy).Scan(&filer).Error; err != nil {
		return f, fmt.Errorf("signals of %s: filer: %w", r.ID, err)
	}
	f.Person.FirstSeenDays = max(0, int(at.Sub(filer.CreatedAt.UTC())/(24*time.Hour)))
	if i := strings.LastIndexByte(filer.Email, '@'); i >= 0 {
		f.EmailDomain = strings.ToLower(strings.TrimSpace(filer.Email[i+1:]))
	}

	// Earlier requests are submitted ones; a draft nobody sent tells nothing.
	var counts struct {
		Person, Agency, LastDay, Prior int
	}
	err := tx.Raw(`SELECT
		COALESCE(SUM(CASE WHEN created_by = ? AND submitted_at < ? THEN 1 ELSE 0 END), 0) AS person,
		COALESCE(SUM(CASE WHEN submitted_at < ? THEN 1 ELSE 0 END), 0) AS agency,
		COALESCE(SUM(CASE WHEN submitted_at > ? AND submitted_at <= ? THEN 1 ELSE 0 END), 0) AS last_day,
		COALESCE(SUM(CASE WHEN submitted_at > ? AND submitted_at <= ? THEN 1 ELSE 0 END), 0) AS prior
		FROM requests WHERE agency_id = ? AND id <> ? AND submitted_at IS NOT NULL`,
		r.CreatedBy, at, at, at.Add(-spikeDay), at, at.Add(-spikeDay-spikeBaseline), at.Add(-spikeDay),
		r.AgencyID, r.ID).Scan(&counts).Error
	if err != nil {
		return f, fmt.Errorf("signals of %s: counts: %w", r.ID, err)
	}
	f.Person.EarlierRequests, f.Agency.EarlierRequests = counts.Person, counts.Agency
	f.Agency.SubmittedPrior30Days = counts.Prior
	f.Agency.SubmittedLastDay = counts.LastDay
	if r.SubmittedAt != nil {
		f.Agency.SubmittedLastDay++ // this one
	}

	if err := tx.Raw(`SELECT domain FROM agency_email_domains WHERE agency_id = ? ORDER BY domain`, r.AgencyID).
		Scan(&f.Agency.Domains).Error; err != nil {
		return f, fmt.Errorf("signals of %s: domains: %w", r.ID, err)
	}

	var targets []struct{ Type, Value string }
	if err := tx.Raw(`SELECT type, value FROM request_targets WHERE request_id = ? ORDER BY position`, r.ID).
		Scan(&targets).Error; err != nil {
		return f, fmt.Errorf("signals of %s: targets: %w", r.ID, err)
	}
	for _, t := range targets {
		f.Targets = append(f.Targets, t.Type+":"+t.Value)
	}

	// Targets are stored normalised (E.164, case-folded), so equal values
	// are the same identifier.
	if err := tx.Raw(`SELECT COUNT(*) FROM request_targets t WHERE t.request_id = ? AND EXISTS (
		SELECT 1 FROM request_targets o JOIN requests q ON q.id = o.request_id
		WHERE o.type = t.type AND o.value = t.value AND q.agency_id <> ?
		AND q.submitted_at IS NOT NULL AND q.submitted_at > ?)`,
		r.ID, r.AgencyID, at.Add(-identifierWindow)).Scan(&f.SharedIdentifiers).Error; err != nil {
		return f, fmt.Errorf("signals of %s: shared identifiers: %w", r.ID, err)
	}

	if docket := strings.ToLower(strings.TrimSpace(r.Docket)); docket != "" {
		var rows []struct {
			RequestID string
			Type      *string
			Value     *string
		}
		if err := tx.Raw(`SELECT q.id AS request_id, t.type, t.value FROM requests q
			LEFT JOIN request_targets t ON t.request_id = q.id
			WHERE q.agency_id = ? AND q.id <> ? AND q.submitted_at IS NOT NULL AND LOWER(TRIM(q.docket)) = ?
			ORDER BY q.id, t.position`, r.AgencyID, r.ID, docket).Scan(&rows).Error; err != nil {
			return f, fmt.Errorf("signals of %s: docket: %w", r.ID, err)
		}
		for i, row := range rows {
			if i == 0 || rows[i-1].RequestID != row.RequestID {
				f.SameDocket = append(f.SameDocket, []string{})
			}
			if row.Type != nil && row.Value != nil {
				last := &f.SameDocket[len(f.SameDocket)-1]
				*last = append(*last, *row.Type+":"+*row.Value)
			}
		}
	}

	if r.SubmittedAt != nil {
		mfa, err := submittedWithMFA(tx, r.ID)
		if err != nil {
			return f, err
		}
		f.MFA = mfa
	}
	return f, nil
}

// A Submission is what the portal kept of the sign-in that submitted a
// request (request_submissions): the signal "signed in without a second
// factor" is judged on it, not on whoever looks later.
type Submission struct {
	RequestID   string    `gorm:"column:request_id;primaryKey"`
	SubmittedBy string    `gorm:"column:submitted_by"`
	MFA         bool      `gorm:"column:mfa"`
	SubmittedAt time.Time `gorm:"column:submitted_at"`
}

// TableName is request_submissions.
func (Submission) TableName() string { return "request_submissions" }

// RecordSubmission keeps, inside the submission's transaction tx, who
// submitted request id at when and whether their sign-in had a second
// factor. A request is submitted once; a second record is ignored.
func RecordSubmission(ctx context.Context, tx *gorm.DB, id, personID string, mfa bool, at time.Time) error {
	s := Submission{RequestID: id, SubmittedBy: personID, MFA: mfa, SubmittedAt: at.UTC()}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&s).Error; err != nil {
		return fmt.Errorf("record the submission of %s: %w", id, err)
	}
	return nil
}

// submittedWithMFA is what the request's submission recorded of the
// submitting sign-in; nil when nothing was recorded (a draft, or a request
// submitted before submissions were kept).
func submittedWithMFA(tx *gorm.DB, id string) (*bool, error) {
	var list []Submission
	if err := tx.Where("request_id = ?", id).Limit(1).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("signals of %s: submission: %w", id, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return &list[0].MFA, nil
}

// Of decides the signals of request r as of now: each a code and its
// reason in English (policy.Engine.Say gives the reader's language).
func Of(ctx context.Context, tx *gorm.DB, pe *policy.Engine, r *request.Request, now time.Time) ([]policy.Reason, error) {
	f, err := Facts(ctx, tx, r, now)
	if err != nil {
		return nil, err
	}
	return pe.Signals(ctx, f)
}

// Codes are the codes of signals, for an audit event's details: what was
// seen when the decision was taken, without the words.
func Codes(list []policy.Reason) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.Code)
	}
	return out
}

// A Count is how many open requests carry one signal.
type Count struct {
	Code     string
	Requests int
}

// CountOpen counts, for each signal, the open requests that carry it: the
// provider's dashboard shows how many, never which. Open is submitted and
// not yet in a final state. Codes with no request are left out; the list is
// ordered by code.
func CountOpen(ctx context.Context, tx *gorm.DB, pe *policy.Engine, now time.Time) ([]Count, error) {
	tx = tx.WithContext(ctx)
	var open []request.State
	for _, s := range request.States {
		if s != request.StateDraft && !s.Terminal() {
			open = append(open, s)
		}
	}
	var list []request.Request
	if err := tx.Where("status IN ? AND submitted_at IS NOT NULL", open).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("count signals: %w", err)
	}
	n := map[string]int{}
	for i := range list {
		found, err := Of(ctx, tx, pe, &list[i], now)
		if err != nil {
			return nil, err
		}
		for _, s := range found {
			n[s.Code]++
		}
	}
	out := make([]Count, 0, len(n))
	for code, k := range n {
		out = append(out, Count{Code: code, Requests: k})
	}
	slices.SortFunc(out, func(a, b Count) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}
