package wording

import (
	"fmt"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TimeLeft says how long until due, seen at now, as a reviewer reads a
// deadline beside its date: "2 days left", "5 hours left", "overdue by 3
// hours". It counts whole units down (2 days and 20 hours is "2 days"),
// so it never promises more time than there is.
func TimeLeft(due, now time.Time) string {
	d := due.Sub(now)
	if d < 0 {
		return "overdue by " + span(-d)
	}
	if d < time.Minute {
		return "due now"
	}
	return span(d) + " left"
}

// span is d in its largest whole unit: minutes under an hour, hours under
// two days (a deadline tomorrow is counted in hours), days above.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return count(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return count(int(d/time.Hour), "hour")
	}
	return count(int(d/(24*time.Hour)), "day")
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// QueueSort names an order of the provider's queue (workflow.QueueSorts);
// an unknown one as stored.
func QueueSort(sort string) string {
	switch sort {
	case workflow.SortDeadline:
		return "Deadline, most urgent first"
	case workflow.SortReceived:
		return "Received, oldest first"
	case workflow.SortAgency:
		return "Agency"
	}
	return sort
}
