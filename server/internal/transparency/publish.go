package transparency

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// ActionPublish is the authz action of publishing a report.
const ActionPublish = "report.publish"

// A Published is one stored version of a period's report.
type Published struct {
	ID          string    `gorm:"column:id;primaryKey"`
	Period      string    `gorm:"column:period"`
	Version     int       `gorm:"column:version"`
	Body        string    `gorm:"column:body"`      // the report JSON, exactly as signed
	Signature   string    `gorm:"column:signature"` // signed note, see Statement
	TreeSize    int64     `gorm:"column:tree_size"`
	RootHash    string    `gorm:"column:root_hash"`
	Reason      string    `gorm:"column:reason"`
	PublishedBy string    `gorm:"column:published_by"` // private
	PublishedAt time.Time `gorm:"column:published_at"`
}

// TableName maps Published onto transparency_reports.
func (Published) TableName() string { return "transparency_reports" }

// Report parses the stored body.
func (p Published) Report() (Report, error) { return ParseReport([]byte(p.Body)) }

// A Service publishes and serves reports.
type Service struct {
	DB     *gorm.DB
	Policy *policy.Engine
	Log    *translog.Log // signs checkpoints and reports
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Rules returns the reporting rules of the policy catalogue.
func (s *Service) Rules(ctx context.Context) (Rules, error) {
	cat, err := s.Policy.Catalogue(ctx)
	if err != nil {
		return Rules{}, err
	}
	return RulesFrom(cat), nil
}

// CountLog counts the first size leaves of the log stored in db for period p.
// progress, if not nil, is called now and then with leaves read and size.
func CountLog(ctx context.Context, db *gorm.DB, p Period, size int64, progress func(done, total int64)) (*Counter, error) {
	c := NewCounter(p)
	rows, err := db.WithContext(ctx).Raw("SELECT leaf FROM tlog_leaves WHERE idx < ? ORDER BY idx", size).Rows()
	if err != nil {
		return nil, fmt.Errorf("transparency: read leaves: %w", err)
	}
	defer rows.Close()
	var leaf []byte
	for rows.Next() {
		if err := rows.Scan(&leaf); err != nil {
			return nil, fmt.Errorf("transparency: read leaf: %w", err)
		}
		rec, err := translog.ParseRecord(leaf)
		if err != nil {
			return nil, fmt.Errorf("transparency: leaf %d: %w (run warrantdesk verify-log)", c.Leaves, err)
		}
		c.Add(rec)
		if progress != nil && c.Leaves%(1<<14) == 0 {
			progress(c.Leaves, size)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transparency: read leaves: %w", err)
	}
	if c.Leaves != size {
		return nil, fmt.Errorf("transparency: the log holds %d of the checkpoint's %d leaves (run warrantdesk verify-log)", c.Leaves, size)
	}
	if progress != nil {
		progress(c.Leaves, size)
	}
	return c, nil
}

// A Publisher is who publishes: a signed-in admin (Principal), or the
// operator at the command line (Operator, authorised by their access to
// the database and the log key).
type Publisher struct {
	Principal *identity.Principal
	Operator  string // the command line's user name, when Principal is nil
}

// Publish freezes the report of period as a new version: once the
// national-security delay has passed, it appends the section's band leaves
// (counted from the private national-security events); it signs a
// checkpoint covering every leaf so far, counts the leaves up to it under
// the policy's rules, signs the report with the log's key and stores it,
// with its audit event, in one transaction. The first version needs no
// reason; a correction must give one. progress is as for Count.
//
// Returns Invalid for a malformed period, one that has not ended, or a
// correction without a reason; Forbidden unless the policy lets the
// principal publish; Unavailable without a log key; Conflict if another
// version was published at the same moment (retry).
func (s *Service) Publish(ctx context.Context, by Publisher, period, reason string, progress func(done, total int64)) (*Published, error) {
	actor := audit.Actor{Subject: "cli:" + by.Operator, Role: "operator"}
	publishedBy := actor.Subject
	if by.Principal != nil {
		if err := audit.Settle(ctx, s.DB, s.authorize(ctx, by.Principal, period)); err != nil {
			return nil, err
		}
		p := by.Principal
		actor = p.AuditActor()
		publishedBy = p.PersonID
	} else if by.Operator == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in to continue.")
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	if !day.Of(now).After(p.Last) {
		e := errs.E(errs.Invalid, "Period %s ends on %s; publish it after that.", p.Name, p.Last)
		e.Fields = []errs.FieldError{{Field: "period", Message: "The period has not ended."}}
		return nil, e
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 2000 {
		return nil, &errs.Error{Code: errs.Invalid, Message: "The reason is too long.",
			Fields: []errs.FieldError{{Field: "reason", Message: "Use at most 2000 characters."}}}
	}
	if s.Log == nil || s.Log.Signer() == nil {
		return nil, errs.E(errs.Unavailable, "The transparency log has no signing key configured, so reports cannot be signed.")
	}
	rules, err := s.Rules(ctx)
	if err != nil {
		return nil, err
	}
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("the policy's reporting rules: %w", err)
	}
	if rules.PeriodMonths != p.Months() {
		e := errs.E(errs.Invalid, "Reports cover periods of %d months (the policy's rule).", rules.PeriodMonths)
		e.Fields = []errs.FieldError{{Field: "period", Message: "Use a period of the policy's length."}}
		return nil, e
	}
	prev, err := s.latest(ctx, s.DB, p.Name)
	if err != nil && !errors.Is(err, ErrNotPublished) {
		return nil, err
	}
	version := 1
	if err == nil {
		version = prev.Version + 1
		if reason == "" {
			e := errs.E(errs.Invalid, "Period %s is already published (version %d): a correction needs a reason.", p.Name, prev.Version)
			e.Fields = []errs.FieldError{{Field: "reason", Message: "Say why this version corrects the published one."}}
			return nil, e
		}
	}
	// The national-security bands enter the log before the checkpoint is
	// signed, so the report counts its section from them like any other
	// number, and the recount checks it (see bands.go). Not before the
	// delay: the section is then left out, and so are its leaves.
	if rules.NationalSecurityBandLeaves && !day.Of(now).Before(p.Last.AddDays(1+rules.DelayDays)) {
		if err := s.appendBands(ctx, rules, p, version, now); err != nil {
			return nil, err
		}
	}
	// The checkpoint next, so the count covers exactly the leaves it signs.
	cp, err := s.Log.Sign(ctx)
	if err != nil {
		return nil, err
	}
	c, err := CountLog(ctx, s.DB, p, cp.Size, progress)
	if err != nil {
		return nil, err
	}
	rep := c.Report(rules, Meta{Version: version, Correction: reason, PublishedAt: now,
		Log: LogRef{Origin: cp.Origin, TreeSize: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Hash[:])}})
	body, err := rep.JSON()
	if err != nil {
		return nil, err
	}
	sig, err := Sign(s.Log.Signer(), rep, body)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	pub := &Published{ID: id.String(), Period: p.Name, Version: version, Body: string(body), Signature: string(sig),
		TreeSize: cp.Size, RootHash: rep.Log.RootHash, Reason: reason, PublishedBy: publishedBy, PublishedAt: now}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(pub).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errs.E(errs.Conflict, "Another version of %s was published at the same moment; reload and try again.", p.Name)
			}
			return fmt.Errorf("store report %s v%d: %w", p.Name, version, err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionPublish, ObjectType: "transparency_report",
			ObjectID: pub.ID, Details: audit.JSON(map[string]any{"period": p.Name, "version": version, "tree_size": cp.Size,
				"root_hash": rep.Log.RootHash, "reason": reason, "sha256": sha256Hex(body)})})
	})
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// authorize asks the policy whether p may publish period's report; a
// refusal is marked for the audit trail (audit.Settle records it).
func (s *Service) authorize(ctx context.Context, p *identity.Principal, period string) error {
	d, err := s.Policy.Authorize(ctx, policy.AuthzInput{Actor: p.PolicyActor(), Action: ActionPublish})
	if err != nil {
		return err
	}
	return audit.Deny(d.Refusal("Only the provider's administrators publish transparency reports."),
		audit.Event{Actor: p.AuditActor(), Action: ActionPublish, ObjectType: "transparency_report", ObjectID: period, Decision: audit.JSON(d)})
}

// ErrNotPublished: no version of the period is published. Surface as 404.
var ErrNotPublished = errors.New("transparency: report not published")

func notPublished(period string) error {
	e := errs.E(errs.NotFound, "No report for %s is published.", period)
	e.Err = ErrNotPublished
	return e
}

func (s *Service) latest(ctx context.Context, db *gorm.DB, period string) (*Published, error) {
	var p Published
	err := db.WithContext(ctx).Where("period = ?", period).Order("version DESC").Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notPublished(period)
	}
	if err != nil {
		return nil, fmt.Errorf("find report %s: %w", period, err)
	}
	return &p, nil
}

// Find returns version of period's report, or the newest with version 0.
// Returns Invalid for a malformed period, NotFound (wrapping
// ErrNotPublished) if there is no such version.
func (s *Service) Find(ctx context.Context, period string, version int) (*Published, error) {
	if _, err := ParsePeriod(period); err != nil {
		return nil, err
	}
	if version == 0 {
		return s.latest(ctx, s.DB, period)
	}
	var p Published
	err := s.DB.WithContext(ctx).Where("period = ? AND version = ?", period, version).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notPublished(fmt.Sprintf("%s version %d", period, version))
	}
	if err != nil {
		return nil, fmt.Errorf("find report %s v%d: %w", period, version, err)
	}
	return &p, nil
}

// List returns every published version of every period, newest period
// first and, within one, newest version first.
func (s *Service) List(ctx context.Context) ([]Published, error) {
	var out []Published
	if err := s.DB.WithContext(ctx).Order("period DESC, version DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// statementHeader opens the text of a report's signed note.
const statementHeader = "warrantdesk transparency report"

// Statement returns the text a report's signature covers: a header line,
// the period, the version, the log checkpoint counted from (tree size and
// base64 root hash) and the hex SHA-256 of the report's JSON bytes.
func Statement(r Report, body []byte) string {
	return strings.Join([]string{statementHeader, r.Period, strconv.Itoa(r.Version),
		strconv.FormatInt(r.Log.TreeSize, 10), r.Log.RootHash, sha256Hex(body)}, "\n") + "\n"
}

// Sign signs a report's statement with the log's note key, so the log's
// one public key vouches for both the log and the reports counted from it.
func Sign(signer note.Signer, r Report, body []byte) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: Statement(r, body)}, signer)
	if err != nil {
		return nil, fmt.Errorf("transparency: sign report: %w", err)
	}
	return msg, nil
}

// CheckSignature verifies that sig, a signed note by v, states r's period,
// version, checkpoint and the SHA-256 of body.
func CheckSignature(v note.Verifier, r Report, body, sig []byte) error {
	n, err := note.Open(sig, note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("the report's signature does not verify with the log's key: %w", err)
	}
	if n.Text != Statement(r, body) {
		return errors.New("the report's signature is for other bytes: the report was changed after it was signed")
	}
	return nil
}
