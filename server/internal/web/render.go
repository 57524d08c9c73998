package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// A Page is what every page template gets: the signed-in principal, the CSRF
// token for its forms, a flash message and the request id.
type Page struct {
	Title     string
	User      *identity.Principal
	CSRF      string
	Flash     string
	RequestID string
	// Caps is what the signed-in person may do beyond any particular
	// request, from the policy: the menus and buttons show only that.
	Caps policy.Capabilities
	// Errors are what stopped the person's last form: the layout puts
	// their summary first in main and starts the title with "Error: ".
	Errors []errs.FieldError
	// ErrorPages says, per field, the page where it is answered when that
	// is not this one (check your answers links to the form's steps).
	ErrorPages map[string]string
	// Lang is the language the page is in; Here is its address, where the
	// language switch returns to.
	Lang string
	Here string
}

// OtherLanguages are the languages the page offers to switch to, each
// named in its own words.
func (p Page) OtherLanguages() []language {
	var out []language
	for _, l := range locale.Languages {
		if l != p.Lang {
			out = append(out, language{Code: l, Name: locale.Names[l]})
		}
	}
	return out
}

// A language is one the portal speaks, as the switch offers it.
type language struct{ Code, Name string }

// Audience is who reads the page, which decides how states read
// ("With the provider's legal team" to an officer, "In review" to staff).
func (p Page) Audience() wording.Audience {
	return wording.AudienceOf(p.User != nil && p.User.Provider)
}

// renderer holds one parsed template set per language and page: base
// layout + partials + the page's own file, parsed once at start so a broken
// template stops the start instead of failing a request. Each language's
// sets have functions that speak it (t, say, and the words of package
// wording).
type renderer struct {
	pages   map[string]map[string]*template.Template // language → page → set
	static  *staticFiles
	book    *wording.Book // names processes and categories, for handlers too
	locales *locale.Catalogue
}

// newRenderer parses the templates once per language of locales; book
// names the catalogue's processes and categories for them.
func newRenderer(templates fs.FS, static *staticFiles, book *wording.Book, locales *locale.Catalogue) (*renderer, error) {
	r := &renderer{pages: map[string]map[string]*template.Template{}, static: static, book: book, locales: locales}
	for _, lang := range locale.Languages {
		pages, err := r.parse(templates, locales.Printer(lang))
		if err != nil {
			return nil, err
		}
		r.pages[lang] = pages
	}
	return r, nil
}

// funcs are the template functions of one language.
func (r *renderer) funcs(pr *locale.Printer) template.FuncMap {
	lbook := r.book.In(pr.Lang()) // the catalogue's names in the page's language
	words := wording.In(pr)
	// A message that quotes the policy ("%s" and a reason it wrote) is
	// said whole in the page's language where the bundle translates it.
	sprintf := func(format string, args ...any) string { return lbook.Say(pr.Sprintf(format, args...)) }
	voice := workflow.VoiceOf(pr, lbook.Say)
	return template.FuncMap{
		// t says a message in the page's language: {{t "Sign in"}},
		// {{t "Request %s" .Reference}} (package locale).
		"t": pr.Sprintf,
		// say is a field error's message in the page's language.
		"say": func(v any) string {
			switch fe := v.(type) {
			case *errs.FieldError:
				if fe != nil {
					return fe.Say(sprintf)
				}
			case errs.FieldError:
				return fe.Say(sprintf)
			}
			return ""
		},
		"lang": pr.Lang,
		// Words for codes (package wording) in the page's language: pages
		// show these, the API the codes.
		"tag":   func(s any, a wording.Audience) wording.Tag { return words.TagOf(stateOf(s), a) },
		"state": func(s any, a wording.Audience) string { return words.State(stateOf(s), a) },
		// A request's tag: an emergency awaiting its co-signature reads so.
		"requestTag": func(r apiRequest, a wording.Audience) wording.Tag {
			return words.RequestTag(request.State(r.Status), r.AwaitingCosign(), a)
		},
		"change": func(from, to string, a wording.Audience) string {
			return words.Change(request.State(from), request.State(to), a)
		},
		// history is a history row in words: who did what, and its
		// comment, the portal's sentences in it in the page's language,
		// what a person typed as typed; a fixed actor name ("The
		// provider's legal team") in the page's language too.
		"history": func(h apiHistory, actor string) wording.Line {
			line := words.History(h.Action, pr.Sprintf(actor), h.Comment)
			if line.Comment != "" {
				line.Comment = workflow.SayHistory(h.Comment, h.Words, voice)
			}
			return line
		},
		// internal is a history row's internal note in the page's
		// language; "" on every page the agency reads (the view it
		// renders never carries one).
		"internal": func(h apiHistory) string {
			if h.internal == nil {
				return ""
			}
			return h.internal.Text(voice)
		},
		"team":              words.Team,
		"timeleft":          words.TimeLeft,
		"kind":              words.Kind,
		"reason":            words.Reason,
		"refusal":           words.Refusal,
		"callback":          words.Callback,
		"decision":          words.Decision,
		"productionState":   words.ProductionState,
		"productionOutcome": words.ProductionOutcome,
		"sealing":           words.Sealing,
		"productionTag":     words.ProductionTag,
		"accountTag":        words.AccountTag,
		"meaning":           words.Meaning,
		"role":              words.Role,
		"process":           lbook.Process,
		"citation":          lbook.Citation,
		"category":          lbook.Category,
		"jurisdiction":      lbook.Jurisdiction,
		"authority":         lbook.Authority,
		"targetType":        lbook.TargetType,
		"categories":        lbook.Categories,
		// Texts the policy wrote (reasons, warnings, notices), in the
		// page's language where the bundle translates them whole.
		"policyText": lbook.Say,
		// phrase says words the portal kept to say later (workflow.Phrase).
		"phrase": func(p workflow.Phrase) string { return p.In(workflow.VoiceOf(pr, lbook.Say)) },

		"static":  r.static.url,
		"join":    strings.Join,
		"add":     func(a, b int) int { return a + b },
		"fieldID": fieldID,
		"errorLinks": func(list []errs.FieldError, pages map[string]string) []errorLink {
			return errorLinks(list, pages, sprintf)
		},
		"invalid": invalid,
		// datetime is a moment where legal precision matters (orders,
		// deadlines, packages): the reader's time with UTC beside it;
		// localtime is the reader's time alone. Both become the reader's
		// zone as the page is sent (zonedTimes).
		"datetime":  func(t any) template.HTML { return timeElement(t, "full") },
		"localtime": func(t any) template.HTML { return timeElement(t, "local") },
		"contains":  func(list []string, s string) bool { return slices.Contains(list, s) },
		"months":    func(v any) string { return monthsText(v, pr) },
	}
}

func (r *renderer) parse(templates fs.FS, pr *locale.Printer) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	funcs := r.funcs(pr)
	shared := []string{"layout/base.html"}
	partials, err := fs.Glob(templates, "partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	pages, err := fs.Glob(templates, "pages/*.html")
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("templates: no pages found")
	}
	for _, p := range pages {
		files := append(append([]string{}, shared...), p)
		t, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(templates, files...)
		if err != nil {
			return nil, fmt.Errorf("templates: parse %s: %w", p, err)
		}
		name := strings.TrimSuffix(path.Base(p), ".html")
		out[name] = t
	}
	return out, nil
}

// An errorLink is one line of an error summary: its message, and where
// the field it is about can be fixed ("" when it is about no field).
type errorLink struct{ Message, Href string }

// errorLinks are the summary lines of list: each links to its field on
// this page, or on the page pages names for it.
func errorLinks(list []errs.FieldError, pages map[string]string, sprintf func(string, ...any) string) []errorLink {
	out := make([]errorLink, 0, len(list))
	for _, fe := range list {
		l := errorLink{Message: fe.Say(sprintf)}
		if fe.Field != "" && fe.Field != "form" {
			l.Href = pages[fe.Field] + "#" + fieldID(fe.Field)
		}
		out = append(out, l)
	}
	return out
}

// fieldID is the id of a form field on the page: "f-" and its name in the
// API's errors, "verification.requester" → "f-verification-requester".
func fieldID(field string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(field)
}

// invalid marks a field that has an error (nil: none) for assistive
// technology, inside its tag: aria-invalid, and aria-describedby naming the
// message beside it (the field_error partial) and any of hints, ids of
// other descriptions to keep.
func invalid(fe *errs.FieldError, hints ...string) template.HTMLAttr {
	if fe == nil {
		if len(hints) == 0 {
			return ""
		}
		return template.HTMLAttr(`aria-describedby="` + html.EscapeString(strings.Join(hints, " ")) + `"`)
	}
	ids := append([]string{fieldID(fe.Field) + "-error"}, hints...)
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + html.EscapeString(strings.Join(ids, " ")) + `"`)
}

// stateOf reads a state as the views hold it: a request.State, or its
// string in the API's shapes.
func stateOf(v any) request.State {
	if s, ok := v.(request.State); ok {
		return s
	}
	return request.State(fmt.Sprint(v))
}

// monthsText says a penalty or sentence in months as a person would: "6
// months", "3 years", "1 year and 6 months", "2.5 months". It takes a
// float64 or a *float64 (as {{with}} passes a pointer).
func monthsText(v any, pr *locale.Printer) string {
	var m float64
	switch x := v.(type) {
	case float64:
		m = x
	case *float64:
		if x == nil {
			return ""
		}
		m = *x
	default:
		return fmt.Sprint(v)
	}
	months := func(n float64) string {
		if n == math.Trunc(n) {
			return pr.Sprintf("%d months", int(n))
		}
		return pr.Sprintf("%s months", strconv.FormatFloat(n, 'f', -1, 64))
	}
	if m < 12 || m != math.Trunc(m) {
		return months(m)
	}
	y, rest := math.Floor(m/12), math.Mod(m, 12)
	if rest == 0 {
		return pr.Sprintf("%d years", int(y))
	}
	return pr.Sprintf("%s and %s", pr.Sprintf("%d years", int(y)), months(rest))
}

// html renders page name with data into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) html(c *gin.Context, status int, name string, data any) {
	lang := s.lang(c)
	t, ok := s.render.pages[lang][name]
	if !ok {
		s.renderError(c, fmt.Errorf("template %q is not registered", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err, "request_id", requestID(c))
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal error."))
		return
	}
	c.Header("Content-Language", lang)
	c.Data(status, "text/html; charset=utf-8", zonedTimes(buf.Bytes(), s.zone(c)))
}

// page fills the common Page fields for the current request.
func (s *Server) page(c *gin.Context, title string) Page {
	pr := s.printer(c)
	p := Page{Title: pr.Sprintf(title), RequestID: requestID(c), Lang: pr.Lang(), Here: c.Request.URL.RequestURI()}
	if a, ok := authFrom(c); ok {
		p.User = a.Principal
		p.CSRF = a.CSRF
		// Failing closed: on a policy error the menus offer nothing, and
		// every action is still authorised on its own.
		if caps, err := s.policy.Capabilities(c.Request.Context(), a.Principal.PolicyActor()); err == nil {
			p.Caps = caps
		} else {
			s.log.ErrorContext(c.Request.Context(), "capabilities", "err", err, "request_id", p.RequestID)
		}
	}
	if f, err := c.Cookie(flashCookie); err == nil && f != "" {
		p.Flash = f // gin's Cookie has already unescaped it
		c.SetCookie(flashCookie, "", -1, "/", "", s.secureCookies, true)
	}
	return p
}

// staticFiles serves embedded assets at /static/<content hash>/<path>, so
// they can be cached for a year and a new release never shows stale CSS.
type staticFiles struct {
	fsys   fs.FS
	hashes map[string]string // path → short hash
}

func newStaticFiles(fsys fs.FS) (*staticFiles, error) {
	s := &staticFiles{fsys: fsys, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return s, err
}

func (s *staticFiles) url(p string) (string, error) {
	h, ok := s.hashes[p]
	if !ok {
		return "", fmt.Errorf("static file %q does not exist", p)
	}
	return "/static/" + h + "/" + p, nil
}

// handleFavicon handles "GET /favicon.ico", which browsers fetch whatever
// a page links: the portal's icon, so no console reports a missing one.
func (s *Server) handleFavicon(c *gin.Context) {
	b, err := fs.ReadFile(s.staticFiles.fsys, "img/favicon.svg")
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "image/svg+xml", b)
}

// handleStatic handles "GET /static/:hash/*path".
func (s *Server) handleStatic(c *gin.Context) {
	p := strings.TrimPrefix(c.Param("path"), "/")
	h, ok := s.staticFiles.hashes[p]
	if !ok || h != c.Param("hash") {
		c.Status(http.StatusNotFound)
		return
	}
	b, err := fs.ReadFile(s.staticFiles.fsys, p)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	ctype := "application/octet-stream"
	switch path.Ext(p) {
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	case ".png":
		ctype = "image/png"
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, ctype, b)
}
