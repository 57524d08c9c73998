package web

import (
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// TestErrorSummary: a page with errors says so in its title, opens main
// with a focused summary linking each message to its field, and marks each
// field invalid, described by the message beside it; what was typed comes
// back. Success is a banner of its own, never the summary.
func TestErrorSummary(t *testing.T) {
	r := mustRenderer(t)
	reviewer := &identity.Principal{Name: "Rae Reviewer", Provider: true}
	req := apiRequest{ID: "r1", Reference: "WD-2026-000012", Status: string(request.StateInReview), Process: "us.2703d", Version: 3,
		AllowedActions: []string{"reject", "approve"}}
	problem := &errs.Error{Code: errs.Invalid, Message: "Check the rejection.", Fields: []errs.FieldError{
		{Field: "reason_code", Message: "Choose the reason for the rejection."},
		{Field: "note", Message: "Explain the rejection to the agency."}}}
	form := url.Values{"action": {"reject"}, "note": {"   "}, "reason_code": {""}}
	p := reviewPage{Page: Page{Title: "Review WD-2026-000012", User: reviewer, CSRF: "tok"}, R: req, Can: map[string]bool{"reject": true, "approve": true}, Form: form,
		ReasonCodes: []string{"insufficient_process"}}
	p.Page.Errors, p.FieldErrors = fieldErrors(ownComment(problem, "reject"))
	html := mustRender(t, r, "provider_review", p)

	if !strings.Contains(html, "<title>Error: Review WD-2026-000012") {
		t.Errorf("the title does not start with Error:\n%s", html[:300])
	}
	main := html[strings.Index(html, `<main id="main">`):]
	summary := regexp.MustCompile(`^<main id="main">\s*<div class="error-summary" role="alert"[^>]*tabindex="-1" autofocus>`)
	if !summary.MatchString(main) {
		t.Errorf("main does not open with the focused error summary:\n%s", main[:400])
	}
	for field, id := range map[string]string{"reason_code": "f-reason_code", "reject.note": "f-reject-note"} {
		if !strings.Contains(main, `<a href="#`+id+`">`) {
			t.Errorf("the summary does not link %s to #%s", field, id)
		}
		if !regexp.MustCompile(`id="` + id + `"[^>]*aria-invalid="true" aria-describedby="` + id + `-error[^"]*"`).MatchString(main) {
			t.Errorf("the field #%s is not marked invalid and described by its message", id)
		}
		if !strings.Contains(main, `<p class="field-error" id="`+id+`-error">`) {
			t.Errorf("no message beside #%s", id)
		}
	}
	if strings.Count(main, `aria-invalid="true"`) != 2 {
		t.Errorf("%d fields marked invalid, want the 2 with errors", strings.Count(main, `aria-invalid="true"`))
	}
	if strings.Contains(main, "notification-banner") {
		t.Error("an error page shows the success banner")
	}

	p = reviewPage{Page: Page{Title: "Review", User: reviewer, Flash: "Rejected. Request WD-2026-000012 is now: Rejected."}, R: req, Form: url.Values{}}
	html = mustRender(t, r, "provider_review", p)
	if strings.Contains(html, "error-summary") || strings.Contains(html, "<title>Error:") || strings.Contains(html, "aria-invalid") {
		t.Error("a page without errors shows an error")
	}
	if !regexp.MustCompile(`class="notification-banner notification-banner-success" role="status"[^>]*>\s*<h2[^>]*>Success</h2>\s*<p[^>]*>Rejected\.`).MatchString(html) {
		t.Errorf("the success is not a notification banner of its own:\n%s", html)
	}
}

// TestOvertaken: a confirmation that comes too late (someone else acted
// first) says who did what, and the state now, in words.
func TestOvertaken(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	r := apiRequest{Reference: "WD-2026-000012", Status: string(request.StateRejected),
		History: []apiHistory{{At: at, Action: "reject", From: "in_review", To: "rejected", ActorID: "p-2"}}}
	err := overtaken(request.Stale("r1"), r, map[string]string{"p-2": "Sam Ortiz"}, wording.Provider, wording.English)
	want := "Sam Ortiz rejected it on 2026-03-01 09:30 UTC, before you. Request WD-2026-000012 is now: Rejected."
	if got := errs.Message(err); !strings.HasPrefix(got, want) || errs.CodeOf(err) != errs.Conflict {
		t.Errorf("overtaken: %s %q, want Conflict %q", errs.CodeOf(err), got, want)
	}
	other := errs.E(errs.Invalid, "Choose the reason for the rejection.")
	if got := overtaken(other, r, nil, wording.Provider, wording.English); !errors.Is(got, other) {
		t.Errorf("another error was changed: %v", got)
	}
}

// TestConfirmPages: each confirmation names what will happen and what it
// acts on, posts the same inputs with confirm=yes and a CSRF token, and its
// one button names its object. What was typed travels in the form's body,
// as hidden fields given back exactly, never in its address.
func TestConfirmPages(t *testing.T) {
	r := mustRenderer(t)
	staff := &identity.Principal{Name: "Ada Admin", Provider: true}
	const typed = "The order names no \"offence\" <none> & no court.\r\nSecond line: +1 555 0100."
	inputs := url.Values{"version": {"3"}, "action": {"approve"}, "scope_categories": {"subscriber"}, "scope_targets": {"phone:+15550100123"},
		"comment": {typed}, "csrf_token": {"old"}, "confirm": {"yes"}}
	hidden := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	tests := []struct {
		desc string
		page confirmPage
		want []string
	}{
		{"approve", confirmPage{Heading: "Approve request WD-2026-000012 and release it?", Action: "/provider/requests/r1/review",
			Scope:  &apiDecision{Categories: []string{"subscriber"}, DateFrom: "2026-01-01", DateTo: "2026-01-31", Targets: []apiTarget{{Type: "phone", Value: "+15550100123"}}},
			What:   []string{"The package with what is listed above is built at once."},
			Button: "Approve and release " + lowerFirst(r.book.Categories([]string{"subscriber"}))},
			[]string{"Subscriber information", "from 2026-01-01 to 2026-01-31", "<code>&#43;15550100123</code>", ">Approve and release subscriber information</button>"}},
		{"countersign", confirmPage{Heading: "Countersign request WD-2026-000012 and release it?", Action: "/provider/requests/r1/review",
			Scope: &apiDecision{Categories: []string{"subscriber"}, DateFrom: "2026-01-01", DateTo: "2026-01-31"}, Button: "Countersign and release subscriber information"},
			[]string{"Subscriber information", ">Countersign and release subscriber information</button>"}},
		{"reject", confirmPage{Heading: "Reject request WD-2026-000012?", Action: "/provider/requests/r1/review",
			Facts: []fact{{"Reason", wording.Reason("insufficient_process")}, {"Your explanation to the agency", "No order."}}, Button: "Reject request WD-2026-000012"},
			[]string{wording.Reason("insufficient_process"), "No order.", ">Reject request WD-2026-000012</button>"}},
		{"withdraw", confirmPage{Heading: "Withdraw request WD-2026-000012?", Action: "/agency/requests/r1/withdraw", Button: "Withdraw request WD-2026-000012"},
			[]string{`action="/agency/requests/r1/withdraw"`, ">Withdraw request WD-2026-000012</button>"}},
		{"suspend", confirmPage{Heading: "Suspend Dana Reyes?", Action: "/provider/people/p1/status", Button: "Suspend Dana Reyes"},
			[]string{">Suspend Dana Reyes</button>"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			tc.page.Page = Page{Title: "Confirm", User: staff, CSRF: "tok"}
			tc.page.Fields, tc.page.Cancel = carry(inputs), "/back"
			tc.page.What = append(tc.page.What, "This cannot be undone.")
			out := mustRender(t, r, "confirm", tc.page)
			form := out[strings.Index(out, `<form method="post" action="`+tc.page.Action+`" id="form-confirm">`):]
			form = form[:strings.Index(form, "</form>")]
			for _, w := range append(tc.want, "<h1>"+tc.page.Heading+"</h1>", "This cannot be undone.", `<a href="/back">`) {
				if !strings.Contains(out, w) {
					t.Errorf("the page does not say %q", w)
				}
			}
			for _, w := range []string{`name="csrf_token" value="tok"`, `name="confirm" value="yes"`, `name="version" value="3"`,
				`name="scope_targets" value="phone:&#43;15550100123"`} {
				if !strings.Contains(form, w) {
					t.Errorf("the confirmed form does not carry %s:\n%s", w, form)
				}
			}
			if strings.Count(form, "<button") != 1 {
				t.Errorf("the confirmation has %d buttons, want one", strings.Count(form, "<button"))
			}
			posted := url.Values{}
			for _, m := range hidden.FindAllStringSubmatch(form, -1) {
				posted.Add(m[1], html.UnescapeString(m[2]))
			}
			if got := posted["comment"]; len(got) != 1 || got[0] != typed {
				t.Errorf("the comment is carried as %q, want %q", got, typed)
			}
			if got := posted["csrf_token"]; len(got) != 1 || got[0] != "tok" {
				t.Errorf("the confirmed form posts the CSRF tokens %q, want only the page's own", got)
			}
			if got := posted["confirm"]; len(got) != 1 {
				t.Errorf("the confirmed form posts confirm %d times, want once", len(got))
			}
		})
	}
}

// TestNoConfirmationIsAGET: a confirmation is the answer to its action's
// POST, so no page route answers a GET at an action's address, nor at a
// confirmation's of its own: what was typed never travels in a URL (the
// browser's history, proxies' logs, a sign-in's return_to).
func TestNoConfirmationIsAGET(t *testing.T) {
	s := mustRouter(t)
	gets := map[string]bool{}
	for _, rt := range s.engine.Routes() {
		if rt.Method == http.MethodGet {
			gets[rt.Path] = true
		}
		if rt.Method == http.MethodGet && strings.Contains(rt.Path, "confirm") {
			t.Errorf("GET %s: a confirmation answers its action's POST", rt.Path)
		}
	}
	for _, path := range []string{"/agency/requests/:id/withdraw", "/provider/requests/:id/review/confirm",
		"/provider/agencies/:id/status", "/provider/people/:id/status"} {
		if gets[path] {
			t.Errorf("GET %s: a confirmation answers its action's POST", path)
		}
	}
}

// mustRouter is a server with the default configuration and no domain
// behind it: enough to read its routes.
func mustRouter(tb testing.TB) *Server {
	tb.Helper()
	cfg := config.Default()
	cfg.BaseURL = "http://127.0.0.1:8080"
	s, err := New(Deps{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
