package workflow_test

import (
	"context"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// smtpSink is a minimal SMTP server on loopback that accepts every message:
// the real protocol, for the real SMTP client, without relaying anything.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []sunk
}

type sunk struct {
	from string
	to   []string
	data string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 sink ready")
	var m sunk
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.Fields(line + " x")[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 sink")
		case "MAIL":
			m = sunk{from: line}
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			m.to = append(m.to, strings.Trim(strings.TrimPrefix(line[strings.Index(line, ":")+1:], " "), "<>"))
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = string(b)
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}

func (s *smtpSink) messages() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// TestEmailNotifications: a question to the agency is written to the outbox
// in the transition's transaction and e-mailed by its River job, once,
// through SMTP, to exactly the agency's people who may see the request:
// its filer, the colleague it is shared with and the supervisors; not the
// agency's other officers (its system among them).
func TestEmailNotifications(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	e := wt.New(t, wt.Options{Config: workflow.Config{
		Mailer: &workflow.SMTP{Addr: sink.ln.Addr().String(), From: "warrantdesk <noreply@provider.example>", Timeout: 5 * time.Second},
	}})
	r := e.File(t, e.Officer, wt.Subpoena)
	colleague := wt.MustPerson(t, e.DB, e.Agency, "colleague", identity.RoleOfficer)
	if _, err := e.Requests.Share(context.Background(), e.Officer, r.ID, colleague.PersonID); err != nil {
		t.Fatal(err)
	}
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionRequestInfo, workflow.Input{Comment: "Which account is the suspect's?"})
	wt.Eventually(t, 10*time.Second, "the question's e-mail", func() bool {
		return e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'question' AND email_state = 'sent'", r.ID) == 1
	})
	var question *sunk
	for _, m := range sink.messages() {
		if strings.Contains(m.data, "A question about your request") {
			question = &m
		}
	}
	if question == nil {
		t.Fatalf("no e-mail with the question among %d", len(sink.messages()))
	}
	slices.Sort(question.to)
	want := []string{e.Lieutenant.Email, e.Officer.Email, e.Sergeant.Email, colleague.Email}
	slices.Sort(want)
	if !slices.Equal(question.to, want) {
		t.Errorf("sent to %v, want the filer, the colleague it is shared with and the supervisors %v", question.to, want)
	}
	if !strings.Contains(question.data, "Which account is the suspect's?") || strings.Contains(question.data, "\nBcc") {
		t.Errorf("message:\n%s", question.data)
	}

	page, err := e.Engine.Notifications(context.Background(), e.Officer, workflow.NotificationFilter{RequestID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Kind != "question" {
		t.Errorf("the agency's outbox: %+v", page.Items)
	}
	// In the portal too: the colleague it is shared with and a supervisor
	// read the question; an officer it is not shared with does not, until
	// it is, and no longer once it is unshared.
	for _, tc := range []struct {
		desc  string
		who   *identity.Principal
		share string // "share" or "unshare" it with who first
		want  int
	}{
		{"the colleague it is shared with", colleague, "", 1},
		{"a supervisor", e.Lieutenant, "", 1},
		{"the agency's system, not shared", e.Client, "", 0},
		{"the agency's system, shared", e.Client, "share", 1},
		{"the agency's system, unshared", e.Client, "unshare", 0},
	} {
		switch tc.share {
		case "share":
			if _, err := e.Requests.Share(context.Background(), e.Officer, r.ID, tc.who.PersonID); err != nil {
				t.Fatal(err)
			}
		case "unshare":
			if _, err := e.Requests.Unshare(context.Background(), e.Sergeant, r.ID, tc.who.PersonID); err != nil {
				t.Fatal(err)
			}
		}
		page, err := e.Engine.Notifications(context.Background(), tc.who, workflow.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != tc.want {
			t.Errorf("%s reads %d notifications, want %d", tc.desc, len(page.Items), tc.want)
		}
	}
	other, err := e.Engine.Notifications(context.Background(), e.OtherOfficer, workflow.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Items) != 0 {
		t.Errorf("another agency sees %d notifications", len(other.Items))
	}
}

// TestNotificationEmailInRecipientsLanguage: a question reaches each of
// the agency's people in their language: German for an officer of an
// agency that reads German, English for the sergeant who chose English
// for himself; the portal says it in the reader's language too, and a row
// stored before notifications kept their words is shown as stored.
func TestNotificationEmailInRecipientsLanguage(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	e := wt.New(t, wt.Options{Config: workflow.Config{
		Mailer: &workflow.SMTP{Addr: sink.ln.Addr().String(), From: "warrantdesk <noreply@provider.example>", Timeout: 5 * time.Second},
	}})
	if err := e.DB.Exec("UPDATE agencies SET language = 'de' WHERE id = ?", e.Agency.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Exec("UPDATE people SET language = 'en' WHERE id = ?", e.Sergeant.PersonID).Error; err != nil {
		t.Fatal(err)
	}
	r := e.File(t, e.Officer, wt.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionRequestInfo, workflow.Input{Comment: "Which account is the suspect's?"})
	wt.Eventually(t, 10*time.Second, "the question's e-mails", func() bool {
		return e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'question' AND email_state = 'sent'", r.ID) == 1
	})
	var german, english *sunk
	for _, m := range sink.messages() {
		switch {
		case strings.Contains(m.data, "Subject: [warrantdesk] Eine Frage zu Ihrem Ersuchen"):
			german = &m
		case strings.Contains(m.data, "Subject: [warrantdesk] A question about your request"):
			english = &m
		}
	}
	if german == nil || english == nil {
		t.Fatalf("want a German and an English e-mail, got %+v", sink.messages())
	}
	if !slices.Contains(german.to, e.Officer.Email) || slices.Contains(german.to, e.Sergeant.Email) {
		t.Errorf("German e-mail to %v: want the officer, not the sergeant", german.to)
	}
	if !slices.Equal(english.to, []string{e.Sergeant.Email}) {
		t.Errorf("English e-mail to %v, want only the sergeant", english.to)
	}
	want := "Die Rechtsprüfung des Anbieters hat eine Frage zum Ersuchen " + r.Reference
	if !strings.Contains(german.data, want) || !strings.Contains(german.data, "Which account is the suspect's?") {
		t.Errorf("German e-mail lacks %q and the question:\n%s", want, german.data)
	}

	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.Engine.Notifications(context.Background(), e.Officer, workflow.NotificationFilter{RequestID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	said := page.Said(workflow.VoiceOf(cat.Printer("de"), nil))
	if len(said.Items) != 1 || said.Items[0].Subject != "Eine Frage zu Ihrem Ersuchen" || !strings.HasPrefix(said.Items[0].Body, want) {
		t.Errorf("the portal's list in German: %+v", said.Items)
	}
	if page.Items[0].Subject != "A question about your request" {
		t.Errorf("stored subject %q, want the English", page.Items[0].Subject)
	}
	old := page.Items[0]
	old.Words = ""
	if s, b := old.Say(workflow.VoiceOf(cat.Printer("de"), nil)); s != old.Subject || b != old.Body {
		t.Errorf("a row without words says %q, %q; want it as stored", s, b)
	}
}
