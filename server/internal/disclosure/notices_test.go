package disclosure_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

func notices(t *testing.T, e *env, requestID string) []disclosure.Notice {
	t.Helper()
	var ns []disclosure.Notice
	if err := e.db.Where("request_id = ?", requestID).Order("account_id").Find(&ns).Error; err != nil {
		t.Fatal(err)
	}
	return ns
}

// webhook is a test stand-in for the provider's messaging system.
type webhook struct {
	mu       sync.Mutex
	status   int
	received []disclosure.NoticeMessage
	keys     []string
	sigs     []bool
	pub      ed25519.PublicKey
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if w.status != http.StatusOK {
		rw.WriteHeader(w.status)
		return
	}
	var m disclosure.NoticeMessage
	json.Unmarshal(body, &m)
	w.received = append(w.received, m)
	w.keys = append(w.keys, r.Header.Get("Idempotency-Key"))
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("X-Warrantdesk-Signature"), "ed25519="))
	w.sigs = append(w.sigs, ed25519.Verify(w.pub, body, sig))
}

// TestNoticesWithoutAnOrderGoOut: a notice per affected account is queued
// with the package and leaves through the webhook, signed.
func TestNoticesWithoutAnOrderGoOut(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	hook := &webhook{status: http.StatusOK, pub: e.svc.Keys.PublicKey()}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	r := e.request(req{categories: []string{"subscriber", "connection_log"},
		targets: []request.Target{target123, {Type: request.TargetPhone, Value: "+15550100124"}, {Type: request.TargetPhone, Value: "+15550199999"}}})
	if _, err := e.svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	ns := notices(t, e, r.ID)
	if len(ns) != 2 {
		t.Fatalf("%d notices for two matched accounts", len(ns))
	}
	for _, n := range ns {
		if n.Status != disclosure.NoticeQueued {
			t.Errorf("notice %s is %s, want queued", n.AccountID, n.Status)
		}
	}
	// Without a webhook nothing leaves.
	if sent, err := e.svc.DeliverNotices(ctx); sent != 0 || err != nil {
		t.Errorf("DeliverNotices without a webhook = %d, %v", sent, err)
	}
	e.svc.NoticeWebhook = srv.URL
	sent, err := e.svc.DeliverNotices(ctx)
	if err != nil || sent != 2 {
		t.Fatalf("DeliverNotices = %d, %v", sent, err)
	}
	for i, m := range hook.received {
		if m.Reference != r.Reference || m.Agency != "Riverside Police Department" || strings.Join(m.Categories, ",") != "subscriber,connection_log" {
			t.Errorf("message %+v", m)
		}
		if !hook.sigs[i] || hook.keys[i] != m.NoticeID {
			t.Errorf("message %d: signature valid %v, idempotency key %q", i, hook.sigs[i], hook.keys[i])
		}
	}
	for _, n := range notices(t, e, r.ID) {
		if n.Status != disclosure.NoticeSent || n.SentAt == nil {
			t.Errorf("notice %+v", n)
		}
	}
	if sent, _ := e.svc.DeliverNotices(ctx); sent != 0 {
		t.Errorf("sent %d again", sent)
	}
}

// TestNoticesWaitForTheNonDisclosureOrder: under an order the notice is
// scheduled for the day after it ends, shows as pending to the provider,
// is not released early, follows an extension of the order, and goes out
// once the order has ended.
func TestNoticesWaitForTheNonDisclosureOrder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	hook := &webhook{status: http.StatusOK, pub: e.svc.Keys.PublicKey()}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	e.svc.NoticeWebhook = srv.URL
	until := day.Of(now).AddDays(100)
	r := e.request(req{categories: []string{"subscriber"}, targets: []request.Target{target123}, ndoUntil: until})
	if _, err := e.svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	ns := notices(t, e, r.ID)
	if len(ns) != 1 || ns[0].Status != disclosure.NoticeScheduled || !ns[0].DueAt.Equal(until.AddDays(1).Time()) {
		t.Fatalf("notices %+v, want one scheduled for %s", ns, until.AddDays(1))
	}
	pending, err := e.svc.ListNotices(ctx, e.reviewer, nil)
	if err != nil || len(pending) != 1 || pending[0].Reference != r.Reference {
		t.Errorf("the provider's pending notices: %+v, %v", pending, err)
	}
	if _, err := e.svc.ListNotices(ctx, e.officer, nil); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("an officer listed notices: %v", err)
	}
	if n, _ := e.svc.ReleaseDue(ctx); n != 0 {
		t.Errorf("released %d under the order", n)
	}
	if n, _ := e.svc.DeliverNotices(ctx); n != 0 {
		t.Errorf("sent %d under the order", n)
	}
	// The court extends the order; at the first end nothing is released.
	later := until.AddDays(30)
	e.db.Exec(`UPDATE requests SET nondisclosure_until = ? WHERE id = ?`, later.String(), r.ID)
	e.setNow(until.AddDays(1).Time().Add(time.Hour))
	if n, err := e.svc.ReleaseDue(ctx); n != 0 || err != nil {
		t.Errorf("released %d (%v) although the order was extended", n, err)
	}
	if ns := notices(t, e, r.ID); !ns[0].DueAt.Equal(later.AddDays(1).Time()) || ns[0].Status != disclosure.NoticeScheduled {
		t.Errorf("after the extension %+v", ns[0])
	}
	if got := auditFor(t, e, r.ID, disclosure.ActionNoticeReschedule); got != 1 {
		t.Errorf("%d reschedule events after the extension, want 1", got)
	}
	e.setNow(later.AddDays(1).Time().Add(time.Minute))
	if n, err := e.svc.ReleaseDue(ctx); n != 1 || err != nil {
		t.Fatalf("ReleaseDue = %d, %v", n, err)
	}
	if n, err := e.svc.DeliverNotices(ctx); n != 1 || err != nil {
		t.Fatalf("DeliverNotices = %d, %v", n, err)
	}
	if len(hook.received) != 1 || hook.received[0].AccountID != ns[0].AccountID {
		t.Errorf("webhook got %+v", hook.received)
	}
}

// TestNoticeDeliveryRetriesThenFails: a refusing webhook is retried with
// growing delays and the notice is marked failed after the last attempt.
func TestNoticeDeliveryRetriesThenFails(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	hook := &webhook{status: http.StatusServiceUnavailable}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	e.svc.NoticeWebhook = srv.URL
	r := e.request(req{categories: []string{"subscriber"}, targets: []request.Target{target123}})
	if _, err := e.svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	at := now
	for i := 1; i <= disclosure.MaxNoticeAttempts; i++ {
		if n, err := e.svc.DeliverNotices(ctx); n != 0 || err != nil {
			t.Fatalf("attempt %d: %d, %v", i, n, err)
		}
		ns := notices(t, e, r.ID)
		if ns[0].Attempts != i {
			t.Fatalf("attempt %d recorded as %d", i, ns[0].Attempts)
		}
		if i < disclosure.MaxNoticeAttempts {
			if ns[0].Status != disclosure.NoticeQueued || !strings.Contains(ns[0].LastError, "503") {
				t.Fatalf("after attempt %d: %+v", i, ns[0])
			}
			// Not offered again before its delay.
			if n, _ := e.svc.DeliverNotices(ctx); n != 0 || notices(t, e, r.ID)[0].Attempts != i {
				t.Fatalf("offered again before the delay")
			}
			at = *ns[0].NextAttemptAt
			e.setNow(at)
		}
	}
	if ns := notices(t, e, r.ID); ns[0].Status != disclosure.NoticeFailed {
		t.Errorf("after %d attempts: %s", disclosure.MaxNoticeAttempts, ns[0].Status)
	}
	if got := auditCount(t, e, disclosure.ActionNoticeSend, "failure"); got != 1 {
		t.Errorf("%d failure events", got)
	}
}
