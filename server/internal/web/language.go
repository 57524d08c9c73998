package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// langCookie keeps the language a browser chose with the switch on every
// page; for a signed-in person their profile keeps it too.
const langCookie = "wd_lang"

const ctxLang = "wd.lang"

// lang is the language of the current request. Pages: the browser's choice
// (the switch's cookie), else the person's (their profile, else their
// agency's), else the browser's Accept-Language, else English. The API
// follows Accept-Language alone: its problem documents' detail is said in
// it, while type, title and field names stay English codes clients can
// translate.
func (s *Server) lang(c *gin.Context) string {
	if v, ok := c.Get(ctxLang); ok {
		return v.(string)
	}
	var choices []string
	if !isAPI(c) {
		if v, err := c.Cookie(langCookie); err == nil {
			choices = append(choices, v)
		}
		if a, ok := authFrom(c); ok && !a.Bearer {
			choices = append(choices, a.Principal.Language)
		}
	}
	l := s.locales.Match(c.GetHeader("Accept-Language"), choices...)
	c.Set(ctxLang, l)
	return l
}

// printer says messages in the current request's language.
func (s *Server) printer(c *gin.Context) *locale.Printer { return s.locales.Printer(s.lang(c)) }

// zone is where the signed-in person is: their time zone, else their
// agency's, else UTC (and UTC for everyone not signed in).
func (s *Server) zone(c *gin.Context) *time.Location {
	a, ok := authFrom(c)
	if !ok {
		return time.UTC
	}
	loc, err := locale.Zone(a.Principal.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// handleLanguage handles "POST /language": the switch on every page. It
// keeps the choice in a cookie for a year and, for a signed-in person, in
// their profile, and returns to the page it was made on.
func (s *Server) handleLanguage(c *gin.Context) {
	l := c.PostForm("lang")
	back := localPath(c.PostForm("return_to"))
	if !locale.Has(l) {
		// The form offers only the portal's languages: anything else is
		// not from it. Stay on the page, in its language.
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(langCookie, l, 365*24*3600, "/", "", s.secureCookies, true)
	if a, ok := authFrom(c); ok && !a.Bearer {
		if err := s.identity.SetPreferences(c.Request.Context(), a.Principal, &l, nil); err != nil {
			s.renderError(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, back)
}

// localPath is p when it is a path on this site, else "/": the switch
// never sends a browser elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n\\") {
		return "/"
	}
	return p
}

// timeElement marks up a moment for the page: a <time> element with its
// instant in UTC, which zonedTimes rewrites into the reader's zone as the
// page is sent. Its text until then is the UTC time. form is "full" (the
// reader's time with UTC beside it) or "local".
func timeElement(v any, form string) template.HTML {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return template.HTML(template.HTMLEscapeString(fmt.Sprint(v)))
	}
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `" data-form="` + form + `">` +
		t.Format("2006-01-02 15:04 UTC") + `</time>`)
}

// timeRE finds what timeElement wrote. Nothing a person typed can match:
// their text reaches the page escaped, with no "<".
var timeRE = regexp.MustCompile(`<time datetime="([0-9TZ:+-]+)" data-form="(full|local)">[^<]*</time>`)

// zonedTimes says every moment of a rendered page in zone loc: "2026-12-07
// 22:56 CET (21:56 UTC)" where legal precision matters, "2026-12-07 22:56
// CET" elsewhere; in UTC, "2026-12-07 21:56 UTC" either way. The date is
// the portal's one format, year-month-day, in every language.
func zonedTimes(page []byte, loc *time.Location) []byte {
	if !bytes.Contains(page, []byte("<time ")) {
		return page
	}
	return timeRE.ReplaceAllFunc(page, func(m []byte) []byte {
		sub := timeRE.FindSubmatch(m)
		t, err := time.Parse(time.RFC3339, string(sub[1]))
		if err != nil {
			return m
		}
		var text string
		switch local := t.In(loc); {
		case loc == time.UTC:
			text = t.Format("2006-01-02 15:04 UTC")
		case string(sub[2]) == "local":
			text = local.Format("2006-01-02 15:04 MST")
		case local.Format("2006-01-02") == t.Format("2006-01-02"):
			text = local.Format("2006-01-02 15:04 MST") + " (" + t.Format("15:04") + " UTC)"
		default:
			text = local.Format("2006-01-02 15:04 MST") + " (" + t.Format("2006-01-02 15:04") + " UTC)"
		}
		return []byte(`<time datetime="` + string(sub[1]) + `">` + template.HTMLEscapeString(text) + `</time>`)
	})
}
