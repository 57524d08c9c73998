package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// auditFilterForm is the audit trail's filter form as typed; its fields are
// the query's parameters (see auditQuery).
type auditFilterForm struct {
	Reference, Person, Request, Actor, Action, From, To string
}

// values is the form as a query string, without empty fields.
func (f auditFilterForm) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"reference": f.Reference, "person": f.Person, "request": f.Request,
		"actor": f.Actor, "action": f.Action, "from": f.From, "to": f.To} {
		if v = strings.TrimSpace(v); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// An auditRow is one event as the page shows it: in words, with the codes
// kept for those who want them.
type auditRow struct {
	auditing.Entry
	Who        string // the person's name, or what acted
	Org        string // their agency's name, "The provider" for its staff
	ActionText string // the action in words
	OutcomeTag wording.Tag
	Words      []wording.Detail // the details in words
}

// An auditPageLink is one entry of the page-number navigation.
type auditPageLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool // an ellipsis between distant page numbers
}

// An auditField is one text field of the filter form.
type auditField struct {
	Name, Label, Hint, Value string
	Error                    *errs.FieldError
}

type auditViewPage struct {
	Page
	Filter      auditFilterForm
	Fields      []auditField // the filters people use
	MoreFields  []auditField // the identifiers, folded away
	MoreOpen    bool         // unfolded when one is set or wrong
	PageCount   int
	Items       []auditRow
	Total       int64
	Number      int
	Pages       []auditPageLink
	PrevURL     string // "" on the first page
	NextURL     string // "" on the last page
	ExportURL   string // the same filters as CSV
	Filtered    bool   // whether any filter is set
	Errors      []errs.FieldError
	FieldErrors map[string]*errs.FieldError
}

func auditForm(c *gin.Context) auditFilterForm {
	return auditFilterForm{Reference: c.Query("reference"), Person: c.Query("person"), Request: c.Query("request"),
		Actor: c.Query("actor"), Action: c.Query("action"), From: c.Query("from"), To: c.Query("to")}
}

// auditQuery reads the audit pages' query: the trail's filters (as the API
// reads them), a request's reference, a person's name, and the page number
// with the event it counts through (so pages stay put while events are
// appended). Returns Invalid, naming every bad field.
func auditQuery(c *gin.Context) (auditing.Query, error) {
	f, err := auditFilter(c)
	var fields errs.Fields
	if e, ok := errs.As(err); ok {
		fields = e.Fields
	} else if err != nil {
		return auditing.Query{}, err
	}
	q := auditing.Query{Filter: f, Reference: c.Query("reference"), Person: c.Query("person")}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fields.Add("page", "The page number is not valid; start again from the first page.")
		}
		q.Page = n
	}
	if v := c.Query("through"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fields.Add("page", "The page number is not valid; start again from the first page.")
		}
		q.Through = n
	}
	return q, fields.Err()
}

// handleAuditPage handles "GET /provider/audit": the auditor's view of the
// audit trail, filtered by a request's reference, a person's name, action
// and time (and by request id and subject, as the API is), in numbered
// pages. Authorisation and recording are auditing.Trail's.
func (s *Server) handleAuditPage(c *gin.Context) {
	form := auditForm(c)
	pr := s.printer(c)
	p := auditViewPage{Page: s.page(c, "Audit trail"), Filter: form, FieldErrors: map[string]*errs.FieldError{}}
	p.Title = form.title(pr)
	values := form.values()
	p.Filtered = len(values) > 0
	p.ExportURL = "/provider/audit.csv"
	if p.Filtered {
		p.ExportURL += "?" + values.Encode()
	}
	principal := principal(c).Principal
	// Whether the caller may read at all is settled (and a refusal
	// recorded) before the filters are looked at.
	if err := s.trail.Check(c.Request.Context(), principal); err != nil {
		s.renderError(c, err)
		return
	}
	q, err := auditQuery(c)
	var page auditing.Page
	if err == nil {
		page, err = s.trail.Search(c.Request.Context(), principal, q)
	} else {
		err = s.withResolveProblems(c, q, err)
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			s.renderError(c, err)
			return
		}
		p.Errors, p.FieldErrors = fieldErrors(err)
		p.Title = pr.Sprintf("Error:") + " " + p.Title
		p.fields(pr)
		s.html(c, http.StatusUnprocessableEntity, "audit", p)
		return
	}
	if page.Pages > 1 {
		p.Title += ", " + pr.Sprintf("page %d of %d", page.Number, page.Pages)
	}
	for _, e := range page.Entries {
		w := wording.In(pr)
		p.Items = append(p.Items, auditRow{Entry: e, Who: principalName(e, pr.Sprintf), Org: organisation(e, pr.Sprintf), ActionText: w.AuditAction(e.Action),
			OutcomeTag: w.AuditOutcome(e.Outcome), Words: w.AuditDetails(e.Details, wording.Provider)})
	}
	p.Total, p.Number, p.PageCount = page.Total, page.Number, page.Pages
	at := func(n int) string {
		v := form.values()
		v.Set("through", strconv.FormatInt(page.Through, 10))
		v.Set("page", strconv.Itoa(n))
		return "/provider/audit?" + v.Encode()
	}
	if page.Number > 1 {
		p.PrevURL = at(page.Number - 1)
	}
	if page.Number < page.Pages {
		p.NextURL = at(page.Number + 1)
	}
	for n := 1; n <= page.Pages; n++ {
		// The first, the last, and two either side of this one.
		if n == 1 || n == page.Pages || (n >= page.Number-2 && n <= page.Number+2) {
			p.Pages = append(p.Pages, auditPageLink{Number: n, URL: at(n), Current: n == page.Number})
		} else if last := len(p.Pages) - 1; last >= 0 && !p.Pages[last].Gap {
			p.Pages = append(p.Pages, auditPageLink{Gap: true})
		}
	}
	p.fields(pr)
	s.html(c, http.StatusOK, "audit", p)
}

// title names the audit trail as filtered: "Audit trail: request
// WD-2026-000123, from 2026-11-20", in pr's language.
func (f auditFilterForm) title(pr *locale.Printer) string {
	var parts []string
	for _, x := range []struct{ format, value string }{
		{locale.M("request %s"), f.Reference}, {locale.M("person %s"), f.Person}, {locale.M("action %s"), f.Action},
		{locale.M("from %s"), f.From}, {locale.M("to %s"), f.To},
		{locale.M("request id %s"), f.Request}, {locale.M("subject %s"), f.Actor},
	} {
		if v := strings.TrimSpace(x.value); v != "" {
			parts = append(parts, pr.Sprintf(x.format, v))
		}
	}
	if len(parts) == 0 {
		return pr.Sprintf("Audit trail")
	}
	return pr.Sprintf("Audit trail: %s", strings.Join(parts, ", "))
}

// fields lays out the filter form with what was typed and its errors,
// its labels and hints in pr's language.
func (p *auditViewPage) fields(pr *locale.Printer) {
	field := func(name, label, hint, value string) auditField {
		return auditField{Name: name, Label: pr.Sprintf(label), Hint: pr.Sprintf(hint), Value: value, Error: p.FieldErrors[name]}
	}
	f := p.Filter
	p.Fields = []auditField{
		field("reference", locale.M("Request reference"), locale.M("Such as WD-2026-000123."), f.Reference),
		field("person", locale.M("Person"), locale.M("Part of their name or e-mail address."), f.Person),
		field("action", locale.M("Action"), locale.M("As recorded, such as request.submit or auth.login."), f.Action),
		field("from", locale.M("Start"), locale.M("A date (2026-11-20) or an instant (2026-11-20T09:30:00Z)."), f.From),
		field("to", locale.M("End"), locale.M("A date includes that whole day."), f.To),
	}
	p.MoreFields = []auditField{
		field("request", locale.M("Request id"), locale.M("The request's internal identifier."), f.Request),
		field("actor", locale.M("Subject"), locale.M("The person's identifier at their sign-in service."), f.Actor),
	}
	p.MoreOpen = f.Request != "" || f.Actor != "" || p.FieldErrors["request"] != nil || p.FieldErrors["actor"] != nil
}

// auditCSVHeader names the export's columns.
var auditCSVHeader = []string{"seq", "time_utc", "person", "agency", "role", "issuer", "subject", "action", "action_in_words",
	"outcome", "request_reference", "request_id", "object_type", "object_id", "details_in_words", "details", "decision",
	"prev_hash", "hash"}

// handleAuditExport handles "GET /provider/audit.csv": the events the
// audit page's filters select, every page of them, as CSV. It is
// authorised and recorded as the page is (the export is itself a reading
// of the trail), and streamed as it is read.
func (s *Server) handleAuditExport(c *gin.Context) {
	principal := principal(c).Principal
	if err := s.trail.Check(c.Request.Context(), principal); err != nil {
		s.renderError(c, err)
		return
	}
	q, err := auditQuery(c)
	if err != nil {
		s.auditExportRefused(c, s.withResolveProblems(c, q, err))
		return
	}
	q.Page, q.Through = 0, 0
	w := csv.NewWriter(c.Writer)
	started := false
	err = s.trail.Export(c.Request.Context(), principal, q, "csv", func(e auditing.Entry) error {
		if !started {
			started = true
			s.startAuditCSV(c)
			if err := w.Write(auditCSVHeader); err != nil {
				return err
			}
		}
		return w.Write(auditCSVRow(e))
	})
	switch {
	case err != nil && !started:
		s.auditExportRefused(c, err)
		return
	case err != nil:
		// The status is sent: the client sees a cut-off file, the log why.
		s.log.ErrorContext(c.Request.Context(), "audit export", "err", err, "request_id", requestID(c))
		return
	case !started:
		s.startAuditCSV(c)
		if err := w.Write(auditCSVHeader); err != nil {
			return
		}
	}
	w.Flush()
}

// withResolveProblems adds to the form's problems (err) those of its
// reference and name, so that every problem is said at once.
func (s *Server) withResolveProblems(c *gin.Context, q auditing.Query, err error) error {
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid {
		return err
	}
	fields := errs.Fields(slices.Clone(e.Fields))
	if _, rerr := s.trail.Resolve(c.Request.Context(), q); rerr != nil {
		re, ok := errs.As(rerr)
		if !ok || re.Code != errs.Invalid {
			return rerr
		}
		fields = append(fields, re.Fields...)
	}
	return fields.Err()
}

// auditExportRefused answers an export that could not start: the page
// with its errors for bad filters, else the error page.
func (s *Server) auditExportRefused(c *gin.Context, err error) {
	if errs.CodeOf(err) != errs.Invalid {
		s.renderError(c, err)
		return
	}
	pr := s.printer(c)
	p := auditViewPage{Page: s.page(c, "Audit trail"), Filter: auditForm(c)}
	p.Title = pr.Sprintf("Error:") + " " + p.Filter.title(pr)
	p.Errors, p.FieldErrors = fieldErrors(err)
	p.fields(pr)
	s.html(c, http.StatusUnprocessableEntity, "audit", p)
}

func (s *Server) startAuditCSV(c *gin.Context) {
	name := "audit-" + time.Now().UTC().Format("2006-01-02T150405Z") + ".csv"
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
}

// auditCSVRow is one event as a CSV row. Every cell is made safe for
// spreadsheets: names and comments come from people outside the provider.
func auditCSVRow(e auditing.Entry) []string {
	var words []string
	for _, d := range wording.AuditDetails(e.Details, wording.Provider) {
		words = append(words, d.Name+": "+d.Value)
	}
	row := []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), principalName(e, fmt.Sprintf), organisation(e, fmt.Sprintf), e.Actor.Role,
		e.Actor.Issuer, e.Actor.Subject, e.Action, wording.AuditAction(e.Action), e.Outcome, e.Reference,
		e.RequestID, e.ObjectType, e.ObjectID, strings.Join(words, "; "), e.Details, e.Decision, e.PrevHash, e.Hash}
	for i, v := range row {
		row[i] = spreadsheetSafe(v)
	}
	return row
}

// spreadsheetSafe keeps a spreadsheet from reading a cell as a formula
// (CSV injection): a cell that starts with = + - @ or a control character
// is prefixed with an apostrophe.
func spreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// principalName is how the page names who acted: the person's name, else
// the portal's own work, else the subject as recorded; say words it in a
// language (a printer's Sprintf; the CSV export's fmt.Sprintf keeps English).
func principalName(e auditing.Entry, say func(string, ...any) string) string {
	switch {
	case e.Person != "":
		return e.Person
	case e.Actor.Issuer == identity.SystemIssuer || strings.HasPrefix(e.Actor.Subject, "system:"):
		return say(locale.M("The portal (%s)"), strings.TrimPrefix(e.Actor.Subject, "system:"))
	}
	return e.Actor.Subject
}

// organisation is whom the actor acted for: their agency, the provider for
// its staff, "" for the portal's own work and for no one; say words it.
func organisation(e auditing.Entry, say func(string, ...any) string) string {
	switch {
	case e.Agency != "":
		return e.Agency
	case e.Person != "" && e.Actor.AgencyID == "" && e.Actor.Role != identity.KindSystem:
		return say(locale.M("The provider"))
	}
	return ""
}
