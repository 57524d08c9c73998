package devidp

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// The provider's pages speak the reader's language, as production
// providers (Keycloak, Entra ID) do: the first of the languages the portal
// named in the authorization request's ui_locales (OpenID Connect Core 1.0,
// 3.1.2.1) that the portal speaks, else the best of the browser's
// Accept-Language, else English. Their words are the portal's catalogues'
// (frontend/locales/*/devidp.json): every text below is an English message
// said through a locale.Printer, so the catalogue test finds it.

// printer returns the printer of the language for a page answering r,
// given the languages the sign-in asked for.
func (l *login) printer(r *http.Request, uiLocales []string) *locale.Printer {
	return l.cat.Printer(l.cat.Match(r.Header.Get("Accept-Language"), uiLocales...))
}

// requestLocales are the ui_locales of the auth request r is about (the
// authRequestID of its query or its parsed form), nil if none.
func (l *login) requestLocales(r *http.Request) []string {
	id := r.URL.Query().Get("authRequestID")
	if id == "" && r.PostForm != nil {
		id = r.PostForm.Get("authRequestID")
	}
	if id == "" {
		return nil
	}
	return l.cfg.store.uiLocales(id)
}

// A message is an English message and its arguments, said in the page's
// language when the page is rendered.
type message struct {
	id   string
	args []any
}

func msg(id string, args ...any) message { return message{id: id, args: args} }

func (m message) in(p *locale.Printer) string {
	if m.id == "" {
		return ""
	}
	return p.Sprintf(m.id, m.args...)
}

// htmlf says format, a message already translated by p.Sprintf, with args
// that are HTML: the message's own text is escaped, the args are not.
func htmlf(format string, args ...template.HTML) template.HTML {
	a := make([]any, len(args))
	for i, v := range args {
		a[i] = v
	}
	return template.HTML(fmt.Sprintf(template.HTMLEscapeString(format), a...))
}

// code is s as HTML <code>.
func code(s string) template.HTML {
	return template.HTML("<code>" + template.HTMLEscapeString(s) + "</code>")
}

// link is text as a link to href.
func link(href, text string) template.HTML {
	return template.HTML(`<a href="` + template.HTMLEscapeString(href) + `">` + template.HTMLEscapeString(text) + `</a>`)
}

// pageWords are the words every page of the provider has.
type pageWords struct {
	Lang, Title, Provider, BackToPortal string
	PasskeyDidNotAnswer                 string // the passkey script's message
}

// newPageWords returns the words of a page named name, whose title says
// "Error:" first when failed.
func newPageWords(p *locale.Printer, name string, failed bool) pageWords {
	if failed {
		name = p.Sprintf("Error:") + " " + name
	}
	return pageWords{
		Lang:                p.Lang(),
		Title:               p.Sprintf("%s – warrantdesk demo identity provider", name),
		Provider:            p.Sprintf("warrantdesk demo identity provider"),
		BackToPortal:        p.Sprintf("Back to warrantdesk"),
		PasskeyDidNotAnswer: p.Sprintf("The passkey did not answer (%s). Try again."),
	}
}

// loginWords are the words of the sign-in, code and signed-out pages.
type loginWords struct {
	pageWords
	SignIn, SignedOut, SignedOutText            string
	CodeHeading, CodeIntro, CodeLabel, Verify   string
	DemoCode, RegisterLater, Intro, PeopleIntro template.HTML
	PasskeyOr, UsePasskey                       string
	Email, Password, DemoAccounts, SecondFactor string
}

func newLoginWords(p *locale.Printer, page *loginPage) loginWords {
	w := loginWords{
		SignIn:        p.Sprintf("Sign in"),
		SignedOut:     p.Sprintf("Signed out"),
		SignedOutText: p.Sprintf("You have signed out of the demo identity provider."),
		CodeHeading:   p.Sprintf("Sign in: authenticator code"),
		CodeIntro:     p.Sprintf("This account has a second factor. Enter the 6-digit code your authenticator app shows for it."),
		CodeLabel:     p.Sprintf("6-digit code"),
		Verify:        p.Sprintf("Verify code"),
		PasskeyOr:     p.Sprintf("Or use the passkey you registered:"),
		UsePasskey:    p.Sprintf("Use a passkey"),
		Email:         p.Sprintf("E-mail address"),
		Password:      p.Sprintf("Password"),
		DemoAccounts:  p.Sprintf("Demo accounts"),
		SecondFactor:  p.Sprintf("second factor"),
		Intro:         htmlf(p.Sprintf("This identity provider exists only for the warrantdesk demo. Its accounts are fictional and every password is %s."), code(page.Password)),
		PeopleIntro:   htmlf(p.Sprintf("People you can sign in as (password %s):"), code(page.Password)),
	}
	if page.DemoCode != "" {
		w.DemoCode = htmlf(p.Sprintf("This is the demo: its people's authenticator secrets are public (see the README), so here is the code their app shows now: %s. A real identity provider never shows it."), code(page.DemoCode))
	}
	if page.PasskeysURL != "" {
		w.RegisterLater = htmlf(p.Sprintf("Once signed in with a code, you can %s (within 10 minutes) and use it instead of the code next time."), link(page.PasskeysURL, p.Sprintf("register a passkey")))
	}
	name := w.SignIn
	if page.SignedOut {
		name = w.SignedOut
	}
	w.pageWords = newPageWords(p, name, page.Error.id != "" || page.CodeError.id != "")
	return w
}

// passkeysWords are the words of the passkeys page.
type passkeysWords struct {
	pageWords
	Heading, Registered, SignedInAs, Explain, Register, NeedsScript string
}

func newPasskeysWords(p *locale.Printer, page *passkeysPage) passkeysWords {
	w := passkeysWords{
		Heading:     p.Sprintf("Passkeys"),
		Registered:  p.Sprintf("Your passkey is registered. The next time warrantdesk asks for your authenticator code, you can choose “Use a passkey” instead."),
		SignedInAs:  p.Sprintf("Signed in as %[1]s, with %[2]d passkeys registered.", page.Email, page.Count),
		Explain:     p.Sprintf("A passkey can stand in for the authenticator code: your device keeps the key and asks for your fingerprint, face or PIN."),
		Register:    p.Sprintf("Register a passkey"),
		NeedsScript: p.Sprintf("Registering a passkey needs JavaScript."),
	}
	w.pageWords = newPageWords(p, w.Heading, page.Error.id != "")
	return w
}
