package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// productions returns the disclosure service, or answers 503 when this
// process was built without one.
func (s *Server) productions(c *gin.Context) (*disclosure.Service, bool) {
	if s.disclosure == nil || s.disclosure.Keys == nil {
		s.renderError(c, errs.E(errs.Unavailable, "Productions are not configured on this server."))
		return nil, false
	}
	return s.disclosure, true
}

type apiProductionKey struct {
	Algorithm   string `json:"algorithm"`
	PublicKey   string `json:"public_key"` // base64 of the 32 raw bytes
	PEM         string `json:"public_key_pem"`
	Fingerprint string `json:"fingerprint"`
}

// handleAPIProductionKey handles "GET /api/v1/productions/key": the Ed25519
// key that verifies every package's manifest.json.sig, as JSON, or as PEM
// with ?format=pem (or Accept: application/x-pem-file).
func (s *Server) handleAPIProductionKey(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	if c.Query("format") == "pem" || strings.Contains(c.GetHeader("Accept"), "application/x-pem-file") {
		c.Data(http.StatusOK, "application/x-pem-file", []byte(svc.Keys.PublicKeyPEM()))
		return
	}
	c.JSON(http.StatusOK, apiProductionKey{
		Algorithm: "Ed25519", PublicKey: base64.StdEncoding.EncodeToString(svc.Keys.PublicKey()),
		PEM: svc.Keys.PublicKeyPEM(), Fingerprint: svc.Keys.Fingerprint(),
	})
}

type apiRecipient struct {
	Recipient *string    `json:"recipient"` // null when none is registered
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

func toAPIRecipient(r *disclosure.Recipient) apiRecipient {
	if r == nil {
		return apiRecipient{}
	}
	return apiRecipient{Recipient: &r.Recipient, UpdatedAt: &r.UpdatedAt}
}

// handleAPIRecipientGet handles "GET /api/v1/agency/recipient".
func (s *Server) handleAPIRecipientGet(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	r, err := svc.GetRecipient(c.Request.Context(), principal(c).Principal)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIRecipient(r))
}

// handleAPIRecipientPut handles "PUT /api/v1/agency/recipient" with
// {"recipient": "age1…"}: later packages for the agency are encrypted to it.
func (s *Server) handleAPIRecipientPut(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	body, err := readJSON(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var in struct {
		Recipient string `json:"recipient"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.renderError(c, &errs.Error{Code: errs.Invalid, Message: "The body must be a JSON object.",
			Fields: []errs.FieldError{{Field: "recipient", Message: "Send {\"recipient\": \"age1…\"}."}}})
		return
	}
	r, err := svc.SetRecipient(c.Request.Context(), principal(c).Principal, in.Recipient)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIRecipient(r))
}

// handleAPIRecipientDelete handles "DELETE /api/v1/agency/recipient".
func (s *Server) handleAPIRecipientDelete(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	if err := svc.DeleteRecipient(c.Request.Context(), principal(c).Principal); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiProduction is a production as the API shows it. The provider also sees
// the attempts and the last failure.
type apiProduction struct {
	RequestID      string           `json:"request_id"`
	Reference      string           `json:"reference,omitempty"`
	Status         string           `json:"status"`
	Outcome        string           `json:"outcome,omitempty"`
	Counts         map[string]int64 `json:"counts,omitempty"`
	Sealing        string           `json:"sealing,omitempty"`
	Recipient      string           `json:"recipient,omitempty"`
	ProducedAt     *time.Time       `json:"produced_at,omitempty"`
	ExpiresAt      *time.Time       `json:"expires_at,omitempty"`
	SHA256         string           `json:"sha256,omitempty"` // of the bytes a download sends
	Size           int64            `json:"size,omitempty"`
	ManifestSHA256 string           `json:"manifest_sha256,omitempty"`
	Download       string           `json:"download,omitempty"`
	Attempts       int              `json:"attempts,omitempty"`
	Error          string           `json:"error,omitempty"`
}

func toAPIProduction(p *disclosure.Production, reference string, provider bool) apiProduction {
	out := apiProduction{RequestID: p.RequestID, Reference: reference, Status: p.Status, Outcome: p.Outcome,
		Sealing: p.Sealing, Recipient: p.Recipient, ProducedAt: p.ProducedAt, ExpiresAt: p.ExpiresAt}
	if p.Counts != "" {
		json.Unmarshal([]byte(p.Counts), &out.Counts) // written by the service; an empty map on failure
	}
	if p.Status == disclosure.StatusReady {
		out.SHA256, out.Size, out.ManifestSHA256 = p.ServedSHA256, p.ServedSize, p.ManifestSHA256
		out.Download = "/api/v1/requests/" + p.RequestID + "/production"
	}
	if provider {
		out.Attempts, out.Error = p.Attempts, p.Error
	}
	return out
}

// handleAPIProductionList handles "GET /api/v1/productions": the caller's
// agency's packages, newest first.
func (s *Server) handleAPIProductionList(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	list, err := svc.ForAgency(c.Request.Context(), principal(c).Principal)
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]apiProduction, len(list))
	for i := range list {
		items[i] = toAPIProduction(&list[i].Production, list[i].Reference, false)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// handleProductionDownload handles "GET /api/v1/requests/:id/production"
// and the agency page's download link: the package itself, streamed, with
// its SHA-256 in Repr-Digest. What was actually sent is recorded when the
// stream ends, so a download cut short is audited as incomplete.
func (s *Server) handleProductionDownload(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	actor := principal(c).Principal
	d, err := svc.OpenDownload(c.Request.Context(), actor, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	defer d.Body.Close()
	sum, _ := hex.DecodeString(d.SHA256)
	h := c.Writer.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	c.Status(http.StatusOK)
	hash := sha256.New()
	n, copyErr := io.Copy(io.MultiWriter(c.Writer, hash), d.Body)
	complete := copyErr == nil && n == d.Size
	if err := svc.RecordDownload(c.Request.Context(), actor, d, n, hex.EncodeToString(hash.Sum(nil)), complete); err != nil {
		s.log.ErrorContext(c.Request.Context(), "record download", "err", err, "request_id", requestID(c), "production", d.Production.ID)
	}
	if copyErr != nil {
		s.log.WarnContext(c.Request.Context(), "download cut short", "err", copyErr, "sent", n, "request_id", requestID(c))
	}
}

// handleAPIProductionBuild handles "POST /api/v1/requests/:id/production":
// the provider starts a build that has not started or retries a failed
// one. 202 when it was enqueued, 200 with the ready production when it was
// built at once.
func (s *Server) handleAPIProductionBuild(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	p, err := svc.Retry(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	status := http.StatusOK
	if p.Status != disclosure.StatusReady {
		status = http.StatusAccepted
	}
	c.JSON(status, toAPIProduction(p, "", true))
}

// apiNotice is a user notice as the provider sees it, with the legal
// policy's word on it: a withheld notice is never sent, and says why.
type apiNotice struct {
	ID        string `json:"id"`
	Reference string `json:"request_reference"`
	Agency    string `json:"agency"`
	AccountID string `json:"account_id"`
	Status    string `json:"status"` // withheld, scheduled, queued, sent, failed
	// DueAt is when it may go out; absent for a withheld notice and for one
	// waiting until a court lifts its order.
	DueAt *time.Time `json:"due_at,omitempty"`
	// Until is the last day a binding or sealed order forbids the notice
	// (YYYY-MM-DD); UntilLifted: until a court lifts the order.
	Until       string     `json:"until,omitempty"`
	UntilLifted bool       `json:"until_lifted,omitempty"`
	ReasonCode  string     `json:"reason_code"`
	Reason      string     `json:"reason"`
	Citation    string     `json:"citation,omitempty"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}

func toAPINotice(n disclosure.NoticeView) apiNotice {
	out := apiNotice{ID: n.ID, Reference: n.Reference, Agency: n.Agency, AccountID: n.AccountID, Status: n.Status,
		ReasonCode: n.ReasonCode, Reason: n.Reason, Citation: n.Citation, Attempts: n.Attempts, LastError: n.LastError, SentAt: n.SentAt}
	indefinite := n.DueAt.Equal(disclosure.Indefinite)
	if n.Status != disclosure.NoticeWithheld && !indefinite {
		due := n.DueAt
		out.DueAt = &due
	}
	if n.Status == disclosure.NoticeScheduled {
		if indefinite {
			out.UntilLifted = true
		} else {
			// Due at the start of the day after the order's last day.
			out.Until = day.Of(n.DueAt).AddDays(-1).String()
		}
	}
	return out
}

// handleAPINotices handles "GET /api/v1/notices[?status=]": the provider's
// view of user notices (by default those not sent: withheld ones with the
// law's reason, scheduled, queued and failed ones).
func (s *Server) handleAPINotices(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	var statuses []string
	if st := c.Query("status"); st != "" {
		statuses = strings.Split(st, ",")
	}
	list, err := svc.ListNotices(c.Request.Context(), principal(c).Principal, statuses)
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]apiNotice, len(list))
	for i, n := range list {
		items[i] = toAPINotice(n)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
