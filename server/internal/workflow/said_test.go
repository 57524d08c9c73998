package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestHistoryAndNoticesInReadersLanguage: what the portal itself wrote in
// a request's history (the routing note, "Asked the agency for
// information.") and its approval notice (with the categories' names) are
// said in German to a German reader and in English to an English one; a
// person's comment stays as typed; the stored comment stays English; a
// row stored without words is said as stored.
func TestHistoryAndNoticesInReadersLanguage(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		t.Fatal(err)
	}
	voice := func(lang string) workflow.Voice {
		return workflow.VoiceOf(cat.Printer(lang), func(text string) string { return e.Policy.Say(lang, text) })
	}
	de, en := voice("de"), voice("en")

	r := e.File(t, e.Officer, wt.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionRequestInfo, workflow.Input{Comment: "Which account is the suspect's?"})
	e.Do(t, e.Officer, r.ID, workflow.ActionMessage, workflow.Input{Body: "The first one."})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{})

	var rows []request.HistoryEntry
	if err := e.DB.Where("request_id = ?", r.ID).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	find := func(action string) request.HistoryEntry {
		for _, h := range rows {
			if h.Action == action {
				return h
			}
		}
		t.Fatalf("no %s row in %+v", action, rows)
		return request.HistoryEntry{}
	}
	submit := find(request.ActionSubmit)
	if submit.Comment != "Received by the provider; under review." || submit.Words == "" {
		t.Errorf("agency's note of the submission stored as %q, words %q: want no queue, and its words", submit.Comment, submit.Words)
	}
	if got := workflow.SayHistory(submit.Comment, submit.Words, de); got != "Beim Anbieter eingegangen; in Prüfung." {
		t.Errorf("agency's note of the submission in German: %q", got)
	}
	// The routing note is the provider's: kept beside the row, for staff.
	var routed workflow.InternalNote
	if err := e.DB.Where("history_id = ?", submit.ID).Take(&routed).Error; err != nil {
		t.Fatalf("no internal note of the submission: %v", err)
	}
	if got := routed.Text(de); !strings.HasPrefix(got, "In der Arbeitsliste „Eingangsprüfung“; Antwort fällig am ") {
		t.Errorf("routing note in German: %q", got)
	}
	if got := routed.Text(en); !strings.HasPrefix(got, "In the Intake queue; answer due ") {
		t.Errorf("routing note in English: %q", got)
	}
	asked := find(string(workflow.ActionRequestInfo))
	if asked.Comment != "Asked the agency for information. Which account is the suspect's?" {
		t.Errorf("question stored as %q", asked.Comment)
	}
	if got, want := workflow.SayHistory(asked.Comment, asked.Words, de), "Rückfrage an die Behörde gestellt. Which account is the suspect's?"; got != want {
		t.Errorf("question in German: %q, want %q", got, want)
	}
	if got := workflow.SayHistory(asked.Comment, "", de); got != asked.Comment {
		t.Errorf("a row without words says %q; want it as stored", got)
	}

	page, err := e.Engine.Notifications(context.Background(), e.Officer, workflow.NotificationFilter{RequestID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	var approved *workflow.Notification
	for i, n := range page.Items {
		if n.Kind == "decision" {
			approved = &page.Items[i]
		}
	}
	if approved == nil {
		t.Fatalf("no approval notice in %+v", page.Items)
	}
	if !strings.Contains(approved.Body, "was approved: Subscriber information") {
		t.Errorf("stored body %q: want the English with the categories' names", approved.Body)
	}
	if _, body := approved.Say(de); !strings.Contains(body, "wurde genehmigt: Bestandsdaten") || strings.Contains(body, "Subscriber information") {
		t.Errorf("approval in German: %q", body)
	}
	if _, body := approved.Say(en); body != approved.Body {
		t.Errorf("approval in English: %q, want %q", body, approved.Body)
	}
}

// TestPolicyTextsInReadersLanguage: names the policy wrote (a Member
// State, data categories) inside the portal's messages are said as the
// policy bundle translates them, and as written in English.
func TestPolicyTextsInReadersLanguage(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{NoStart: true})
	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		t.Fatal(err)
	}
	m := workflow.Say("Held for the enforcing authority of %s until %s.", workflow.PolicyText("Ireland"), "2026-10-15")
	de := workflow.VoiceOf(cat.Printer("de"), func(text string) string { return e.Policy.Say("de", text) })
	if got, want := m.In(de), "Für die Vollstreckungsbehörde (Irland) zurückgehalten bis 2026-10-15."; got != want {
		t.Errorf("German: %q, want %q", got, want)
	}
	if got, want := m.English(), "Held for the enforcing authority of Ireland until 2026-10-15."; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	list := workflow.PolicyList([]string{"Subscriber information", "Connection log"})
	if got := list.In(de); strings.Contains(got, "Subscriber") || !strings.HasPrefix(got, "Bestandsdaten, ") {
		t.Errorf("categories in German: %q", got)
	}
	if got, want := list.English(), "Subscriber information, Connection log"; got != want {
		t.Errorf("categories in English: %q, want %q", got, want)
	}
}
