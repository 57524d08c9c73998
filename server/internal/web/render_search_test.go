package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TestQueuePage renders a reviewer's queue: their team's tab is the
// current one, the orders are links that keep the filters and mark the one
// shown, each deadline says the time left beside its date, and the
// reviewer's own work says "you".
func TestQueuePage(t *testing.T) {
	r := mustRenderer(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	soon, late := now.Add(2*24*time.Hour+5*time.Hour), now.Add(-3*time.Hour)
	me := &identity.Principal{PersonID: "p-me", Name: "Riley Chen", Provider: true, Roles: []identity.Role{identity.RoleReviewer}}
	query := url.Values{"team": {"legal"}, "status": {"in_review"}, "cursor": {"q1:old"}, "sort": {workflow.SortReceived}}
	p := queuePage{
		Page:     Page{Title: "Queue", User: me, Caps: policy.Capabilities{HomeQueue: "legal"}},
		Team:     "legal",
		Teams:    workflow.Teams,
		Status:   "in_review",
		Statuses: queueStates(),
		Sort:     workflow.SortReceived,
		Sorts:    queueSorts(query, workflow.SortReceived, wording.In(mustLocales(t).Printer("en"))),
		Now:      now,
		Items: []apiQueueItem{
			{ID: "r-1", Reference: "WD-2026-000001", Status: "in_review", Queue: "legal", Deadline: &soon,
				Assignee: &apiPersonRef{ID: "p-me", Name: "Riley Chen"}, Agency: apiAgencyRef{Name: "Riverside Police Department", Country: "US"}},
			{ID: "r-2", Reference: "WD-2026-000002", Status: "in_review", Queue: "legal", Deadline: &late, Overdue: true,
				Assignee: &apiPersonRef{ID: "p-other", Name: "Sam Ortiz"}, Agency: apiAgencyRef{Name: "Northshire Constabulary", Country: "GB"}},
		},
	}
	html := mustRender(t, r, "provider_queue", p)
	for _, want := range []string{
		`<a href="/provider/queue?team=legal" aria-current="page">`,
		`2026-12-03 15:00 UTC</time> <span class="time-left">(2 days left)</span>`,
		`2026-12-01 07:00 UTC</time> <span class="time-left refused">(overdue by 3 hours)</span>`,
		`<strong>you</strong>`,
		`Sam Ortiz`,
		`<caption id="queue-caption" class="visually-hidden">Requests in the queue, sorted by Received, oldest first</caption>`,
		`<input type="hidden" name="sort" value="received">`,
		`<input type="checkbox" name="done" value="true" >`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("queue page lacks %s", want)
		}
	}
	if strings.Contains(extract(html, `<table id="queue">`, `</table>`), "Riley Chen") {
		t.Error("the queue names the viewer instead of saying \"you\"")
	}
	sorts := extract(html, `id="queue-sort"`, `</ul>`)
	for _, want := range []string{
		`<a href="/provider/queue?sort=deadline&amp;status=in_review&amp;team=legal">Deadline, most urgent first</a>`,
		`<a href="/provider/queue?sort=received&amp;status=in_review&amp;team=legal" aria-current="true">Received, oldest first</a>`,
		`<a href="/provider/queue?sort=agency&amp;status=in_review&amp;team=legal">Agency</a>`,
	} {
		if !strings.Contains(sorts, want) {
			t.Errorf("orders lack %s in\n%s", want, sorts)
		}
	}
	states := extract(html, `id="q-status"`, `</select>`)
	for _, finished := range []string{"draft", "closed", "rejected", "withdrawn", "expired"} {
		if strings.Contains(states, `value="`+finished+`"`) {
			t.Errorf("the queue's state filter offers %s, which no queue holds", finished)
		}
	}
}

// TestProviderListSearch renders a search of the provider's list on its
// second page: the form keeps what was asked, and every page link keeps
// the search and filters.
func TestProviderListSearch(t *testing.T) {
	r := mustRenderer(t)
	query := url.Values{"q": {"+1 (555) 010-0123"}, "agency": {"a-1"}, "process": {"us.subpoena"}, "page": {"2"}}
	p := requestListPage{
		Page:      Page{Title: "Requests received", User: &identity.Principal{Name: "Riley Chen", Provider: true}},
		Base:      "/provider",
		Pager:     newPager(query, 2, 3, 55),
		Query:     "+1 (555) 010-0123",
		Agency:    "a-1",
		Agencies:  []option{{Value: "a-1", Label: "Riverside Police Department (US)"}, {Value: "a-2", Label: "Northshire Constabulary (GB)"}},
		Process:   "us.subpoena",
		Processes: []option{{Value: "us.subpoena", Label: "United States: Subpoena"}},
	}
	html := mustRender(t, r, "provider_list", p)
	for _, want := range []string{
		`value="&#43;1 (555) 010-0123"`,
		`<option value="a-1" selected>Riverside Police Department (US)</option>`,
		`<option value="a-2" >Northshire Constabulary (GB)</option>`,
		`<option value="us.subpoena" selected>`,
		`Page 2 of 3 (55 in all)`,
		`<a href="?agency=a-1&amp;page=1&amp;process=us.subpoena&amp;q=%2B1&#43;%28555%29&#43;010-0123" rel="prev">Previous page</a>`,
		`aria-current="page" aria-label="Page 2">2</a>`,
		`rel="next">Next page</a>`,
		`No request matches.`,
		`<a href="/provider">Clear the filters</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("list page lacks %s", want)
		}
	}
}

func TestPager(t *testing.T) {
	numbers := func(p pager) []int {
		var out []int
		for _, l := range p.Links {
			out = append(out, l.Number) // 0 for a gap
		}
		return out
	}
	for _, tc := range []struct {
		desc               string
		number, pages      int
		want               []int
		wantPrev, wantNext bool
	}{
		{"one page", 1, 1, []int{1}, false, false},
		{"first of many", 1, 10, []int{1, 2, 3, 0, 10}, false, true},
		{"middle", 5, 10, []int{1, 0, 3, 4, 5, 6, 7, 0, 10}, true, true},
		{"last", 10, 10, []int{1, 0, 8, 9, 10}, true, false},
		{"past the last", 12, 10, []int{1, 0, 10}, true, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			p := newPager(url.Values{"q": {"x"}, "cursor": {"c"}, "status": {""}}, tc.number, tc.pages, tc.pages*25)
			if diff := cmp.Diff(tc.want, numbers(p)); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
			if (p.Prev != "") != tc.wantPrev || (p.Next != "") != tc.wantNext {
				t.Errorf("prev %q next %q", p.Prev, p.Next)
			}
			for _, l := range p.Links {
				if l.Href != "" && !strings.HasPrefix(l.Href, "?page=") || strings.Contains(l.Href, "cursor") || strings.Contains(l.Href, "status") {
					t.Errorf("link %q, want page and q only (no cursor, no empty status)", l.Href)
				}
			}
		})
	}
}

// extract is the part of html from the first from to the next to.
func extract(html, from, to string) string {
	_, after, ok := strings.Cut(html, from)
	if !ok {
		return ""
	}
	part, _, _ := strings.Cut(after, to)
	return part
}
