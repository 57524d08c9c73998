package wording

import (
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TimeLeft says in English how long until due, seen at now.
func TimeLeft(due, now time.Time) string { return English.TimeLeft(due, now) }

// TimeLeft says how long until due, seen at now, as a reviewer reads a
// deadline beside its date: "2 days left", "5 hours left", "overdue by 3
// hours". It counts whole units down (2 days and 20 hours is "2 days"),
// so it never promises more time than there is: minutes under an hour,
// hours under two days (a deadline tomorrow is counted in hours), days
// above. Each is a plural message ("1 day left", "2 days left").
func (w Words) TimeLeft(due, now time.Time) string {
	d := due.Sub(now)
	switch {
	case d <= -48*time.Hour:
		return w.T("overdue by %d days", int(-d/(24*time.Hour)))
	case d <= -time.Hour:
		return w.T("overdue by %d hours", int(-d/time.Hour))
	case d <= -time.Minute:
		return w.T("overdue by %d minutes", int(-d/time.Minute))
	case d < 0:
		return w.T("overdue by less than a minute")
	case d < time.Minute:
		return w.T("due now")
	case d < time.Hour:
		return w.T("%d minutes left", int(d/time.Minute))
	case d < 48*time.Hour:
		return w.T("%d hours left", int(d/time.Hour))
	}
	return w.T("%d days left", int(d/(24*time.Hour)))
}

// QueueSort names an order of the provider's queue (workflow.QueueSorts);
// an unknown one as stored.
func QueueSort(sort string) string { return English.QueueSort(sort) }

// QueueSort names an order of the provider's queue in the reader's words.
func (w Words) QueueSort(sort string) string {
	switch sort {
	case workflow.SortDeadline:
		return w.T("Deadline, most urgent first")
	case workflow.SortReceived:
		return w.T("Received, oldest first")
	case workflow.SortAgency:
		return w.T("Agency")
	}
	return sort
}
