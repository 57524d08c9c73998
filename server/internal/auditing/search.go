package auditing

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Query selects events as people ask for them: by a request's reference
// and by a person's name, besides the trail's own filter.
type Query struct {
	audit.Filter
	Reference string // a request's reference, such as WD-2026-000123
	Person    string // part of a person's name or e-mail address
	Page      int    // 1-based page number; 0 means 1
}

// PageSize is how many events a numbered page shows.
const PageSize = 50

// maxPeople bounds how many people a search by name may match.
const maxPeople = 200

// An Entry is an event as people read it: who acted by name and agency,
// and the request by its reference.
type Entry struct {
	audit.Event
	Person    string // the actor's name; "" when the trail names no one we know
	Agency    string // the actor's agency's name; "" for the provider's staff
	Reference string // the request's reference; "" when the event is about none
}

// A Page is one numbered page of entries, newest first.
type Page struct {
	Entries []Entry
	Number  int   // this page's number, from 1
	Pages   int   // how many pages the query has
	Total   int64 // how many events it selects
	Through int64 // the newest event the pages count, to keep them still
}

// Search returns the numbered page of entries q selects, after the policy
// lets actor read the trail, and records the reading. Returns
// Unauthenticated; Forbidden (recorded as a denial) for anyone the policy
// does not let; Invalid for bad filters, an unknown reference or a name
// that matches no one.
func (t *Trail) Search(ctx context.Context, actor *identity.Principal, q Query) (Page, error) {
	if err := t.Check(ctx, actor); err != nil {
		return Page{}, err
	}
	f, err := t.Resolve(ctx, q)
	if err != nil {
		return Page{}, err
	}
	if q.Page < 1 {
		q.Page = 1
	}
	f.Cursor, f.Limit, f.Offset = "", PageSize, (q.Page-1)*PageSize
	found, err := audit.Find(ctx, t.DB, actor.AuditActor(), f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Number: q.Page, Total: found.Total, Through: found.Through,
		Pages: int((found.Total + PageSize - 1) / PageSize)}
	if p.Entries, err = t.entries(ctx, found.Events); err != nil {
		return Page{}, err
	}
	return p, nil
}

// Export calls fn with every entry q selects (its page aside), newest
// first, after the policy lets actor read the trail, recording the reading
// as an export in format before the first entry. Returns what Search
// returns, and fn's error.
func (t *Trail) Export(ctx context.Context, actor *identity.Principal, q Query, format string, fn func(Entry) error) error {
	if err := t.Check(ctx, actor); err != nil {
		return err
	}
	f, err := t.Resolve(ctx, q)
	if err != nil {
		return err
	}
	// Names are looked up a batch at a time, not once per event.
	const batch = 200
	var pending []audit.Event
	flush := func() error {
		entries, err := t.entries(ctx, pending)
		if err != nil {
			return err
		}
		pending = pending[:0]
		for _, e := range entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
	err = audit.Export(ctx, t.DB, actor.AuditActor(), f, format, func(ev audit.Event) error {
		pending = append(pending, ev)
		if len(pending) < batch {
			return nil
		}
		return flush()
	})
	if err != nil {
		return err
	}
	return flush()
}

// Resolve turns q's reference and name into the trail's filter, reading
// nothing of the trail: for a caller that reports these problems with
// others of its own, after Check. Returns Invalid, naming the field, when
// they match nothing.
func (t *Trail) Resolve(ctx context.Context, q Query) (audit.Filter, error) {
	f := q.Filter
	ref, name := strings.TrimSpace(q.Reference), strings.TrimSpace(q.Person)
	f.Asked = map[string]string{"reference": ref, "person": name}
	var problems errs.Fields
	if ref != "" {
		var ids []string
		err := t.DB.WithContext(ctx).Model(&request.Request{}).Where("reference = ?", strings.ToUpper(ref)).Pluck("id", &ids).Error
		switch {
		case err != nil:
			return f, fmt.Errorf("auditing: find request %q: %w", ref, err)
		case len(ids) == 0:
			problems.Add("reference", "No request has the reference %s. Check it against the request's page (such as WD-2026-000123).", ref)
		case f.RequestID != "" && f.RequestID != ids[0]:
			problems.Add("reference", "The reference %s names another request than the request id given. Clear one of them.", ref)
		default:
			f.RequestID = ids[0]
		}
	}
	if name != "" {
		var people []identity.Person
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(name)) + "%"
		err := t.DB.WithContext(ctx).Where(`LOWER(name) LIKE ? ESCAPE '\' OR LOWER(email) LIKE ? ESCAPE '\'`, like, like).
			Order("name").Limit(maxPeople + 1).Find(&people).Error
		switch {
		case err != nil:
			return f, fmt.Errorf("auditing: find people named %q: %w", name, err)
		case len(people) == 0:
			problems.Add("person", "No one's name or e-mail address contains “%s”. Check the spelling, or type less of the name.", name)
		case len(people) > maxPeople:
			problems.Add("person", "More than %d people match “%s”. Type more of the name.", maxPeople, name)
		default:
			f.People = make([]audit.Actor, 0, len(people))
			for _, p := range people {
				f.People = append(f.People, audit.Actor{Issuer: p.Issuer, Subject: p.Subject})
			}
		}
	}
	return f, problems.Err()
}

// entries names the people, agencies and requests of events.
func (t *Trail) entries(ctx context.Context, events []audit.Event) ([]Entry, error) {
	if len(events) == 0 {
		return nil, nil
	}
	subjects, agencyIDs, requestIDs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, ev := range events {
		if ev.Actor.Subject != "" {
			subjects[ev.Actor.Subject] = true
		}
		if ev.Actor.AgencyID != "" {
			agencyIDs[ev.Actor.AgencyID] = true
		}
		if ev.RequestID != "" {
			requestIDs[ev.RequestID] = true
		}
	}
	db := t.DB.WithContext(ctx)
	var people []identity.Person
	if err := db.Where("subject IN ?", keys(subjects)).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("auditing: name people: %w", err)
	}
	type who struct{ issuer, subject string }
	names, peopleAgency := map[who]string{}, map[who]string{}
	for _, p := range people {
		names[who{p.Issuer, p.Subject}] = p.Name
		if p.AgencyID != nil {
			peopleAgency[who{p.Issuer, p.Subject}] = *p.AgencyID
			agencyIDs[*p.AgencyID] = true
		}
	}
	var agencies []agency.Agency
	if err := db.Where("id IN ?", keys(agencyIDs)).Find(&agencies).Error; err != nil {
		return nil, fmt.Errorf("auditing: name agencies: %w", err)
	}
	agencyNames := map[string]string{}
	for _, a := range agencies {
		agencyNames[a.ID] = a.Name
	}
	var refs []struct{ ID, Reference string }
	if err := db.Model(&request.Request{}).Select("id, reference").Where("id IN ?", keys(requestIDs)).Scan(&refs).Error; err != nil {
		return nil, fmt.Errorf("auditing: find references: %w", err)
	}
	references := map[string]string{}
	for _, r := range refs {
		references[r.ID] = r.Reference
	}
	out := make([]Entry, 0, len(events))
	for _, ev := range events {
		w := who{ev.Actor.Issuer, ev.Actor.Subject}
		agencyID := ev.Actor.AgencyID
		if agencyID == "" {
			agencyID = peopleAgency[w]
		}
		out = append(out, Entry{Event: ev, Person: names[w], Agency: agencyNames[agencyID], Reference: references[ev.RequestID]})
	}
	return out, nil
}

// keys lists a set's members, never nil (an empty IN list must still be
// valid SQL).
func keys(set map[string]bool) []string {
	if len(set) == 0 {
		return []string{""}
	}
	return slices.Collect(maps.Keys(set))
}
