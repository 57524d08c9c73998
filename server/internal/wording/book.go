package wording

import (
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// A Book names the legal processes, data categories, jurisdictions and
// issuing authorities of one policy catalogue, as the catalogue itself
// names them, in one language: NewBook's in English, In's in another the
// policy bundle speaks.
type Book struct {
	lang          string
	cat           policy.Catalogue // said in lang
	languages     map[string]*Book // every language's book, shared
	processes     map[string]policy.Process
	categories    map[string]string
	jurisdictions map[string]string
	authorities   map[string]string
	targetTypes   map[string]string
}

// NewBook reads the names out of cat, in English and in every language its
// bundle says them in.
func NewBook(cat policy.Catalogue) *Book {
	en := bookIn("en", cat)
	en.languages = map[string]*Book{"en": en}
	for _, l := range cat.Languages() {
		b := bookIn(l, cat.In(l))
		b.languages = en.languages
		en.languages[l] = b
	}
	return en
}

// In is the book in lang ("en", "de"); English when the policy bundle does
// not speak lang.
func (b *Book) In(lang string) *Book {
	if b == nil {
		return nil
	}
	if o, ok := b.languages[lang]; ok {
		return o
	}
	if en, ok := b.languages["en"]; ok {
		return en
	}
	return b
}

// Lang is the language the book names things in.
func (b *Book) Lang() string { return b.lang }

// Catalogue is the policy's catalogue said in the book's language, for the
// guide and the home page.
func (b *Book) Catalogue() policy.Catalogue { return b.cat }

// Say is a text the policy wrote in English (a decision's reason, a
// refusal, a warning, a user notice) in the book's language, as the bundle
// translates it; ids, dates and citations in it stay as written.
func (b *Book) Say(text string) string { return b.cat.Say(b.lang, text) }

func bookIn(lang string, cat policy.Catalogue) *Book {
	b := &Book{lang: lang, cat: cat, processes: map[string]policy.Process{}, categories: map[string]string{},
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
