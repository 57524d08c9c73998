package disclosure_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// countWhere counts rows of query (with args) in the test database.
func countWhere(t *testing.T, e *env, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func leaves(t *testing.T, e *env, requestID, event string) int64 {
	t.Helper()
	return countWhere(t, e, `SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = ?`, requestID, event)
}

func auditFor(t *testing.T, e *env, requestID, action string) int64 {
	t.Helper()
	return countWhere(t, e, `SELECT COUNT(*) FROM audit_events WHERE request_id = ? AND action = ?`, requestID, action)
}

// TestUserNoticeFollowsThePolicy produces one request per rule of the real
// policy and checks the notice each account holder is owed: withheld with
// the statute's reason where the law forbids telling them (IPA s. 82, EU
// Art. 13), scheduled while a sealed or binding order is in force, queued
// at once where an order does not bind (18 U.S.C. § 2705(b)) or there is
// none. Years later, with a webhook, ReleaseDue and DeliverNotices send
// what may be sent and never a withheld notice, and the public log claims
// no notice or lift for one.
func TestUserNoticeFollowsThePolicy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	today := day.Of(now)
	until := today.AddDays(100)
	cases := []struct {
		desc         string
		req          req
		wantStatus   string
		wantCode     string
		wantReason   string // a phrase of the policy's reason
		wantCitation string
		wantDue      time.Time
		wantAction   string
		wantSent     bool // years later
		wantLifted   bool // years later, an ndo_lifted leaf
	}{
		{
			desc:       "uk.ipa is never told (IPA s. 82)",
			req:        req{agency: e.gb, officer: e.officer2, process: "uk.ipa", authority: "ocda", purpose: "crime", categories: []string{"subscriber"}},
			wantStatus: disclosure.NoticeWithheld, wantCode: "ipa_s82", wantReason: "s. 82",
			wantCitation: "Investigatory Powers Act 2016, s. 82", wantDue: disclosure.Indefinite, wantAction: disclosure.ActionNoticeWithhold,
		},
		{
			desc:       "eu.epoc: the issuing authority informs the person (Art. 13)",
			req:        req{agency: e.de, officer: e.officer3, process: "eu.epoc", authority: "prosecutor", purpose: "identification", categories: []string{"subscriber"}},
			wantStatus: disclosure.NoticeWithheld, wantCode: "eu_art13_issuing_authority_informs", wantReason: "Article 13",
			wantCitation: "Regulation (EU) 2023/1543, Article 13", wantDue: disclosure.Indefinite, wantAction: disclosure.ActionNoticeWithhold,
		},
		{
			desc: "us.prtt is sealed until the court lifts it (3123(d))",
			req: req{process: "us.prtt", authority: "court", categories: []string{"envelope"},
				from: today, to: today.AddDays(20), issued: today},
			wantStatus: disclosure.NoticeScheduled, wantCode: "pen_register_sealed", wantReason: "3123(d)",
			wantCitation: "18 U.S.C. § 3123(d)", wantDue: disclosure.Indefinite, wantAction: disclosure.ActionNoticeQueue,
		},
		{
			desc:       "us.subpoena: a prosecutor's non-disclosure order does not bind (2705(b))",
			req:        req{process: "us.subpoena", authority: "prosecutor", categories: []string{"subscriber"}, ndoUntil: until, ndoBy: "prosecutor"},
			wantStatus: disclosure.NoticeQueued, wantCode: "nondisclosure_not_binding", wantReason: "cannot bind the provider",
			wantCitation: "18 U.S.C. § 2705(b)", wantDue: now, wantAction: disclosure.ActionNoticeQueue, wantSent: true,
		},
		{
			desc:       "us.2703d: a court's order binds until its end",
			req:        req{process: "us.2703d", authority: "court", categories: []string{"subscriber"}, ndoUntil: until},
			wantStatus: disclosure.NoticeScheduled, wantCode: "nondisclosure_order", wantReason: until.String(),
			wantCitation: "18 U.S.C. § 2705(b)", wantDue: until.AddDays(1).Time(), wantAction: disclosure.ActionNoticeQueue,
			wantSent: true, wantLifted: true,
		},
		{
			desc:       "us.2703d without an order: told at once",
			req:        req{process: "us.2703d", authority: "court", categories: []string{"subscriber"}},
			wantStatus: disclosure.NoticeQueued, wantCode: "notice_allowed", wantReason: "may tell",
			wantCitation: "18 U.S.C. § 2705(b)", wantDue: now, wantAction: disclosure.ActionNoticeQueue, wantSent: true,
		},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			tc.req.targets = []request.Target{target123}
			r := e.request(tc.req)
			ids[i] = r.ID
			if _, err := e.svc.Produce(ctx, r.ID); err != nil {
				t.Fatalf("produce: %v", err)
			}
			ns := notices(t, e, r.ID)
			if len(ns) != 1 {
				t.Fatalf("%d notices, want one", len(ns))
			}
			n := ns[0]
			if n.Status != tc.wantStatus || n.ReasonCode != tc.wantCode || !n.DueAt.Equal(tc.wantDue) {
				t.Errorf("notice %s, code %s, due %s; want %s, %s, %s", n.Status, n.ReasonCode, n.DueAt, tc.wantStatus, tc.wantCode, tc.wantDue)
			}
			if !strings.Contains(n.Reason, tc.wantReason) || n.Citation != tc.wantCitation {
				t.Errorf("reason %q (want it to mention %q), citation %q (want %q)", n.Reason, tc.wantReason, n.Citation, tc.wantCitation)
			}
			if got := auditFor(t, e, r.ID, tc.wantAction); got != 1 {
				t.Errorf("%d %s events, want 1", got, tc.wantAction)
			}
			// Nothing is released or sent while the decision stands.
			if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
				t.Errorf("ReleaseDue = %d, %v", n, err)
			}
		})
	}

	// Years later, with the messaging system's webhook in place.
	hook := &webhook{status: http.StatusOK, pub: e.svc.Keys.PublicKey()}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	e.svc.NoticeWebhook = srv.URL
	e.setNow(now.AddDate(3, 0, 0))
	if _, err := e.svc.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DeliverNotices(ctx); err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		n := notices(t, e, ids[i])[0]
		if got := n.Status == disclosure.NoticeSent; got != tc.wantSent {
			t.Errorf("%s: years later the notice is %s", tc.desc, n.Status)
		}
		if tc.wantStatus == disclosure.NoticeWithheld && n.Status != disclosure.NoticeWithheld {
			t.Errorf("%s: a withheld notice became %s", tc.desc, n.Status)
		}
		wantSent, wantLifted := int64(0), int64(0)
		if tc.wantSent {
			wantSent = 1
		}
		if tc.wantLifted {
			wantLifted = 1
		}
		if got := leaves(t, e, ids[i], "notice_sent"); got != wantSent {
			t.Errorf("%s: %d notice_sent leaves, want %d", tc.desc, got, wantSent)
		}
		if got := leaves(t, e, ids[i], "ndo_lifted"); got != wantLifted {
			t.Errorf("%s: %d ndo_lifted leaves, want %d", tc.desc, got, wantLifted)
		}
	}
	if len(hook.received) != 3 {
		t.Errorf("the webhook got %d notices, want the 3 the law allows", len(hook.received))
	}
}

// TestSealedPenRegisterWaitsForTheCourt: a pen register order is sealed
// until the court orders otherwise (18 U.S.C. § 3123(d)), so its notice has
// no date and time alone never releases it; once the court's end date is
// recorded, the next run reschedules the notice for the day after, and it
// is released then, with the lift in the public log.
func TestSealedPenRegisterWaitsForTheCourt(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	today := day.Of(now)
	r := e.request(req{process: "us.prtt", authority: "court", categories: []string{"envelope"}, targets: []request.Target{target123},
		from: today, to: today.AddDays(20), issued: today})
	if _, err := e.svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	before := notices(t, e, r.ID)[0]
	e.setNow(now.AddDate(1, 0, 0))
	if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
		t.Fatalf("a year on, ReleaseDue = %d, %v", n, err)
	}
	if after := notices(t, e, r.ID)[0]; after.Status != disclosure.NoticeScheduled || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("an unchanged decision changed the notice: %+v", after)
	}
	if got := auditFor(t, e, r.ID, disclosure.ActionNoticeReschedule); got != 0 {
		t.Errorf("%d reschedule events for an unchanged decision", got)
	}

	// The court sets the seal to end.
	end := day.Of(now.AddDate(1, 0, 0)).AddDays(10)
	if err := e.db.Exec(`UPDATE requests SET nondisclosure_ordered = ?, nondisclosure_until = ?, nondisclosure_issued_by = 'court' WHERE id = ?`,
		true, end.String(), r.ID).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
		t.Fatalf("after the end was recorded, ReleaseDue = %d, %v", n, err)
	}
	n := notices(t, e, r.ID)[0]
	if n.Status != disclosure.NoticeScheduled || !n.DueAt.Equal(end.AddDays(1).Time()) || !strings.Contains(n.Reason, end.String()) {
		t.Errorf("after the end was recorded: %s due %s (%s); want scheduled for %s", n.Status, n.DueAt, n.Reason, end.AddDays(1))
	}
	if got := auditFor(t, e, r.ID, disclosure.ActionNoticeReschedule); got != 1 {
		t.Errorf("%d reschedule events, want 1", got)
	}
	e.setNow(end.Time().Add(23 * time.Hour))
	if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
		t.Errorf("on the seal's last day, ReleaseDue = %d, %v", n, err)
	}
	e.setNow(end.AddDays(1).Time().Add(time.Minute))
	if n, err := e.svc.ReleaseDue(ctx); n != 1 || err != nil {
		t.Fatalf("the day after, ReleaseDue = %d, %v", n, err)
	}
	if n := notices(t, e, r.ID)[0]; n.Status != disclosure.NoticeQueued {
		t.Errorf("released notice is %s", n.Status)
	}
	if got := leaves(t, e, r.ID, "ndo_lifted"); got != 1 {
		t.Errorf("%d ndo_lifted leaves, want 1", got)
	}
	if got := auditFor(t, e, r.ID, disclosure.ActionNoticeRelease); got != 1 {
		t.Errorf("%d release events, want 1", got)
	}
}

// TestReleaseDueWithholdsWhatTheLawNowForbids: ReleaseDue asks the policy
// again, and a scheduled notice the law now forbids (here the request's
// process was corrected to an IPA authorisation, s. 82) is withheld when
// its order ends, not released, and the public log claims no lift.
func TestReleaseDueWithholdsWhatTheLawNowForbids(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	until := day.Of(now).AddDays(30)
	r := e.request(req{process: "us.2703d", categories: []string{"subscriber"}, targets: []request.Target{target123}, ndoUntil: until})
	if _, err := e.svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if n := notices(t, e, r.ID)[0]; n.Status != disclosure.NoticeScheduled {
		t.Fatalf("notice %s, want scheduled", n.Status)
	}
	if err := e.db.Exec(`UPDATE requests SET process = 'uk.ipa' WHERE id = ?`, r.ID).Error; err != nil {
		t.Fatal(err)
	}
	e.setNow(until.AddDays(2).Time())
	for range 2 {
		if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
			t.Fatalf("ReleaseDue = %d, %v", n, err)
		}
	}
	n := notices(t, e, r.ID)[0]
	if n.Status != disclosure.NoticeWithheld || n.ReasonCode != "ipa_s82" || !n.DueAt.Equal(disclosure.Indefinite) {
		t.Errorf("notice %s (%s) due %s; want withheld under ipa_s82", n.Status, n.ReasonCode, n.DueAt)
	}
	if got := auditFor(t, e, r.ID, disclosure.ActionNoticeWithhold); got != 1 {
		t.Errorf("%d withhold events, want 1", got)
	}
	if got := leaves(t, e, r.ID, "ndo_lifted"); got != 0 {
		t.Errorf("%d ndo_lifted leaves for a withheld notice", got)
	}
	if list, err := e.svc.ListNotices(ctx, e.reviewer, nil); err != nil || len(list) != 1 || list[0].Status != disclosure.NoticeWithheld || list[0].Reason == "" {
		t.Errorf("the provider's view: %+v, %v", list, err)
	}
}
