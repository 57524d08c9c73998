package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// commonZones are offered as suggestions beside the time zone field; any
// other IANA name is accepted too.
var commonZones = []string{
	"Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "Europe/Dublin", "Europe/Paris",
	"Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw", "Europe/Stockholm",
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Toronto", "Australia/Sydney", "Asia/Tokyo", "UTC",
}

// defaultLanguage is the value of the language choice that follows the
// agency's language, else the browser's.
const defaultLanguage = "default"

type accountPage struct {
	Page
	Prefs     identity.Preferences
	Language  string // the choice the form shows: a language code or defaultLanguage
	TimeZone  string // the zone the form shows; "" for the agency's
	Languages []language
	Zones     []string
	Fields    map[string]*errs.FieldError
	Now       time.Time
}

// AgencyLanguageName names the agency's language in its own words, "" when
// it chose none.
func (p accountPage) AgencyLanguageName() string { return locale.Names[p.Prefs.AgencyLanguage] }

// handleAccount handles "GET /account": the signed-in person's language
// and time zone.
func (s *Server) handleAccount(c *gin.Context) {
	prefs, err := s.identity.PreferencesOf(c.Request.Context(), principal(c).Principal)
	if err != nil {
		s.renderError(c, err)
		return
	}
	choice := prefs.Language
	if choice == "" {
		choice = defaultLanguage
	}
	s.renderAccount(c, http.StatusOK, prefs, choice, prefs.TimeZone, nil)
}

func (s *Server) renderAccount(c *gin.Context, status int, prefs identity.Preferences, lang, zone string, problem error) {
	p := accountPage{Page: s.page(c, "Your settings"), Prefs: prefs, Language: lang, TimeZone: zone,
		Zones: commonZones, Now: time.Now()}
	for _, l := range locale.Languages {
		p.Languages = append(p.Languages, language{Code: l, Name: locale.Names[l]})
	}
	if problem != nil {
		p.Page.Errors, p.Fields = fieldErrors(problem)
	}
	s.html(c, status, "account", p)
}

// handleAccountSave handles "POST /account": keeps the person's language
// (or none: their agency's, else their browser's) and time zone (""
// for their agency's) in their profile, audited, and sets the language
// switch's cookie to match.
func (s *Server) handleAccountSave(c *gin.Context) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	choice := c.PostForm("language")
	lang := choice
	if choice == defaultLanguage {
		lang = ""
	}
	zone := strings.TrimSpace(c.PostForm("time_zone"))
	if err := s.identity.SetPreferences(ctx, actor, &lang, &zone); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			s.renderError(c, err)
			return
		}
		prefs, perr := s.identity.PreferencesOf(ctx, actor)
		if perr != nil {
			s.renderError(c, perr)
			return
		}
		s.renderAccount(c, http.StatusUnprocessableEntity, prefs, choice, zone, err)
		return
	}
	// The switch's cookie comes before the profile: it follows the choice.
	c.SetSameSite(http.SameSiteLaxMode)
	if lang != "" {
		c.SetCookie(langCookie, lang, 365*24*3600, "/", "", s.secureCookies, true)
	} else {
		c.SetCookie(langCookie, "", -1, "/", "", s.secureCookies, true)
	}
	// The next page is in the language chosen: so is its banner.
	next := lang
	if next == "" {
		if prefs, err := s.identity.PreferencesOf(ctx, actor); err == nil {
			next = prefs.AgencyLanguage
		}
	}
	pr := s.locales.Printer(s.locales.Match(c.GetHeader("Accept-Language"), next))
	s.setFlash(c, pr.Sprintf("Your settings are saved."))
	c.Redirect(http.StatusSeeOther, "/account")
}
