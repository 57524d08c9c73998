package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

type apiAuditActor struct {
	Issuer   string `json:"issuer"`
	Subject  string `json:"subject"`
	Role     string `json:"role"`
	AgencyID string `json:"agency_id,omitempty"`
}

type apiAuditEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      apiAuditActor   `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id,omitempty"`
	Outcome    string          `json:"outcome"`
	RequestID  string          `json:"request_id,omitempty"`
	Decision   json.RawMessage `json:"decision,omitempty"`
	Details    json.RawMessage `json:"details,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

type apiAuditPage struct {
	Items      []apiAuditEvent `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// rawJSON passes stored JSON through, and anything else as a JSON string.
func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func toAPIAuditEvent(ev audit.Event) apiAuditEvent {
	return apiAuditEvent{
		Seq: ev.Seq, At: ev.At.UTC(),
		Actor:  apiAuditActor{Issuer: ev.Actor.Issuer, Subject: ev.Actor.Subject, Role: ev.Actor.Role, AgencyID: ev.Actor.AgencyID},
		Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, Outcome: ev.Outcome, RequestID: ev.RequestID,
		Decision: rawJSON(ev.Decision), Details: rawJSON(ev.Details), PrevHash: ev.PrevHash, Hash: ev.Hash,
	}
}

// auditFilter reads the audit view's filters from the query: request,
// actor, action, from and to (RFC 3339 instants, or YYYY-MM-DD days, "to"
// then meaning the end of that day), cursor and limit.
func auditFilter(c *gin.Context) (audit.Filter, error) {
	var fields errs.Fields
	f := audit.Filter{
		RequestID: strings.TrimSpace(c.Query("request")),
		Actor:     strings.TrimSpace(c.Query("actor")),
		Action:    strings.TrimSpace(c.Query("action")),
		Cursor:    c.Query("cursor"),
	}
	f.From = parseInstant(c.Query("from"), false, "from", &fields)
	f.To = parseInstant(c.Query("to"), true, "to", &fields)
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			fields.Add("limit", "Use a limit from 1 to 200.")
		}
		f.Limit = n
	}
	return f, fields.Err()
}

func parseInstant(v string, endOfDay bool, field string, f *errs.Fields) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	if d, err := day.Parse(v); err == nil {
		if endOfDay {
			return d.AddDays(1).Time()
		}
		return d.Time()
	}
	f.Add(field, "Use a date (2026-11-20) or an instant (2026-11-20T09:30:00Z).")
	return time.Time{}
}

// auditPage authorises the caller to read the audit trail (policy action
// "audit.view"; a refusal is itself audited), before looking at the
// filters, and returns the page they select.
func (s *Server) auditPage(c *gin.Context) (audit.Filter, audit.Page, error) {
	p := principal(c).Principal
	// Whether the caller may read at all is settled (and a refusal
	// recorded) before the filters are looked at.
	if err := s.trail.Check(c.Request.Context(), p); err != nil {
		return audit.Filter{}, audit.Page{}, err
	}
	f, err := auditFilter(c)
	if err != nil {
		return f, audit.Page{}, err
	}
	page, err := s.trail.Read(c.Request.Context(), p, f)
	return f, page, err
}

// handleAPIAudit handles "GET /api/v1/audit": auditors read the audit
// trail, newest first, filtered by request, actor, action and time, and
// keyset-paginated with ?cursor=.
func (s *Server) handleAPIAudit(c *gin.Context) {
	_, page, err := s.auditPage(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := apiAuditPage{Items: make([]apiAuditEvent, 0, len(page.Events)), NextCursor: page.NextCursor}
	for _, ev := range page.Events {
		out.Items = append(out.Items, toAPIAuditEvent(ev))
	}
	c.JSON(http.StatusOK, out)
}
