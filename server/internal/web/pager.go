package web

import (
	"net/url"
	"strconv"
)

// A pager is the way through a numbered list: previous and next, "page N
// of M", and a link to each nearby page. Every link keeps the list's
// filters, so paging never loses a search.
type pager struct {
	Number, Pages, Total int
	Prev, Next           string // links ("?page=2&q=…"); "" at either end
	Links                []pageLink
}

// A pageLink is a link to one page; Href is "" for a gap ("…").
type pageLink struct {
	Number  int
	Href    string
	Current bool
}

// pagerSpan is how many pages either side of the current one get a link.
const pagerSpan = 2

// newPager builds the pager of page number of pages, its links keeping
// filters (the list's query, without its page).
func newPager(filters url.Values, number, pages, total int) pager {
	p := pager{Number: number, Pages: pages, Total: total}
	at := func(n int) string {
		q := url.Values{}
		for k, v := range filters {
			if k != "page" && k != "cursor" && len(v) > 0 && v[0] != "" {
				q[k] = v[:1]
			}
		}
		q.Set("page", strconv.Itoa(n))
		// A whole link, not a query string after a "?" in the template:
		// html/template would escape a query string's "=" and "&".
		return "?" + q.Encode()
	}
	if number > 1 {
		p.Prev = at(min(number-1, pages))
	}
	if number < pages {
		p.Next = at(number + 1)
	}
	for n := 1; n <= pages; n++ {
		switch {
		case n == 1 || n == pages || (n >= number-pagerSpan && n <= number+pagerSpan):
			p.Links = append(p.Links, pageLink{Number: n, Href: at(n), Current: n == number})
		case len(p.Links) > 0 && p.Links[len(p.Links)-1].Href != "":
			p.Links = append(p.Links, pageLink{}) // a gap
		}
	}
	return p
}
