package wording

import (
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// A Book names the legal processes, data categories, jurisdictions and
// issuing authorities of one policy catalogue, as the catalogue itself
// names them.
type Book struct {
	processes     map[string]policy.Process
	categories    map[string]string
	jurisdictions map[string]string
	authorities   map[string]string
	targetTypes   map[string]string
}

// NewBook reads the names out of cat.
func NewBook(cat policy.Catalogue) *Book {
	b := &Book{processes: map[string]policy.Process{}, categories: map[string]string{},
		jurisdictions: map[string]string{}, authorities: map[string]string{}, targetTypes: map[string]string{}}
	for _, k := range cat.AuthorityKinds {
		b.authorities[k.ID] = k.Name
	}
	for _, t := range cat.TargetTypes {
		b.targetTypes[t.ID] = t.Name
	}
	for _, j := range cat.Jurisdictions {
		b.jurisdictions[j.ID] = j.Name
		for _, p := range j.Processes {
			b.processes[p.ID] = p
		}
	}
	for _, c := range cat.Categories {
		b.categories[c.ID] = c.Name
	}
	return b
}

// Jurisdiction names a jurisdiction id ("us" → "United States"); an
// unknown one as stored.
func (b *Book) Jurisdiction(id string) string {
	if n, ok := b.jurisdictions[id]; ok && n != "" {
		return n
	}
	return id
}

// Authority names a kind of issuing authority ("court" → "A court"); an
// unknown one as stored.
func (b *Book) Authority(kind string) string {
	if n, ok := b.authorities[kind]; ok && n != "" {
		return n
	}
	return kind
}

// TargetType names a kind of identifier ("phone" → "Phone number
// (E.164)"); an unknown one as stored.
func (b *Book) TargetType(typ string) string {
	if n, ok := b.targetTypes[typ]; ok && n != "" {
		return n
	}
	return typ
}

// Process names legal process id ("Stored Communications Act order"); an
// unknown one as stored.
func (b *Book) Process(id string) string {
	if p, ok := b.processes[id]; ok && p.Name != "" {
		return p.Name
	}
	return id
}

// Citation is the citation of legal process id ("18 U.S.C. § 2703(d)"),
// "" when the catalogue gives none.
func (b *Book) Citation(id string) string {
	return b.processes[id].Citation
}

// Category names data category id ("Subscriber information"); an unknown
// one as stored.
func (b *Book) Category(id string) string {
	if n, ok := b.categories[id]; ok && n != "" {
		return n
	}
	return id
}

// Categories names the categories ids, joined with commas.
func (b *Book) Categories(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = b.Category(id)
	}
	return strings.Join(names, ", ")
}
