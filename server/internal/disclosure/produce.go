package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// Request states Produce works with (the workflow owns them).
const (
	stateProducing = "producing"
	stateDisclosed = "disclosed"
)

// An Approved scope is what the reviewers approved for production: never
// wider than the policy's scope decision (the workflow checks narrowing).
type Approved struct {
	Categories []string         `json:"categories"`
	Targets    []request.Target `json:"targets"`
	DateFrom   day.Date         `json:"date_from"`
	DateTo     day.Date         `json:"date_to"`
	// HoldRequests are preservation requests this production fulfils:
	// records their holds kept past retention may be produced.
	HoldRequests []string `json:"hold_requests,omitempty"`
	// Fields: for a category listed, only these fields are produced (the
	// policy's scope decision: an EU order made solely to identify the user
	// releases the connection log's time, IP address and source port,
	// Reg. (EU) 2023/1543 Art. 3(10)). A category not listed: every field.
	Fields map[string][]string `json:"fields,omitempty"`
}

// A ScopeSource tells Produce what was approved for request r (read with
// its targets). The workflow, which records approvals and narrowings,
// provides the production one.
type ScopeSource interface {
	Approved(ctx context.Context, tx *gorm.DB, r *request.Request) (Approved, error)
}

// PolicyScope is the ScopeSource used until the workflow provides one: the
// policy's scope decision on the request as filed (its categories and
// window, every target).
type PolicyScope struct{ Policy request.Policy }

// Approved implements ScopeSource. Returns PolicyDenied when the decision
// authorises nothing.
func (p PolicyScope) Approved(ctx context.Context, tx *gorm.DB, r *request.Request) (Approved, error) {
	if p.Policy == nil {
		return Approved{}, errors.New("disclosure: no policy to decide the scope")
	}
	a, err := agency.FindByID(ctx, tx, r.AgencyID)
	if err != nil {
		return Approved{}, err
	}
	sc, err := p.Policy.Scope(ctx, r, a)
	if err != nil {
		return Approved{}, err
	}
	if !sc.Valid || len(sc.Categories) == 0 {
		return Approved{}, errs.E(errs.PolicyDenied, "The legal policy authorises nothing for this request.")
	}
	from, err1 := day.Parse(sc.DateFrom)
	to, err2 := day.Parse(sc.DateTo)
	if err1 != nil || err2 != nil {
		return Approved{}, errs.E(errs.PolicyDenied, "The legal policy gave no date range for this request.")
	}
	return Approved{Categories: sc.Categories, Targets: r.Targets, DateFrom: from, DateTo: to, Fields: sc.Fields}, nil
}

// Produce builds the package of request requestID, which must be in the
// producing state, and returns the production once it is ready. It is
// idempotent: a ready (or expired) production is returned as it is, and a
// production left building by a crash, or failed, is built again under the
// same id, so there is only ever one package per request. If two attempts
// race, the first to finish wins and the other's package is discarded
// (ErrSuperseded, code Conflict). A failure is recorded on the production
// (status failed, with a reason the provider sees) before it is returned,
// and no partial package is ever made available.
//
// Returns NotFound for an unknown request, Conflict when the request is not
// being produced, PolicyDenied when nothing is approved, and Internal for
// storage failures.
func (s *Service) Produce(ctx context.Context, requestID string) (*Production, error) {
	p, r, err := s.claim(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if p.Status == StatusReady || p.Status == StatusExpired {
		return p, nil
	}
	stop := s.heartbeat(ctx, p)
	res, err := s.build(ctx, p, r)
	stop()
	if err != nil {
		s.fail(ctx, p, err)
		return nil, err
	}
	done, err := s.finish(ctx, p, r, res)
	if err != nil {
		if !errors.Is(err, ErrSuperseded) {
			s.fail(ctx, p, err)
		}
		// The package never became available: nothing refers to its blob.
		s.Blobs.Delete(context.WithoutCancel(ctx), res.blob.SHA256)
		return nil, err
	}
	return done, nil
}

// heartbeat keeps touching a building production while its attempt runs,
// so that the sweep can tell a long build from a dead one. It returns the
// function that stops it.
func (s *Service) heartbeat(ctx context.Context, p *Production) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(BuildHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// A failed beat is harmless: at worst the sweep starts a
				// second attempt, and only one can publish.
				s.DB.WithContext(ctx).Model(&Production{}).Where("id = ? AND attempts = ? AND status = ?", p.ID, p.Attempts, StatusBuilding).
					Update("updated_at", s.now())
			}
		}
	}()
	return func() { cancel(); <-done }
}

// claim finds or creates the request's production and, unless it is
// already ready or expired, starts a new attempt at it: the attempt number
// is what finish and fail compare, so a superseded attempt can change
// nothing.
func (s *Service) claim(ctx context.Context, requestID string) (*Production, *request.Request, error) {
	var p Production
	var r *request.Request
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if r, err = request.Read(ctx, tx, requestID); err != nil {
			return err
		}
		now := s.now()
		err = tx.Where("request_id = ?", r.ID).Take(&p).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if r.Status != stateProducing {
				return errs.E(errs.Conflict, "Request %s is %s; a package is built only for a request being produced.", r.Reference, r.Status)
			}
			id, err := uuid.NewV7()
			if err != nil {
				return fmt.Errorf("claim production: %w", err)
			}
			p = Production{ID: id.String(), RequestID: r.ID, AgencyID: r.AgencyID, Status: StatusBuilding, Attempts: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&p).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return errs.Wrap(err, errs.Conflict, "This request's package is already being built.")
				}
				return fmt.Errorf("claim production: %w", err)
			}
		case err != nil:
			return fmt.Errorf("claim production: %w", err)
		case p.Status == StatusReady || p.Status == StatusExpired:
			return nil
		default:
			if r.Status != stateProducing && r.Status != stateDisclosed {
				return errs.E(errs.Conflict, "Request %s is %s; its package can no longer be built.", r.Reference, r.Status)
			}
			// The status condition matters on PostgreSQL: an UPDATE that
			// waited for a finishing attempt's row lock re-checks its WHERE
			// on the finished row, whose attempt number is unchanged; only
			// its status says the package is already there.
			res := tx.Model(&Production{}).Where("id = ? AND attempts = ? AND status NOT IN ?", p.ID, p.Attempts, []string{StatusReady, StatusExpired}).
				Updates(map[string]any{"status": StatusBuilding, "attempts": p.Attempts + 1, "error": "", "updated_at": now})
			if res.Error != nil {
				return fmt.Errorf("claim production: %w", res.Error)
			}
			if res.RowsAffected != 1 {
				return errs.E(errs.Conflict, "Another attempt at this package has just started.")
			}
			p.Status, p.Attempts, p.Error = StatusBuilding, p.Attempts+1, ""
		}
		return audit.Append(ctx, tx, audit.Event{
			At: now, Actor: systemActor, Action: ActionBuild, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
			Details: audit.JSON(map[string]any{"attempt": p.Attempts}),
		})
	})
	if err != nil {
		return nil, nil, err
	}
	return &p, r, nil
}

// result is what one attempt built.
type result struct {
	blob       blob.Object
	served     blob.Object // the bytes a download sends (hash and size)
	sealing    string
	recipient  string
	manifest   Manifest
	manifestSH string
	approved   Approved
	resolved   []metadata.Resolution
}

// build extracts, packages, seals and stores the attempt's package.
func (s *Service) build(ctx context.Context, p *Production, r *request.Request) (*result, error) {
	var ap Approved
	if p.Scope != "" {
		// The scope the workflow decided, recorded by Enqueue.
		if err := json.Unmarshal([]byte(p.Scope), &ap); err != nil {
			return nil, fmt.Errorf("read the decided scope of production %s: %w", p.ID, err)
		}
	} else {
		var err error
		if ap, err = s.scopes().Approved(ctx, s.DB.DB, r); err != nil {
			return nil, err
		}
	}
	if err := checkApproved(ap); err != nil {
		return nil, err
	}
	a, err := agency.FindByID(ctx, s.DB.DB, r.AgencyID)
	if err != nil {
		return nil, err
	}
	res := &result{approved: ap, sealing: SealAtRest}
	var rcpt age.Recipient = atRestRecipient{key: s.Keys.packageKey(p.ID, p.Attempts)}
	var reg Recipient
	err = s.DB.WithContext(ctx).Where("agency_id = ?", a.ID).Take(&reg).Error
	switch {
	case err == nil:
		if rcpt, err = ParseRecipient(reg.Recipient); err != nil {
			return nil, errs.Wrap(err, errs.Invalid, "The agency's registered age recipient is not valid; the agency must register it again.")
		}
		res.sealing, res.recipient = SealRecipient, reg.Recipient
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("read the agency's recipient: %w", err)
	}
	if res.resolved, err = metadata.Resolve(ctx, s.DB.DB, ap.Targets); err != nil {
		return nil, err
	}
	from, to := metadata.Window(ap.DateFrom, ap.DateTo)
	sc := metadata.Scope{
		RequestID: r.ID, Categories: ap.Categories, AccountIDs: metadata.AccountIDs(res.resolved),
		From: from, To: to, HoldRequests: ap.HoldRequests, Fields: ap.Fields,
	}
	m := s.manifestBase(ctx, p, r, a, ap, res.resolved)

	// zip → SHA-256 of the served zip → age → pipe → blob store.
	pr, pw := io.Pipe()
	put := make(chan struct {
		obj blob.Object
		err error
	}, 1)
	go func() {
		obj, err := s.Blobs.Put(ctx, pr)
		pr.CloseWithError(err) // unblocks the writer if Put stopped early
		put <- struct {
			obj blob.Object
			err error
		}{obj, err}
	}()
	enc, err := age.Encrypt(pw, rcpt)
	if err != nil {
		pw.CloseWithError(err)
		<-put
		return nil, fmt.Errorf("seal package: %w", err)
	}
	zipSum := newSummer(enc)
	b, werr := s.writePackage(ctx, zipSum, s.DB.DB, sc, m, s.readme)
	if werr == nil {
		werr = enc.Close()
	}
	if werr != nil {
		pw.CloseWithError(werr)
		out := <-put
		if out.err == nil {
			// Put finished before the error reached it: drop what it stored.
			s.Blobs.Delete(context.WithoutCancel(ctx), out.obj.SHA256)
		}
		return nil, werr
	}
	pw.Close()
	out := <-put
	if out.err != nil {
		return nil, fmt.Errorf("store package: %w", out.err)
	}
	res.blob = out.obj
	res.served = out.obj
	if res.sealing == SealAtRest {
		res.served = blob.Object{SHA256: zipSum.sum(), Size: zipSum.n}
	}
	res.manifest = b.manifest
	sum := sha256.Sum256(b.manifestJSON)
	res.manifestSH = hex.EncodeToString(sum[:])
	return res, nil
}

// checkApproved refuses an approved scope the store cannot produce.
func checkApproved(ap Approved) error {
	if len(ap.Categories) == 0 {
		return errs.E(errs.PolicyDenied, "Nothing was approved for production.")
	}
	for _, c := range ap.Categories {
		if !metadata.IsCategory(c) {
			return errs.E(errs.PolicyDenied, "Category %q cannot be produced.", c)
		}
		if _, err := (metadata.Scope{Fields: ap.Fields}).Released(c); err != nil {
			denied := errs.Wrap(err, errs.PolicyDenied, errs.Message(err))
			if e, ok := errs.As(err); ok && e.Format != "" {
				denied.Format, denied.Args = e.Format, e.Args // said in the reader's language
			}
			return denied
		}
	}
	if ap.DateFrom.IsZero() || ap.DateTo.IsZero() || ap.DateTo.Before(ap.DateFrom) {
		return errs.E(errs.PolicyDenied, "The approved date range is empty.")
	}
	return nil
}

// manifestBase fills the manifest's request, scope and producer.
func (s *Service) manifestBase(ctx context.Context, p *Production, r *request.Request, a *agency.Agency, ap Approved, rs []metadata.Resolution) Manifest {
	m := Manifest{
		Format: ManifestFormat,
		Request: ManifestRequest{
			ID: r.ID, Reference: r.Reference, Process: r.Process, Docket: r.Docket,
			IssuingAuth: r.Authority.Name,
			Agency:      ManifestAgency{ID: a.ID, Name: a.Name, Country: a.Country},
		},
		Scope: ManifestScope{
			Categories: ap.Categories, DateFrom: ap.DateFrom.String(), DateTo: ap.DateTo.String(),
			Targets: make([]ManifestTarget, len(rs)), Fields: releasedFields(ap),
		},
		ProducedAt: s.now().Truncate(time.Second).Format(time.RFC3339),
		ProducedBy: ProducedBy{Organisation: s.ProducedBy, System: "warrantdesk", Production: p.ID, SigningKey: s.Keys.Fingerprint()},
	}
	if s.Version != "" {
		m.ProducedBy.System += " " + s.Version
	}
	if s.Policy != nil {
		if c, err := s.Policy.Catalogue(ctx); err == nil {
			if m.ProducedBy.Organisation == "" {
				m.ProducedBy.Organisation = c.Provider.Name
			}
			if pr, ok := findProcess(c, r.Process); ok {
				m.Request.ProcessName, m.Request.Citation = pr.Name, pr.Citation
			}
		}
	}
	for i, res := range rs {
		t := ManifestTarget{Type: res.Target.Type, Value: res.Target.Value, Result: TargetNoAccount}
		if res.Matched() {
			t.Result, t.AccountID = TargetMatched, res.AccountID
		}
		m.Scope.Targets[i] = t
	}
	return m
}

// releasedFields is the field limits of ap's categories, for the manifest;
// nil when every category releases all of its fields.
func releasedFields(ap Approved) map[string][]string {
	var out map[string][]string
	for _, c := range ap.Categories {
		fs, err := (metadata.Scope{Fields: ap.Fields}).Released(c)
		if _, limited := ap.Fields[c]; !limited || err != nil {
			continue // checkApproved refused an unproducible limit
		}
		if out == nil {
			out = map[string][]string{}
		}
		for _, f := range fs {
			out[c] = append(out[c], f.Name)
		}
	}
	return out
}

func findProcess(c policy.Catalogue, id string) (policy.Process, bool) {
	for _, j := range c.Jurisdictions {
		for _, p := range j.Processes {
			if p.ID == id {
				return p, true
			}
		}
	}
	return policy.Process{}, false
}

// finish makes the attempt's package available, if the attempt is still
// the current one: the production row, the user notices, the audit event
// and the workflow's hook, in one transaction.
func (s *Service) finish(ctx context.Context, p *Production, r *request.Request, res *result) (*Production, error) {
	scope, _ := json.Marshal(res.approved)
	counts, _ := json.Marshal(res.manifest.Counts)
	now := s.now()
	first := p.ProducedAt == nil
	expires := now.Add(s.ttl())
	if p.ExpiresAt != nil {
		expires = *p.ExpiresAt // a rebuild does not extend the link
	}
	out := *p
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		upd := map[string]any{
			"status": StatusReady, "error": "", "scope": string(scope), "counts": string(counts),
			"outcome": res.manifest.Outcome, "sealing": res.sealing, "recipient": res.recipient,
			"blob_sha256": res.blob.SHA256, "blob_size": res.blob.Size,
			"served_sha256": res.served.SHA256, "served_size": res.served.Size,
			"manifest_sha256": res.manifestSH, "produced_at": now, "expires_at": expires, "updated_at": now,
		}
		q := tx.Model(&Production{}).Where("id = ? AND attempts = ? AND status = ?", p.ID, p.Attempts, StatusBuilding).Updates(upd)
		if q.Error != nil {
			return fmt.Errorf("finish production %s: %w", p.ID, q.Error)
		}
		if q.RowsAffected != 1 {
			return errs.Wrap(ErrSuperseded, errs.Conflict, "Another attempt finished this package first.")
		}
		if err := tx.Where("id = ?", p.ID).Take(&out).Error; err != nil {
			return fmt.Errorf("finish production %s: %w", p.ID, err)
		}
		if err := audit.Append(ctx, tx, audit.Event{
			At: now, Actor: systemActor, Action: ActionReady, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
			Details: audit.JSON(map[string]any{
				"attempt": p.Attempts, "outcome": res.manifest.Outcome, "counts": res.manifest.Counts,
				"sealing": res.sealing, "manifest_sha256": res.manifestSH, "served_sha256": res.served.SHA256,
				"expires_at": expires, "rebuilt": !first,
			}),
		}); err != nil {
			return err
		}
		if !first {
			return nil
		}
		if err := s.queueNotices(ctx, tx, &out, r, metadata.AccountIDs(res.resolved)); err != nil {
			return err
		}
		if err := s.announce(ctx, tx, &out, r, res.manifest, now); err != nil {
			return err
		}
		if s.OnReady != nil {
			return s.OnReady(ctx, tx, &out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// fail records the failure of production p, if it is still as p says (the
// same attempt, the same status: building, or ready when its stored
// package turned out damaged), with a reason the provider can act on.
func (s *Service) fail(ctx context.Context, p *Production, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	msg := failureMessage(cause)
	now := s.now()
	s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Production{}).Where("id = ? AND attempts = ? AND status = ?", p.ID, p.Attempts, p.Status).
			Updates(map[string]any{"status": StatusFailed, "error": msg, "updated_at": now})
		if q.Error != nil || q.RowsAffected != 1 {
			return q.Error
		}
		return audit.Append(ctx, tx, audit.Event{
			At: now, Actor: systemActor, Action: ActionFail, ObjectType: "production", ObjectID: p.ID, RequestID: p.RequestID,
			Outcome: audit.OutcomeFailure, Details: audit.JSON(map[string]any{"attempt": p.Attempts, "reason": msg}),
		})
	})
}

// failureMessage is what the provider is told about a failed attempt: the
// error's safe message, or a classification of an internal one (its detail
// is only in the server log, where the job runner writes it).
func failureMessage(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "The build was interrupted before it finished; retry it."
	case errors.Is(err, blob.ErrCorrupt), errors.Is(err, blob.ErrNotFound), errors.Is(err, ErrBlobDamaged):
		return "The stored package is missing or damaged; rebuild it."
	}
	if e, ok := errs.As(err); ok && e.Code != errs.Internal && e.Message != "" {
		return e.Message
	}
	return "The package could not be built because of an internal error (see the server log); retry it."
}

// Retry builds request requestID's production when it failed, or when it
// has not started (queued, or nothing yet for a request being produced),
// for the provider's staff: the visible retry of a failure. With Jobs
// configured it enqueues the build as a River job in the transaction of
// its audit event and returns the production as it stands; without, it
// builds at once. Returns Unauthenticated; Forbidden unless the policy
// lets actor start or retry productions (audited); NotFound for an unknown request;
// Conflict while a build runs or once the package is ready or expired; and
// Produce's errors.
func (s *Service) Retry(ctx context.Context, actor *identity.Principal, requestID string) (*Production, error) {
	if actor == nil || actor.PersonID == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in first.")
	}
	var p Production
	err := audit.Run(ctx, s.DB.DB, func(tx *gorm.DB) error {
		// Look the request up first: for an agency, another agency's
		// request must be NotFound exactly like a missing one.
		r, err := findForActor(ctx, tx, actor, requestID)
		if err != nil {
			return err
		}
		if err := s.Authz.Authorize(ctx, actor, ActionRetry, nil); err != nil {
			return audit.Deny(err, audit.Event{At: s.now(), Actor: actor.AuditActor(), Action: ActionRetry, ObjectType: "request",
				ObjectID: r.ID, RequestID: r.ID})
		}
		err = tx.Where("request_id = ?", r.ID).Take(&p).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if r.Status != stateProducing {
				return errs.E(errs.Conflict, "Request %s is %s; a package is built only for a request being produced.", r.Reference, r.Status)
			}
			p = Production{RequestID: r.ID, Status: StatusQueued}
		case err != nil:
			return fmt.Errorf("retry production: %w", err)
		case p.Status == StatusBuilding:
			return errs.E(errs.Conflict, "The package is being built (attempt %d).", p.Attempts)
		case p.Status == StatusReady || p.Status == StatusExpired:
			return errs.E(errs.Conflict, "The production is %s; only a failed or waiting one is built again.", p.Status)
		}
		if err := audit.Append(ctx, tx, audit.Event{
			At: s.now(), Actor: actor.AuditActor(), Action: ActionRetry, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
			Details: audit.JSON(map[string]any{"status": p.Status, "attempts": p.Attempts, "last_error": p.Error}),
		}); err != nil {
			return err
		}
		if s.Jobs != nil {
			return insertJob(ctx, tx, s.Jobs, ProduceArgs{RequestID: r.ID}, nil)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.Jobs != nil {
		return &p, nil
	}
	return s.Produce(ctx, requestID)
}

// Get returns request requestID's production as the provider sees it.
// Returns NotFound when there is none.
func (s *Service) Get(ctx context.Context, requestID string) (*Production, error) {
	var p Production
	err := s.DB.WithContext(ctx).Where("request_id = ?", requestID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "This request has no production.")
	}
	if err != nil {
		return nil, fmt.Errorf("get production: %w", err)
	}
	return &p, nil
}

// A Listed production is one line of a list, with its request's reference.
type Listed struct {
	Production
	Reference string `gorm:"column:reference"`
}

// ListFilter selects productions for List.
type ListFilter struct {
	AgencyID string // "" for all agencies
	// Viewer, when set, keeps to the requests that person may see
	// (request.SeenBy): inside an agency, those they need to know.
	Viewer   *identity.Principal
	Statuses []string // nil for all
	Limit    int      // default 100
}

// List returns productions newest first, with their requests' references.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Listed, error) {
	q := s.DB.WithContext(ctx).Table("productions p").
		Select("p.*, r.reference").Joins("JOIN request_summaries r ON r.id = p.request_id")
	if f.AgencyID != "" {
		q = q.Where("p.agency_id = ?", f.AgencyID)
	}
	if f.Viewer != nil {
		cond, args := request.SeenBy("p.request_id", f.Viewer)
		q = q.Where(cond, args...)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("p.status IN ?", f.Statuses)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var out []Listed
	if err := q.Order("p.id DESC").Limit(f.Limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list productions: %w", err)
	}
	return out, nil
}

// targetsText is how a target is written in the README.
func targetsText(t ManifestTarget) string {
	if t.Result == TargetMatched {
		return fmt.Sprintf("%s %s: account %s", t.Type, t.Value, t.AccountID)
	}
	return fmt.Sprintf("%s %s: no account matches this identifier; nothing was produced for it", t.Type, t.Value)
}
