package wording_test

import (
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

func TestTimeLeft(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		desc string
		due  time.Duration // from now
		want string
	}{
		{"days ahead, counted down", 2*24*time.Hour + 20*time.Hour, "2 days left"},
		{"a week", 7 * 24 * time.Hour, "7 days left"},
		{"tomorrow, in hours", 30 * time.Hour, "30 hours left"},
		{"one hour", time.Hour + 59*time.Minute, "1 hour left"},
		{"minutes", 45 * time.Minute, "45 minutes left"},
		{"one minute", time.Minute, "1 minute left"},
		{"seconds", 20 * time.Second, "due now"},
		{"exactly now", 0, "due now"},
		{"just past", -20 * time.Second, "overdue by less than a minute"},
		{"hours past", -3*time.Hour - 10*time.Minute, "overdue by 3 hours"},
		{"days past", -3 * 24 * time.Hour, "overdue by 3 days"},
		{"a day past, in hours", -25 * time.Hour, "overdue by 25 hours"},
	} {
		if got := wording.TimeLeft(now.Add(tc.due), now); got != tc.want {
			t.Errorf("%s: TimeLeft(now%+v) = %q, want %q", tc.desc, tc.due, got, tc.want)
		}
	}
}

func TestQueueSort(t *testing.T) {
	for _, s := range workflow.QueueSorts {
		if got := wording.QueueSort(s); got == s || got == "" {
			t.Errorf("QueueSort(%q) = %q, want words", s, got)
		}
	}
}
