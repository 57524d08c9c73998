package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// databaseRetryAfter is what Retry-After says when the database is down: long
// enough for a failover or a restart, short enough that nobody gives up.
const databaseRetryAfter = 5 * time.Second

// statuses maps error codes to HTTP statuses; anything unknown is a 500.
var statuses = map[errs.Code]int{
	errs.Invalid:             http.StatusUnprocessableEntity,
	errs.NotFound:            http.StatusNotFound,
	errs.Conflict:            http.StatusConflict,
	errs.Unauthenticated:     http.StatusUnauthorized,
	errs.Forbidden:           http.StatusForbidden,
	errs.PolicyDenied:        http.StatusUnprocessableEntity,
	errs.TooLarge:            http.StatusRequestEntityTooLarge,
	errs.Unsupported:         http.StatusUnsupportedMediaType,
	errs.Gone:                http.StatusGone,
	errs.RateLimited:         http.StatusTooManyRequests,
	errs.Unavailable:         http.StatusServiceUnavailable,
	errs.Internal:            http.StatusInternalServerError,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	codePreconditionRequired: http.StatusPreconditionRequired,
	codeMalformedJSON:        http.StatusBadRequest,
}

var titles = map[errs.Code]string{
	errs.Invalid:             "Invalid input",
	errs.NotFound:            "Not found",
	errs.Conflict:            "Conflict",
	errs.Unauthenticated:     "Sign-in required",
	errs.Forbidden:           "Not allowed",
	errs.PolicyDenied:        "Refused by policy",
	errs.TooLarge:            "Too large",
	errs.Unsupported:         "Unsupported media type",
	errs.Gone:                "Gone",
	errs.RateLimited:         "Too many requests",
	errs.Unavailable:         "Temporarily unavailable",
	errs.Internal:            "Internal error",
	codeMethodNotAllowed:     "Method not allowed",
	codePreconditionRequired: "Precondition required",
	codeMalformedJSON:        "Malformed JSON",
}

// A problem is an RFC 9457 problem document.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
	Allowed   []string          `json:"allowed_actions,omitempty"`
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// renderError is the one place errors become responses: the API gets
// application/problem+json, pages get the error page. Internal errors are
// logged with the request id and never echoed: the client sees only
// "Internal error." and the id to quote.
func (s *Server) renderError(c *gin.Context, err error) {
	if s.needsStepUp(c, err) {
		return
	}
	code := errs.CodeOf(err)
	if errors.Is(err, context.Canceled) {
		c.AbortWithStatus(499) // the client went away; nobody reads this
		return
	}
	if code == errs.Internal && db.Unavailable(err) {
		// An outage, not a bug: the request was sound and may succeed
		// shortly, so clients and load balancers are told when to retry.
		err = errs.Wrap(err, errs.Unavailable, "The database is not answering. Try again in a moment.")
		code = errs.Unavailable
		c.Header("Retry-After", strconv.Itoa(int(databaseRetryAfter.Seconds())))
	}
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "request_id", requestID(c),
			"method", c.Request.Method, "path", c.FullPath())
	}
	e, _ := errs.As(err)
	// Type, title and field names are codes, in English for every
	// client; detail and the field messages are said in the caller's
	// language (Accept-Language, or a person's choice on pages).
	pr := s.printer(c)
	book := s.render.book.In(pr.Lang())
	say := func(format string, args ...any) string { return book.Say(pr.Sprintf(format, args...)) }
	p := problem{
		Type:      "https://warrantdesk.example/problems/" + string(code),
		Title:     titles[code],
		Status:    status,
		Detail:    say(errs.Message(err)),
		Instance:  c.Request.URL.Path,
		RequestID: requestID(c),
	}
	if e != nil && code != errs.Internal {
		p.Detail = e.Say(say)
		for _, f := range e.Fields {
			f.Message = f.Say(say)
			p.Errors = append(p.Errors, f)
		}
		p.Allowed = e.Allowed
	}
	if status == http.StatusUnauthorized && isAPI(c) {
		c.Header("WWW-Authenticate", `Bearer realm="warrantdesk"`)
	}
	if isAPI(c) {
		c.Header("Cache-Control", "no-store")
		c.Render(status, problemRender{p})
		c.Abort()
		return
	}
	// A person is sent to sign in; a caller that sent a bearer token is a
	// program, for which a sign-in form means nothing: it gets the 401.
	if status == http.StatusUnauthorized && c.GetHeader("Authorization") == "" {
		c.Redirect(http.StatusSeeOther, "/login?return_to="+safeReturnTo(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	title := pr.Sprintf(p.Title)
	s.html(c, status, "error", errorPage{Page: s.page(c, p.Title), Heading: title, Message: p.Detail, RequestID: p.RequestID})
	c.Abort()
}

type errorPage struct {
	Page
	Heading   string
	Message   string
	RequestID string
}

// problemRender writes JSON with the problem media type.
type problemRender struct{ p problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonEncoder(w).Encode(r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}
